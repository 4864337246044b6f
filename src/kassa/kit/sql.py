"""Small SQL helpers shared by every domain."""

from __future__ import annotations


def contains_pattern(text: str) -> str:
    """A LIKE/ILIKE pattern matching ``text`` anywhere, with its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
