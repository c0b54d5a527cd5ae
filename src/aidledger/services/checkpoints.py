"""Taking and checking signed checkpoints of a fund's chain head (Ed25519)."""

from __future__ import annotations

from typing import Any

from aidledger.contract.audit import CheckpointCheckOut, CheckpointOut
from aidledger.domain.checkpoints import (
    HASH_PATTERN,
    Checkpoint,
    holds_against,
)
from aidledger.domain.dates import timestamp
from aidledger.domain.errors import InvalidInput
from aidledger.persistence import journal
from aidledger.services.context import ServiceContext
from aidledger.services.funds import find_fund, fund_in_path
from aidledger.services.verification import walk_chain


def _document(checkpoint: Checkpoint, signature: str) -> CheckpointOut:
    return CheckpointOut(fund=checkpoint.fund, seq=checkpoint.seq, hash=checkpoint.hash,
                         at=checkpoint.at, key_id=checkpoint.key_id, signature=signature)


async def take_checkpoint(context: ServiceContext, fund_reference: str) -> CheckpointOut:
    fund = await fund_in_path(context, fund_reference)
    head = await journal.read_chain_head(context.database, fund.id)
    signer = context.checkpoint_signer
    checkpoint = Checkpoint(fund.code, head.last_seq, head.last_hash,
                            timestamp(context.clock.now()), signer.key_id)
    return _document(checkpoint, signer.sign(checkpoint))


def read_checkpoint(document: dict[str, Any]) -> tuple[Checkpoint, str]:
    """A checkpoint as sent back by an auditor, or a 400 naming the field that is wrong."""
    for name, kind in (("fund", str), ("seq", int), ("hash", str), ("at", str),
                       ("key_id", str), ("signature", str)):
        value = document.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InvalidInput.field(name, f"required, a {kind.__name__}")
    if document["seq"] < 0:
        raise InvalidInput.field("seq", "0 or more")
    if not HASH_PATTERN.fullmatch(document["hash"]):
        raise InvalidInput.field("hash", "64 lowercase hexadecimal digits")
    return (Checkpoint(document["fund"], document["seq"], document["hash"], document["at"],
                       document["key_id"]), document["signature"])


async def check_checkpoint(context: ServiceContext,
                           document: dict[str, Any]) -> CheckpointCheckOut:
    """Good only if the service's key signed it and today's chain, recomputed from genesis
    up to the checkpoint's entry, still ends there with that hash."""
    checkpoint, signature = read_checkpoint(document)
    signer = context.checkpoint_signer
    if checkpoint.key_id != signer.key_id:
        return CheckpointCheckOut(ok=False, reason=f"signed by key {checkpoint.key_id}, not "
                                                   f"by this service's key {signer.key_id}")
    if not signer.signature_is_good(checkpoint, signature):
        return CheckpointCheckOut(ok=False,
                                  reason="the signature does not match the checkpoint")
    fund = await find_fund(context, checkpoint.fund)
    if fund is None:
        return CheckpointCheckOut(ok=False,
                                  reason=f"the fund {checkpoint.fund!r} no longer exists")
    reason = await _chain_reason(context, fund.id, checkpoint)
    return CheckpointCheckOut(ok=reason is None, reason=reason)


async def _chain_reason(context: ServiceContext, fund_id: str,
                        checkpoint: Checkpoint) -> str | None:
    async with context.database.snapshot():
        walk = await walk_chain(context.database, fund_id, checkpoint.seq)
    if walk.fault is not None:
        return f"entry {walk.fault.seq}: {walk.fault.reason}"
    return holds_against(checkpoint,
                         walk.head_hash if walk.checked == checkpoint.seq else None)
