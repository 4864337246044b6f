"""ABA routing transit numbers: check digit and validation.

A routing number is eight digits followed by a check digit.  The digits are
weighted 3, 7, 1, 3, 7, 1, 3, 7; the check digit brings the weighted sum up to
the next multiple of ten.  The payments module validates user input with these
functions so that it reports the same rule codes as file validation.
"""

from __future__ import annotations

from .digits import isnum
from .errors import AchValidationError, Issue

_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7)
_DIGITS = frozenset("0123456789")

RULE_ROUTING_FORMAT = "ACH-RTN-FORMAT"
RULE_ROUTING_CHECK_DIGIT = "ACH-RTN-CHECK-DIGIT"


def routing_check_digit(first_eight: str) -> int:
    """The check digit for the first eight digits of a routing number.

    Accepts eight or nine digits (the ninth is ignored).  Raises
    :class:`AchValidationError` with rule ``ACH-RTN-FORMAT`` when the input is not
    digits.
    """
    head = first_eight[:8]
    if len(first_eight) not in (8, 9) or not (head.isascii() and isnum(head)):
        raise AchValidationError(
            [
                Issue(
                    0,
                    "",
                    "routing_number",
                    RULE_ROUTING_FORMAT,
                    f"{first_eight!r} is not 8 or 9 digits",
                )
            ]
        )
    total = sum(w * (ord(c) - 48) for w, c in zip(_WEIGHTS, head, strict=True))
    return (10 - total % 10) % 10


def routing_number_issues(
    value: str, *, field: str = "routing_number", line: int = 0, record_type: str = ""
) -> list[Issue]:
    """Every problem with a nine-digit routing number, as issues (empty when valid)."""
    if len(value) != 9 or not (value.isascii() and isnum(value)):
        return [
            Issue(
                line,
                record_type,
                field,
                RULE_ROUTING_FORMAT,
                f"{value!r} is not a nine-digit routing number",
            )
        ]
    expected = routing_check_digit(value)
    if expected != ord(value[8]) - 48:
        return [
            Issue(
                line,
                record_type,
                field,
                RULE_ROUTING_CHECK_DIGIT,
                f"routing number {value} has check digit {value[8]}, expected {expected}",
            )
        ]
    return []


def is_valid_routing_number(value: str) -> bool:
    """True when ``value`` is nine digits with a correct check digit."""
    return not routing_number_issues(value)


def validate_routing_number(value: str) -> str:
    """Return ``value`` when it is a valid routing number, else raise AchValidationError."""
    issues = routing_number_issues(value)
    if issues:
        raise AchValidationError(issues)
    return value


_valid_cache: dict[str, bool] = {}


def routing_ok_cached(nine: str) -> bool:
    """Check-digit test memoised per distinct number (real files repeat RDFIs)."""
    ok = _valid_cache.get(nine)
    if ok is None:
        ok = not routing_number_issues(nine)
        if len(_valid_cache) < 1_000_000:
            _valid_cache[nine] = ok
    return ok
