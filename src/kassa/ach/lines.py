"""Turning bytes into 94-character records, in bounded memory.

Bank files arrive with LF or CRLF line endings, sometimes with trailing spaces
trimmed (short lines), sometimes with extra trailing spaces, sometimes with no
line breaks at all.  Following moov-io/ach's documented leniency, a short line
is right-padded with spaces, a long line is cut every 94 characters and a tail
of only spaces is dropped.  A tail that is not only spaces is reported as a
record of the wrong length.

The input is read in chunks, so a file of any size is processed line by line
without holding it whole.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from itertools import repeat
from pathlib import Path
from typing import IO

from .errors import AchInputError

Source = str | bytes | bytearray | os.PathLike[str] | IO[bytes] | IO[str]

CHUNK = 1 << 20
SPACES94 = " " * 94

#: (record number, 94-character text, original length or 94, physical line number)
RawRecord = tuple[int, str, int]


def _decode(data: bytes) -> str:
    """UTF-8 when it decodes, else Latin-1 (which maps every byte, keeping columns)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _open(source: Source) -> tuple[IO[bytes] | IO[str], bool]:
    """An open stream for the source and whether we own (must close) it."""
    if isinstance(source, (bytes, bytearray)):
        return io.BytesIO(bytes(source)), True
    if isinstance(source, str) and "\n" in source:
        # text holding line breaks is file content, never a path
        return io.StringIO(source), True
    if isinstance(source, (str, os.PathLike)):
        try:
            return open(Path(source), "rb"), True
        except OSError as exc:
            raise AchInputError(f"cannot open {source}: {exc.strerror or exc}") from exc
    return source, False


def iter_text_blocks(source: Source) -> Iterator[list[str]]:
    """Lists of physical lines (without line endings), read chunk by chunk."""
    stream, owned = _open(source)
    try:
        tail: str | bytes = b""
        while True:
            try:
                chunk = stream.read(CHUNK)
            except OSError as exc:
                raise AchInputError(f"cannot read input: {exc}") from exc
            if not chunk:
                break
            if isinstance(chunk, bytes):
                data = (tail + chunk) if isinstance(tail, bytes) else tail.encode("utf-8") + chunk
                cut = data.rfind(b"\n")
                if cut < 0:
                    if len(data) > CHUNK:
                        # A file without line breaks: hand over whole records so the
                        # tail stays bounded.
                        keep = len(data) - len(data) % 94
                        yield [_decode(data[:keep])]
                        data = data[keep:]
                    tail = data
                    continue
                tail = data[cut + 1 :]
                text = _decode(data[:cut])
            else:
                sdata = (tail + chunk) if isinstance(tail, str) else tail.decode("latin-1") + chunk
                cut = sdata.rfind("\n")
                if cut < 0:
                    if len(sdata) > CHUNK:
                        keep = len(sdata) - len(sdata) % 94
                        yield [sdata[:keep]]
                        sdata = sdata[keep:]
                    tail = sdata
                    continue
                tail = sdata[cut + 1 :]
                text = sdata[:cut]
            if "\r" in text:
                text = text.replace("\r\n", "\n")
                yield [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
            else:
                yield text.split("\n")
        if tail:
            last = _decode(tail) if isinstance(tail, bytes) else tail
            last = last.rstrip("\r\n")
            if last:
                yield [last]
    finally:
        if owned:
            stream.close()


def iter_record_chunks(source: Source) -> Iterator[list[tuple[int, str, int]]]:
    """Normalised records in lists: (record number, 94-char text, length before padding).

    The third item is 94 for a well-formed record, the original length for a
    short record that was padded, and -1 for a long-line tail that is neither 94
    characters nor blank (a record of the wrong length).
    """
    number = 0
    for lines in iter_text_blocks(source):
        if all(len(line) == 94 for line in lines):
            # the common case, built without a Python-level loop body
            yield list(zip(range(number + 1, number + 1 + len(lines)), lines, repeat(94)))
            number += len(lines)
            continue
        out: list[tuple[int, str, int]] = []
        for line in lines:
            n = len(line)
            if n == 94:
                number += 1
                out.append((number, line, 94))
            elif n < 94:
                if not line.strip():
                    continue  # blank lines carry no record
                number += 1
                out.append((number, line + SPACES94[n:], n))
            else:
                for start in range(0, n, 94):
                    piece = line[start : start + 94]
                    if len(piece) == 94:
                        number += 1
                        out.append((number, piece, 94))
                    elif piece.strip():
                        number += 1
                        out.append((number, piece + SPACES94[len(piece) :], -1))
        if out:
            yield out


def iter_records(source: Source) -> Iterator[tuple[int, str, int]]:
    """Normalised records one at a time (see :func:`iter_record_chunks`)."""
    for chunk in iter_record_chunks(source):
        yield from chunk
