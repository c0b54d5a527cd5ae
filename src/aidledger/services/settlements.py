"""Importing a settlement file: the repayments a mobile wallet or a bank collected for a
fund, one CSV row each (`loan,amount,date,reference`), recorded through the repayment
batch, a thousand rows at a time, each on its own (a refused row stops nothing else).

Each row's idempotency key is made of its reference, so importing a file again, or a
later file that repeats some rows, records every payment once: a row already recorded is
replayed, not posted twice.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from aidledger.domain.errors import InvalidInput
from aidledger.services import repayments
from aidledger.services.batches import BatchMode
from aidledger.services.context import Actor, ServiceContext
from aidledger.services.idempotency import claim_for

COLUMNS = ("loan", "amount", "date", "reference")
CHUNK = 1000  # rows per batch: the batch endpoint's limit
# What the rows would be sent as through HTTP: a row imported here and the same item
# posted to the endpoint with the same key are one request, and the second replays.
ITEM_REQUEST = "POST /api/loans/repayments/batch#item"


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # in the file, the header being line 1
    loan: str
    amount: str
    date: str
    reference: str


@dataclass(frozen=True, slots=True)
class RefusedRow:
    line: int
    reference: str
    reason: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    recorded: int
    replayed: int  # rows an earlier import (or request) had recorded already
    refused: list[RefusedRow]


def read_rows(lines: Iterable[str]) -> tuple[list[Row], list[RefusedRow]]:
    """The file's rows, and those refused before anything is sent (a missing or repeated
    reference). A file without the four columns is refused as a whole."""
    reader = csv.DictReader(lines)
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput.field("file", "the header names no column " + ", ".join(missing)
                                 + f"; a settlement file has {','.join(COLUMNS)}")
    rows: list[Row] = []
    refused: list[RefusedRow] = []
    seen: dict[str, int] = {}
    for number, values in enumerate(reader, start=2):
        reference = (values.get("reference") or "").strip()
        if not reference:
            refused.append(RefusedRow(number, "", "reference: required (it is what makes "
                                                  "importing the file again safe)"))
        elif reference in seen:
            refused.append(RefusedRow(number, reference,
                                      f"reference: repeats line {seen[reference]}'s"))
        else:
            seen[reference] = number
            loan, amount, date = ((values.get(column) or "").strip() for column in COLUMNS[:3])
            rows.append(Row(number, loan, amount, date, reference))
    return rows, refused


async def import_rows(context: ServiceContext, actor: Actor, fund_reference: str,
                      rows: list[Row], progress: Callable[[int], None]) -> ImportReport:
    """Records the rows in order; `progress` hears how many rows are done after each
    batch."""
    recorded = replayed = 0
    refused: list[RefusedRow] = []
    for start in range(0, len(rows), CHUNK):
        chunk: list[Row] = []
        items = []
        for row in rows[start:start + CHUNK]:
            document = {"loan": row.loan, "amount": row.amount, "date": row.date,
                        "reference": row.reference}
            try:
                claim = claim_for(actor.username, "reference", f"settlement:{row.reference}",
                                  ITEM_REQUEST, document, context.reply_seal_key)
            except InvalidInput:
                refused.append(RefusedRow(row.line, row.reference, "reference: visible "
                                          "ASCII characters only, at most 244 of them"))
                continue
            chunk.append(row)
            items.append((claim, repayments.RepaymentRequest(row.loan, row.amount, row.date,
                                                        row.reference)))
        outcomes = await repayments.repay_batch(context, actor, BatchMode.INDEPENDENT,
                                           fund_reference, items) if items else []
        for row, outcome in zip(chunk, outcomes, strict=True):
            if outcome.response is None:
                assert outcome.refusal is not None
                reasons = "; ".join(f"{error.field}: {error.message}"
                                    for error in outcome.refusal.errors)
                refused.append(RefusedRow(row.line, row.reference,
                                          reasons or outcome.refusal.detail))
            elif outcome.response.replayed:
                replayed += 1
            else:
                recorded += 1
        progress(min(start + CHUNK, len(rows)))
    return ImportReport(recorded, replayed, sorted(refused, key=lambda row: row.line))
