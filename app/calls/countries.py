"""Country names in the reader's language (the CLDR data Babel ships), for any ISO code.

A module of its own, below both ``rules`` (whose eligibility reasons name countries) and ``wording`` (which
imports ``rules``), so that neither imports the other for it. Nothing here touches a database or a request:
only the locale of the context (``get_locale``, or the one ``force_locale`` sets).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from babel import Locale
from babel.lists import format_list
from flask_babel import get_locale


def _locale() -> Locale:
    try:
        return Locale.parse(str(get_locale() or "fr"))
    except (ValueError, TypeError):
        return Locale.parse("fr")


def territories() -> Mapping[str, str]:
    """Country names by ISO code in the request's language."""
    return _locale().territories


def country_name(code: str | None) -> str:
    """A country's name in the request's language (any ISO code, not only the programme's two); "—" when absent."""
    if not code:
        return "—"
    return territories().get(code.upper(), code.upper())


def country_list(codes: Iterable[str]) -> str:
    """Countries by name as one alternative ("Mali or Guinea", "Mali ou Guinée", "مالي أو غينيا"); "—" when none."""
    return _listed(str(get_locale() or "fr"), tuple(code.upper() for code in codes if code))


@lru_cache(maxsize=512)
def _listed(language: str, codes: tuple[str, ...]) -> str:
    """Worded once per language and list: an eligibility reason names the same few countries for every proposal."""
    try:
        locale = Locale.parse(language)
    except (ValueError, TypeError):
        locale = Locale.parse("fr")
    names = [locale.territories.get(code, code) for code in codes]
    return format_list(names, style="or", locale=locale) if names else "—"
