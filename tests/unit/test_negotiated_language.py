"""Which shipped language a browser's Accept-Language header asks for, and how each is
named in its own menu entry."""

from __future__ import annotations

import pytest

from aidledger.domain.languages import SHIPPED, native_name, negotiated_language


@pytest.mark.parametrize(("header", "language"), [
    ("zh-HK,zh;q=0.9,en;q=0.5", "zh-Hant"),  # Hong Kong writes Traditional Chinese
    ("zh-CN", "zh-Hans"),
    ("fil-PH", "tl"),
    ("ne-NP, en;q=0.8", "ne"),
    ("en;q=0.5, vi;q=0.9", "vi"),  # by weight, not by order
    ("es, id", "es"),  # equal weights: in order
    ("fr-FR, fr;q=0.9, id;q=0.3", "id"),  # past what is not shipped
    ("en-US, zh-TW;q=0.9", "en"),  # English asked for first is English, not a fallback
    ("vi;q=0, es;q=0.1", "es"),  # weight 0 means "not this one"
    ("es;q=abc, id", "id"),  # a weight that is no number: the entry is passed over
    ("es;q=inf, vi;q=nan, tl;q=1e-3, ne;q=2, id;q=0.0001, zh-CN;q=0.5", "zh-Hans"),  # nor
    # a weight outside RFC 9110's qvalues (0 to 1, at most three decimals)
    ("vi;q=0.001, es;q=1.000", "es"),
    ("es;level=1, vi", "vi"),  # a parameter that is not the weight: not a plain tag
    ("@@, *, vi", "vi"),  # nor a tag, nor the wildcard
    ("fr, de", "en"),
    ("", "en"),
])
def test_the_first_shipped_language_asked_for(header: str, language: str) -> None:
    assert negotiated_language(header) == language


def test_each_language_is_named_in_itself() -> None:
    assert [native_name(language) for language in SHIPPED] == [
        "English", "中文 (简体)", "中文 (繁體)", "Filipino", "Indonesia", "Español", "नेपाली",
        "Tiếng Việt"]
