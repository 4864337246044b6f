"""Containers: a batch (header, entries with their addenda, control) and a file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .digits import isnum
from .records import AnyBatchControl, AnyBatchHeader, AnyFileControl, Entry, FileHeader


@dataclass(slots=True)
class Batch:
    """One batch: its header, its entries (each holding its addenda) and its control."""

    header: AnyBatchHeader
    entries: list[Entry] = field(default_factory=list)
    control: AnyBatchControl | None = None

    @property
    def sec_code(self) -> str:
        """The batch's Standard Entry Class code."""
        return self.header.sec_code

    @property
    def entry_addenda_count(self) -> int:
        """Entries plus addenda records, as the batch control counts them."""
        return len(self.entries) + sum(len(e.addenda) for e in self.entries)

    @property
    def total_debit(self) -> int:
        """Sum of debit amounts in cents."""
        return sum(e.amount for e in self.entries if e.direction == "D")

    @property
    def total_credit(self) -> int:
        """Sum of credit amounts in cents."""
        return sum(e.amount for e in self.entries if e.direction == "C")

    @property
    def entry_hash(self) -> int:
        """Sum of the eight-digit RDFI identifications, modulo 10**10."""
        total = 0
        for e in self.entries:
            rdfi = e.rdfi_identification
            total += int(rdfi) if isnum(rdfi) else 0
        return total % 10_000_000_000


@dataclass(slots=True)
class AchFile:
    """A whole NACHA file.

    ``filler_lines`` is the number of all-9 filler records after the File
    Control as read; ``None`` (the default for built files) makes the writer pad
    the file to a multiple of ten records.
    """

    header: FileHeader | None
    batches: list[Batch] = field(default_factory=list)
    control: AnyFileControl | None = None
    filler_lines: int | None = None

    def entries(self) -> Iterator[tuple[Batch, Entry]]:
        """Every entry with the batch it belongs to."""
        for batch in self.batches:
            for entry in batch.entries:
                yield batch, entry

    @property
    def total_debit(self) -> int:
        """Sum of debit amounts over all batches, in cents."""
        return sum(b.total_debit for b in self.batches)

    @property
    def total_credit(self) -> int:
        """Sum of credit amounts over all batches, in cents."""
        return sum(b.total_credit for b in self.batches)

    @property
    def entry_count(self) -> int:
        """Number of entry detail records."""
        return sum(len(b.entries) for b in self.batches)
