"""Money helpers: Decimal euros in code, integer cents in the database, amounts typed by people."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from app.calls.money import (
    MAX_AMOUNT,
    AmountLooksLikeThousands,
    AmountTooLarge,
    euro_down,
    from_cents,
    parse_amount,
    round_euro,
    to_cents,
)


@pytest.mark.parametrize(("amount", "cents"), [
    (D("0"), 0),
    (D("0.01"), 1),
    (D("66440"), 6_644_000),
    (D("66332.50"), 6_633_250),
    (D("98525.5"), 9_852_550),
    (D("1.10"), 110),
    ("12.34", 1234),
    (7, 700),
    (D("-3.25"), -325),  # a reversing entry (grants ledger) stays exact too
])
def test_to_cents_is_exact(amount: D | int | str, cents: int) -> None:
    assert to_cents(amount) == cents
    assert isinstance(to_cents(amount), int)


@pytest.mark.parametrize("amount", [D("0.001"), D("12.345"), "66332.505", D("0.009")])
def test_to_cents_refuses_fractions_of_a_cent(amount: D | str) -> None:
    with pytest.raises(ValueError, match="fractions of a cent"):
        to_cents(amount)


@pytest.mark.parametrize("amount", [0.1, 0.5, 66440.0])
def test_to_cents_refuses_floats(amount: float) -> None:
    """Never a float, even one that happens to be exact in binary (0.5)."""
    with pytest.raises(TypeError):
        to_cents(amount)  # type: ignore[arg-type]


@pytest.mark.parametrize(("cents", "euros"), [
    (None, D("0.00")),
    (0, D("0.00")),
    (1, D("0.01")),
    (6_633_250, D("66332.50")),
    (9_011_500, D("90115.00")),
    (-325, D("-3.25")),
])
def test_from_cents(cents: int | None, euros: D) -> None:
    value = from_cents(cents)
    assert value == euros
    assert value.as_tuple().exponent == -2  # always two decimals, for display and round trips


@pytest.mark.parametrize("cents", [0, 1, 99, 100, 6_644_000, 2_147_483_647, 2_147_483_648, 100_000_000_000])
def test_cents_round_trip(cents: int) -> None:
    assert to_cents(from_cents(cents)) == cents


@pytest.mark.parametrize(("amount", "rounded"), [
    (D("66332.50"), D("66333")),  # Essor: 65 % of 102,050 -- half goes up
    (D("58574.75"), D("58575")),  # Cap Solidarités: 65 % of 90,115
    (D("58574.49"), D("58574")),
    (D("58574.499"), D("58574")),
    (D("58574.500"), D("58575")),
    (D("0.5"), D("1")),
    (D("0.49"), D("0")),
    (D("1.5"), D("2")),  # not banker's rounding (which gives 2 here)...
    (D("2.5"), D("3")),  # ...and 2 here
    (D("66440"), D("66440")),
    (D("0"), D("0")),
])
def test_round_euro_half_up(amount: D, rounded: D) -> None:
    result = round_euro(amount)
    assert result == rounded
    assert result.as_tuple().exponent == 0


@pytest.mark.parametrize(("amount", "rounded"), [
    (D("66332.50"), D("66332")),  # a request with cents: never granted above it
    (D("66332.99"), D("66332")),
    (D("66332.01"), D("66332")),
    (D("66333"), D("66333")),
    (D("66333.00"), D("66333")),
    (D("0.99"), D("0")),
    (D("0"), D("0")),
])
def test_euro_down(amount: D, rounded: D) -> None:
    result = euro_down(amount)
    assert result == rounded
    assert result.as_tuple().exponent == 0


@pytest.mark.parametrize(("text", "amount"), [
    ("150 000", D("150000.00")),
    ("150000", D("150000.00")),
    ("150000,50", D("150000.50")),
    ("150000.50", D("150000.50")),
    ("150 000,5", D("150000.50")),
    ("150\u202f000,50", D("150000.50")),  # narrow no-break space, as French formatting writes it
    ("150\xa0000", D("150000.00")),  # no-break space
    ("66 440 €", D("66440.00")),
    ("€66440", D("66440.00")),
    ("  1 234,56  ", D("1234.56")),
    ("0", D("0.00")),
    ("0,01", D("0.01")),
    ("1,2", D("1.20")),
    ("007", D("7.00")),
    ("\u0661\u0665\u0660\u0660\u0660\u0660", D("150000.00")),  # Arabic-Indic digits, as typed on an Arabic keyboard
])
def test_parse_amount_accepts(text: str, amount: D) -> None:
    value = parse_amount(text)
    assert value == amount
    assert value.as_tuple().exponent == -2


@pytest.mark.parametrize("text", [
    "",
    "   ",
    "€",
    "abc",
    "12abc",
    "-5",  # never negative
    "-0,01",
    "1,234",  # ambiguous: 1234 in English, 1.234 in French -- three decimals, refused
    "1.234",  # same
    "0,005",  # fractions of a cent
    "12.345,67",  # dots as thousands separators: refused rather than guessed
    "1.234,5",
    "12,345.67",  # commas as thousands separators: refused too
    "1,2,3",
    "1..2",
    "1e3",  # no exponents from a person
    "1_000",  # no Python digit groups either
    "NaN",
    "Infinity",
    "1" * 40,  # beyond Decimal's precision: refused, not an InvalidOperation
    "9" * 30 + ",99",
])
def test_parse_amount_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


@pytest.mark.parametrize(("text", "amount"), [
    ("1 000 000 000", D("1000000000.00")),  # the maximum itself
    ("1000000000,00", D("1000000000.00")),
    ("999 999 999,99", D("999999999.99")),
    ("21 474 836,48", D("21474836.48")),  # 2^31 cents: beyond a 32-bit integer column, well within the maximum
])
def test_parse_amount_up_to_the_maximum(text: str, amount: D) -> None:
    assert parse_amount(text) == amount <= MAX_AMOUNT


@pytest.mark.parametrize("text", [
    "1 000 000 000,01",  # a cent above the maximum
    "1000000001",
    "2 000 000 000",
    "99999999999999",
    "1" * 40,  # beyond Decimal's precision: too large as well
    "9" * 30 + ",99",
])
def test_parse_amount_refuses_above_the_maximum(text: str) -> None:
    with pytest.raises(AmountTooLarge):
        parse_amount(text)


@pytest.mark.parametrize("text", ["150,000", "150.000", "1,234", "1.234", "66 440,000", "1234,567 €"])
def test_parse_amount_refuses_what_looks_like_thousands(text: str) -> None:
    """"150,000" is 150,000 € in English and would be 150 € with a decimal comma: refused, never guessed (a
    form says "write the thousands without a comma")."""
    with pytest.raises(AmountLooksLikeThousands):
        parse_amount(text)


@pytest.mark.parametrize("text", ["0,005", "12,3456", "1.234,5"])
def test_three_decimals_that_are_not_thousands_are_refused_as_such(text: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_amount(text)
    assert not isinstance(refused.value, AmountLooksLikeThousands)
