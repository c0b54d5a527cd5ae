"""Emergency grants: programmes with a per-person cap and an optional budget, applications
decided by the programme's policy, the shared maker-checker approval, and payment.

Approval checks the per-person cap and the budget again under a lock on the programme
(the state may have moved since the application) and reserves the amount from both the
budget (`committed`) and the fund's available cash; payment releases the fund's
reservation and posts Dr 5000 emergency grants paid / Cr 1000 cash.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from aidledger.domain import money
from aidledger.domain.errors import Conflict, FieldError, NotFound, RuleViolation
from aidledger.domain.grants import (
    GRANT_LIFECYCLE,
    GrantStatus,
    require_within_budget,
    require_within_cap,
)
from aidledger.domain.ledger import AccountCode, EntryDraft, Line, Source
from aidledger.persistence.database import Database
from aidledger.services import approvals, lifecycle
from aidledger.services.applicants import applicant_profile, grants_received_last_365_days
from aidledger.services.audit import record_event
from aidledger.services.context import Actor, Role, ServiceContext
from aidledger.services.funds import fund_in_body, fund_in_path
from aidledger.services.idempotency import IdempotencyClaim, StoredResponse, run_once
from aidledger.services.lifecycle import ApprovableKind, lock_row
from aidledger.services.loans import borrowing_history
from aidledger.services.pagination import (
    decode_code_cursor,
    encode_code_cursor,
    require_limit,
    split_page,
)
from aidledger.services.policies import decide_or_refuse
from aidledger.services.posting import append_entry
from aidledger.services.validation import (
    business_date,
    optional_text,
    require_code,
    require_text,
    taken_means_conflict,
)

DEFAULT_ELIGIBILITY_POLICY = "grant-eligibility"


def _program_document(row: dict[str, Any]) -> dict[str, Any]:
    currency = row["currency"]
    budget = row["budget"]
    return {
        "code": row["code"], "name": row["name"], "fund": row["fund_code"],
        "currency": currency, "category": row["category"],
        "max_per_person": money.format_minor(row["max_per_person"], currency),
        "budget": None if budget is None else money.format_minor(budget, currency),
        "committed": money.format_minor(row["committed"], currency),
        "remaining": None if budget is None else money.format_minor(
            budget - row["committed"], currency),
        "eligibility_policy": row["eligibility_policy"],
    }


_PROGRAM_COLUMNS = "p.*, f.code AS fund_code"


async def create_program(context: ServiceContext, actor: Actor, *, code: str, name: str,
                         fund_reference: str, category: str, max_per_person: str,
                         budget: str | None, eligibility_policy: str | None,
                         ) -> dict[str, Any]:
    require_code(code, "code")
    name = require_text(name, "name")
    fund = await fund_in_body(context, fund_reference, "fund")
    cap = money.parse_amount(max_per_person, fund.currency, "max_per_person")
    limit = None if budget is None else money.parse_amount(budget, fund.currency, "budget")
    if eligibility_policy is None and context.policies.get(DEFAULT_ELIGIBILITY_POLICY):
        eligibility_policy = DEFAULT_ELIGIBILITY_POLICY
    if eligibility_policy is not None:
        policy = context.policies.get(eligibility_policy)
        if policy is None or policy.applies_to != "grant_application":
            raise RuleViolation.field("eligibility_policy",
                                      f"no grant_application policy {eligibility_policy!r}")
    database = context.database
    with taken_means_conflict("code", f"A grant programme {code!r} already exists."):
        async with database.write():
            await database.execute(
                "INSERT INTO grant_program (code, name, fund_id, currency, category, "
                "max_per_person, budget, eligibility_policy, created_at, created_by) "
                "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                code, name, fund.id, fund.currency, category, cap, limit, eligibility_policy,
                context.clock.now(), actor.username)
            row = await _program(database, code)
            document = _program_document(row)
            await record_event(database, context.clock, actor, "grant_program.created",
                               ("grant_program", code), after=document, fund_id=fund.id)
    return document


async def _program(database: Database, code: str, *, lock: bool = False) -> dict[str, Any]:
    row = await database.fetch_one(
        f"SELECT {_PROGRAM_COLUMNS} FROM grant_program AS p JOIN fund AS f ON f.id = p.fund_id "
        "WHERE p.code = {}" + (database.lock_clause("p") if lock else ""), code)
    if row is None:
        raise NotFound(f"No grant programme {code!r}.")
    return row


async def list_programs(context: ServiceContext, *, limit: int,
                        cursor: str | None) -> dict[str, Any]:
    require_limit(limit)
    rows = await context.database.fetch(
        f"SELECT {_PROGRAM_COLUMNS} FROM grant_program AS p JOIN fund AS f ON f.id = p.fund_id "
        "WHERE p.code > {} ORDER BY p.code LIMIT {}", decode_code_cursor(cursor), limit + 1)
    page, next_cursor = split_page(rows, limit, lambda row: encode_code_cursor(row["code"]))
    return {"items": [_program_document(row) for row in page], "next_cursor": next_cursor}


async def grant_document(context: ServiceContext, row: dict[str, Any]) -> dict[str, Any]:
    currency = row["currency"]
    return {
        "id": row["id"], "person": row["person_id"], "program": row["program_code"],
        "currency": currency, "amount": money.format_minor(row["amount"], currency),
        "reason": row["reason"], "applied_on": row["applied_on"].isoformat(),
        "status": row["status"], "status_reason": row["status_reason"],
        "decision": None if row["decision"] is None else json.loads(row["decision"]),
        "approvals_needed": row["approvals_needed"],
        "approvals": (await approvals.approvals_of(context.database, "grant",
                                                   [row["id"]]))[row["id"]],
        "created_by": row["created_by"],
        "paid_on": row["paid_on"].isoformat() if row["paid_on"] else None,
        "payment": None if row["payment_method"] is None else {
            "method": row["payment_method"], "reference": row["payment_reference"],
            "payee": row["payee"]},
        "entry_id": row["entry_id"],
    }


async def apply(context: ServiceContext, actor: Actor, claim: IdempotencyClaim | None, *,
                person_id: str, program_code: str, amount: str, reason: str,
                ) -> StoredResponse:
    database = context.database
    try:
        program = await _program(database, program_code)
    except NotFound:  # named in the body, not the path: a 422
        raise RuleViolation.field("program", f"no grant programme {program_code!r}") from None
    minor = money.parse_amount(amount, program["currency"], "amount")
    reason = require_text(reason, "reason", max_length=1000)
    today = context.clock.today()
    application = {"amount": minor, "currency": program["currency"], "installments": 0,
                   "purpose": reason}
    needed = approvals.approvals_needed(context, application, today)

    async def record() -> dict[str, Any]:
        person = await database.fetch_one("SELECT * FROM person WHERE id = {}", person_id)
        if person is None:
            raise RuleViolation.field("person", f"no person {person_id!r}")
        pending = await database.fetch_one(
            "SELECT id FROM emergency_grant WHERE person_id = {} AND program_code = {} "
            "AND status = {}", person_id, program_code, GrantStatus.PENDING_APPROVAL.value)
        if pending is not None:
            raise _second_pending(pending["id"])
        decision = None
        policy = context.policies.get(program["eligibility_policy"] or "")
        if policy is not None:
            facts = {
                "applicant": {
                    **await applicant_profile(database, person, today),
                    **await borrowing_history(database, person_id, today),
                    "grants_received_last_365_days": await grants_received_last_365_days(
                        database, person_id, today, program_code)},
                "application": application,
                "program": {"code": program["code"], "category": program["category"],
                            "currency": program["currency"],
                            "max_per_person": program["max_per_person"]},
            }
            decision = decide_or_refuse(context, policy, facts, today, fact_field="person",
                                        date_field="applied_on").document()
        eligible = decision is None or decision["outcome"] == "eligible"
        grant_id = str(uuid.uuid4())
        with taken_means_conflict("person", "This person already has a pending application "
                                            "in the programme."):
            await database.execute(
                "INSERT INTO emergency_grant (id, person_id, program_code, fund_id, currency, "
                "amount, reason, applied_on, status, status_reason, decision, approvals_needed, "
                "created_by, created_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, "
                "{}, {})",
                grant_id, person_id, program_code, program["fund_id"], program["currency"],
                minor, reason, today,
                (GrantStatus.PENDING_APPROVAL if eligible else GrantStatus.REJECTED).value,
                None if eligible else "not eligible under the policy",
                None if decision is None else json.dumps(decision, ensure_ascii=False),
                needed, actor.username, context.clock.now())
        row = await lock_row(database, "emergency_grant", grant_id, "grant")
        await record_event(database, context.clock, actor, "grant.applied",
                           ("grant", grant_id), after={"status": row["status"],
                                                       "amount": amount},
                           fund_id=program["fund_id"])
        return await grant_document(context, row)

    return await run_once(database, context.clock, claim, 201, record)


def _second_pending(first: str) -> Conflict:
    return Conflict(f"This person already has a pending application in the programme: {first}.",
                    [FieldError("person", f"pending application {first}")], pending_grant=first)


async def _give_back_to_programme(database: Database, row: dict[str, Any]) -> None:
    """A cancelled grant no longer counts against its programme's budget."""
    await _program(database, row["program_code"], lock=True)
    await database.execute(
        "UPDATE grant_program SET committed = committed - {} WHERE code = {}",
        row["amount"], row["program_code"])


