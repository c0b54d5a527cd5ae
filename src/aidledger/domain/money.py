"""Money at the edges: ISO 4217 currencies, decimal strings, integer minor units.

Amounts travel through the ledger as integer minor units (never floats); py-moneyed's
ISO 4217 table says how many minor-unit digits each currency has.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from moneyed import CURRENCIES, Currency

from aidledger.domain.errors import InvalidInput, RuleViolation

AMOUNT_PATTERN = re.compile(r"^[0-9]+(\.[0-9]+)?$")
# Codes ISO 4217 reserves for "no currency" and testing: no fund can hold them.
_NOT_MONEY = frozenset({"XXX", "XTS"})
# The most one amount may be: bigger than any fund will hold, and small enough that the
# ledger's sums stay far inside a signed 64-bit column (see domain/ledger.py's limits).
MAX_MINOR_UNITS = 10**15


def currency(code: object, field: str = "currency") -> Currency:
    if not isinstance(code, str) or code not in CURRENCIES or code in _NOT_MONEY:
        raise InvalidInput.field(field, f"{code!r} is not an ISO 4217 currency code")
    return CURRENCIES[code]


@cache  # every amount parsed or formatted asks; the answers never change
def minor_digits(code: str) -> int:
    """Digits after the decimal point: JPY 0, HKD 2, KWD 3 (ISO 4217 minor units)."""
    sub_unit = currency(code).sub_unit
    return len(str(sub_unit)) - 1


def parse_amount(text: object, currency_code: str, field: str, *, allow_zero: bool = False) -> int:
    """A request amount string to minor units; refuses anything that would need rounding."""
    if not isinstance(text, str) or not AMOUNT_PATTERN.fullmatch(text):
        raise InvalidInput.field(field, "must be a decimal string like \"1234.50\"")
    whole, _, fraction = text.partition(".")
    digits = minor_digits(currency_code)
    if len(fraction) > digits:
        raise InvalidInput.field(
            field, f"{currency_code} has {digits} decimal places; {text!r} has {len(fraction)}"
        )
    minor: int = int(whole) * 10**digits + int(fraction.ljust(digits, "0") or "0")
    if minor == 0 and not allow_zero:
        raise InvalidInput.field(field, "must be greater than zero")
    if minor > MAX_MINOR_UNITS:
        raise RuleViolation.field(field, "is larger than any fund can hold")
    return minor


def format_minor(minor: int, currency_code: str) -> str:
    """Minor units to a decimal string with exactly the currency's digits ("1200", "12.500")."""
    digits = minor_digits(currency_code)
    if digits == 0:
        return str(minor)
    # Every entry formats each of its lines twice, so this is string slicing, not divmod.
    text = str(abs(minor)).rjust(digits + 1, "0")
    return f"{'-' if minor < 0 else ''}{text[:-digits]}.{text[-digits:]}"


def money_text(minor: int, currency_code: str) -> str:
    """An amount as a person reads it in a message: "1000.00 HKD", never minor units."""
    return f"{format_minor(minor, currency_code)} {currency_code}"


def parse_rate_percent(text: object, field: str) -> Decimal:
    """A yearly rate as a percent string ("12", "7.25"): 0 to 100, at most 4 decimals."""
    if not isinstance(text, str) or not AMOUNT_PATTERN.fullmatch(text):
        raise InvalidInput.field(field, 'must be a percent string like "12" or "7.25"')
    value = Decimal(text)
    if value > 100 or -value.as_tuple().exponent > 4:  # type: ignore[operator]
        raise InvalidInput.field(field, "from 0 to 100, with at most 4 decimals")
    return value
