"""ABA routing number helpers share rule codes with file validation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kassa.ach import (
    AchValidationError,
    is_valid_routing_number,
    routing_check_digit,
    validate_routing_number,
)
from kassa.ach.routing import routing_number_issues


def test_known_routing_numbers() -> None:
    assert routing_check_digit("23138010") == 4
    assert routing_check_digit("121042882") == 2
    assert is_valid_routing_number("231380104")
    assert not is_valid_routing_number("231380105")
    assert validate_routing_number("121042882") == "121042882"


def test_rule_codes() -> None:
    assert routing_number_issues("231380105")[0].rule == "ACH-RTN-CHECK-DIGIT"
    assert routing_number_issues("12345")[0].rule == "ACH-RTN-FORMAT"
    assert routing_number_issues("12345678X")[0].rule == "ACH-RTN-FORMAT"
    with pytest.raises(AchValidationError) as info:
        validate_routing_number("231380105")
    assert info.value.rules == {"ACH-RTN-CHECK-DIGIT"}
    with pytest.raises(AchValidationError):
        routing_check_digit("abc")


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_computed_check_digit_validates(head: str) -> None:
    number = head + str(routing_check_digit(head))
    assert is_valid_routing_number(number)
    wrong = head + str((routing_check_digit(head) + 1) % 10)
    assert not is_valid_routing_number(wrong)
