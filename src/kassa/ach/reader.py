"""Reading NACHA files: streaming iterators and a whole-file API.

``Reader(source).entries()`` and ``.batches()`` stream a file of any size while
validating it, holding one entry (or one batch) at a time.  :func:`read` builds
the whole :class:`AchFile`; :func:`validate` checks a file without building
objects at all (the fastest path).  All three collect every issue instead of
stopping at the first.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

from .errors import AchValidationError, Issue
from .lines import Source, iter_record_chunks
from .model import AchFile, Batch
from .options import ValidateOptions
from .records import (
    AdvBatchControl,
    AdvEntryDetail,
    AdvFileControl,
    BatchControl,
    BatchHeader,
    Entry,
    EntryDetail,
    FileControl,
    FileHeader,
    IatBatchHeader,
    IatEntryDetail,
    Record,
    parse_addenda,
)
from .validator import NINES, Validator


def validate(source: Source, options: ValidateOptions | None = None) -> list[Issue]:
    """Every issue in a file, checked record by record without building objects."""
    v = Validator(options)
    feed_many = v.feed_many
    for chunk in iter_record_chunks(source):
        feed_many(chunk)
    return v.finish()


class Reader:
    """Streams a file's records, validating as it goes.

    Iterate one of :meth:`records`, :meth:`entries` or :meth:`batches` once;
    afterwards :attr:`issues` holds every problem found and :attr:`header`,
    :attr:`control` and :attr:`filler_lines` describe the file.
    """

    def __init__(self, source: Source, options: ValidateOptions | None = None) -> None:
        self.source = source
        self.options = options or ValidateOptions()
        self.header: FileHeader | None = None
        self.control: FileControl | AdvFileControl | None = None
        self.filler_lines = 0
        self._validator: Validator | None = (
            None if self.options.skip_all else Validator(self.options)
        )
        self._issues: list[Issue] | None = None

    @property
    def issues(self) -> list[Issue]:
        """Every issue found (complete once iteration has finished)."""
        if self._issues is not None:
            return self._issues
        return self._validator.issues if self._validator is not None else []

    def _finish(self) -> None:
        self._issues = self._validator.finish() if self._validator is not None else []

    def records(self) -> Iterator[tuple[int, Record]]:
        """(record number, parsed record) for every record, in file order.

        Records that cannot be parsed at all (unknown type, wrong length) are
        reported as issues and skipped.
        """
        feed_many = self._validator.feed_many if self._validator is not None else None
        state = _ParseState()
        parse = state.parse
        for chunk in iter_record_chunks(self.source):
            if feed_many is not None:
                feed_many(chunk)
            for n, line, length in chunk:
                if length < 0:
                    continue
                rec = parse(self, line)
                if rec is not None:
                    yield n, rec
        self._finish()

    def entries(self) -> Iterator[tuple[Batch, Entry]]:
        """(batch, entry) pairs, each entry complete with its addenda.

        The batch object carries the header (and, once read, the control) but
        not the entries, so memory stays bounded whatever the batch size.
        """
        feed_many = self._validator.feed_many if self._validator is not None else None
        state = _ParseState()
        parse = state.parse
        entry_from_line = EntryDetail.from_line
        batch: Batch | None = None
        entry: Entry | None = None
        for chunk in iter_record_chunks(self.source):
            if feed_many is not None:
                feed_many(chunk)
            for _, line, length in chunk:
                t = line[0]
                if t == "7":
                    if entry is not None and length == 94:
                        entry.addenda.append(parse_addenda(line, state.sec))
                    continue
                if entry is not None and batch is not None:
                    yield batch, entry
                entry = None
                if t == "6" and batch is not None and state.kind == "" and length == 94:
                    entry = entry_from_line(line)
                    continue
                if length < 0:
                    continue
                rec = parse(self, line)
                if rec is None:
                    continue
                if t == "6":
                    entry = rec if batch is not None else None  # type: ignore[assignment]
                elif t == "5":
                    batch = Batch(rec)  # type: ignore[arg-type]
                elif t == "8":
                    if batch is not None:
                        batch.control = rec  # type: ignore[assignment]
                    batch = None
                else:
                    batch = None
        if entry is not None and batch is not None:
            yield batch, entry
        self._finish()

    def batches(self) -> Iterator[Batch]:
        """Whole batches, one at a time (each batch is held in memory while read)."""
        batch: Batch | None = None
        entry: Entry | None = None
        for _, rec in self.records():
            rt = rec.RECORD_TYPE
            if rt == "6":
                if batch is not None:
                    entry = rec  # type: ignore[assignment]
                    batch.entries.append(entry)  # type: ignore[arg-type]
            elif rt == "7":
                if entry is not None:
                    entry.addenda.append(rec)  # type: ignore[arg-type]
            elif rt == "5":
                if batch is not None:
                    yield batch
                batch = Batch(rec)  # type: ignore[arg-type]
                entry = None
            elif rt == "8":
                entry = None
                if batch is not None:
                    batch.control = rec  # type: ignore[assignment]
                    yield batch
                    batch = None
            else:
                entry = None
                if batch is not None:
                    yield batch
                    batch = None
        if batch is not None:
            yield batch


class _ParseState:
    """Which layouts apply to the next record (ADV and IAT batches differ)."""

    __slots__ = ("any_adv", "control_seen", "kind", "sec")

    def __init__(self) -> None:
        self.kind = ""
        self.sec = ""
        self.any_adv = False
        self.control_seen = False

    def parse(self, reader: Reader, line: str) -> Record | None:
        """Parse one record; None for filler and records that cannot be parsed."""
        t = line[0]
        kind = self.kind
        if t == "6":
            if kind == "":
                return EntryDetail.from_line(line)
            if kind == "adv":
                return AdvEntryDetail.from_line(line)
            return IatEntryDetail.from_line(line)
        if t == "7":
            return parse_addenda(line, self.sec)
        if t == "5":
            sec = self.sec = line[50:53]
            if sec == "IAT" or (sec == "COR" and line[4:20].rstrip() == "IATCOR"):
                self.kind = "iat"
                return IatBatchHeader.from_line(line)
            self.kind = "adv" if sec == "ADV" else ""
            self.any_adv = self.any_adv or self.kind == "adv"
            return BatchHeader.from_line(line)
        if t == "8":
            self.kind = ""
            return (
                AdvBatchControl.from_line(line) if kind == "adv" else BatchControl.from_line(line)
            )
        if t == "1":
            header = FileHeader.from_line(line)
            if reader.header is None:
                reader.header = header
            return header
        if t == "9":
            if self.control_seen:
                if line == NINES:
                    reader.filler_lines += 1
                return None
            self.control_seen = True
            control = (
                AdvFileControl.from_line(line) if self.any_adv else FileControl.from_line(line)
            )
            reader.control = control
            return control
        return None


def read(source: Source, options: ValidateOptions | None = None, *, strict: bool = True) -> AchFile:
    """Read and validate a whole file into objects.

    With ``strict`` (the default) any issue raises :class:`AchValidationError`
    listing them all, with the parsed file in ``error.file``.  With
    ``strict=False`` the file is returned and the issues are available from
    :func:`read_with_issues`.
    """
    file, issues = read_with_issues(source, options)
    if issues and strict:
        raise AchValidationError(issues, file)
    return file


def read_with_issues(
    source: Source, options: ValidateOptions | None = None
) -> tuple[AchFile, list[Issue]]:
    """Read a whole file and return it with every issue found (never raises for rule failures)."""
    # The records form no reference cycles, so pausing the cyclic garbage
    # collector while allocating one object per record is safe; it is what
    # makes reading large files fast (collections otherwise rescan every
    # record built so far).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_objects(source, options)
    finally:
        if was_enabled:
            gc.enable()


def _read_objects(source: Source, options: ValidateOptions | None) -> tuple[AchFile, list[Issue]]:
    reader = Reader(source, options)
    feed_many = reader._validator.feed_many if reader._validator is not None else None
    state = _ParseState()
    parse = state.parse
    entry_from_line = EntryDetail.from_line
    batches: list[Batch] = []
    batch: Batch | None = None
    entries: list[Entry] = []
    entry: Entry | None = None
    for chunk in iter_record_chunks(source):
        if feed_many is not None:
            feed_many(chunk)
        for _, line, length in chunk:
            t = line[0]
            # hot path: an entry of a domestic batch
            if t == "6" and batch is not None and state.kind == "" and length == 94:
                entry = entry_from_line(line)
                entries.append(entry)
                continue
            if length < 0:
                continue
            rec = parse(reader, line)
            if rec is None:
                continue
            if t == "7":
                if entry is not None:
                    entry.addenda.append(rec)  # type: ignore[arg-type]
            elif t == "6":
                if batch is not None:
                    entry = rec  # type: ignore[assignment]
                    entries.append(entry)  # type: ignore[arg-type]
            elif t == "5":
                batch = Batch(rec)  # type: ignore[arg-type]
                batches.append(batch)
                entries = batch.entries
                entry = None
            elif t == "8":
                if batch is not None:
                    batch.control = rec  # type: ignore[assignment]
                batch = None
                entry = None
            else:
                batch = None
                entry = None
    reader._finish()
    file = AchFile(reader.header, batches, reader.control, reader.filler_lines)
    return file, reader.issues
