"""Field-level helpers: allowed characters, dates, and position-to-field names."""

from __future__ import annotations

import re
from functools import lru_cache

from .records import (
    Addenda02,
    Addenda05,
    Addenda98,
    Addenda99,
    AdvBatchControl,
    AdvEntryDetail,
    AdvFileControl,
    BatchControl,
    BatchHeader,
    EntryDetail,
    FileControl,
    FileHeader,
    IatEntryDetail,
    LayoutItem,
)

# Printable ASCII plus printable Latin-1 (U+00A0-U+00FF): what moov-io/ach accepts
# by default in alphanumeric fields.  Everything else (control characters,
# U+FFFD from undecodable bytes, other scripts) is reported.
_BAD = re.compile(r"[^\x20-\x7e\xa0-\xff]")
_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def bad_characters(line: str, allow_special: bool) -> list[int]:
    """Positions of characters not allowed in a record."""
    if allow_special:
        return [i for i, c in enumerate(line) if not c.isprintable()]
    return [m.start() for m in _BAD.finditer(line)]


def is_date(text: str) -> bool:
    """True for a valid YYMMDD date (any century; Feb 29 checked against the year)."""
    if len(text) != 6 or not (text.isdigit() and text.isascii()):
        return False
    year, month, day = int(text[0:2]), int(text[2:4]), int(text[4:6])
    if not 1 <= month <= 12 or day < 1 or day > _DAYS[month]:
        return False
    return not (month == 2 and day == 29 and year % 4 != 0)


def is_time(text: str) -> bool:
    """True for a valid 24-hour HHMM time."""
    return (
        len(text) == 4
        and text.isdigit()
        and text.isascii()
        and int(text[:2]) < 24
        and int(text[2:]) < 60
    )


_LAYOUTS: dict[str, tuple[LayoutItem, ...]] = {
    "1": FileHeader.LAYOUT,
    "5": BatchHeader.LAYOUT,
    "6": EntryDetail.LAYOUT,
    "6adv": AdvEntryDetail.LAYOUT,
    "6iat": IatEntryDetail.LAYOUT,
    "702": Addenda02.LAYOUT,
    "705": Addenda05.LAYOUT,
    "798": Addenda98.LAYOUT,
    "799": Addenda99.LAYOUT,
    "8": BatchControl.LAYOUT,
    "8adv": AdvBatchControl.LAYOUT,
    "9": FileControl.LAYOUT,
    "9adv": AdvFileControl.LAYOUT,
}


@lru_cache(maxsize=4096)
def field_name(kind: str, pos: int) -> str:
    """The name of the field at 0-based ``pos`` in a record of ``kind``."""
    for name, start, end, _ in _LAYOUTS.get(kind, ()):
        if start <= pos < end:
            return name or "record_type"
    return "information" if kind.startswith("7") else ""
