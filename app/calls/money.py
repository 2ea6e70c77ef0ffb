"""Money as ``Decimal`` euros in code, integer cents in the database; never a float.

Pure helpers shared by the calls and grants packages.
"""
from __future__ import annotations

import re
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
EURO = Decimal("1")
#: The largest amount a person may type: far above any grant or envelope of the programme, and its cents
#: (10^11) far inside the BIGINT columns (a 32-bit integer already overflows at 21,474,836.48 €).
MAX_AMOUNT = Decimal("1000000000")
#: What is left of a typed amount once spaces and the euro sign are gone: digits and one decimal mark.
_TYPED = re.compile(r"\d+(\.\d+)?")


class AmountTooLarge(ValueError):
    """A typed amount above ``MAX_AMOUNT`` (a slip of the keyboard, not a budget)."""


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

    Raises ``ValueError`` with no message (``AmountTooLarge`` above the maximum); the caller words the
    refusal.
    """
    cleaned = (text or "").strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not _TYPED.fullmatch(cleaned):  # no sign, exponent, digit groups, NaN or Infinity
        raise ValueError
    try:
        value = Decimal(cleaned)
        if value != value.quantize(CENT):
            raise ValueError
        value = value.quantize(CENT)
    except InvalidOperation as exc:  # beyond Decimal's precision
        raise AmountTooLarge from exc
    if value > MAX_AMOUNT:
        raise AmountTooLarge
    return value
