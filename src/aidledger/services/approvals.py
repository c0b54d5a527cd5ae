"""Maker-checker approvals and the cash they reserve: one mechanism for every kind of
payment out of a fund (loans now, grants next).

The person who recorded an application never approves it; each admin approves once;
the approval policy says whether one approval suffices. Full approval reserves the
amount from the fund's available cash (cash minus what other approvals reserved),
under a lock on the fund, so two approvals can never promise the same money twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aidledger.contract.loans import ApprovalOut
from aidledger.domain.dates import timestamp
from aidledger.domain.errors import Conflict, FieldError, Forbidden
from aidledger.domain.money import money_text
from aidledger.persistence import approvals as store
from aidledger.persistence import journal
from aidledger.persistence.database import Database
from aidledger.rules.model import NoPolicyInForce
from aidledger.services.context import Actor, ServiceContext
from aidledger.services.policies import decide_or_refuse
from aidledger.services.validation import optional_text, taken_means_conflict


@dataclass(frozen=True, slots=True)
class Approvable:
    kind: str  # "loan" | "grant"
    id: str
    created_by: str
    fund_id: str
    currency: str
    amount: int
    approvals_needed: int


def approvals_needed(context: ServiceContext, application: dict[str, Any], on: Any) -> int:
    """One approval below the approval policy's threshold, two at or above it (or when no
    approval policy is in force: two pairs of eyes are the safe default)."""
    policy = next((policy for policy in context.policies if policy.applies_to == "approval"),
                  None)
    if policy is None:
        return 2
    try:
        policy.version_on(on)
    except NoPolicyInForce:
        return 2
    decision = decide_or_refuse(context, policy, {"application": application}, on,
                                fact_field="amount", date_field="applied_on")
    return 1 if decision.passed else 2


async def approve(context: ServiceContext, actor: Actor, subject: Approvable,
                  note: str | None) -> bool:
    """Records the approval (inside the caller's write transaction, with the subject
    locked); True when it completes the approvals and the amount is now reserved."""
    if actor.username == subject.created_by:
        raise Forbidden("Whoever recorded an application may not approve it.")
    database = context.database
    with taken_means_conflict("approver", f"{actor.username} has already approved this."):
        count = await store.insert_approval(database, subject.kind, subject.id, actor.username,
                                            context.clock.now(), optional_text(note, "note"))
    if count < subject.approvals_needed:
        return False
    await reserve(database, subject.fund_id, subject.currency, subject.amount)
    return True


async def reserve(database: Database, fund_id: str, currency: str, amount: int) -> None:
    head = await journal.read_chain_head(database, fund_id, lock=True)
    available = head.cash - head.reserved
    if amount > available:
        raise Conflict(
            f"Insufficient funds: {money_text(available, currency)} is available "
            f"(cash less what approvals already reserved); this needs "
            f"{money_text(amount, currency)}.",
            [FieldError("amount", "more than the fund's available cash")])
    await store.change_reserved(database, fund_id, amount)


async def release(database: Database, fund_id: str, amount: int) -> None:
    if amount:
        await store.change_reserved(database, fund_id, -amount)


async def approvals_of(database: Database, kind: str,
                       subject_ids: list[str]) -> dict[str, list[ApprovalOut]]:
    """The approvals of each subject as the API shows them, oldest first, in one query."""
    found = await store.approvals_of(database, kind, subject_ids)
    return {subject_id: [ApprovalOut(by=item.approver, at=timestamp(item.at), note=item.note)
                         for item in items] for subject_id, items in found.items()}
