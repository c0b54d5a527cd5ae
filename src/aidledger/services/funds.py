"""Funds and their chart of accounts."""

from __future__ import annotations

import uuid
from typing import Any

from aidledger.domain import money
from aidledger.domain.dates import timestamp
from aidledger.domain.errors import NotFound, RuleViolation
from aidledger.domain.ledger import DEFAULT_CHART, AccountType
from aidledger.persistence.tables import Account, Fund
from aidledger.services.audit import record_event
from aidledger.services.context import Actor, FundRef, ServiceContext
from aidledger.services.pagination import (
    decode_code_cursor,
    encode_code_cursor,
    require_limit,
    split_page,
)
from aidledger.services.validation import require_code, require_text, taken_means_conflict


def fund_document(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "code": row["code"],
        "name": row["name"],
        "currency": row["currency"],
        "created_at": timestamp(row["created_at"]),
    }


async def create_fund(
    context: ServiceContext, actor: Actor, *, code: str, name: str, currency: str
) -> dict[str, Any]:
    require_code(code, "code")
    name = require_text(name, "name")
    money.currency(currency, "currency")
    now = context.clock.now()
    fund = Fund(id=str(uuid.uuid4()), code=code, name=name, currency=currency, created_at=now,
                created_by=actor.username)
    with taken_means_conflict("code", f"A fund with code {code!r} already exists."):
        async with context.database.write():
            await Fund.insert(fund).run()
            await Account.insert(
                *[Account(fund_id=fund.id, code=account.code, name=account.name,
                          type=account.type.value, created_at=now) for account in DEFAULT_CHART]
            ).run()
            document = fund_document(fund.to_dict())
            await record_event(context.database, context.clock, actor, "fund.created",
                               ("fund", fund.id), after=document, fund_id=fund.id)
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
    row = await Fund.select(Fund.id, Fund.code, Fund.currency).where(
        (Fund.id == reference) | (Fund.code == reference)
    ).first().run()
    if row is None:
        return None
    found = FundRef(id=row["id"], code=row["code"], currency=row["currency"])
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


async def get_fund(context: ServiceContext, reference: str) -> dict[str, Any]:
    fund = await fund_in_path(context, reference)
    row = await Fund.select().where(Fund.id == fund.id).first().run()
    assert row is not None
    return fund_document(row)


async def list_funds(context: ServiceContext, *, limit: int,
                     cursor: str | None) -> dict[str, Any]:
    require_limit(limit)
    rows = await Fund.select().where(Fund.code > decode_code_cursor(cursor)).order_by(
        Fund.code).limit(limit + 1).run()
    page, next_cursor = split_page(rows, limit, lambda row: encode_code_cursor(row["code"]))
    return {"items": [fund_document(row) for row in page], "next_cursor": next_cursor}


def account_document(row: dict[str, Any], currency: str) -> dict[str, Any]:
    account_type = AccountType(row["type"])
    return {
        "code": row["code"],
        "name": row["name"],
        "type": account_type.value,
        "balance": money.format_minor(account_type.normal_balance(row["balance"]), currency),
    }


async def list_accounts(context: ServiceContext, reference: str) -> dict[str, Any]:
    fund = await fund_in_path(context, reference)
    rows = await Account.select().where(Account.fund_id == fund.id).order_by(Account.code).run()
    return {"currency": fund.currency,
            "items": [account_document(row, fund.currency) for row in rows]}


async def add_account(
    context: ServiceContext, actor: Actor, reference: str, *, code: str, name: str, type: str
) -> dict[str, Any]:
    fund = await fund_in_path(context, reference)
    require_code(code, "code")
    name = require_text(name, "name")
    account = Account(fund_id=fund.id, code=code, name=name, type=AccountType(type).value,
                      created_at=context.clock.now())
    with taken_means_conflict("code", f"Fund {fund.code!r} already has an account {code!r}.",
                              "already in use in this fund"):
        async with context.database.write():
            await Account.insert(account).run()
            document = account_document({**account.to_dict(), "balance": 0}, fund.currency)
            await record_event(context.database, context.clock, actor, "account.created",
                               ("account", f"{fund.code}/{code}"), fund_id=fund.id,
                               after={"code": code, "name": name, "type": account.type})
    return document
