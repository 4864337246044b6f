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

from dataclasses import dataclass, field
from typing import ClassVar

from .addenda import (
    Addenda,
    Addenda02,
    Addenda05,
    Addenda98,
    Addenda99,
    Addenda99Contested,
    Addenda99Dishonored,
    IatAddenda,
    parse_addenda,
)
from .codes import CREDIT_CODES, DEBIT_CODES, TransactionCode
from .recordbase import LayoutItem, RecordMixin, _to_int

__all__ = [
    "Addenda",
    "Addenda02",
    "Addenda05",
    "Addenda98",
    "Addenda99",
    "Addenda99Contested",
    "Addenda99Dishonored",
    "AdvBatchControl",
    "AdvEntryDetail",
    "AdvFileControl",
    "AnyBatchControl",
    "AnyBatchHeader",
    "AnyFileControl",
    "BatchControl",
    "BatchHeader",
    "Entry",
    "EntryDetail",
    "FileControl",
    "FileHeader",
    "IatAddenda",
    "IatBatchHeader",
    "IatEntryDetail",
    "LayoutItem",
    "Record",
    "RecordMixin",
    "parse_addenda",
]


@dataclass(slots=True)
class FileHeader(RecordMixin):
    """File Header record (type 1)."""

    immediate_destination: str
    immediate_origin: str
    file_creation_date: str
    file_creation_time: str = ""
    file_id_modifier: str = "A"
    immediate_destination_name: str = ""
    immediate_origin_name: str = ""
    reference_code: str = ""
    priority_code: str = "01"
    record_size: str = "094"
    blocking_factor: str = "10"
    format_code: str = "1"
    raw: str | None = field(default=None, compare=False, repr=False)

    RECORD_TYPE: ClassVar[str] = "1"
    LAYOUT: ClassVar[tuple[LayoutItem, ...]] = (
        (None, 0, 1, "1"),
        ("priority_code", 1, 3, "A"),
        ("immediate_destination", 3, 13, "R"),
        ("immediate_origin", 13, 23, "R"),
        ("file_creation_date", 23, 29, "A"),
        ("file_creation_time", 29, 33, "A"),
        ("file_id_modifier", 33, 34, "A"),
        ("record_size", 34, 37, "A"),
        ("blocking_factor", 37, 39, "A"),
        ("format_code", 39, 40, "A"),
        ("immediate_destination_name", 40, 63, "A"),
        ("immediate_origin_name", 63, 86, "A"),
        ("reference_code", 86, 94, "A"),
    )

    @classmethod
    def from_line(cls, line: str) -> FileHeader:
        """Parse a File Header; layout order differs from the constructor order."""
        record = cls(
            immediate_destination=line[3:13].strip(),
            immediate_origin=line[13:23].strip(),
            file_creation_date=line[23:29].rstrip(),
            file_creation_time=line[29:33].rstrip(),
            file_id_modifier=line[33:34].rstrip(),
            immediate_destination_name=line[40:63].rstrip(),
            immediate_origin_name=line[63:86].rstrip(),
            reference_code=line[86:94].rstrip(),
            priority_code=line[1:3].rstrip(),
            record_size=line[34:37].rstrip(),
            blocking_factor=line[37:39].rstrip(),
            format_code=line[39:40].rstrip(),
        )
        record.raw = line
        return record


