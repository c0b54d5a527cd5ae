"""The languages borrower documents are written in, and how a requested language finds
the nearest one shipped.

A tag is matched on its language and script, the script filled in from CLDR's likely
subtags when the tag leaves it out (Babel's data): `zh-HK` is Traditional Chinese,
`zh-CN` and plain `zh` Simplified, `fil-PH` Tagalog's Filipino standard. A language not
shipped falls back to English."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from babel.core import Locale, get_global

from aidledger.domain.errors import InvalidInput

SHIPPED = ("en", "zh-Hans", "zh-Hant", "tl", "id", "es", "ne", "vi")
FALLBACK = "en"
# Filipino is the standardised form of Tagalog; both tags mean the same documents.
_SAME_AS = {"fil": "tl"}
_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_QVALUE = re.compile(r"0(?:\.\d{0,3})?|1(?:\.0{0,3})?")  # RFC 9110 section 12.4.2


def nearest_language(tag: str, field: str = "lang") -> str:
    """The shipped language nearest to a BCP 47 tag; 400 naming `field` when the tag is
    not a language tag at all."""
    if not _TAG.fullmatch(tag):
        raise InvalidInput.field(field, "a BCP 47 language tag, like zh-Hant or tl")
    parts = tag.replace("_", "-").split("-")
    language = _SAME_AS.get(parts[0].lower(), parts[0].lower())
    script = next((part.title() for part in parts[1:] if len(part) == 4 and part.isalpha()),
                  None)
    if script is None:
        region = next((part.upper() for part in parts[1:] if len(part) == 2), None)
        likely: Mapping[str, str] = get_global("likely_subtags")
        guessed = likely.get(f"{language}_{region}") if region else None
        guessed = guessed or likely.get(language, "")
        pieces = guessed.split("_")
        script = pieces[1] if len(pieces) > 1 and len(pieces[1]) == 4 else None
    for candidate in (f"{language}-{script}", language):
        if candidate in SHIPPED:
            return candidate
    return FALLBACK


def negotiated_language(accept_language: str) -> str:
    """The shipped language a browser's Accept-Language header asks for first (RFC 9110:
    by weight, then in order; weight 0 means "not this"), English when it names none we
    ship. Entries that are not language tags, or whose weight is not an RFC 9110 qvalue,
    are passed over: a header is not the reader's own input to correct."""
    weighted: list[tuple[Decimal, int, str]] = []
    for position, item in enumerate(accept_language.split(",")):
        tag, _, parameters = (part.strip() for part in item.partition(";"))
        weight = Decimal(1)
        if parameters:
            name, _, value = (part.strip() for part in parameters.partition("="))
            if name.lower() != "q" or not _QVALUE.fullmatch(value):
                continue
            weight = Decimal(value)
        if weight > 0 and _TAG.fullmatch(tag):
            weighted.append((-weight, position, tag))
    for _, _, tag in sorted(weighted):
        language = nearest_language(tag)
        if language != FALLBACK or tag.lower().split("-")[0] == FALLBACK:
            return language
    return FALLBACK


def native_name(language: str) -> str:
    """A shipped language's name in itself, as a menu shows it ("Español", "中文 (繁體)").
    Tagalog's locale is the Philippines' Filipino, named without the country."""
    locale = Locale.parse(babel_locale(language))
    name = locale.get_display_name() if locale.script else locale.get_language_name()
    assert name is not None, f"Babel has no name for {language}"
    return name[:1].upper() + name[1:]


def babel_locale(language: str) -> str:
    """The Babel locale identifier of a shipped language (`zh-Hant` -> `zh_Hant`)."""
    return language.replace("-", "_")
