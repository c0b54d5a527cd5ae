"""Emergency grants: programmes with a per-person cap and an optional budget, applications
decided by the programme's policy, the shared maker-checker approval, and payment.

Approval checks the per-person cap and the budget again under a lock on the programme
(the state may have moved since the application) and reserves the amount from both the
budget (`committed`) and the fund's available cash; payment releases the fund's
reservation and posts Dr 5000 emergency grants paid / Cr 1000 cash.
"""

from __future__ import annotations

import uuid

import msgspec

from aidledger.contract.grants import GrantOut, GrantProgramList, GrantProgramOut, PaymentOut
from aidledger.contract.policies import DecisionOut
from aidledger.domain import money
from aidledger.domain.errors import Conflict, FieldError, NotFound, RuleViolation
from aidledger.domain.grants import (
    GRANT_LIFECYCLE,
    GrantStatus,
    require_within_budget,
    require_within_cap,
)
from aidledger.domain.ledger import AccountCode, EntryDraft, Line, Source
from aidledger.persistence import grants as store
from aidledger.persistence.database import Database
from aidledger.persistence.grants import GrantRecord, ProgramRecord
from aidledger.persistence.people import find_person
from aidledger.services import approvals, lifecycle
from aidledger.services.audit import record_event
from aidledger.services.context import Actor, Role, ServiceContext
from aidledger.services.decision_facts import cap_window, grant_application_facts, granted_in_window
from aidledger.services.funds import fund_in_body, fund_in_path
from aidledger.services.idempotency import IdempotencyClaim, StoredResponse, run_once
from aidledger.services.lifecycle import ApprovableKind
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


def _program_document(program: ProgramRecord) -> GrantProgramOut:
    currency = program.currency
    budget = program.budget
    return GrantProgramOut(
        code=program.code, name=program.name, fund=program.fund_code, currency=currency,
        category=program.category,  # type: ignore[arg-type]  # the table's CHECK holds it
        max_per_person=money.format_minor(program.max_per_person, currency),
        budget=None if budget is None else money.format_minor(budget, currency),
        committed=money.format_minor(program.committed, currency),
        remaining=None if budget is None else money.format_minor(budget - program.committed,
                                                                  currency),
        eligibility_policy=program.eligibility_policy)


async def create_program(context: ServiceContext, actor: Actor, *, code: str, name: str,
                         fund_reference: str, category: str, max_per_person: str,
                         budget: str | None, eligibility_policy: str | None,
                         ) -> GrantProgramOut:
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
    program = ProgramRecord(code=code, name=name, fund_id=fund.id, fund_code=fund.code,
                            currency=fund.currency, category=category, max_per_person=cap,
                            budget=limit, committed=0, eligibility_policy=eligibility_policy)
    with taken_means_conflict("code", f"A grant programme {code!r} already exists."):
        async with database.write():
            await store.insert_program(database, program, context.clock.now(),
                                       actor.username)
            document = _program_document(await _program(database, code))
            await record_event(database, context.clock, actor, "grant_program.created",
                               ("grant_program", code), after=msgspec.to_builtins(document),
                               fund_id=fund.id)
    return document


async def _program(database: Database, code: str, *, lock: bool = False) -> ProgramRecord:
    program = await store.find_program(database, code, lock=lock)
    if program is None:
        raise NotFound(f"No grant programme {code!r}.")
    return program


async def list_programs(context: ServiceContext, *, limit: int,
                        cursor: str | None) -> GrantProgramList:
    require_limit(limit)
    rows = await store.programs_after(context.database, decode_code_cursor(cursor), limit + 1)
    page, next_cursor = split_page(rows, limit, lambda row: encode_code_cursor(row.code))
    return GrantProgramList(items=[_program_document(row) for row in page],
                            next_cursor=next_cursor)


async def grant_document(context: ServiceContext, grant: GrantRecord) -> GrantOut:
    return (await grant_documents(context, [grant]))[0]


async def grant_documents(context: ServiceContext, grants: list[GrantRecord]) -> list[GrantOut]:
    """Grants as the API shows them, their approvals read for all at once."""
    approved = await approvals.approvals_of(context.database, "grant",
                                            [grant.id for grant in grants])
    return [GrantOut(
        id=grant.id, person=grant.person_id, program=grant.program_code,
        currency=grant.currency, amount=money.format_minor(grant.amount, grant.currency),
        reason=grant.reason, applied_on=grant.applied_on.isoformat(),
        status=grant.status,  # type: ignore[arg-type]  # the table's CHECK holds it
        status_reason=grant.status_reason,
        decision=None if grant.decision is None else msgspec.convert(grant.decision,
                                                                     DecisionOut),
        approvals_needed=grant.approvals_needed, approvals=approved[grant.id],
        created_by=grant.created_by,
        paid_on=grant.paid_on.isoformat() if grant.paid_on else None,
        payment=None if grant.payment_method is None else PaymentOut(
            method=grant.payment_method, reference=grant.payment_reference, payee=grant.payee),
        entry_id=grant.entry_id) for grant in grants]


async def grants_awaiting(context: ServiceContext, fund_reference: str,
                          limit: int) -> list[GrantOut]:
    """A fund's grants awaiting an approval or their payment, oldest first (the queue)."""
    fund = await fund_in_path(context, fund_reference)
    rows = await store.grants_in_status(
        context.database, fund.id, (GrantStatus.PENDING_APPROVAL, GrantStatus.APPROVED), limit)
    return await grant_documents(context, rows)