@dataclass(slots=True)
class BatchHeader(RecordMixin):
    """Company/Batch Header record (type 5) for every SEC code except IAT."""

    service_class_code: int
    company_name: str
    company_discretionary_data: str
    company_identification: str
    sec_code: str
    company_entry_description: str
    company_descriptive_date: str
    effective_entry_date: str
    settlement_date: str
    originator_status_code: str
    odfi_identification: str
    batch_number: int
    raw: str | None = field(default=None, compare=False, repr=False)

    RECORD_TYPE: ClassVar[str] = "5"
    LAYOUT: ClassVar[tuple[LayoutItem, ...]] = (
        (None, 0, 1, "5"),
        ("service_class_code", 1, 4, "N"),
        ("company_name", 4, 20, "A"),
        ("company_discretionary_data", 20, 40, "A"),
        ("company_identification", 40, 50, "A"),
        ("sec_code", 50, 53, "A"),
        ("company_entry_description", 53, 63, "A"),
        ("company_descriptive_date", 63, 69, "A"),
        ("effective_entry_date", 69, 75, "A"),
        ("settlement_date", 75, 78, "A"),
        ("originator_status_code", 78, 79, "A"),
        ("odfi_identification", 79, 87, "A"),
        ("batch_number", 87, 94, "N"),
    )


@dataclass(slots=True)
class IatBatchHeader(RecordMixin):
    """IAT Batch Header record (type 5 with SEC code IAT)."""

    service_class_code: int
    iat_indicator: str
    foreign_exchange_indicator: str
    foreign_exchange_reference_indicator: str
    foreign_exchange_reference: str
    iso_destination_country_code: str
    originator_identification: str
    sec_code: str
    company_entry_description: str
    iso_originating_currency_code: str
    iso_destination_currency_code: str
    effective_entry_date: str
    settlement_date: str
    originator_status_code: str
    odfi_identification: str
    batch_number: int
    raw: str | None = field(default=None, compare=False, repr=False)

    RECORD_TYPE: ClassVar[str] = "5"
    LAYOUT: ClassVar[tuple[LayoutItem, ...]] = (
        (None, 0, 1, "5"),
        ("service_class_code", 1, 4, "N"),
        ("iat_indicator", 4, 20, "A"),
        ("foreign_exchange_indicator", 20, 22, "A"),
        ("foreign_exchange_reference_indicator", 22, 23, "A"),
        ("foreign_exchange_reference", 23, 38, "A"),
        ("iso_destination_country_code", 38, 40, "A"),
        ("originator_identification", 40, 50, "A"),
        ("sec_code", 50, 53, "A"),
        ("company_entry_description", 53, 63, "A"),
        ("iso_originating_currency_code", 63, 66, "A"),
        ("iso_destination_currency_code", 66, 69, "A"),
        ("effective_entry_date", 69, 75, "A"),
        ("settlement_date", 75, 78, "A"),
        ("originator_status_code", 78, 79, "A"),
        ("odfi_identification", 79, 87, "A"),
        ("batch_number", 87, 94, "N"),
    )

    @property
    def company_identification(self) -> str:
        """The originator identification (IAT's counterpart of company identification)."""
        return self.originator_identification


def _direction(code: int) -> str:
    if code in CREDIT_CODES:
        return "C"
    if code in DEBIT_CODES:
        return "D"
    return ""


