"""Addenda records (type 7): 02, 05, 98, 99 (plain, dishonored, contested) and IAT 10-18."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from .digits import isnum
from .recordbase import LayoutItem, RecordMixin, _to_int


@dataclass(slots=True)
class Addenda02(RecordMixin):
    """Addenda type 02: point-of-sale terminal data (POS, SHR, MTE)."""

    reference_information_one: str
    reference_information_two: str
    terminal_identification_code: str
    transaction_serial_number: str
    transaction_date: str
    authorization_code_or_expire_date: str
    terminal_location: str
    terminal_city: str
    terminal_state: str
    trace_number: str
    raw: str | None = field(default=None, compare=False, repr=False)

    TYPE_CODE: ClassVar[str] = "02"
    RECORD_TYPE: ClassVar[str] = "7"
    LAYOUT: ClassVar[tuple[LayoutItem, ...]] = (
        (None, 0, 3, "702"),
        ("reference_information_one", 3, 10, "A"),
        ("reference_information_two", 10, 13, "A"),
        ("terminal_identification_code", 13, 19, "A"),
        ("transaction_serial_number", 19, 25, "A"),
        ("transaction_date", 25, 29, "A"),
        ("authorization_code_or_expire_date", 29, 35, "A"),
        ("terminal_location", 35, 62, "A"),
        ("terminal_city", 62, 77, "A"),
        ("terminal_state", 77, 79, "A"),
        ("trace_number", 79, 94, "A"),
    )


@dataclass(slots=True)
class Addenda05(RecordMixin):
    """Addenda type 05: payment related information (PPD, CCD, CTX, WEB, ...)."""

    payment_related_information: str
    sequence_number: int = 1
    entry_detail_sequence_number: int = 0
    raw: str | None = field(default=None, compare=False, repr=False)

    TYPE_CODE: ClassVar[str] = "05"
    RECORD_TYPE: ClassVar[str] = "7"
    LAYOUT: ClassVar[tuple[LayoutItem, ...]] = (
        (None, 0, 3, "705"),
        ("payment_related_information", 3, 83, "A"),
        ("sequence_number", 83, 87, "N"),
        ("entry_detail_sequence_number", 87, 94, "N"),
    )

    @classmethod
    def from_line(cls, line: str) -> Addenda05:
        """Hand-written parse: 05 addenda are the most common addenda."""
        seq, eseq = line[83:87], line[87:94]
        record = cls(
            line[3:83].rstrip(),
            int(seq) if isnum(seq) else _to_int(seq),
            int(eseq) if isnum(eseq) else _to_int(eseq),
        )
        record.raw = line
        return record

    def to_line(self) -> str:
        """Format without the generic layout walk (hot path of the writer)."""
        line = (
            f"705{self.payment_related_information:<80}"
            f"{self.sequence_number:04d}{self.entry_detail_sequence_number:07d}"
        )
        if len(line) != 94:
            return RecordMixin.to_line(self)
        return line


@dataclass(slots=True)
class Addenda98(RecordMixin):
    """Addenda type 98: notification of change (C01-C14) or refused NOC (C61-C69)."""

    change_code: str
    original_trace_number: str
    original_rdfi_identification: str
    corrected_data: str
    trace_number: str
    reserved_one: str = ""
    reserved_two: str = ""
    raw: str | None = field(default=None, compare=False, repr=False)

    TYPE_CODE: ClassVar[str] = "98"
    RECORD_TYPE: ClassVar[str] = "7"
    LAYOUT: ClassVar[tuple[LayoutItem, ...]] = (
        (None, 0, 3, "798"),
        ("change_code", 3, 6, "A"),
        ("original_trace_number", 6, 21, "A"),
        ("reserved_one", 21, 27, "A"),
        ("original_rdfi_identification", 27, 35, "A"),
        ("corrected_data", 35, 64, "A"),
        ("reserved_two", 64, 79, "A"),
        ("trace_number", 79, 94, "A"),
    )

    @classmethod
    def from_line(cls, line: str) -> Addenda98:
        """Parse; the constructor order puts the meaningful fields first."""
        record = cls(
            change_code=line[3:6].rstrip(),
            original_trace_number=line[6:21].rstrip(),
            original_rdfi_identification=line[27:35].rstrip(),
            corrected_data=line[35:64].rstrip(),
            trace_number=line[79:94].rstrip(),
            reserved_one=line[21:27].rstrip(),
            reserved_two=line[64:79].rstrip(),
        )
        record.raw = line
        return record


@dataclass(slots=True)
class Addenda99(RecordMixin):
    """Addenda type 99: return entry (R01-R85 except the dishonored/contested codes)."""

    return_reason_code: str
    original_trace_number: str
    date_of_death: str
    original_rdfi_identification: str
    addenda_information: str
    trace_number: str
    raw: str | None = field(default=None, compare=False, repr=False)

    TYPE_CODE: ClassVar[str] = "99"
    RECORD_TYPE: ClassVar[str] = "7"
    LAYOUT: ClassVar[tuple[LayoutItem, ...]] = (
        (None, 0, 3, "799"),
        ("return_reason_code", 3, 6, "A"),
        ("original_trace_number", 6, 21, "A"),
        ("date_of_death", 21, 27, "A"),
        ("original_rdfi_identification", 27, 35, "A"),
        ("addenda_information", 35, 79, "A"),
        ("trace_number", 79, 94, "A"),
    )


@dataclass(slots=True)
class Addenda99Dishonored(RecordMixin):
    """Addenda type 99 of a dishonored return (R61, R62, R67-R70)."""

    dishonored_return_reason_code: str
    original_trace_number: str
    original_rdfi_identification: str
    return_trace_number: str
    return_settlement_date: str
    return_reason_code: str
    addenda_information: str
    trace_number: str
    reserved_one: str = ""
    reserved_two: str = ""
    raw: str | None = field(default=None, compare=False, repr=False)

    TYPE_CODE: ClassVar[str] = "99"
    RECORD_TYPE: ClassVar[str] = "7"
    LAYOUT: ClassVar[tuple[LayoutItem, ...]] = (
        (None, 0, 3, "799"),
        ("dishonored_return_reason_code", 3, 6, "A"),
        ("original_trace_number", 6, 21, "A"),
        ("reserved_one", 21, 27, "A"),
        ("original_rdfi_identification", 27, 35, "A"),
        ("reserved_two", 35, 38, "A"),
        ("return_trace_number", 38, 53, "A"),
        ("return_settlement_date", 53, 56, "A"),
        ("return_reason_code", 56, 58, "A"),
        ("addenda_information", 58, 79, "A"),
        ("trace_number", 79, 94, "A"),
    )

    @classmethod
    def from_line(cls, line: str) -> Addenda99Dishonored:
        """Parse; reserved fields go last in the constructor."""
        record = cls(
            line[3:6].rstrip(),
            line[6:21].rstrip(),
            line[27:35].rstrip(),
            line[38:53].rstrip(),
            line[53:56].rstrip(),
            line[56:58].rstrip(),
            line[58:79].rstrip(),
            line[79:94].rstrip(),
            line[21:27].rstrip(),
            line[35:38].rstrip(),
        )
        record.raw = line
        return record

    @property
    def return_reason_code_full(self) -> str:
        """The original return's reason code with its ``R`` prefix."""
        return f"R{self.return_reason_code}" if self.return_reason_code else ""


