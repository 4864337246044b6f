"""Shared state and helpers of the streaming validator (see validator.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

from .codes import (
    CHANGE_CODES,
    REFUSED_CHANGE_CODES,
    RETURN_REASONS,
)
from .digits import isnum
from .errors import Issue
from .fields import bad_characters, field_name
from .options import ValidateOptions
from .sec import SecPolicy

NINES = "9" * 94
_RUN = re.compile("6{9,}")
_MOD = 10_000_000_000
_VALID_SCC = frozenset({"200", "220", "225", "280"})
_RETURN_CODES = frozenset(RETURN_REASONS)
_ALL_CHANGE_CODES = frozenset(CHANGE_CODES) | frozenset(REFUSED_CHANGE_CODES)
_ADDENDA_TYPES = frozenset(
    {"02", "05", "98", "99", "10", "11", "12", "13", "14", "15", "16", "17", "18"}
)
_IAT_MANDATORY = ("10", "11", "12", "13", "14", "15", "16")


def _blank_or_zeros(text: str) -> bool:
    """True when a field is empty, spaces, or zeros (and spaces)."""
    return not text.strip(" 0")


class _Entry:
    """What the validator remembers about the entry whose addenda may follow."""

    __slots__ = (
        "addenda",
        "category",
        "declared",
        "direction",
        "forward",
        "indicator",
        "line",
        "sequence",
        "types",
    )

    def __init__(
        self, line: int, indicator: str, sequence: str, declared: int, direction: str = ""
    ) -> None:
        self.line = line
        self.indicator = indicator
        self.addenda = 0
        self.types: list[str] = []
        self.category = ""
        self.declared = declared
        self.sequence = sequence
        self.forward = True
        self.direction = direction


_ADV_NUMERIC = (
    ("transaction_code", 1, 3),
    ("rdfi_identification", 3, 11),
    ("check_digit", 11, 12),
    ("amount", 27, 39),
    ("addenda_record_indicator", 78, 79),
    ("sequence_number", 90, 94),
)
_IAT_NUMERIC = (
    ("transaction_code", 1, 3),
    ("rdfi_identification", 3, 11),
    ("check_digit", 11, 12),
    ("addenda_records", 12, 16),
    ("amount", 29, 39),
    ("addenda_record_indicator", 78, 79),
    ("trace_number", 79, 94),
)
_BC_NUMERIC = (
    ("service_class_code", 1, 4),
    ("entry_addenda_count", 4, 10),
    ("entry_hash", 10, 20),
    ("total_debit", 20, 32),
    ("total_credit", 32, 44),
    ("batch_number", 87, 94),
)
_ADV_BC_NUMERIC = (
    ("service_class_code", 1, 4),
    ("entry_addenda_count", 4, 10),
    ("entry_hash", 10, 20),
    ("total_debit", 20, 40),
    ("total_credit", 40, 60),
    ("batch_number", 87, 94),
)
_FC_NUMERIC = (
    ("batch_count", 1, 7),
    ("block_count", 7, 13),
    ("entry_addenda_count", 13, 21),
    ("entry_hash", 21, 31),
    ("total_debit", 31, 43),
    ("total_credit", 43, 55),
)
_ADV_FC_NUMERIC = (
    ("batch_count", 1, 7),
    ("block_count", 7, 13),
    ("entry_addenda_count", 13, 21),
    ("entry_hash", 21, 31),
    ("total_debit", 31, 51),
    ("total_credit", 51, 71),
)


class ValidatorBase:
    """State, issue recording and field helpers."""

    b_line_prev = 0
    _fc_text = ""
    control_line = 0

    def __init__(
        self, options: ValidateOptions | None = None, *, use_fast_path: bool = True
    ) -> None:
        o = options or ValidateOptions()
        #: False forces the per-record path everywhere (tests compare both paths).
        self.use_fast_path = use_fast_path
        self.options = o
        self.issues: list[Issue] = []
        self._add = self.issues.append
        # switches read on the hot path, copied to attributes once
        self._chk_digit = not o.allow_invalid_check_digit
        self._chk_name = not o.allow_empty_individual_name
        self._chk_trace_odfi = not (o.bypass_origin_validation or o.custom_trace_numbers)
        self._chk_trace_order = not o.custom_trace_numbers
        self._chk_limits = not o.allow_invalid_amounts
        self._strict = o.require_strict_fields
        self.records = 0
        self.header_seen = False
        self.control_seen = False
        self.filler = 0
        # file totals
        self.batch_count = 0
        self.f_count = 0
        self.f_hash = 0
        self.f_debit = 0
        self.f_credit = 0
        self.last_batch_number = -1
        self.any_adv = False
        self._reset_batch()

    # ------------------------------------------------------------------ helpers
    def issue(self, line: int, record_type: str, field: str, rule: str, message: str) -> None:
        """Record one problem."""
        self._add(Issue(line, record_type, field, rule, message))

    def _reset_batch(self) -> None:
        self.in_batch = False
        self.b_line = 0
        self.b_kind = ""  # "", "adv", "iat"
        self.b_policy: SecPolicy | None = None
        self.b_sec = ""
        self.b_scc = ""
        self.b_odfi = ""
        self.b_company = ""
        self.b_number = ""
        self.b_entries = 0
        self.b_addenda = 0
        self.b_hash = 0
        self.b_debit = 0
        self.b_credit = 0
        self.b_last_trace = ""
        self.b_credit_ok = True
        self.b_debit_ok = True
        self.entry: _Entry | None = None
        self.b_fast: Callable[[str], object] | None = None

    def _chars(self, n: int, line: str, kind: str) -> None:
        """Report characters outside the allowed set, one issue per field."""
        allow_any = self.options.allow_special_characters
        seen: set[str] = set()
        for pos in bad_characters(line, allow_any):
            name = field_name(kind, pos)
            if name not in seen:
                seen.add(name)
                self.issue(
                    n,
                    line[0],
                    name,
                    "ACH-FIELD-CHARACTERS",
                    f"character {line[pos]!r} at position {pos + 1} is not allowed",
                )

    def _numeric(
        self, n: int, line: str, rt: str, fields: tuple[tuple[str, int, int], ...]
    ) -> None:
        for name, a, b in fields:
            text = line[a:b]
            if not (isnum(text) and text.isascii()):
                self.issue(n, rt, name, "ACH-FIELD-NUMERIC", f"{text!r} is not numeric")

    # ------------------------------------------------------------------ feeding

    def _close_entry(self) -> None:
        """Finish the open entry (implemented by the entry checks)."""
        raise NotImplementedError