@dataclass(slots=True)
class EntryDetail(RecordMixin):
    """Entry Detail record (type 6) for every SEC code except ADV and IAT.

    Positions 40-78 mean different things per SEC code (e.g. CTX keeps the number
    of addenda and the receiving company there, ARC/BOC/RCK the check serial
    number); they are kept as ``identification_number``, ``individual_name`` and
    ``discretionary_data`` and named by the properties below.
    """

    transaction_code: int
    rdfi_identification: str
    check_digit: str
    dfi_account_number: str
    amount: int
    identification_number: str
    individual_name: str
    discretionary_data: str
    addenda_record_indicator: int
    trace_number: str
    addenda: list[Addenda] = field(default_factory=list)
    raw: str | None = field(default=None, compare=False, repr=False)

    RECORD_TYPE: ClassVar[str] = "6"
    LAYOUT: ClassVar[tuple[LayoutItem, ...]] = (
        (None, 0, 1, "6"),
        ("transaction_code", 1, 3, "N"),
        ("rdfi_identification", 3, 11, "A"),
        ("check_digit", 11, 12, "A"),
        ("dfi_account_number", 12, 29, "A"),
        ("amount", 29, 39, "N"),
        ("identification_number", 39, 54, "A"),
        ("individual_name", 54, 76, "A"),
        ("discretionary_data", 76, 78, "A"),
        ("addenda_record_indicator", 78, 79, "N"),
        ("trace_number", 79, 94, "A"),
    )

    @classmethod
    def from_line(cls, line: str) -> EntryDetail:
        """Hand-written parse of the hottest record (one per payment)."""
        tc, amount, ind = line[1:3], line[29:39], line[78]
        try:
            record = cls(
                int(tc),
                line[3:11],
                line[11],
                line[12:29].rstrip(),
                int(amount),
                line[39:54].rstrip(),
                line[54:76].rstrip(),
                line[76:78].rstrip(),
                int(ind),
                line[79:94],
                [],
            )
        except ValueError:
            # int() accepts a few forms the format forbids; the validator reports
            # them, here we only need a value.
            record = cls(
                _to_int(tc),
                line[3:11].rstrip(),
                line[11].rstrip(),
                line[12:29].rstrip(),
                _to_int(amount),
                line[39:54].rstrip(),
                line[54:76].rstrip(),
                line[76:78].rstrip(),
                _to_int(ind),
                line[79:94].rstrip(),
                [],
            )
        record.raw = line
        return record

    def to_line(self) -> str:
        """Format without the generic layout walk (hot path of the writer)."""
        line = (
            f"6{self.transaction_code:02d}{self.rdfi_identification:<8}{self.check_digit:<1}"
            f"{self.dfi_account_number:<17}{self.amount:010d}{self.identification_number:<15}"
            f"{self.individual_name:<22}{self.discretionary_data:<2}{self.addenda_record_indicator:01d}"
            f"{self.trace_number:<15}"
        )
        if len(line) != 94:
            return RecordMixin.to_line(self)  # raises with the offending field
        return line

    @property
    def rdfi_routing_number(self) -> str:
        """The receiving DFI's full nine-digit routing number."""
        return self.rdfi_identification + self.check_digit

    @property
    def direction(self) -> str:
        """ "C" for a credit, "D" for a debit, "" for an unknown code."""
        return _direction(self.transaction_code)

    @property
    def transaction(self) -> TransactionCode | None:
        """The transaction code as an enum member (None when not a known code)."""
        try:
            return TransactionCode(self.transaction_code)
        except ValueError:
            return None

    @property
    def check_serial_number(self) -> str:
        """ARC, BOC, RCK, XCK, TRC, POP: the check serial number (positions 40-54)."""
        return self.identification_number

    @property
    def number_of_addenda_records(self) -> int:
        """CTX, ATX, TRX, ENR: declared number of addenda (positions 55-58)."""
        return _to_int(self.individual_name[0:4])

    @property
    def receiving_company_name(self) -> str:
        """CTX, ATX, TRX: receiving company name (positions 59-74)."""
        return self.individual_name[4:20].rstrip()

    @property
    def sequence_number(self) -> int:
        """The last seven digits of the trace number (entry detail sequence number)."""
        return _to_int(self.trace_number[8:15])


@dataclass(slots=True)
class AdvEntryDetail(RecordMixin):
    """Entry Detail record of an ADV (automated accounting advice) batch."""

    transaction_code: int
    rdfi_identification: str
    check_digit: str
    dfi_account_number: str
    amount: int
    advice_routing_number: str
    file_identification: str
    ach_operator_data: str
    individual_name: str
    discretionary_data: str
    addenda_record_indicator: int
    ach_operator_routing_number: str
    julian_day: str
    sequence_number: int
    addenda: list[Addenda] = field(default_factory=list)
    raw: str | None = field(default=None, compare=False, repr=False)

    RECORD_TYPE: ClassVar[str] = "6"
    LAYOUT: ClassVar[tuple[LayoutItem, ...]] = (
        (None, 0, 1, "6"),
        ("transaction_code", 1, 3, "N"),
        ("rdfi_identification", 3, 11, "A"),
        ("check_digit", 11, 12, "A"),
        ("dfi_account_number", 12, 27, "A"),
        ("amount", 27, 39, "N"),
        ("advice_routing_number", 39, 48, "A"),
        ("file_identification", 48, 53, "A"),
        ("ach_operator_data", 53, 54, "A"),
        ("individual_name", 54, 76, "A"),
        ("discretionary_data", 76, 78, "A"),
        ("addenda_record_indicator", 78, 79, "N"),
        ("ach_operator_routing_number", 79, 87, "A"),
        ("julian_day", 87, 90, "A"),
        ("sequence_number", 90, 94, "N"),
    )

    @property
    def trace_number(self) -> str:
        """ADV entries have no trace number; this is operator routing + day + sequence."""
        return f"{self.ach_operator_routing_number}{self.julian_day}{self.sequence_number:04d}"

    @property
    def direction(self) -> str:
        """ "C" for a credit, "D" for a debit."""
        return _direction(self.transaction_code)


