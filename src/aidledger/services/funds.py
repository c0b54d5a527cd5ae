"""Funds and their chart of accounts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import msgspec

from aidledger.contract.ledger import AccountList, AccountOut, FundList, FundOut
from aidledger.domain import money
from aidledger.domain.dates import timestamp
from aidledger.domain.errors import NotFound, RuleViolation
from aidledger.domain.ledger import DEFAULT_CHART, AccountType
from aidledger.persistence import funds as store
from aidledger.persistence import journal
from aidledger.persistence.funds import AccountRecord, FundRecord
from aidledger.services.audit import record_event
from aidledger.services.context import Actor, FundRef, ServiceContext
from aidledger.services.pagination import (
    decode_code_cursor,
    encode_code_cursor,
    require_limit,
    split_page,
)
from aidledger.services.validation import (
    optional_text,
    require_code,
    require_text,
    taken_means_conflict,
)


def fund_document(fund: FundRecord) -> FundOut:
    return FundOut(id=fund.id, code=fund.code, name=fund.name, currency=fund.currency,
                   contact=fund.contact, created_at=timestamp(fund.created_at))


async def create_fund(
    context: ServiceContext, actor: Actor, *, code: str, name: str, currency: str,
    contact: str | None = None,
) -> FundOut:
    require_code(code, "code")
    name = require_text(name, "name")
    contact = optional_text(contact, "contact")
    money.currency(currency, "currency")
    now = context.clock.now()
    fund = FundRecord(id=str(uuid.uuid4()), code=code, name=name, currency=currency,
                      created_at=now, created_by=actor.username, contact=contact)
    with taken_means_conflict("code", f"A fund with code {code!r} already exists."):
        async with context.database.write():
            await store.insert_fund(context.database, fund)
            for account in DEFAULT_CHART:
                await store.insert_account(context.database, fund.id, account.code,
                                           account.name, account.type.value, now)
            document = fund_document(fund)
            await record_event(context.database, context.clock, actor, "fund.created",
                               ("fund", fund.id), after=msgspec.to_builtins(document),
                               fund_id=fund.id)
            # Verification holds every account against the record of its creation.
            for account in DEFAULT_CHART:
                await record_event(
                    context.database, context.clock, actor, "account.created",
                    ("account", f"{code}/{account.code}"), fund_id=fund.id,
                    after={"code": account.code, "name": account.name,
                           "type": account.type.value})
    return document


async def find_fund(context: ServiceContext, reference: str) -> FundRef | None:
    """A fund by id or code, remembered once seen."""
    known = context.known_funds.get(reference)
    if known is not None:
        return known
    row = await store.find_fund(context.database, reference)
    if row is None:
        return None
    found = FundRef(id=row.id, code=row.code, currency=row.currency)
    context.known_funds[found.id] = found
    context.known_funds[found.code] = found
    return found


async def fund_in_path(context: ServiceContext, reference: str) -> FundRef:
    found = await find_fund(context, reference)
    if found is None:
        raise NotFound(f"No fund {reference!r}.")
    return found


async def fund_in_body(context: ServiceContext, reference: str, field: str) -> FundRef:
    found = await find_fund(context, reference)
    if found is None:
        raise RuleViolation.field(field, f"no fund {reference!r}")
    return found


async def get_fund(context: ServiceContext, reference: str) -> FundOut:
    fund = await fund_in_path(context, reference)
    row = await store.find_fund(context.database, fund.id)
    if row is None:
        raise NotFound(f"No fund {reference!r}.")
    return fund_document(row)


async def list_funds(context: ServiceContext, *, limit: int,
                     cursor: str | None) -> FundList:
    require_limit(limit)
    rows = await store.funds_after(context.database, decode_code_cursor(cursor), limit + 1)
    page, next_cursor = split_page(rows, limit, lambda row: encode_code_cursor(row.code))
    return FundList(items=[fund_document(row) for row in page], next_cursor=next_cursor)


def account_document(account: AccountRecord, currency: str) -> AccountOut:
    account_type = AccountType(account.type)
    return AccountOut(
        code=account.code, name=account.name,
        type=account_type.value,
        balance=money.format_minor(account_type.normal_balance(account.balance), currency))


async def list_accounts(context: ServiceContext, reference: str) -> AccountList:
    fund = await fund_in_path(context, reference)
    rows = await store.accounts_of(context.database, fund.id)
    return AccountList(currency=fund.currency,
                       items=[account_document(row, fund.currency) for row in rows])


async def add_account(
    context: ServiceContext, actor: Actor, reference: str, *, code: str, name: str, type: str
) -> AccountOut:
    fund = await fund_in_path(context, reference)
    require_code(code, "code")
    name = require_text(name, "name")
    account = AccountRecord(code=code, name=name, type=AccountType(type).value, balance=0)
    with taken_means_conflict("code", f"Fund {fund.code!r} already has an account {code!r}.",
                              "already in use in this fund"):
        async with context.database.write():
            await store.insert_account(context.database, fund.id, code, name, account.type,
                                       context.clock.now())
            document = account_document(account, fund.currency)
            await record_event(context.database, context.clock, actor, "account.created",
                               ("account", f"{fund.code}/{code}"), fund_id=fund.id,
                               after={"code": code, "name": name, "type": account.type})
    return document


@dataclass(frozen=True, slots=True)
class CashStanding:
    cash: str  # account 1000, as a decimal string
    reserved: str  # promised to approved loans and grants not yet paid out
    available: str


async def cash_standing(context: ServiceContext, reference: str) -> CashStanding:
    fund = await fund_in_path(context, reference)
    head = await journal.read_chain_head(context.database, fund.id)
    return CashStanding(money.format_minor(head.cash, fund.currency),
                        money.format_minor(head.reserved, fund.currency),
                        money.format_minor(head.cash - head.reserved, fund.currency))