async def apply(context: ServiceContext, actor: Actor, claim: IdempotencyClaim | None, *,
                person_id: str, program_code: str, amount: str, reason: str,
                ) -> StoredResponse:
    database = context.database
    try:
        program = await _program(database, program_code)
    except NotFound:  # named in the body, not the path: a 422
        raise RuleViolation.field("program", f"no grant programme {program_code!r}") from None
    minor = money.parse_amount(amount, program.currency, "amount")
    reason = require_text(reason, "reason", max_length=1000)
    today = context.clock.today()
    application = {"amount": minor, "currency": program.currency, "installments": 0,
                   "purpose": reason}
    needed = approvals.approvals_needed(context, application, today)

    async def record() -> GrantOut:
        person = await find_person(database, person_id)
        if person is None:
            raise RuleViolation.field("person", f"no person {person_id!r}")
        pending = await store.pending_grant(database, person_id, program_code)
        if pending is not None:
            raise _second_pending(pending)
        decision = None
        policy = context.policies.get(program.eligibility_policy or "")
        if policy is not None:
            facts = await grant_application_facts(database, person, today, application,
                                                  program, policy)
            decision = decide_or_refuse(context, policy, facts, today, fact_field="person",
                                        date_field="applied_on").document()
        eligible = decision is None or decision["outcome"] == "eligible"
        grant = GrantRecord(
            id=str(uuid.uuid4()), person_id=person_id, program_code=program_code,
            fund_id=program.fund_id, currency=program.currency, amount=minor, reason=reason,
            applied_on=today,
            status=(GrantStatus.PENDING_APPROVAL if eligible else GrantStatus.REJECTED).value,
            status_reason=None if eligible else "not eligible under the policy",
            decision=decision, approvals_needed=needed, reserved=0, paid_on=None,
            payment_method=None, payment_reference=None, payee=None, entry_id=None,
            created_by=actor.username, created_at=context.clock.now())
        with taken_means_conflict("person", "This person already has a pending application "
                                            "in the programme."):
            await store.insert_grant(database, grant)
        row = await GRANTS.lock(database, grant.id)
        await record_event(database, context.clock, actor, "grant.applied",
                           ("grant", grant.id), after={"status": row.status, "amount": amount},
                           fund_id=program.fund_id)
        return await grant_document(context, row)

    return await run_once(database, context.clock, claim, 201, record)


def _second_pending(first: str) -> Conflict:
    return Conflict(f"This person already has a pending application in the programme: {first}.",
                    [FieldError("person", f"pending application {first}")], pending_grant=first)


async def _give_back_to_programme(database: Database, grant: GrantRecord) -> None:
    """A cancelled grant no longer counts against its programme's budget."""
    await _program(database, grant.program_code, lock=True)
    await store.change_committed(database, grant.program_code, -grant.amount)


GRANTS = ApprovableKind("grant", "emergency_grant", store.find_grant, GRANT_LIFECYCLE,
                        grant_document, on_cancel=_give_back_to_programme)


async def approve(context: ServiceContext, actor: Actor, grant_id: str,
                  claim: IdempotencyClaim | None, note: str | None) -> StoredResponse:
    database = context.database

    async def change(grant: GrantRecord) -> None:
        GRANT_LIFECYCLE.allow(grant.status, "approve")
        # The programme's lock orders approvals in it: cap and budget are checked on
        # what is committed now, not when the application came in.
        program = await _program(database, grant.program_code, lock=True)
        today = context.clock.today()
        window = cap_window(context.policies.get(program.eligibility_policy or ""), today)
        received = await granted_in_window(database, grant.person_id, today, window,
                                           grant.program_code)
        currency = grant.currency
        require_within_cap(received, grant.amount, program.max_per_person, currency)
        subject = approvals.Approvable("grant", grant.id, grant.created_by, grant.fund_id,
                                       currency, grant.amount, grant.approvals_needed)
        if await approvals.approve(context, actor, subject, note):
            require_within_budget(program.committed, grant.amount, program.budget, currency)
            await store.change_committed(database, grant.program_code, grant.amount)
            await store.mark_approved(database, grant.id, GRANT_LIFECYCLE.target("approve"))

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

    async def change(grant: GrantRecord) -> None:
        paid = GRANT_LIFECYCLE.to(grant.status, "pay")
        if on < grant.applied_on:
            raise RuleViolation.field("date", "may not precede the application")
        # The reservation ends as the money leaves: released first, so it pays this.
        await approvals.release(database, grant.fund_id, grant.reserved)
        fund = await fund_in_path(context, grant.fund_id)
        entry = await append_entry(context, actor, fund, EntryDraft(
            date=on, memo=f"Emergency grant {grant.program_code} to person {grant.person_id}"
            + (f", paid to {payee}" if payee else ""),
            lines=(Line(AccountCode.GRANTS_PAID, grant.amount, 0),
                   Line(AccountCode.CASH, 0, grant.amount)),
            source=Source("grant_payment", grant.id)))
        await store.mark_paid(database, grant.id, paid, on, method=method,
                              reference=reference, payee=payee, entry_id=entry.id)

    return await GRANTS.change(context, actor, grant_id, claim, "paid", change)


async def get_grant(context: ServiceContext, actor: Actor, grant_id: str) -> GrantOut:
    grant = await store.find_grant(context.database, grant_id)
    # A borrower asking for anyone else's grant learns nothing, not even that it exists.
    if grant is None or (actor.role is Role.BORROWER and grant.person_id != actor.person_id):
        raise NotFound(f"No grant {grant_id!r}.")
    return await grant_document(context, grant)
