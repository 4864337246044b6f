"""The single error hierarchy of kassa.ach.

Every failure the library reports is an :class:`AchError`.  Validation collects
every problem as an :class:`Issue` instead of stopping at the first one, and
raises :class:`AchValidationError` carrying them all when the caller asked for an
exception rather than a list.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Issue:
    """One validation problem.

    ``line`` is the 1-based record number in the file (the line number for a file
    with one record per line; 0 for problems about the file as a whole).
    ``record_type`` is the record's first character ("1", "5", "6", "7", "8", "9")
    or "" when it is unknown.  ``rule`` is a stable code such as
    ``ACH-RTN-CHECK-DIGIT`` listed in docs/ach-rules.md.
    """

    line: int
    record_type: str
    field: str
    rule: str
    message: str

    def to_dict(self) -> dict[str, object]:
        """The issue as a JSON-ready dict."""
        return asdict(self)

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        field = f" {self.field}" if self.field else ""
        return f"{where}: [{self.rule}]{field}: {self.message}"


class AchError(Exception):
    """Base class of every error raised by kassa.ach."""


class AchInputError(AchError):
    """The input cannot be read as a NACHA file at all (unreadable, binary, empty)."""


class UnsupportedSecCodeError(AchError):
    """A Standard Entry Class code this library does not support was requested."""

    def __init__(self, code: str) -> None:
        super().__init__(f"unsupported SEC code {code!r}")
        self.code = code


class AchBuildError(AchError):
    """The writer was given entries it cannot turn into a valid file."""


class AchValidationError(AchError):
    """A file (or value) broke one or more rules; ``issues`` lists them all."""

    def __init__(self, issues: list[Issue], file: object | None = None) -> None:
        self.issues = list(issues)
        #: The partially or fully parsed file, when one was built (AchFile or None).
        self.file = file
        first = str(self.issues[0]) if self.issues else "no issues"
        more = f" (and {len(self.issues) - 1} more)" if len(self.issues) > 1 else ""
        super().__init__(f"{first}{more}")

    @property
    def rules(self) -> set[str]:
        """The distinct rule codes that failed."""
        return {i.rule for i in self.issues}
