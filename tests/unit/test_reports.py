"""The pure parts of the reports: SEEP aging and PAR, report periods, Beancount names, and
the shipped chain verifier agreeing with the ledger's own canonical form."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidledger.domain.dates import Period, report_end, report_period
from aidledger.domain.errors import InvalidInput, RuleViolation
from aidledger.domain.ledger import GENESIS_HASH, Entry, Line, Source, seal
from aidledger.domain.portfolio import LoanStanding, aging_bucket, percent_of, portfolio
from aidledger.persistence.funds import AccountRecord
from aidledger.reports import verify_chain
from aidledger.reports.beancount import account_names
from aidledger.reports.general_ledger import COLUMNS, line_rows


@pytest.mark.parametrize(("days", "bucket"), [
    (0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"), (61, "61-90"),
    (90, "61-90"), (91, "91-180"), (180, "91-180"), (181, "181-365"), (365, "181-365"),
    (366, "over-365"), (5000, "over-365")])
def test_aging_buckets_by_days_past_due(days: int, bucket: str) -> None:
    assert aging_bucket(days) == bucket


def test_percent_of_rounds_half_to_even_and_is_zero_without_a_portfolio() -> None:
    assert percent_of(0, 0) == "0.00"
    assert percent_of(1, 3) == "33.33"
    assert percent_of(2, 3) == "66.67"
    assert percent_of(1, 8000) == "0.01"  # 0.0125 -> 0.01
    assert percent_of(3, 8000) == "0.04"  # 0.0375 -> 0.04
    assert percent_of(5, 5) == "100.00"


def _loan(name: str, principal: int, days: int, *, written_off: bool = False) -> LoanStanding:
    return LoanStanding(name, "p", "prod", date(2026, 1, 1), principal, days, written_off)


def test_par_counts_the_whole_principal_of_loans_more_than_n_days_late() -> None:
    figures = portfolio([_loan("a", 1000_00, 0), _loan("b", 2000_00, 1), _loan("c", 3000_00, 2),
                         _loan("d", 4000_00, 31), _loan("e", 500_00, 91),
                         _loan("f", 9999_00, 400, written_off=True)])
    assert figures.gross_portfolio == 10500_00
    # More than 1 day: c, d, e (b is exactly 1 day late); more than 30: d, e; more than 90: e.
    assert figures.par == {1: percent_of(7500_00, 10500_00), 30: percent_of(4500_00, 10500_00),
                           90: percent_of(500_00, 10500_00)}
    assert [(line.bucket, line.loans, line.principal_outstanding) for line in figures.aging] == [
        ("current", 1, 1000_00), ("1-30", 2, 5000_00), ("31-60", 1, 4000_00),
        ("61-90", 0, 0), ("91-180", 1, 500_00), ("181-365", 0, 0), ("over-365", 0, 0)]
    assert (figures.written_off_count, figures.written_off_principal) == (1, 9999_00)
    assert [item.loan for item in figures.active] == ["a", "b", "c", "d", "e"]


TODAY = date(2026, 12, 2)


def test_report_periods() -> None:
    assert report_period(TODAY, "2026-01-01", "2026-12-02") == Period(date(2026, 1, 1), TODAY)
    assert report_period(TODAY, "2026-12-02", "2026-12-02") == Period(TODAY, TODAY)
    for start, end, field in ((None, "2026-12-01", "from"), ("2026-01-01", None, "to"),
                              ("2026-1-1", "2026-12-01", "from"),
                              ("2026-12-01", "2026-11-30", "from")):
        with pytest.raises(InvalidInput) as refused:
            report_period(TODAY, start, end)
        assert refused.value.errors[0].field == field
    with pytest.raises(RuleViolation) as future:
        report_period(TODAY, "2026-12-01", "2026-12-03")
    assert future.value.errors[0].field == "to"
    assert report_end(TODAY, "2026-06-30") == date(2026, 6, 30)
    with pytest.raises(InvalidInput):
        report_end(TODAY, None)


def test_beancount_names_are_valid_and_unique() -> None:
    names = account_names([
        AccountRecord("1000", "Cash", "asset", 0),
        AccountRecord("a.b", "Petty cash (HK$)", "asset", 0),
        AccountRecord("a_b", "Petty cash (HK$)", "asset", 0),
        AccountRecord("2000", "借款人多付", "liability", 0),
        AccountRecord("5100", "Loan write-offs", "expense", 0)])
    assert names == {"1000": "Assets:1000-Cash", "a.b": "Assets:A-b-Petty-cash-HK",
                     "a_b": "Assets:A-b-2", "2000": "Liabilities:2000",
                     "5100": "Expenses:5100-Loan-write-offs"}


texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)


@given(memo=texts, line_memo=st.none() | texts, amount=st.integers(1, 10**12),
       currency=st.sampled_from(["HKD", "JPY", "KWD"]), reverses=st.none() | texts,
       source=st.booleans())
def test_the_shipped_verifier_recomputes_the_ledgers_own_hash(
        memo: str, line_memo: str | None, amount: int, currency: str, reverses: str | None,
        source: bool) -> None:
    entry = seal(Entry(
        id="e-1", fund="kowloon", currency=currency, seq=7, date=date(2026, 3, 1), memo=memo,
        lines=(Line("1000", amount, 0, line_memo), Line("3000", 0, amount, None)),
        created_by="ana", created_at=datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=UTC),
        reverses=reverses, source=Source("contribution", "c-9") if source else None,
        prev_hash=GENESIS_HASH, hash=""))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(line_rows(entry, {"1000": "Cash", "3000": "Donor contributions"}))
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert verify_chain.fault(rows, None) is None
    rows[0]["debit"] = rows[1]["credit"] = rows[0]["debit"] + "1"
    assert "hash does not match" in (verify_chain.fault(rows, None) or "")