@dataclass(slots=True)
class Addenda99Contested(RecordMixin):
    """Addenda type 99 of a contested dishonored return (R71-R77)."""

    contested_return_code: str
    original_trace_number: str
    date_original_entry_returned: str
    original_rdfi_identification: str
    original_settlement_date: str
    return_trace_number: str
    return_settlement_date: str
    return_reason_code: str
    dishonored_return_trace_number: str
    dishonored_return_settlement_date: str
    dishonored_return_reason_code: str
    trace_number: str
    reserved: str = ""
    raw: str | None = field(default=None, compare=False, repr=False)

    TYPE_CODE: ClassVar[str] = "99"
    RECORD_TYPE: ClassVar[str] = "7"
    LAYOUT: ClassVar[tuple[LayoutItem, ...]] = (
        (None, 0, 3, "799"),
        ("contested_return_code", 3, 6, "A"),
        ("original_trace_number", 6, 21, "A"),
        ("date_original_entry_returned", 21, 27, "A"),
        ("original_rdfi_identification", 27, 35, "A"),
        ("original_settlement_date", 35, 38, "A"),
        ("return_trace_number", 38, 53, "A"),
        ("return_settlement_date", 53, 56, "A"),
        ("return_reason_code", 56, 58, "A"),
        ("dishonored_return_trace_number", 58, 73, "A"),
        ("dishonored_return_settlement_date", 73, 76, "A"),
        ("dishonored_return_reason_code", 76, 78, "A"),
        ("reserved", 78, 79, "A"),
        ("trace_number", 79, 94, "A"),
    )

    @classmethod
    def from_line(cls, line: str) -> Addenda99Contested:
        """Parse; the reserved byte goes last in the constructor."""
        p = [line[a:b].rstrip() for n, a, b, _ in cls.LAYOUT if n is not None]
        # p[11] is the reserved byte, which the constructor takes last
        record = cls(
            p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[12], p[11]
        )
        record.raw = line
        return record


