"""A believable demo data set: a Hong Kong mutual-aid fund, its donors and members."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from aidledger.domain.ledger import AccountCode
from aidledger.persistence.funds import any_fund
from aidledger.services import (
    credits,
    funds,
    grants,
    ledger,
    loans,
    people,
    products,
    repayments,
    users,
)
from aidledger.services.context import Actor, Role, ServiceContext

FUND_CODE = "hk-mutual-aid"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    role: str
    password: str


async def load_demo(context: ServiceContext) -> list[DemoLogin] | None:
    """Loads the demo into an empty database; None when a fund already exists."""
    if await any_fund(context.database):
        return None
    logins = [DemoLogin("demo-admin", "admin", secrets.token_urlsafe(12)),
              DemoLogin("demo-approver", "admin", secrets.token_urlsafe(12)),
              DemoLogin("demo-auditor", "auditor", secrets.token_urlsafe(12))]
    for login in logins:
        await users.create_user(context, "demo", username=login.username,
                                password=login.password, role=login.role, person_id=None)
    admin = Actor("demo-admin", Role.ADMIN, None)
    await funds.create_fund(context, admin, code=FUND_CODE,
                            name="Hong Kong Migrant Workers Mutual Aid Fund", currency="HKD",
                            contact="Fund office, 3/F, 12 Nathan Road, Kowloon; "
                                    "phone or WhatsApp 2345 6789, Sunday 10:00-17:00")
    await funds.add_account(context, admin, FUND_CODE, code="5200",
                            name="Financial literacy classes", type="expense")
    today = context.clock.today()
    for days_ago, donor, amount in ((75, "St. John's Cathedral outreach", "250000.00"),
                                    (40, "Domestic Workers' Union members", "38450.50"),
                                    (12, "Anonymous donor", "100000.00")):
        await ledger.contribute(context, admin, FUND_CODE, None, amount=amount, donor=donor,
                                date_text=(today - timedelta(days=days_ago)).isoformat(),
                                memo=None)
    await ledger.post_journal_entry(context, admin, None, ledger.EntryRequest(
        fund=FUND_CODE, date=(today - timedelta(days=5)).isoformat(),
        memo="Venue and materials: money-management workshop, Sunday 10:00",
        lines=[ledger.LineRequest("5200", "1800.00", None, "Community hall, Central"),
               ledger.LineRequest(AccountCode.CASH, None, "1800.00", None)]))
    members = (("Maria Santos Dela Cruz", "tl", "+852 5123 4567", "1984-03-12"),
               ("Siti Rahayu", "id", "+852 6234 5678", "1990-07-30"),
               ("陳美玲", "zh-Hant", "+852 9345 6789", "1978-11-02"),
               ("Sunita Gurung", "ne", "+852 5456 7890", "1995-01-21"))
    created = []
    for name, language, phone, born in members:
        created.append(await people.create_person(
            context, admin, full_name=name, language=language, phone=phone, id_document=None,
            date_of_birth=born))
    # Maria and Siti have been to the financial-literacy classes.
    for member, course, days_ago, score in ((0, "budgeting-basics", 60, 85),
                                            (0, "avoiding-debt-traps", 30, 78),
                                            (1, "remittances-and-savings", 20, 91)):
        await credits.record_completion(
            context, admin, created[member].id, None, course_code=course,
            completed_on_text=(today - timedelta(days=days_ago)).isoformat(), score=score)
    approver = Actor("demo-approver", Role.ADMIN, None)
    await products.create_product(context, admin, {
        "code": "market-stall", "name": "Market stall starter loan", "fund": FUND_CODE,
        "interest_method": "declining_balance", "amortization": "equal_installments",
        "annual_rate_percent": "12", "repayment_every": {"count": 1, "unit": "month"},
        "installments": 6, "min_installments": 3, "max_installments": 12,
        "min_amount": "1000.00", "max_amount": "20000.00",
        "late_penalty": {"amount": "50.00", "after_days": 7}})
    applied = json.loads((await loans.apply(
        context, admin, None, person_id=created[0].id, product_code="market-stall",
        amount="6000.00", installments=6, purpose="Sewing machine and fabric for alterations",
        applied_on=(today - timedelta(days=50)).isoformat())).body)
    await loans.approve(context, approver, applied["id"], None, "Visited the workshop")
    await loans.disburse(context, admin, applied["id"], None,
                         (today - timedelta(days=45)).isoformat())
    await repayments.repay(context, admin, None, repayments.RepaymentRequest(
        applied["id"], "1035.29", (today - timedelta(days=14)).isoformat()))
    await grants.create_program(
        context, admin, code="medical-emergency", name="Medical emergencies",
        fund_reference=FUND_CODE, category="medical", max_per_person="8000.00",
        budget="60000.00", eligibility_policy=None)
    grant = json.loads((await grants.apply(
        context, admin, None, person_id=created[3].id, program_code="medical-emergency",
        amount="3500.00", reason="Deposit for appendix surgery, Queen Mary Hospital")).body)
    await grants.approve(context, approver, grant["id"], None, None)
    await grants.pay(context, admin, grant["id"], None, date_text=today.isoformat(),
                     method="paid_to_provider", reference="QMH-2026-88121",
                     payee="Queen Mary Hospital")
    borrower = DemoLogin("demo-borrower", "borrower", secrets.token_urlsafe(12))
    await users.create_user(context, "demo", username=borrower.username,
                            password=borrower.password, role=borrower.role,
                            person_id=created[0].id)
    return [*logins, borrower]
