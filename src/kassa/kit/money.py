"""Money: integer minor units with an ISO 4217 currency.

``Money`` refuses floats (and bools) outright, refuses to mix currencies in arithmetic and
comparisons, and stays inside a signed 64-bit integer (the database stores BIGINT). Decimal is
only for rates; ``Money.from_decimal`` turns a decimal amount of major units into minor units
with an explicit rounding mode (banker's rounding, ROUND_HALF_EVEN, unless told otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

MAX_MINOR = 2**63 - 1  # BIGINT
MIN_MINOR = -(2**63 - 1)  # symmetric, so that negating never overflows

# ISO 4217 alphabetic code -> number of minor-unit digits (exponent), from the ISO 4217
# list maintained by SIX (the ISO 4217 maintenance agency). A subset: the currencies Kassa
# serves; add more here.
CURRENCIES: dict[str, int] = {
    "AED": 2,
    "AUD": 2,
    "BHD": 3,
    "BRL": 2,
    "CAD": 2,
    "CHF": 2,
    "CLP": 0,
    "CNY": 2,
    "CZK": 2,
    "DKK": 2,
    "EUR": 2,
    "GBP": 2,
    "HKD": 2,
    "HUF": 2,
    "IDR": 2,
    "ILS": 2,
    "INR": 2,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "MXN": 2,
    "NOK": 2,
    "NZD": 2,
    "OMR": 3,
    "PLN": 2,
    "RON": 2,
    "SAR": 2,
    "SEK": 2,
    "SGD": 2,
    "THB": 2,
    "TND": 3,
    "TRY": 2,
    "UAH": 2,
    "USD": 2,
    "VND": 0,
    "ZAR": 2,
}


class MoneyError(ValueError):
    """A money value or operation that makes no sense (float, unknown or mixed currency...)."""


def is_currency(code: object) -> bool:
    return isinstance(code, str) and code in CURRENCIES


def exponent(currency: str) -> int:
    if currency not in CURRENCIES:
        raise MoneyError(f"unknown currency {currency!r}")
    return CURRENCIES[currency]


def check_minor(value: object) -> int:
    """An integer amount of minor units that fits a BIGINT; anything else raises MoneyError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise MoneyError(f"money amounts are integers of minor units, not {type(value).__name__}")
    if not MIN_MINOR <= value <= MAX_MINOR:
        raise MoneyError("amount does not fit in 64 bits")
    return value


@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units
    currency: str

    def __post_init__(self) -> None:
        check_minor(self.amount)
        exponent(self.currency)

    # -- construction -----------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """Exact decimal text in major units ("12.34") to Money; too many decimals is an error."""
        if not isinstance(text, str):
            raise MoneyError("parse takes text")
        try:
            value = Decimal(text.strip())
        except InvalidOperation as exc:
            raise MoneyError(f"not an amount: {text!r}") from exc
        scaled = value.scaleb(exponent(currency))
        if scaled != scaled.to_integral_value():
            raise MoneyError(f"{text!r} has more decimals than {currency} allows")
        return cls(int(scaled), currency)

    @classmethod
    def from_decimal(cls, value: Decimal, currency: str, rounding: str = ROUND_HALF_EVEN) -> Money:
        """A computed decimal amount (interest, fees by rate) rounded to minor units."""
        if not isinstance(value, Decimal):
            raise MoneyError("from_decimal takes a Decimal")
        scaled = value.scaleb(exponent(currency)).quantize(Decimal(1), rounding=rounding)
        return cls(int(scaled), currency)

    # -- arithmetic -------------------------------------------------------------------
    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"currency mismatch: {self.currency} and {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise MoneyError("multiply Money by an integer only; use from_decimal for rates")
        return Money(self.amount * factor, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    def __bool__(self) -> bool:
        return self.amount != 0

    # -- presentation -----------------------------------------------------------------
    def to_decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-exponent(self.currency))

    def format(self) -> str:
        """Plain text, e.g. ``-1,234.50 USD``."""
        digits = exponent(self.currency)
        sign = "-" if self.amount < 0 else ""
        whole, frac = divmod(abs(self.amount), 10**digits)
        text = f"{whole:,}" + (f".{frac:0{digits}d}" if digits else "")
        return f"{sign}{text} {self.currency}"

    def __str__(self) -> str:
        return self.format()


def format_minor(amount: int, currency: str) -> str:
    """Decimal text of an amount in minor units, without grouping: ``-1234.50``."""
    digits = exponent(currency)
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), 10**digits)
    return f"{sign}{whole}" + (f".{frac:0{digits}d}" if digits else "")
