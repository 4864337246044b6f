"""Money: integers of minor units only; and a scan that keeps floats out of money code."""

from __future__ import annotations

import ast
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kassa.kit.money import MAX_MINOR, Money, MoneyError, format_minor

SRC = Path(__file__).resolve().parents[2] / "src" / "kassa"
MONEY_CODE = [
    SRC / "kit" / "money.py",
    *sorted((SRC / "ledger").glob("*.py")),
    *sorted((SRC / "accounts").glob("*.py")),
    *sorted((SRC / "customers").glob("*.py")),
]
MARKER = "# not money"


def test_money_refuses_floats_bools_mixed_currencies_and_overflow() -> None:
    for bad in (1.0, 0.1, True, "5", Decimal("1")):
        with pytest.raises(MoneyError):
            Money(bad, "USD")  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money(1, "ABC")
    with pytest.raises(MoneyError):
        Money(MAX_MINOR + 1, "USD")
    with pytest.raises(MoneyError):
        _ = Money(1, "USD") + Money(1, "EUR")
    with pytest.raises(MoneyError):
        _ = Money(1, "USD") < Money(1, "EUR")
    with pytest.raises(MoneyError):
        _ = Money(1, "USD") * 1.5  # type: ignore[operator]
    with pytest.raises(MoneyError):
        Money.parse("1.005", "USD")


def test_parse_format_and_explicit_rounding() -> None:
    assert Money.parse("12.34", "USD") == Money(1234, "USD")
    assert Money.parse("5", "JPY") == Money(5, "JPY")
    assert Money.parse("1.234", "KWD").amount == 1234
    assert Money(-123456, "USD").format() == "-1,234.56 USD"
    assert format_minor(5, "USD") == "0.05" and format_minor(-5, "JPY") == "-5"
    assert Money.from_decimal(Decimal("0.125"), "USD").amount == 12  # banker's rounding
    assert Money.from_decimal(Decimal("0.125"), "USD", ROUND_HALF_UP).amount == 13


@given(st.integers(-(2**61), 2**61), st.integers(-(2**61), 2**61))
def test_addition_is_exact(a: int, b: int) -> None:
    assert (Money(a, "EUR") + Money(b, "EUR")).amount == a + b
    assert Money.parse(format_minor(a, "EUR"), "EUR") == Money(a, "EUR")


def test_no_float_in_money_code() -> None:
    """Float literals, the float type and true division have no place where money is handled
    (a line may opt out with '# not money', e.g. a polling interval in seconds)."""
    found: list[str] = []
    for path in MONEY_CODE:
        text = path.read_text()
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            bad = (
                (isinstance(node, ast.Constant) and isinstance(node.value, float))
                or (isinstance(node, ast.Name) and node.id == "float")
                or (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div))
            )
            if bad and MARKER not in lines[node.lineno - 1]:
                found.append(f"{path.relative_to(SRC)}:{node.lineno}: {lines[node.lineno - 1]}")
    assert not found, "\n".join(found)