GRANTS = ApprovableKind("grant", "emergency_grant", GRANT_LIFECYCLE, grant_document,
                        on_cancel=_give_back_to_programme)


async def approve(context: ServiceContext, actor: Actor, grant_id: str,
                  claim: IdempotencyClaim | None, note: str | None) -> StoredResponse:
    database = context.database

    async def change(row: dict[str, Any]) -> None:
        GRANT_LIFECYCLE.allow(row["status"], "approve")
        # The programme's lock orders approvals in it: cap and budget are checked on
        # what is committed now, not when the application came in.
        program = await _program(database, row["program_code"], lock=True)
        received = await grants_received_last_365_days(
            database, row["person_id"], context.clock.today(), row["program_code"])
        currency = row["currency"]
        require_within_cap(received, row["amount"], program["max_per_person"], currency)
        subject = approvals.Approvable("grant", row["id"], row["created_by"], row["fund_id"],
                                       currency, row["amount"], row["approvals_needed"])
        if await approvals.approve(context, actor, subject, note):
            require_within_budget(program["committed"], row["amount"], program["budget"],
                                  currency)
            await database.execute(
                "UPDATE grant_program SET committed = committed + {} WHERE code = {}",
                row["amount"], row["program_code"])
            await database.execute(
                "UPDATE emergency_grant SET status = {}, reserved = amount "
                "WHERE id = {}", GRANT_LIFECYCLE.target("approve").value, row["id"])

    return await GRANTS.change(context, actor, grant_id, claim, "approved", change)


