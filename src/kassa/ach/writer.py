"""Writing NACHA files.

:func:`dumps` and :func:`write` print an :class:`AchFile` record by record
(control records as they are: use :class:`FileBuilder` to compute them).
:class:`FileBuilder` turns plain entries into a complete file: trace numbers
(ODFI + sequence), addenda sequence numbers, CTX addenda counts, service class
from the entries, entry hash, batch and file control totals, block count and
'9' filler records.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .codes import CREDIT_CODES, DEBIT_CODES, SAME_DAY_LIMIT_CENTS, SEC_CODES, TransactionCode
from .digits import isnum
from .errors import AchBuildError, UnsupportedSecCodeError
from .model import AchFile, Batch
from .records import (
    Addenda,
    Addenda05,
    AdvBatchControl,
    AdvEntryDetail,
    AdvFileControl,
    BatchControl,
    BatchHeader,
    EntryDetail,
    FileControl,
    FileHeader,
    IatAddenda,
    IatEntryDetail,
)
from .routing import routing_number_issues, routing_ok_cached

NINES = "9" * 94
_MOD = 10_000_000_000


def iter_lines(file: AchFile) -> Iterator[str]:
    """Every record of the file as a 94-character line (no line endings)."""
    if file.header is not None:
        yield file.header.render()
    count = 1 if file.header is not None else 0
    for batch in file.batches:
        yield batch.header.render()
        count += 1
        for entry in batch.entries:
            raw = entry.raw
            if raw is not None and type(entry) is EntryDetail:
                line = entry.to_line()
                yield line if line == raw else entry.render()
            else:
                yield entry.render()
            for add in entry.addenda:
                yield add.render()
            count += 1 + len(entry.addenda)
        if batch.control is not None:
            yield batch.control.render()
            count += 1
    if file.control is not None:
        yield file.control.render()
        count += 1
    filler = file.filler_lines if file.filler_lines is not None else (-count) % 10
    for _ in range(filler):
        yield NINES


def dumps(file: AchFile, line_ending: str = "\n") -> str:
    """The file as text; every record (the last too) ends with ``line_ending``."""
    if line_ending not in ("\n", "\r\n", ""):
        raise AchBuildError("line_ending must be '\\n', '\\r\\n' or ''")
    lines = list(iter_lines(file))
    return line_ending.join(lines) + (line_ending if lines else "")


def write(file: AchFile, target: str | os.PathLike[str] | IO[str], line_ending: str = "\n") -> None:
    """Write the file to a path or text stream, record by record."""
    if line_ending not in ("\n", "\r\n", ""):
        raise AchBuildError("line_ending must be '\\n', '\\r\\n' or ''")
    if isinstance(target, (str, os.PathLike)):
        with open(Path(target), "w", encoding="utf-8", newline="") as fh:
            _write_stream(file, fh, line_ending)
    else:
        _write_stream(file, target, line_ending)


def _write_stream(file: AchFile, fh: IO[str], line_ending: str) -> None:
    buf: list[str] = []
    for line in iter_lines(file):
        buf.append(line)
        if len(buf) >= 8192:
            fh.write(line_ending.join(buf) + line_ending)
            buf.clear()
    if buf:
        fh.write(line_ending.join(buf) + line_ending)


# ---------------------------------------------------------------------- builder
@dataclass(slots=True)
class EntryInput:
    """One payment to put in a batch (the builder fills in the rest)."""

    transaction_code: int
    routing_number: str
    account_number: str
    amount: int
    individual_name: str = ""
    identification_number: str = ""
    discretionary_data: str = ""
    addenda: list[str] = field(default_factory=list)
    #: False for pieces of a split payment above the same-day limit.
    same_day_eligible: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.amount, float) or not isinstance(self.amount, int):
            raise AchBuildError("amounts are integers in cents, never floats")
        if self.amount < 0:
            raise AchBuildError("amount must not be negative")
        # Trailing spaces are padding in a fixed-width field: drop them so a
        # built record equals the same record read back.
        self.account_number = self.account_number.rstrip()
        self.individual_name = self.individual_name.rstrip()
        self.identification_number = self.identification_number.rstrip()
        self.discretionary_data = self.discretionary_data.rstrip()
        self.addenda = [a.rstrip() for a in self.addenda]


@dataclass(slots=True)
class BatchBuilder:
    """Entries of one batch and the batch header fields."""

    sec_code: str
    company_name: str
    company_identification: str
    company_entry_description: str
    odfi_identification: str
    effective_entry_date: str
    company_discretionary_data: str = ""
    company_descriptive_date: str = ""
    originator_status_code: str = "1"
    #: Same-day batch: refuses entries above the same-day limit or split pieces.
    same_day: bool = False
    #: Force a service class (default: 200/220/225 from the entries).
    service_class_code: int | None = None
    entries: list[EntryInput] = field(default_factory=list)

    def add_entry(self, entry: EntryInput) -> EntryInput:
        """Append an entry (checked when the file is built)."""
        self.entries.append(entry)
        return entry

    def add(
        self,
        transaction_code: int,
        routing_number: str,
        account_number: str,
        amount: int,
        **kw: Any,
    ) -> EntryInput:
        """Convenience: build an :class:`EntryInput` from arguments and append it."""
        return self.add_entry(
            EntryInput(transaction_code, routing_number, account_number, amount, **kw)
        )


class FileBuilder:
    """Builds a complete, valid :class:`AchFile` from batches of entries."""

    def __init__(
        self,
        immediate_destination: str,
        immediate_origin: str,
        immediate_destination_name: str = "",
        immediate_origin_name: str = "",
        *,
        file_creation_date: str | None = None,
        file_creation_time: str | None = None,
        file_id_modifier: str = "A",
        reference_code: str = "",
    ) -> None:
        now = _dt.datetime.now()
        self.header = FileHeader(
            immediate_destination=immediate_destination,
            immediate_origin=immediate_origin,
            file_creation_date=file_creation_date
            if file_creation_date is not None
            else now.strftime("%y%m%d"),
            file_creation_time=file_creation_time
            if file_creation_time is not None
            else now.strftime("%H%M"),
            file_id_modifier=file_id_modifier,
            immediate_destination_name=immediate_destination_name,
            immediate_origin_name=immediate_origin_name,
            reference_code=reference_code,
        )
        self.batches: list[BatchBuilder] = []

    def add_batch(
        self,
        sec_code: str,
        company_name: str,
        company_identification: str,
        company_entry_description: str,
        odfi_identification: str,
        effective_entry_date: str,
        **kw: object,
    ) -> BatchBuilder:
        """Start a batch.  Unsupported SEC codes raise :class:`UnsupportedSecCodeError`."""
        if sec_code not in SEC_CODES:
            raise UnsupportedSecCodeError(sec_code)
        if sec_code in ("ADV", "IAT"):
            raise UnsupportedSecCodeError(
                f"{sec_code} (the builder writes domestic batches; build ADV/IAT records directly)"
            )
        batch = BatchBuilder(
            sec_code,
            company_name,
            company_identification,
            company_entry_description,
            odfi_identification,
            effective_entry_date,
            **kw,  # type: ignore[arg-type]
        )
        self.batches.append(batch)
        return batch

    def iter_lines(self) -> Iterator[str]:
        """The file's records straight from the entries, without building record
        objects: the fast path for writing large files (same text as
        ``iter_lines(self.build())``)."""
        header = self.header.to_line()
        yield header
        lines = 1
        totals = [0, 0, 0, 0]  # count, hash, debit, credit
        for number, spec in enumerate(self.batches, start=1):
            batch_lines, control = _stream_batch(number, spec)
            yield from batch_lines
            lines += len(batch_lines)
            totals[0] += control.entry_addenda_count
            totals[1] += control.entry_hash
            totals[2] += control.total_debit
            totals[3] += control.total_credit
        lines += 1
        blocks = (lines + 9) // 10
        yield FileControl(
            len(self.batches), blocks, totals[0], totals[1] % _MOD, totals[2], totals[3]
        ).to_line()
        for _ in range(blocks * 10 - lines):
            yield NINES

    def write(self, target: str | os.PathLike[str] | IO[str], line_ending: str = "\n") -> None:
        """Stream the file to a path or text stream (see :meth:`iter_lines`)."""
        if line_ending not in ("\n", "\r\n", ""):
            raise AchBuildError("line_ending must be '\\n', '\\r\\n' or ''")
        if isinstance(target, (str, os.PathLike)):
            with open(Path(target), "w", encoding="utf-8", newline="") as fh:
                _write_lines(self.iter_lines(), fh, line_ending)
        else:
            _write_lines(self.iter_lines(), target, line_ending)

    def build(self) -> AchFile:
        """The finished file with every computed field filled in."""
        batches = [self._build_batch(i + 1, b) for i, b in enumerate(self.batches)]
        return finalize(AchFile(self.header, batches))

    def _build_batch(self, number: int, spec: BatchBuilder) -> Batch:
        odfi = spec.odfi_identification
        if len(odfi) != 8 or not isnum(odfi):
            raise AchBuildError(f"ODFI identification {odfi!r} must be eight digits")
        entries: list[EntryDetail] = []
        has_credit = has_debit = False
        for seq, e in enumerate(spec.entries, start=1):
            if not routing_ok_cached(e.routing_number):
                raise AchBuildError(
                    routing_number_issues(e.routing_number, field="routing_number")[0].message
                )
            code = e.transaction_code
            if code in CREDIT_CODES:
                has_credit = True
            elif code in DEBIT_CODES:
                has_debit = True
            else:
                raise AchBuildError(f"{code} is not a transaction code")
            if spec.same_day and (e.amount > SAME_DAY_LIMIT_CENTS or not e.same_day_eligible):
                raise AchBuildError(
                    "entry is not same-day eligible (above USD "
                    "1,000,000 or a piece of a split payment)"
                )
            trace = f"{odfi}{seq:07d}"
            name = e.individual_name
            if spec.sec_code in ("CTX", "ATX", "TRX"):
                # positions 55-58 carry the number of addenda, 59-74 the company name
                name = f"{len(e.addenda):04d}{e.individual_name:<16.16}".rstrip()
            addenda: list[Addenda] = [
                Addenda05(text, i, seq) for i, text in enumerate(e.addenda, start=1)
            ]
            entries.append(
                EntryDetail(
                    code,
                    e.routing_number[:8],
                    e.routing_number[8],
                    e.account_number,
                    e.amount,
                    e.identification_number,
                    name,
                    e.discretionary_data,
                    1 if addenda else 0,
                    trace,
                    addenda,
                )
            )
        scc = spec.service_class_code or (
            200 if has_credit and has_debit else 225 if has_debit else 220
        )
        header = BatchHeader(
            scc,
            spec.company_name.rstrip(),
            spec.company_discretionary_data.rstrip(),
            spec.company_identification.rstrip(),
            spec.sec_code,
            spec.company_entry_description.rstrip(),
            spec.company_descriptive_date.rstrip(),
            spec.effective_entry_date,
            "",
            spec.originator_status_code,
            odfi,
            number,
        )
        batch = Batch(header, list(entries))
        return batch


def _write_lines(lines: Iterable[str], fh: IO[str], line_ending: str) -> None:
    buf: list[str] = []
    for line in lines:
        buf.append(line)
        if len(buf) >= 8192:
            fh.write(line_ending.join(buf) + line_ending)
            buf.clear()
    if buf:
        fh.write(line_ending.join(buf) + line_ending)


def _stream_batch(number: int, spec: BatchBuilder) -> tuple[list[str], BatchControl]:
    """Lines of one batch and its control, formatted in bulk from the inputs."""
    odfi = spec.odfi_identification
    if len(odfi) != 8 or not isnum(odfi):
        raise AchBuildError(f"ODFI identification {odfi!r} must be eight digits")
    entries = spec.entries
    codes = {e.transaction_code for e in entries}
    bad = codes - CREDIT_CODES - DEBIT_CODES
    if bad:
        raise AchBuildError(f"{sorted(bad)[0]} is not a transaction code")
    bad_rtn = [r for r in {e.routing_number for e in entries} if not routing_ok_cached(r)]
    if bad_rtn:
        raise AchBuildError(routing_number_issues(bad_rtn[0])[0].message)
    if spec.same_day and any(
        e.amount > SAME_DAY_LIMIT_CENTS or not e.same_day_eligible for e in entries
    ):
        raise AchBuildError(
            "entry is not same-day eligible (above USD 1,000,000 or a piece of a split payment)"
        )
    has_credit = bool(codes & CREDIT_CODES)
    has_debit = bool(codes & DEBIT_CODES)
    scc = spec.service_class_code or (
        200 if has_credit and has_debit else 225 if has_debit else 220
    )
    header = BatchHeader(
        scc,
        spec.company_name.rstrip(),
        spec.company_discretionary_data.rstrip(),
        spec.company_identification.rstrip(),
        spec.sec_code,
        spec.company_entry_description.rstrip(),
        spec.company_descriptive_date.rstrip(),
        spec.effective_entry_date,
        "",
        spec.originator_status_code,
        odfi,
        number,
    )
    out = [header.to_line()]
    ctx = spec.sec_code in ("CTX", "ATX", "TRX")
    if not ctx and not any(e.addenda for e in entries):
        # one comprehension formats every entry: no per-entry objects
        body = [
            f"6{e.transaction_code:02d}{e.routing_number}{e.account_number:<17}{e.amount:010d}"
            f"{e.identification_number:<15}{e.individual_name:<22}{e.discretionary_data:<2}0{odfi}{seq:07d}"
            for seq, e in enumerate(entries, start=1)
        ]
        if not all(len(line) == 94 for line in body):
            raise AchBuildError("an entry field is too long for its position")
        out += body
        count = len(body)
    else:
        count = 0
        for seq, e in enumerate(entries, start=1):
            name = (
                f"{len(e.addenda):04d}{e.individual_name:<16.16}".rstrip()
                if ctx
                else e.individual_name
            )
            record = EntryDetail(
                e.transaction_code,
                e.routing_number[:8],
                e.routing_number[8],
                e.account_number,
                e.amount,
                e.identification_number,
                name,
                e.discretionary_data,
                1 if e.addenda else 0,
                f"{odfi}{seq:07d}",
            )
            out.append(record.to_line())
            out += [Addenda05(text, i, seq).to_line() for i, text in enumerate(e.addenda, start=1)]
            count += 1 + len(e.addenda)
    credit = sum([e.amount for e in entries if e.transaction_code in CREDIT_CODES])
    debit = sum([e.amount for e in entries if e.transaction_code in DEBIT_CODES])
    hsh = sum([int(e.routing_number[:8]) for e in entries]) % _MOD
    control = BatchControl(
        scc, count, hsh, debit, credit, header.company_identification, odfi, number
    )
    out.append(control.to_line())
    return out, control


def _control_for(batch: Batch) -> BatchControl | AdvBatchControl:
    debit = credit = 0
    count = 0
    hsh = 0
    for e in batch.entries:
        count += 1 + len(e.addenda)
        hsh += int(e.rdfi_identification) if isnum(e.rdfi_identification) else 0
        if e.transaction_code in CREDIT_CODES:
            credit += e.amount
        elif e.transaction_code in DEBIT_CODES:
            debit += e.amount
    h = batch.header
    if isinstance(h, BatchHeader) and h.sec_code == "ADV":
        return AdvBatchControl(
            h.service_class_code,
            count,
            hsh % _MOD,
            debit,
            credit,
            "",
            h.odfi_identification,
            h.batch_number,
        )
    company = h.company_identification
    return BatchControl(
        h.service_class_code,
        count,
        hsh % _MOD,
        debit,
        credit,
        company,
        h.odfi_identification,
        h.batch_number,
    )


def finalize(file: AchFile) -> AchFile:
    """Recompute every batch control, the file control and the filler in place.

    Use after editing a file read from disk; returns the same object.
    """
    lines = 1 if file.header is not None else 0
    total_count = total_hash = total_debit = total_credit = 0
    any_adv = False
    for batch in file.batches:
        control = _control_for(batch)
        batch.control = control
        any_adv = any_adv or isinstance(control, AdvBatchControl)
        lines += 2 + control.entry_addenda_count
        total_count += control.entry_addenda_count
        total_hash += control.entry_hash
        total_debit += control.total_debit
        total_credit += control.total_credit
    lines += 1
    blocks = (lines + 9) // 10
    cls = AdvFileControl if any_adv else FileControl
    file.control = cls(
        len(file.batches), blocks, total_count, total_hash % _MOD, total_debit, total_credit
    )
    file.filler_lines = blocks * 10 - lines
    return file


# ---------------------------------------------------------------------- helpers
def balancing_entry(
    batch: BatchBuilder,
    routing_number: str,
    account_number: str,
    *,
    account_type: str = "checking",
    individual_name: str = "OFFSET",
    identification_number: str = "",
) -> EntryInput | None:
    """Append the offsetting entry that makes the batch's debits equal its credits.

    Returns the new entry, or None when the batch is already balanced.  The
    offset posts to the originator's own account (``account_type`` checking,
    savings, gl or loan).
    """
    credit = sum(e.amount for e in batch.entries if e.transaction_code in CREDIT_CODES)
    debit = sum(e.amount for e in batch.entries if e.transaction_code in DEBIT_CODES)
    if credit == debit:
        return None
    base = {"checking": 20, "savings": 30, "gl": 40, "loan": 50}.get(account_type)
    if base is None:
        raise AchBuildError(f"unknown account type {account_type!r}")
    # Credits to receivers are funded by a debit to the originator, and vice versa.
    code = base + (7 if credit > debit else 2)
    if code == 57:
        raise AchBuildError("loan accounts cannot be debited for an offset")
    entry = EntryInput(
        code,
        routing_number,
        account_number,
        abs(credit - debit),
        individual_name=individual_name,
        identification_number=identification_number,
    )
    return batch.add_entry(entry)


def split_amount(amount: int, cap: int) -> list[int]:
    """Split ``amount`` (cents) into pieces no larger than ``cap``, largest first."""
    if isinstance(amount, float) or isinstance(cap, float):
        raise AchBuildError("amounts are integers in cents, never floats")
    if cap <= 0:
        raise AchBuildError("cap must be positive")
    if amount < 0:
        raise AchBuildError("amount must not be negative")
    full, rest = divmod(amount, cap)
    return [cap] * full + ([rest] if rest else []) or [0]


def split_entry(entry: EntryInput, cap: int) -> list[EntryInput]:
    """Split an entry above ``cap`` into several entries.

    Nacha forbids splitting a payment to evade the same-day per-payment limit
    (USD 1,000,000): when the original amount is above that limit, every piece
    is marked ``same_day_eligible=False`` so a same-day batch refuses it.
    """
    pieces = split_amount(entry.amount, cap)
    if len(pieces) == 1:
        return [entry]
    eligible = entry.same_day_eligible and entry.amount <= SAME_DAY_LIMIT_CENTS
    return [
        EntryInput(
            entry.transaction_code,
            entry.routing_number,
            entry.account_number,
            piece,
            entry.individual_name,
            entry.identification_number,
            entry.discretionary_data,
            list(entry.addenda),
            eligible,
        )
        for piece in pieces
    ]


def build_file(
    header: FileHeader,
    batches: Iterable[tuple[BatchHeader, Sequence[EntryDetail | AdvEntryDetail | IatEntryDetail]]],
) -> AchFile:
    """Assemble a file from ready-made records and compute the controls."""
    return finalize(AchFile(header, [Batch(h, list(es)) for h, es in batches]))


__all__ = [
    "BatchBuilder",
    "EntryInput",
    "FileBuilder",
    "IatAddenda",
    "TransactionCode",
    "balancing_entry",
    "build_file",
    "dumps",
    "finalize",
    "iter_lines",
    "split_amount",
    "split_entry",
    "write",
]
