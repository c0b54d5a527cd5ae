"""CSV as the reports write it: UTF-8, a header row, produced a batch of rows at a time so a
million-line ledger never sits in memory."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable, Sequence


def csv_text(rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue().encode()


async def csv_stream(header: Sequence[str],
                     batches: AsyncIterator[list[Sequence[object]]]) -> AsyncIterator[bytes]:
    yield csv_text([header])
    async for rows in batches:
        if rows:
            yield csv_text(rows)
