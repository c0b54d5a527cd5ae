"""The audit package: one zip with every report of a period, the verify result, a signed
checkpoint, a manifest of sha256 digests, and what an auditor needs to recompute the hash
chain from `general-ledger.csv` alone (README.txt and verify_chain.py).

The zip is written to a spooled temporary file (memory up to 16 MB, disk beyond), so a
package of a million-line ledger does not sit in memory."""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO

import msgspec

from aidledger.domain.dates import report_period, timestamp
from aidledger.domain.errors import Unavailable
from aidledger.reports import general_ledger, verify_chain
from aidledger.reports.beancount import beancount_report
from aidledger.reports.grants import grants_report
from aidledger.reports.output import Progress, Rendered, once
from aidledger.reports.pdf import render_text
from aidledger.reports.portfolio import portfolio_report
from aidledger.reports.tables import csv_stream
from aidledger.reports.trial_balance import trial_balance_report
from aidledger.services.checkpoints import take_checkpoint
from aidledger.services.context import ServiceContext
from aidledger.services.verification import verify_fund

NAME = "audit-package"
_SPOOL_IN_MEMORY = 16 * 1024 * 1024
_READ = 64 * 1024
# The script as it ships: an auditor runs exactly what the tests run.
_VERIFY_CHAIN = Path(verify_chain.__file__).read_bytes()


class _Package:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.digests: dict[str, str] = {}

    async def put(self, name: str, chunks: AsyncIterator[bytes]) -> None:
        digest = hashlib.sha256()
        with self.archive.open(name, "w") as member:
            async for chunk in chunks:
                member.write(chunk)
                digest.update(chunk)
        self.digests[name] = digest.hexdigest()


async def _file_chunks(spool: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := spool.read(_READ):
            yield chunk
    finally:
        spool.close()


async def audit_package_report(context: ServiceContext, fund_reference: str,
                               start: str | None, end: str | None,
                               progress: Progress | None = None) -> Rendered:
    period = report_period(context.clock.today(), start, end)
    # The checkpoint first: the ledger read next reaches at least as far, so
    # verify_chain.py can hold the file against the signed head when it lies in the period.
    checkpoint = await take_checkpoint(context, fund_reference)
    ledger = await general_ledger.open_general_ledger(context, fund_reference, period)
    fund, to = ledger.basis.fund, period.end.isoformat()
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115
    missing: str | None = None
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        package = _Package(archive)
        await package.put("trial-balance.csv",
                          (await trial_balance_report(context, fund.id, to, "csv")).chunks)
        try:
            pdf = await trial_balance_report(context, fund.id, to, "pdf")
            await package.put("trial-balance.pdf", pdf.chunks)
        except Unavailable as unavailable:
            missing = unavailable.detail
        await package.put("general-ledger.csv", csv_stream(
            general_ledger.COLUMNS, general_ledger.csv_rows(context, ledger, progress)))
        await package.put("portfolio.csv",
                          (await portfolio_report(context, fund.id, to, "csv")).chunks)
        await package.put("grants.csv", (await grants_report(
            context, fund.id, period.start.isoformat(), to, "csv")).chunks)
        await package.put("books.beancount", (await beancount_report(context, fund.id, to)).chunks)
        await package.put("verify.json",
                          once(msgspec.json.encode(await verify_fund(context, fund.id))))
        await package.put("checkpoint.json", once(msgspec.json.encode(checkpoint)))
        await package.put("verify_chain.py", once(_VERIFY_CHAIN))
        await package.put("README.txt", once(render_text(
            context.reports_path, "audit-package-README.txt",
            {"fund": fund, "period": period, "head": ledger.basis.head,
             "generated_at": timestamp(ledger.basis.generated_at), "missing": missing,
             "columns": general_ledger.COLUMNS}).encode()))
        manifest = {"fund": fund.code, "from": period.start.isoformat(), "to": to,
                    "generated_at": timestamp(ledger.basis.generated_at),
                    "chain_head": {"seq": ledger.basis.head.last_seq,
                                   "hash": ledger.basis.head.last_hash},
                    "missing": [] if missing is None else ["trial-balance.pdf"],
                    "sha256": dict(sorted(package.digests.items()))}
        archive.writestr("MANIFEST.json", msgspec.json.format(msgspec.json.encode(manifest)))
    spool.seek(0)
    return Rendered(NAME, fund.code, period.end, "zip", _file_chunks(spool))