async def reject(context: ServiceContext, actor: Actor, grant_id: str,
                 claim: IdempotencyClaim | None, reason: str) -> StoredResponse:
    return await lifecycle.reject(context, actor, GRANTS, grant_id, claim, reason)


async def cancel(context: ServiceContext, actor: Actor, grant_id: str,
                 claim: IdempotencyClaim | None, reason: str) -> StoredResponse:
    """Only an approved grant not yet paid; gives back its reservation and budget."""
    return await lifecycle.cancel(context, actor, GRANTS, grant_id, claim, reason)


async def pay(context: ServiceContext, actor: Actor, grant_id: str,
              claim: IdempotencyClaim | None, *, date_text: str, method: str,
              reference: str | None, payee: str | None) -> StoredResponse:
    on = business_date(context.clock.today(), date_text, "date")
    reference = optional_text(reference, "reference", max_length=200)
    payee = optional_text(payee, "payee", max_length=200)
    if method == "paid_to_provider" and payee is None:
        raise RuleViolation.field("payee", "name the hospital, funeral home or landlord paid")
    database = context.database

    async def change(row: dict[str, Any]) -> None:
        paid = GRANT_LIFECYCLE.to(row["status"], "pay")
        if on < row["applied_on"]:
            raise RuleViolation.field("date", "may not precede the application")
        # The reservation ends as the money leaves: released first, so it pays this.
        await approvals.release(database, row["fund_id"], row["reserved"])
        fund = await fund_in_path(context, row["fund_id"])
        entry = await append_entry(context, actor, fund, EntryDraft(
            date=on, memo=f"Emergency grant {row['program_code']} to person {row['person_id']}"
            + (f", paid to {payee}" if payee else ""),
            lines=(Line(AccountCode.GRANTS_PAID, row["amount"], 0),
                   Line(AccountCode.CASH, 0, row["amount"])),
            source=Source("grant_payment", row["id"])))
        await database.execute(
            "UPDATE emergency_grant SET status = {}, reserved = 0, paid_on = {}, "
            "payment_method = {}, payment_reference = {}, payee = {}, entry_id = {} "
            "WHERE id = {}", paid.value, on, method, reference, payee, entry.id, row["id"])

    return await GRANTS.change(context, actor, grant_id, claim, "paid", change)


async def get_grant(context: ServiceContext, actor: Actor, grant_id: str) -> dict[str, Any]:
    row = await context.database.fetch_one("SELECT * FROM emergency_grant WHERE id = {}",
                                           grant_id)
    # A borrower asking for anyone else's grant learns nothing, not even that it exists.
    if row is None or (actor.role is Role.BORROWER and row["person_id"] != actor.person_id):
        raise NotFound(f"No grant {grant_id!r}.")
    return await grant_document(context, row)
