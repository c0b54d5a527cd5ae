
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidledger.domain import money
from aidledger.domain.errors import InvalidInput, RuleViolation


@pytest.mark.parametrize(("code", "digits"), [("JPY", 0), ("HKD", 2), ("KWD", 3), ("CLF", 4)])
def test_minor_digits_come_from_iso_4217(code: str, digits: int) -> None:
    assert money.minor_digits(code) == digits


@pytest.mark.parametrize(("text", "code", "minor"), [
    ("1200", "JPY", 1200), ("1234.50", "HKD", 123450), ("1234.5", "HKD", 123450),
    ("0.01", "HKD", 1), ("12.500", "KWD", 12500), ("12", "KWD", 12000), ("007", "HKD", 700),
])
def test_parses_amounts_to_minor_units(text: str, code: str, minor: int) -> None:
    assert money.parse_amount(text, code, "amount") == minor


@pytest.mark.parametrize(("text", "code"), [
    ("100.0", "JPY"), ("1.001", "HKD"), ("1.0001", "KWD"),
])
def test_refuses_more_decimals_than_the_currency_has(text: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        money.parse_amount(text, code, "lines[0].debit")
    assert refused.value.errors[0].field == "lines[0].debit"
    assert "decimal places" in refused.value.errors[0].message


@pytest.mark.parametrize("text", [
    "-5", "+5", "1e3", "1E3", " 5", "5 ", "1,000", "5.", ".5", "", "0x10", "NaN",
    "\uff11\uff12",  # fullwidth digits: int() would accept them, the contract does not
    "Infinity", 5, 5.0, None, ["5"],
])
def test_refuses_anything_but_a_plain_decimal_string(text: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        money.parse_amount(text, "HKD", "amount")
    assert refused.value.errors[0].field == "amount"


@pytest.mark.parametrize("text", ["0", "0.00", "000"])
def test_zero_is_refused_where_a_positive_amount_is_required(text: str) -> None:
    with pytest.raises(InvalidInput, match="greater than zero"):
        money.parse_amount(text, "HKD", "amount")
    assert money.parse_amount(text, "HKD", "amount", allow_zero=True) == 0


def test_absurdly_large_amounts_are_a_rule_violation_not_an_overflow() -> None:
    with pytest.raises(RuleViolation):
        money.parse_amount("9" * 30, "HKD", "amount")


@pytest.mark.parametrize(("minor", "code", "text"), [
    (1200, "JPY", "1200"), (0, "HKD", "0.00"), (5, "HKD", "0.05"), (123450, "HKD", "1234.50"),
    (12500, "KWD", "12.500"), (-5, "HKD", "-0.05"), (-12345, "KWD", "-12.345"),
    (-1200, "JPY", "-1200"), (7, "CLF", "0.0007"), (-100, "HKD", "-1.00"),
])
def test_formats_with_exactly_the_currency_digits(minor: int, code: str, text: str) -> None:
    assert money.format_minor(minor, code) == text


@pytest.mark.parametrize("code", ["XXX", "XTS", "ABC", "hkd", "", None, 840])
def test_unknown_or_non_money_currency_codes_are_refused(code: object) -> None:
    with pytest.raises(InvalidInput):
        money.currency(code)


@given(st.integers(min_value=1, max_value=10**18), st.sampled_from(["JPY", "HKD", "KWD"]))
def test_a_negative_amount_is_its_magnitude_with_a_minus(minor: int, code: str) -> None:
    assert money.format_minor(-minor, code) == "-" + money.format_minor(minor, code)


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(["JPY", "HKD", "KWD"]))
def test_format_then_parse_is_the_identity(minor: int, code: str) -> None:
    assert money.parse_amount(money.format_minor(minor, code), code, "x", allow_zero=True) == minor