@dataclass(slots=True)
class IatEntryDetail(RecordMixin):
    """Entry Detail record of an IAT (international) batch."""

    transaction_code: int
    rdfi_identification: str
    check_digit: str
    addenda_records: int
    amount: int
    dfi_account_number: str
    ofac_screening_indicator: str
    secondary_ofac_screening_indicator: str
    addenda_record_indicator: int
    trace_number: str
    reserved_one: str = ""
    reserved_two: str = ""
    addenda: list[Addenda] = field(default_factory=list)
    raw: str | None = field(default=None, compare=False, repr=False)

    RECORD_TYPE: ClassVar[str] = "6"
    LAYOUT: ClassVar[tuple[LayoutItem, ...]] = (
        (None, 0, 1, "6"),
        ("transaction_code", 1, 3, "N"),
        ("rdfi_identification", 3, 11, "A"),
        ("check_digit", 11, 12, "A"),
        ("addenda_records", 12, 16, "N"),
        ("reserved_one", 16, 29, "A"),
        ("amount", 29, 39, "N"),
        ("dfi_account_number", 39, 74, "A"),
        ("reserved_two", 74, 76, "A"),
        ("ofac_screening_indicator", 76, 77, "A"),
        ("secondary_ofac_screening_indicator", 77, 78, "A"),
        ("addenda_record_indicator", 78, 79, "N"),
        ("trace_number", 79, 94, "A"),
    )

    @classmethod
    def from_line(cls, line: str) -> IatEntryDetail:
        """Parse; reserved fields go last in the constructor."""
        record = cls(
            _to_int(line[1:3]),
            line[3:11].rstrip(),
            line[11:12].rstrip(),
            _to_int(line[12:16]),
            _to_int(line[29:39]),
            line[39:74].rstrip(),
            line[76:77].rstrip(),
            line[77:78].rstrip(),
            _to_int(line[78:79]),
            line[79:94].rstrip(),
            line[16:29].rstrip(),
            line[74:76].rstrip(),
        )
        record.raw = line
        return record

    @property
    def direction(self) -> str:
        """ "C" for a credit, "D" for a debit."""
        return _direction(self.transaction_code)


Entry = EntryDetail | AdvEntryDetail | IatEntryDetail


