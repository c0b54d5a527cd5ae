import json
from datetime import UTC, date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidledger.domain.errors import Conflict, RuleViolation
from aidledger.domain.ledger import (
    GENESIS_HASH,
    MAX_ENTRY_TOTAL,
    MAX_LINES,
    AccountType,
    Entry,
    Line,
    Source,
    balance_errors,
    canonical_form,
    chain_fault,
    entry_document,
    format_created_at,
    require_balanced,
    require_cash_available,
    reversal_lines,
    seal,
    trial_balance_columns,
)


def _entry(**changes: object) -> Entry:
    values: dict[str, object] = {
        "id": "e-1", "fund": "hk-aid", "currency": "HKD", "seq": 1, "date": date(2026, 11, 20),
        "memo": "Donation from Iglesia",
        "lines": (Line("1000", 125050, 0), Line("3000", 0, 125050, "捐款")),
        "created_by": "ana", "created_at": datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        "reverses": None, "source": Source("contribution", "c-1"), "prev_hash": GENESIS_HASH,
    }
    values.update(changes)
    return Entry(**values)  # type: ignore[arg-type]


# Written out by hand from DESIGN.md's rule; the hash below was computed outside Python:
# printf '%s\n%s' "$PREV_HASH" "$CANONICAL" | sha256sum
CANONICAL = (
    '{"created_at":"2026-11-20T09:30:00.000000Z","created_by":"ana","currency":"HKD",'
    '"date":"2026-11-20","fund":"hk-aid","id":"e-1","lines":[{"account":"1000","credit":"0.00",'
    '"debit":"1250.50","memo":null},{"account":"3000","credit":"1250.50","debit":"0.00",'
    '"memo":"捐款"}],"memo":"Donation from Iglesia","prev_hash":"' + "0" * 64 + '",'
    '"reverses":null,"seq":1,"source":{"id":"c-1","kind":"contribution"}}'
)
HASH = "1f3847133b97f2216d92d880fa60803ff98a8258bc700b39f055c1fc98c5871c"


def test_canonical_form_is_sorted_compact_utf8_json_without_hash_and_reversed_by() -> None:
    assert canonical_form(_entry()) == CANONICAL


def _first_canonical_form(entry: Entry) -> str:
    """The JSON writer the chains were first hashed with (until 2026-12-04): every stored
    hash rests on it. The fields' text (amounts, created_at) is held to its first form by
    its own tests (here and in test_money.py)."""
    document = entry_document(entry, reversed_by=None)
    del document["hash"], document["reversed_by"]
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# Any text a request can carry: every character but the lone surrogates a body is refused
# for (api/request.py), control characters included for their escapes.
_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)


@given(memo=_TEXT, line_memo=st.none() | _TEXT, account=_TEXT, username=_TEXT,
       debit=st.integers(min_value=1, max_value=MAX_ENTRY_TOTAL),
       currency=st.sampled_from(["HKD", "JPY", "KWD"]),
       moment=st.datetimes(min_value=datetime(1000, 1, 1), timezones=st.just(UTC)),
       source=st.none() | st.builds(Source, _TEXT, _TEXT))
def test_canonical_form_is_byte_for_byte_the_first_one(
        memo: str, line_memo: str | None, account: str, username: str, debit: int,
        currency: str, moment: datetime, source: Source | None) -> None:
    entry = _entry(memo=memo, currency=currency, created_by=username, created_at=moment,
                   source=source,
                   lines=(Line(account, debit, 0, line_memo), Line("3000", 0, debit)))
    assert canonical_form(entry) == _first_canonical_form(entry)


@given(st.datetimes(min_value=datetime(1000, 1, 1)), st.none() | st.just(UTC))
def test_created_at_is_written_as_it_first_was(moment: datetime, zone: timezone | None) -> None:
    moment = moment.replace(tzinfo=zone)
    assert format_created_at(moment) == moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_hash_matches_the_hand_computed_value() -> None:
    assert seal(_entry()).hash == HASH


def test_document_carries_the_hash_and_reversed_by_outside_the_canonical_form() -> None:
    document = entry_document(seal(_entry()), reversed_by="e-9")
    assert document["hash"] == HASH
    assert document["reversed_by"] == "e-9"
    assert document["lines"][0] == {"account": "1000", "debit": "1250.50", "credit": "0.00",
                                    "memo": None}


def test_any_change_of_content_changes_the_hash() -> None:
    original = seal(_entry()).hash
    assert seal(_entry(memo="Donation from Iglesia.")).hash != original
    assert seal(_entry(lines=(Line("1000", 125051, 0), Line("3000", 0, 125051)))).hash != original
    assert seal(_entry(prev_hash="f" * 64)).hash != original


def test_balanced_lines_have_no_errors() -> None:
    assert balance_errors([Line("1000", 500, 0), Line("3000", 0, 300), Line("4000", 0, 200)],
                          "HKD") == []


