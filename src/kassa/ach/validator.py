"""The streaming validator: records go in one at a time, issues come out.

It works on the 94-character text of each record, never on parsed objects, so
validating a file costs a few slices and set look-ups per record and holds only
running totals in memory.  Every check that fails adds an :class:`Issue`; the
validator never stops early.

Hot paths: an entry detail record whose numeric fields pass one combined
``isdigit`` test and whose text is plain printable ASCII skips the per-field
diagnosis; only records that fail a fast test are examined field by field to
say exactly what is wrong.
"""

from __future__ import annotations

from .errors import Issue
from .fastpath import check_run
from .validator_base import (
    _RUN,
    NINES,
)
from .validator_entries import EntryChecks


class Validator(EntryChecks):
    """Feed records with :meth:`feed` or :meth:`feed_many`; :meth:`finish` gives the issues."""

    def feed(self, n: int, line: str, length: int = 94) -> None:
        """Validate one 94-character record (``length`` as reported by the line reader)."""
        self.records = n
        if length != 94:
            if length < 0:
                self.issue(
                    n,
                    line[0],
                    "",
                    "ACH-REC-LENGTH",
                    "text after the last 94-character record is not a whole record",
                )
                return
            if self.options.require_exact_record_length:
                self.issue(
                    n, line[0], "", "ACH-REC-SHORT", f"record is {length} characters, not 94"
                )
        t = line[0]
        if self.control_seen:
            if line == NINES:
                self.filler += 1
            else:
                self.issue(
                    n, t, "", "ACH-REC-AFTER-FILE-CONTROL", "record after the File Control record"
                )
            return
        if t == "6":
            self._entry_record(n, line)
        elif t == "7":
            self._addenda(n, line)
        elif t == "5":
            self._batch_header(n, line)
        elif t == "8":
            self._batch_control(n, line)
        elif t == "1":
            self._file_header(n, line)
        elif t == "9":
            self._file_control(n, line)
        else:
            self.issue(n, "", "record_type", "ACH-REC-TYPE", f"unknown record type {t!r}")
        if n == 1 and t != "1" and not self.options.allow_missing_file_header:
            self.issue(
                n,
                t if t in "156789" else "",
                "",
                "ACH-FILE-HEADER-MISSING",
                "the first record is not a File Header",
            )

    def feed_many(self, records: list[tuple[int, str, int]]) -> None:
        """Validate a chunk of records; runs of plain entries are checked in bulk."""
        feed = self.feed
        if not self.use_fast_path or self.control_seen:
            for rec in records:
                feed(*rec)
            return
        lines = [r[1] for r in records]
        # record types of the chunk as one string, so runs are found by a regex in C
        types = "".join([line[0] for line in lines])
        i = 0
        for run in _RUN.finditer(types):
            start, end = run.span()
            # the run's last entry may own addenda that follow (or lie in the next chunk)
            if end == len(types) or types[end] == "7":
                end -= 1
            if end - start < 8:
                continue
            for k in range(i, start + 1):
                feed(*records[k])
            i = start + 1
            # the first entry went through feed() above, which opened the batch
            # state for it; the rest of the run is checked in bulk
            block = lines[start + 1 : end]
            if (
                self.b_fast is None
                or self.control_seen
                or any(r[2] != 94 for r in records[start + 1 : end])
            ):
                continue
            if self.entry is not None:
                self._close_entry()
            if check_run(self, block):
                self.records = records[end - 1][0]
                i = end
        for k in range(i, len(records)):
            feed(*records[k])

    # ------------------------------------------------------------------ file header
    def finish(self) -> list[Issue]:
        """End of input: close what is open and check the file-level rules."""
        o = self.options
        if self.records == 0:
            self.issue(0, "", "", "ACH-FILE-EMPTY", "the input holds no records")
            return self.issues
        if self.in_batch:
            line = self.b_line
            self._end_batch(self.records, None)
            self.issue(line, "8", "", "ACH-BC-MISSING", "batch has no Batch Control record")
        if not self.control_seen:
            if not o.allow_missing_file_control:
                self.issue(
                    0, "9", "", "ACH-FILE-CONTROL-MISSING", "the file has no File Control record"
                )
        else:
            self._check_file_control()
        if self.batch_count == 0 and not o.allow_zero_batches:
            self.issue(0, "", "", "ACH-FILE-NO-BATCHES", "the file holds no batches")
        return self.issues


__all__ = ["NINES", "Validator"]