@dataclass(slots=True)
class BatchControl(RecordMixin):
    """Company/Batch Control record (type 8)."""

    service_class_code: int
    entry_addenda_count: int
    entry_hash: int
    total_debit: int
    total_credit: int
    company_identification: str
    odfi_identification: str
    batch_number: int
    message_authentication_code: str = ""
    reserved: str = ""
    raw: str | None = field(default=None, compare=False, repr=False)

    RECORD_TYPE: ClassVar[str] = "8"
    LAYOUT: ClassVar[tuple[LayoutItem, ...]] = (
        (None, 0, 1, "8"),
        ("service_class_code", 1, 4, "N"),
        ("entry_addenda_count", 4, 10, "N"),
        ("entry_hash", 10, 20, "N"),
        ("total_debit", 20, 32, "N"),
        ("total_credit", 32, 44, "N"),
        ("company_identification", 44, 54, "A"),
        ("message_authentication_code", 54, 73, "A"),
        ("reserved", 73, 79, "A"),
        ("odfi_identification", 79, 87, "A"),
        ("batch_number", 87, 94, "N"),
    )

    @classmethod
    def from_line(cls, line: str) -> BatchControl:
        """Parse; optional fields go last in the constructor."""
        record = cls(
            _to_int(line[1:4]),
            _to_int(line[4:10]),
            _to_int(line[10:20]),
            _to_int(line[20:32]),
            _to_int(line[32:44]),
            line[44:54].rstrip(),
            line[79:87].rstrip(),
            _to_int(line[87:94]),
            line[54:73].rstrip(),
            line[73:79].rstrip(),
        )
        record.raw = line
        return record


@dataclass(slots=True)
class AdvBatchControl(RecordMixin):
    """Batch Control record of an ADV batch (20-digit totals)."""

    service_class_code: int
    entry_addenda_count: int
    entry_hash: int
    total_debit: int
    total_credit: int
    ach_operator_data: str
    odfi_identification: str
    batch_number: int
    raw: str | None = field(default=None, compare=False, repr=False)

    RECORD_TYPE: ClassVar[str] = "8"
    LAYOUT: ClassVar[tuple[LayoutItem, ...]] = (
        (None, 0, 1, "8"),
        ("service_class_code", 1, 4, "N"),
        ("entry_addenda_count", 4, 10, "N"),
        ("entry_hash", 10, 20, "N"),
        ("total_debit", 20, 40, "N"),
        ("total_credit", 40, 60, "N"),
        ("ach_operator_data", 60, 79, "A"),
        ("odfi_identification", 79, 87, "A"),
        ("batch_number", 87, 94, "N"),
    )

    @property
    def company_identification(self) -> str:
        """ADV controls carry no company identification."""
        return ""


@dataclass(slots=True)
class FileControl(RecordMixin):
    """File Control record (type 9)."""

    batch_count: int
    block_count: int
    entry_addenda_count: int
    entry_hash: int
    total_debit: int
    total_credit: int
    reserved: str = ""
    raw: str | None = field(default=None, compare=False, repr=False)

    RECORD_TYPE: ClassVar[str] = "9"
    LAYOUT: ClassVar[tuple[LayoutItem, ...]] = (
        (None, 0, 1, "9"),
        ("batch_count", 1, 7, "N"),
        ("block_count", 7, 13, "N"),
        ("entry_addenda_count", 13, 21, "N"),
        ("entry_hash", 21, 31, "N"),
        ("total_debit", 31, 43, "N"),
        ("total_credit", 43, 55, "N"),
        ("reserved", 55, 94, "A"),
    )


@dataclass(slots=True)
class AdvFileControl(RecordMixin):
    """File Control record of a file of ADV batches (20-digit totals)."""

    batch_count: int
    block_count: int
    entry_addenda_count: int
    entry_hash: int
    total_debit: int
    total_credit: int
    reserved: str = ""
    raw: str | None = field(default=None, compare=False, repr=False)

    RECORD_TYPE: ClassVar[str] = "9"
    LAYOUT: ClassVar[tuple[LayoutItem, ...]] = (
        (None, 0, 1, "9"),
        ("batch_count", 1, 7, "N"),
        ("block_count", 7, 13, "N"),
        ("entry_addenda_count", 13, 21, "N"),
        ("entry_hash", 21, 31, "N"),
        ("total_debit", 31, 51, "N"),
        ("total_credit", 51, 71, "N"),
        ("reserved", 71, 94, "A"),
    )


AnyBatchHeader = BatchHeader | IatBatchHeader
AnyBatchControl = BatchControl | AdvBatchControl
AnyFileControl = FileControl | AdvFileControl
Record = FileHeader | AnyBatchHeader | Entry | Addenda | AnyBatchControl | AnyFileControl
