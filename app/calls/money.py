"""Money as ``Decimal`` euros in code, integer cents in the database; never a float. Also money as people
type it (``parse_amount``) and read it (``euros``, in the request's language).

Helpers shared by the calls and grants packages.
"""
from __future__ import annotations

import re
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import format_decimal

CENT = Decimal("0.01")
EURO = Decimal("1")
#: The largest amount a person may type: far above any grant or envelope of the programme, and its cents
#: (10^11) far inside the BIGINT columns (a 32-bit integer already overflows at 21,474,836.48 €).
MAX_AMOUNT = Decimal("1000000000")
#: What is left of a typed amount once spaces and the euro sign are gone: digits, then a decimal mark and
#: one or two decimals.
_TYPED = re.compile(r"\d+(\.\d{1,2})?")
#: "150,000" or "150.000": thousands in English or German, 150 euros if the mark were decimal. Refused.
_THOUSANDS = re.compile(r"[1-9]\d*[.,]\d{3}")


class AmountTooLarge(ValueError):
    """A typed amount above ``MAX_AMOUNT`` (a slip of the keyboard, not a budget)."""


class AmountLooksLikeThousands(ValueError):
    """A typed amount whose decimal mark is followed by three digits ("150,000"): thousands or cents?"""


def to_cents(amount: Decimal | int | str) -> int:
    """Exact cents of an amount; refuses fractions of a cent rather than rounding silently."""
    if isinstance(amount, float):
        raise TypeError("money is never a float")
    value = Decimal(amount) if not isinstance(amount, Decimal) else amount
    cents = value * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has fractions of a cent")
    return int(cents)


def from_cents(cents: int | None) -> Decimal:
    """Euros of a stored amount (``None`` reads as zero)."""
    return (Decimal(cents or 0) / 100).quantize(CENT)


def round_euro(amount: Decimal) -> Decimal:
    """To the euro, half up (66,332.50 → 66,333; 58,574.49 → 58,574)."""
    return amount.quantize(EURO, rounding=ROUND_HALF_UP)


def euro_down(amount: Decimal) -> Decimal:
    """To the euro, down (66,332.50 → 66,332): what a request with cents can be granted at most."""
    return amount.quantize(EURO, rounding=ROUND_FLOOR)


def parse_amount(text: str) -> Decimal:
    """An amount typed by a person: spaces and non-breaking spaces as thousands separators,
    a comma or a dot as the decimal mark; at most two decimals; never negative; at most ``MAX_AMOUNT``.

    Raises ``ValueError`` with no message (``AmountLooksLikeThousands`` for "150,000", ``AmountTooLarge``
    above the maximum); the caller words the refusal (``wording.amount_refusal``).
    """
    cleaned = (text or "").strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "")
    if _THOUSANDS.fullmatch(cleaned):
        raise AmountLooksLikeThousands
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not _TYPED.fullmatch(cleaned):  # no sign, exponent, digit groups, third decimal, NaN or Infinity
        raise ValueError
    try:
        value = Decimal(cleaned).quantize(CENT)
    except InvalidOperation as exc:  # beyond Decimal's precision
        raise AmountTooLarge from exc
    if value > MAX_AMOUNT:
        raise AmountTooLarge
    return value


def euros(value: Decimal | str | int | None) -> str:
    """An amount as people read it, in the request's language: whole euros without decimals ("66 333 €" in
    French, "66,333 €" in English), otherwise with their cents ("66,332.50 €"; an exact share of a budget
    keeps up to four decimals); "—" when absent."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    pattern = "#,##0" if amount == amount.to_integral_value() else "#,##0.00##"
    return format_decimal(amount, format=pattern) + " €"
