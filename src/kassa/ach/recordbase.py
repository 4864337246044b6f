"""Typed records of a NACHA file, one dataclass per record kind.

Every record knows its fixed-width layout (``LAYOUT``): positions are 0-based
half-open slices of the 94-character line.  Alphanumeric fields are stored with
trailing padding removed and written left-justified and space-filled; numeric
fields are ``int`` and written right-justified and zero-filled.  Dates, times,
codes and trace numbers stay ``str`` so that blank or unusual values read from
real bank files survive unchanged.

A record read from a file remembers its text in ``raw``.  The writer prints
``raw`` only when the record's fields still equal what ``raw`` parses to, so an
edited record is always written from its fields; this keeps read-then-write
byte-exact for files whose fields are not canonically padded.
"""

from __future__ import annotations

from typing import ClassVar, Self

from .digits import isnum

# A layout item: (attribute or None for a constant, start, end, kind).
# kind: "A" alphanumeric (left-justified, spaces), "N" numeric int (zero-filled),
# "R" right-justified text, or the constant text itself when attribute is None.
LayoutItem = tuple[str | None, int, int, str]


def _to_int(text: str) -> int:
    """Numeric field to int; malformed text (reported by the validator) reads as 0."""
    if isnum(text) and text.isascii():
        return int(text)
    stripped = text.strip()
    if isnum(stripped) and stripped.isascii():
        return int(stripped)
    return 0


class RecordMixin:
    """Layout-driven parsing and formatting shared by all record classes."""

    LAYOUT: ClassVar[tuple[LayoutItem, ...]] = ()
    RECORD_TYPE: ClassVar[str] = ""
    raw: str | None

    @classmethod
    def from_line(cls, line: str) -> Self:
        """Parse one 94-character record (the caller has normalised its length)."""
        values: list[object] = []
        for name, start, end, kind in cls.LAYOUT:
            if name is None:
                continue
            text = line[start:end]
            if kind == "N":
                values.append(_to_int(text))
            elif kind == "R":
                values.append(text.strip())
            else:
                values.append(text.rstrip())
        record = cls(*values)
        record.raw = line
        return record

    def to_line(self) -> str:
        """The record as its 94-character line, from its fields."""
        parts: list[str] = []
        for name, start, end, kind in self.LAYOUT:
            width = end - start
            if name is None:
                parts.append(kind)
                continue
            value = getattr(self, name)
            if kind == "N":
                text = f"{value:0{width}d}"
            elif kind == "R":
                text = f"{value:>{width}}"
            else:
                text = f"{value:<{width}}"
            if len(text) != width:
                raise ValueError(
                    f"{type(self).__name__}.{name}={value!r} does not fit in {width} characters"
                )
            parts.append(text)
        return "".join(parts)

    def same_fields(self, other: object) -> bool:
        """True when ``other`` has the same layout field values (``raw`` ignored)."""
        return type(other) is type(self) and all(
            getattr(self, n) == getattr(other, n) for n, _, _, _ in self.LAYOUT if n is not None
        )

    def render(self) -> str:
        """The text to write: ``raw`` when it still describes the fields, else formatted."""
        line = self.to_line()
        raw = self.raw
        if raw is not None and raw != line and self.same_fields(type(self).from_line(raw)):
            return raw
        return line
