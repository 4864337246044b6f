"""Returns and notifications of change as structured objects for reconciliation.

A return (addenda 99) names the original entry's trace number and a reason
code; a notification of change (addenda 98) names the original trace number, a
change code and corrected data whose layout depends on the code.  The
functions here turn those addenda into :class:`ReturnNotice` and
:class:`ChangeNotice` values that the payments module can match against the
original orders.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .codes import CHANGE_CODES, REFUSED_CHANGE_CODES, RETURN_REASONS, TRANSACTION_CODES_BY_TEXT
from .digits import isnum
from .model import AchFile, Batch
from .records import Addenda98, Addenda99, Addenda99Contested, Addenda99Dishonored, Entry


@dataclass(frozen=True, slots=True)
class CorrectedData:
    """Corrected data of a NOC split into the fields its change code carries."""

    account_number: str | None = None
    routing_number: str | None = None
    transaction_code: int | None = None
    individual_name: str | None = None
    identification_number: str | None = None
    company_name: str | None = None
    company_identification: str | None = None
    sec_code: str | None = None
    receiving_dfi_identification: str | None = None


def parse_corrected_data(change_code: str, data: str) -> CorrectedData:
    """Split NOC corrected data (addenda 98 positions 36-64) by change code.

    Layouts follow the Nacha Operating Rules (Appendix Five): e.g. C03 is the
    routing number, three spaces, then the account number.
    """
    d = data.ljust(29)

    def txt(a: int, b: int) -> str:
        return d[a:b].strip()

    def tc(a: int) -> int | None:
        text = d[a : a + 2]
        return int(text) if isnum(text) else None

    match change_code:
        case "C01":
            return CorrectedData(account_number=txt(0, 17))
        case "C02":
            return CorrectedData(routing_number=txt(0, 9))
        case "C03":
            return CorrectedData(routing_number=txt(0, 9), account_number=txt(12, 29))
        case "C04":
            return CorrectedData(individual_name=txt(0, 22))
        case "C05":
            return CorrectedData(transaction_code=tc(0))
        case "C06":
            return CorrectedData(account_number=txt(0, 17), transaction_code=tc(20))
        case "C07":
            return CorrectedData(
                routing_number=txt(0, 9), account_number=txt(9, 26), transaction_code=tc(26)
            )
        case "C08":
            return CorrectedData(receiving_dfi_identification=txt(0, 29))
        case "C09":
            return CorrectedData(identification_number=txt(0, 22))
        case "C10":
            return CorrectedData(company_name=txt(0, 16))
        case "C11":
            return CorrectedData(company_identification=txt(0, 10))
        case "C12":
            return CorrectedData(company_name=txt(0, 16), company_identification=txt(16, 26))
        case "C14":
            return CorrectedData(sec_code=txt(0, 3))
    return CorrectedData()


def corrected_data_problem(change_code: str, data: str) -> str:
    """Why the corrected data does not fit its change code ("" when it does)."""
    if change_code == "C13":
        return ""
    if not data.strip():
        return f"{change_code} needs corrected data"
    cd = parse_corrected_data(change_code, data)
    if cd.routing_number is not None and not (
        len(cd.routing_number) == 9 and isnum(cd.routing_number)
    ):
        return f"corrected routing number {cd.routing_number!r} is not nine digits"
    code = cd.transaction_code
    if change_code in ("C05", "C06", "C07") and (
        code is None or f"{code:02d}" not in TRANSACTION_CODES_BY_TEXT
    ):
        return "corrected transaction code is not a valid code"
    if cd.account_number is not None and not cd.account_number:
        return "corrected account number is blank"
    return ""


@dataclass(frozen=True, slots=True)
class ReturnNotice:
    """A returned entry, ready to match against the original by trace number."""

    kind: str  # "return", "dishonored" or "contested"
    reason_code: str
    reason: str
    original_trace_number: str
    trace_number: str
    original_rdfi_identification: str
    amount: int
    transaction_code: int
    sec_code: str
    batch_number: int
    addenda_information: str
    date_of_death: str = ""
    #: For dishonored/contested returns: the trace number of the return being disputed.
    return_trace_number: str = ""


@dataclass(frozen=True, slots=True)
class ChangeNotice:
    """A notification of change (or a refused one)."""

    change_code: str
    reason: str
    refused: bool
    original_trace_number: str
    trace_number: str
    original_rdfi_identification: str
    corrected_data: str
    corrected: CorrectedData
    sec_code: str
    batch_number: int
    transaction_code: int


def _notices(batch: Batch, entry: Entry) -> Iterator[ReturnNotice | ChangeNotice]:
    sec = batch.header.sec_code
    number = batch.header.batch_number
    for add in entry.addenda:
        if isinstance(add, Addenda99):
            yield ReturnNotice(
                "return",
                add.return_reason_code,
                RETURN_REASONS.get(add.return_reason_code, "non-standard return code"),
                add.original_trace_number,
                add.trace_number,
                add.original_rdfi_identification,
                entry.amount,
                entry.transaction_code,
                sec,
                number,
                add.addenda_information,
                add.date_of_death,
            )
        elif isinstance(add, Addenda99Dishonored):
            yield ReturnNotice(
                "dishonored",
                add.dishonored_return_reason_code,
                RETURN_REASONS.get(add.dishonored_return_reason_code, ""),
                add.original_trace_number,
                add.trace_number,
                add.original_rdfi_identification,
                entry.amount,
                entry.transaction_code,
                sec,
                number,
                add.addenda_information,
                return_trace_number=add.return_trace_number,
            )
        elif isinstance(add, Addenda99Contested):
            yield ReturnNotice(
                "contested",
                add.contested_return_code,
                RETURN_REASONS.get(add.contested_return_code, ""),
                add.original_trace_number,
                add.trace_number,
                add.original_rdfi_identification,
                entry.amount,
                entry.transaction_code,
                sec,
                number,
                "",
                return_trace_number=add.dishonored_return_trace_number,
            )
        elif isinstance(add, Addenda98):
            refused = add.change_code in REFUSED_CHANGE_CODES
            yield ChangeNotice(
                add.change_code,
                (REFUSED_CHANGE_CODES if refused else CHANGE_CODES).get(
                    add.change_code, "unknown change code"
                ),
                refused,
                add.original_trace_number,
                add.trace_number,
                add.original_rdfi_identification,
                add.corrected_data,
                parse_corrected_data(add.change_code, add.corrected_data),
                sec,
                number,
                entry.transaction_code,
            )


def iter_notices(entries: Iterable[tuple[Batch, Entry]]) -> Iterator[ReturnNotice | ChangeNotice]:
    """Returns and NOCs from (batch, entry) pairs, e.g. ``Reader.entries()`` (streaming)."""
    for batch, entry in entries:
        if entry.addenda:
            yield from _notices(batch, entry)


def returns_and_changes(file: AchFile) -> tuple[list[ReturnNotice], list[ChangeNotice]]:
    """Every return and every notification of change in a file."""
    returns: list[ReturnNotice] = []
    changes: list[ChangeNotice] = []
    for notice in iter_notices(file.entries()):
        if isinstance(notice, ReturnNotice):
            returns.append(notice)
        else:
            changes.append(notice)
    return returns, changes