@dataclass(slots=True)
class IatAddenda(RecordMixin):
    """IAT addenda types 10-18.

    ``information`` holds positions 4-83 (types 17, 18) or 4-87 (types 10-16)
    as written; helpers below name the sub-fields of the mandatory addenda.
    """

    type_code: str
    information: str
    sequence_number: int = 0
    entry_detail_sequence_number: int = 0
    raw: str | None = field(default=None, compare=False, repr=False)

    RECORD_TYPE: ClassVar[str] = "7"

    @classmethod
    def from_line(cls, line: str) -> IatAddenda:
        """Parse; 17 and 18 carry an addenda sequence number, 10-16 do not."""
        code = line[1:3]
        if code in ("17", "18"):
            record = cls(code, line[3:83].rstrip(), _to_int(line[83:87]), _to_int(line[87:94]))
        else:
            record = cls(code, line[3:87].rstrip(), 0, _to_int(line[87:94]))
        record.raw = line
        return record

    def to_line(self) -> str:
        """Format by type code."""
        if self.type_code in ("17", "18"):
            line = (
                f"7{self.type_code}{self.information:<80}"
                f"{self.sequence_number:04d}{self.entry_detail_sequence_number:07d}"
            )
        else:
            line = f"7{self.type_code}{self.information:<84}{self.entry_detail_sequence_number:07d}"
        if len(line) != 94:
            raise ValueError(f"IatAddenda {self.type_code} does not fit in 94 characters")
        return line

    def same_fields(self, other: object) -> bool:
        """Compare the four fields (IatAddenda has no LAYOUT)."""
        return isinstance(other, IatAddenda) and (
            self.type_code,
            self.information,
            self.sequence_number,
            self.entry_detail_sequence_number,
        ) == (
            other.type_code,
            other.information,
            other.sequence_number,
            other.entry_detail_sequence_number,
        )

    @property
    def transaction_type_code(self) -> str:
        """Addenda 10: the IAT transaction type code (ANN, BUS, ...)."""
        return self.information[0:3] if self.type_code == "10" else ""


Addenda = (
    Addenda02
    | Addenda05
    | Addenda98
    | Addenda99
    | Addenda99Dishonored
    | Addenda99Contested
    | IatAddenda
)


def parse_addenda(line: str, sec_code: str) -> Addenda:
    """Parse a type-7 record into the class its type code (and return code) selects."""
    code = line[1:3]
    if code == "05":
        return Addenda05.from_line(line)
    if code == "99":
        reason = line[3:6]
        if reason in _DISHONORED:
            return Addenda99Dishonored.from_line(line)
        if reason in _CONTESTED:
            return Addenda99Contested.from_line(line)
        result: Addenda = Addenda99.from_line(line)
        return result
    if code == "98":
        return Addenda98.from_line(line)
    if code == "02":
        return Addenda02.from_line(line)
    return IatAddenda.from_line(line)


_DISHONORED = frozenset({"R61", "R62", "R67", "R68", "R69", "R70"})
_CONTESTED = frozenset({"R71", "R72", "R73", "R74", "R75", "R76", "R77"})
