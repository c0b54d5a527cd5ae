"""Seeding a fund with a long history fast: set-based SQL with the ledger triggers off,
then the derived state (running balances, day totals, chain head) rebuilt from the
lines, as the triggers would have left it. The seeded hashes are placeholders, so
these funds are for read benchmarks only (verify would rightly reject them)."""

from __future__ import annotations

from tests.api.test_loans import DISBURSED, _apply
from tests.support import Api, on_postgres, raw_sql

START = "2023-01-01"
DAYS = 1095  # three years of history


def seed_fund(fund_id: str, entries: int) -> None:
    """`entries` two-line entries (so twice as many lines) after the fund's last,
    alternating a donation (Dr 1000 / Cr 3000, 2.00) and a grant (Dr 5000 / Cr 1000,
    1.00): cash stays positive."""
    accounts = dict(raw_sql(f"SELECT code, id FROM account WHERE fund_id = '{fund_id}'")[0])
    (((after,),),) = raw_sql(f"SELECT last_seq FROM fund WHERE id = '{fund_id}'")
    cash, donations, grants = accounts["1000"], accounts["3000"], accounts["5000"]
    prefix = f"seed-{fund_id}-"
    series = (f"generate_series(1, {entries}) AS g(n)" if on_postgres() else
              "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s "
              f"WHERE n < {entries}) SELECT n FROM s) AS g")
    day = (f"DATE '{START}' + (g.n * {DAYS} / {entries})" if on_postgres() else
           f"date('{START}', '+' || (g.n * {DAYS} / {entries}) || ' days')")
    zeros = "'" + "0" * 64 + "'"
    load = [
        "INSERT INTO journal_entry (id, fund_id, seq, entry_date, memo, created_by, created_at, "
        f"prev_hash, hash) SELECT '{prefix}' || g.n, '{fund_id}', {after} + g.n, {day}, "
        "'seeded', 'bench', "
        f"'2026-01-01 00:00:00+00:00', {zeros}, {zeros} FROM {series}",
        "INSERT INTO journal_line (entry_id, line_no, account_id, debit, credit) "
        f"SELECT '{prefix}' || g.n, 1, CASE WHEN g.n % 2 = 1 THEN {cash} ELSE {grants} END, "
        f"CASE WHEN g.n % 2 = 1 THEN 200 ELSE 100 END, 0 FROM {series}",
        "INSERT INTO journal_line (entry_id, line_no, account_id, debit, credit) "
        f"SELECT '{prefix}' || g.n, 2, CASE WHEN g.n % 2 = 1 THEN {donations} ELSE {cash} END, 0, "
        f"CASE WHEN g.n % 2 = 1 THEN 200 ELSE 100 END FROM {series}",
        "UPDATE account SET balance = coalesce((SELECT sum(l.debit - l.credit) FROM journal_line "
        f"AS l WHERE l.account_id = account.id), 0) WHERE fund_id = '{fund_id}'",
        "DELETE FROM account_day WHERE account_id IN (SELECT id FROM account WHERE "
        f"fund_id = '{fund_id}')",
        "INSERT INTO account_day (account_id, day, debit, credit) SELECT l.account_id, "
        "e.entry_date, sum(l.debit), sum(l.credit) FROM journal_line AS l JOIN journal_entry AS e "
        f"ON e.id = l.entry_id WHERE e.fund_id = '{fund_id}' GROUP BY l.account_id, e.entry_date",
        f"UPDATE fund SET last_seq = {after + entries}, last_hash = {zeros} "
        f"WHERE id = '{fund_id}'",
    ]
    if on_postgres():
        raw_sql("SET LOCAL session_replication_role = replica", *load)
        return
    triggers = raw_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")[0]
    raw_sql(*[f"DROP TRIGGER {name}" for name, _ in triggers], *load,
            *[definition for _, definition in triggers])


RECIPIENTS = 1000  # the peers' workload pays cash to one of 1,000 accounts


def add_recipients(api: Api, fund: str) -> None:
    """The fund's 1,000 recipient (expense) accounts 6000-6999, the peers' workload's."""
    for number in range(RECIPIENTS):
        created = api.post(f"/api/funds/{fund}/accounts", {
            "code": f"6{number:03d}", "name": f"Recipient {number}", "type": "expense"},
            key=None)
        assert created.status_code == 201, created.text


def copy_loans(template_loan: str, copies: int, spread_days: int) -> None:
    """`copies` loans like `template_loan` (same fund, person and terms), the k-th
    disbursed and due k % spread_days days earlier, so they fall into every aging
    bucket. For read benchmarks: the copies have no disbursement entries."""
    series = (f"generate_series(1, {copies}) AS g(n)" if on_postgres() else
              "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s "
              f"WHERE n < {copies}) SELECT n FROM s) AS g")

    def earlier(column: str) -> str:
        return (f"{column} - (g.n % {spread_days})" if on_postgres() else
                f"date({column}, '-' || (g.n % {spread_days}) || ' days')")

    prefix = f"copy-{template_loan}-"
    raw_sql(
        "INSERT INTO loan (id, person_id, product_code, fund_id, currency, amount, installments, "
        "purpose, applied_on, status, approvals_needed, terms, reserved, disbursed_on, "
        f"created_by, created_at) SELECT '{prefix}' || g.n, person_id, product_code, fund_id, "
        f"currency, amount, installments, purpose, {earlier('applied_on')}, status, "
        f"approvals_needed, terms, 0, {earlier('disbursed_on')}, created_by, created_at "
        f"FROM loan, {series} WHERE loan.id = '{template_loan}'",
        "INSERT INTO loan_installment (loan_id, number, due_date, principal, interest) "
        f"SELECT '{prefix}' || g.n, i.number, {earlier('i.due_date')}, i.principal, i.interest "
        f"FROM loan_installment AS i, {series} WHERE i.loan_id = '{template_loan}'",
    )


def disbursed_loans(api: Api, setup: dict[str, str], count: int) -> list[str]:
    """`count` loans of the flat test product (tests/api/test_loans.py), each to a
    borrower of its own (the policy allows one running loan at a time), approved and
    disbursed through the API."""
    loans = []
    for number in range(count):
        person = api.post("/api/people", {"full_name": f"Borrower {number}",
                                          "preferred_language": "tl",
                                          "date_of_birth": "1990-01-01"}).json()["id"]
        for course, on in (("budgeting-basics", "2025-06-01"),
                           ("avoiding-debt-traps", "2025-07-01")):
            api.post(f"/api/people/{person}/course-completions",
                     {"course": course, "completed_on": on, "score": 90}, key=None)
        loan = _apply(api, {**setup, "person": person}).json()["id"]
        assert api.post(f"/api/loans/{loan}/approvals", {}, key=None,
                        role="admin2").status_code == 200
        assert api.post(f"/api/loans/{loan}/disbursement",
                        {"date": DISBURSED.isoformat()}).status_code == 200
        loans.append(loan)
    return loans
