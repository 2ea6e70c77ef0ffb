"""Bounds on what a request may carry: integers the database can hold, dates a calendar can compute with.

Why: a path id, ``page=`` or form number of 2**31 or more used to reach the
database (``integer out of range``) and a date of 9999-12-31 used to reach a
``timedelta`` or ``replace(year=…)`` (``OverflowError``, ``ValueError``); both
answered 500. Every entry point (the ``int`` URL converter, query integers,
form fields) checks against these bounds, so a computation only ever sees
values it can handle.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

#: The range of a PostgreSQL ``INTEGER`` column (ids, counts, positions, pages).
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
#: Money in cents is a ``BIGINT``; amounts are kept well inside it so that sums stay inside too.
CENTS_MAX = 10**15
#: Years a date may be entered with: far enough for any admission date or term, far from the calendar's edges.
YEAR_MIN = 1900
YEAR_MAX = 2200


def int_in_range(value: int, low: int = INT_MIN, high: int = INT_MAX) -> bool:
    """True when ``value`` fits an ``INTEGER`` column (or the narrower ``low``..``high``)."""
    return low <= value <= high


def bounded_int(text: Any) -> int:
    """``int(text)`` within ``INT_MIN``..``INT_MAX``; raises ``ValueError`` otherwise.

    Made for ``request.args.get("page", 1, type=bounded_int)``: werkzeug falls
    back to the default when the conversion raises ``ValueError``.
    """
    if isinstance(text, bool):
        raise ValueError("not an integer")
    value = int(text) if isinstance(text, int) else int(str(text).strip())
    if not int_in_range(value):
        raise ValueError("integer out of range")
    return value


def positive_id(text: Any) -> int:
    """A database id from a query string or a form: 1..``INT_MAX``; raises ``ValueError`` otherwise."""
    value = bounded_int(text)
    if value < 1:
        raise ValueError("not an id")
    return value


def date_in_range(value: date) -> bool:
    """True when the year of ``value`` (a date or a datetime) is within ``YEAR_MIN``..``YEAR_MAX``."""
    return YEAR_MIN <= value.year <= YEAR_MAX


def number_in_range(value: Any) -> bool:
    """True for a finite int, float or Decimal that fits an ``INTEGER`` column once rounded."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return int_in_range(value)
    if isinstance(value, Decimal):
        return value.is_finite() and INT_MIN <= value <= INT_MAX
    if isinstance(value, float):
        return value == value and INT_MIN <= value <= INT_MAX  # NaN is the only value unequal to itself
    return True


def int_or_none(text: str | None, low: int = INT_MIN, high: int = INT_MAX) -> int | None:
    """The integer ``text`` spells (decimal digits, an optional minus) within ``low``..``high``; else None.

    Replaces ``text.isdigit() and int(text)``: ``isdigit`` accepts "²" (which ``int`` refuses) and 5,000
    digits (which ``int`` refuses past 4,300), and nothing bounded the value before the database.
    """
    text = (text or "").strip()
    digits = text[1:] if text.startswith("-") else text
    if not digits.isdecimal() or len(digits) > len(str(INT_MAX)):
        return None
    value = int(text)
    return value if low <= value <= high else None
