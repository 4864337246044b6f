"""ASCII digit test.

``str.isdigit`` also accepts superscripts and other Unicode digits that ``int``
may reject or silently convert, so every numeric field check uses this instead.
"""

from __future__ import annotations


def isnum(text: str) -> bool:
    """True when ``text`` is non-empty and made only of ASCII 0-9."""
    return text.isascii() and text.isdigit()