@pytest.mark.parametrize(("lines", "field"), [
    ([Line("1000", 500, 0)], "lines"),
    ([Line("1000", 500, 0), Line("3000", 0, 400)], "lines"),
    ([Line("1000", 500, 500), Line("3000", 0, 0)], "lines[0]"),
    ([Line("1000", 0, 0), Line("3000", 0, 0)], "lines[0]"),
    ([Line("1000", -5, 0), Line("3000", 0, -5)], "lines[0]"),
])
def test_unbalanced_or_malformed_lines_are_named(lines: list[Line], field: str) -> None:
    errors = balance_errors(lines, "HKD")
    assert field in [error.field for error in errors]
    with pytest.raises(RuleViolation):
        require_balanced(lines, "HKD")


def test_an_unbalanced_entry_is_described_in_money_not_minor_units() -> None:
    [error] = balance_errors([Line("1000", 100000, 0), Line("3000", 0, 90000)], "HKD")
    assert error.message == "debits (1000.00 HKD) and credits (900.00 HKD) differ"
    [error] = balance_errors([Line("1000", 1000, 0), Line("3000", 0, 900)], "JPY")
    assert error.message == "debits (1000 JPY) and credits (900 JPY) differ"


def test_an_entry_may_move_at_most_the_limit_in_at_most_the_lines_allowed() -> None:
    half = MAX_ENTRY_TOTAL // 2
    assert balance_errors([Line("1000", half, 0), Line("1000", half, 0),
                           Line("3000", 0, MAX_ENTRY_TOTAL)], "HKD") == []
    [error] = balance_errors([Line("1000", half, 0), Line("1000", half + 1, 0),
                              Line("3000", 0, MAX_ENTRY_TOTAL + 1)], "HKD")
    assert error.field == "lines"
    assert "one entry moves at most 10000000000000.00 HKD" in error.message
    many = [Line("1000", 1, 0)] * MAX_LINES + [Line("3000", 0, MAX_LINES)]
    assert [error.field for error in balance_errors(many, "HKD")] == ["lines"]
    allowed = [Line("1000", 1, 0)] * (MAX_LINES - 1) + [Line("3000", 0, MAX_LINES - 1)]
    assert balance_errors(allowed, "HKD") == []


def test_amounts_that_are_not_integers_are_a_fault_not_a_crash() -> None:
    lines = (Line("1000", 1.05e19, 0), Line("3000", 0, 1.05e19))  # type: ignore[arg-type]
    assert [error.field for error in balance_errors(lines, "HKD")] == ["lines[0]", "lines[1]"]
    damaged = _entry(lines=lines)
    fault = chain_fault(damaged, damaged.seq, damaged.prev_hash)
    assert fault is not None and "whole number" in fault.reason


def test_cash_may_not_go_below_zero_or_below_reservations() -> None:
    require_cash_available(cash=1000, movement=-1000, reserved=0, currency="HKD")
    require_cash_available(cash=1000, movement=-600, reserved=400, currency="HKD")
    with pytest.raises(Conflict, match="below zero") as refused:
        require_cash_available(cash=1000, movement=-1001, reserved=0, currency="HKD")
    assert refused.value.errors[0].message == "cash after the entry would be -0.01 HKD, " \
                                              "reserved 0.00 HKD"
    with pytest.raises(Conflict, match="reserved"):
        require_cash_available(cash=1000, movement=-601, reserved=400, currency="HKD")
    # Money coming in is never refused, even when reservations already exceed cash.
    require_cash_available(cash=0, movement=100, reserved=400, currency="HKD")


def test_reversal_swaps_every_line() -> None:
    lines = (Line("1000", 500, 0, "a"), Line("3000", 0, 500))
    assert reversal_lines(lines) == (Line("1000", 0, 500, "a"), Line("3000", 500, 0))


def test_normal_side_balances() -> None:
    assert AccountType.ASSET.normal_balance(500) == 500
    assert AccountType.EXPENSE.normal_balance(-20) == -20
    assert AccountType.EQUITY.normal_balance(-500) == 500
    assert AccountType.LIABILITY.normal_balance(30) == -30


def test_trial_balance_columns_put_the_net_on_its_own_side() -> None:
    assert trial_balance_columns(700) == (700, 0)
    assert trial_balance_columns(-700) == (0, 700)
    assert trial_balance_columns(0) == (0, 0)


def test_chain_fault_names_what_is_wrong() -> None:
    good = seal(_entry())
    assert chain_fault(good, 1, GENESIS_HASH) is None
    assert "seq 1 where 2" in chain_fault(good, 2, GENESIS_HASH).reason  # type: ignore[union-attr]
    assert "prev_hash" in chain_fault(good, 1, "a" * 64).reason  # type: ignore[union-attr]
    tampered = Entry(**{**{name: getattr(good, name) for name in Entry.__dataclass_fields__},
                        "memo": "changed"})
    fault = chain_fault(tampered, 1, GENESIS_HASH)
    assert fault is not None
    assert (fault.seq, fault.entry_id, fault.reason) == (1, "e-1",
                                                         "hash does not match the entry's content")
