"""PostgreSQL array literals built as text, for parameters cast in SQL (``%s::uuid[]``).

psycopg adapts a Python list element by element, looking up a dumper for each and checking
each text for characters that need quoting: for the few short arrays of a group of four
transfers that was about a third of the Python time of executing its statement (0.17 of
0.47 ms), and for a batch of 1,000 about 6 ms (docs/ledger-speed-log.md). These build the
same literal directly. The format is PostgreSQL's array input syntax
(https://www.postgresql.org/docs/current/arrays.html#ARRAYS-IO): elements between braces,
separated by commas, the unquoted word NULL for a null, and any element in double quotes
with its backslashes and double quotes escaped by a backslash.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime


def _braced(elements: Iterable[str | None]) -> str:
    return "{" + ",".join("NULL" if e is None else e for e in elements) + "}"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def plain_array(values: Iterable[uuid.UUID | int | None]) -> str:
    """UUIDs or integers: their text never needs quoting."""
    return _braced(None if v is None else str(v) for v in values)


def text_array(values: Iterable[str | None]) -> str:
    """Any text, each element quoted (so "NULL", braces, commas and spaces stay text)."""
    return _braced(None if v is None else _quoted(v) for v in values)


def time_array(values: Iterable[datetime | None]) -> str:
    """Timestamps in ISO 8601, with their offset when they have one (a naive one is read in
    the session's time zone, as psycopg's own adaptation of it is)."""
    return _braced(None if v is None else _quoted(v.isoformat()) for v in values)
