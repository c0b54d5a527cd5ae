"""Money, numbers, percentages and dates written the way a language writes them (Babel's
CLDR data), with each currency's ISO 4217 digits from py-moneyed: CLDR disagrees with
ISO on a few currencies (IDR, HUF, COP), and a borrower's document must show exactly the
amounts the ledger holds."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, format_decimal

from aidledger.domain.languages import babel_locale
from aidledger.domain.money import minor_digits, parse_amount


def _with_digits(pattern: NumberPattern, digits: int) -> NumberPattern:
    fixed = copy.copy(pattern)
    fixed.frac_prec = (digits, digits)
    return fixed


@dataclass(frozen=True)
class LocaleFormat:
    language: str  # a shipped language (domain.languages.SHIPPED)

    @cached_property
    def locale(self) -> Locale:
        return Locale.parse(babel_locale(self.language))

    def money(self, minor: int, currency: str) -> str:
        digits = minor_digits(currency)
        pattern = _with_digits(self.locale.currency_formats["standard"], digits)
        text: str = pattern.apply(Decimal(minor).scaleb(-digits), self.locale,
                                  currency=currency, currency_digits=False)
        return text

    def decimal_money(self, amount: str, currency: str) -> str:
        """An amount as the API writes it ("1060.00") written for the language."""
        return self.money(parse_amount(amount, currency, "amount", allow_zero=True), currency)

    def percent(self, percent: str | Decimal) -> str:
        """A percentage given as its number ("26.82" for 26.82 %), to 2 decimals."""
        pattern = _with_digits(self.locale.percent_formats[None], 2)
        text: str = pattern.apply(Decimal(percent) / 100, self.locale)
        return text

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)

    def day(self, value: date) -> str:
        return format_date(value, format="long", locale=self.locale)
