"""Per-SEC-code rules as data: which addenda, how many, debit/credit only,
amount limits, mandatory fields.  The validator reads this table; adding an SEC
code means adding a row here, not code.
"""

from __future__ import annotations

from dataclasses import dataclass

from .codes import ADV_CODES, RETURN_NOC_CODES


@dataclass(frozen=True, slots=True)
class SecPolicy:
    """What a batch of one SEC code may contain (forward entries)."""

    code: str
    title: str
    #: Addenda type codes allowed on forward entries.
    forward_addenda: frozenset[str] = frozenset()
    #: Most addenda a forward entry may carry.
    max_addenda: int = 0
    #: Addenda type every forward entry must carry ("" when none is required).
    required_addenda: str = ""
    debit_only: bool = False
    credit_only: bool = False
    #: Per-entry amount limit in cents (0 for none).
    amount_limit: int = 0
    name_required: bool = False
    zero_amount: bool = False
    check_serial: bool = False
    #: Allowed transaction codes (empty: every non-ADV code).
    transaction_codes: frozenset[int] = frozenset()
    #: The entry declares its number of addenda in positions 55-58.
    addenda_count_field: bool = False
    #: Company entry description the SEC code requires ("" for any).
    description: str = ""


_05 = frozenset({"05"})
_02 = frozenset({"02"})
_ACK_CODES = frozenset({24, 34})

POLICIES: dict[str, SecPolicy] = {
    p.code: p
    for p in (
        SecPolicy(
            "ACK",
            "ACH payment acknowledgment",
            _05,
            1,
            zero_amount=True,
            transaction_codes=_ACK_CODES,
        ),
        SecPolicy("ADV", "Automated accounting advice", transaction_codes=ADV_CODES),
        SecPolicy(
            "ARC",
            "Accounts receivable entry",
            debit_only=True,
            amount_limit=2_500_000,
            name_required=True,
            check_serial=True,
        ),
        SecPolicy(
            "ATX",
            "Financial EDI acknowledgment",
            _05,
            9999,
            zero_amount=True,
            transaction_codes=_ACK_CODES,
            addenda_count_field=True,
        ),
        SecPolicy(
            "BOC",
            "Back office conversion",
            debit_only=True,
            amount_limit=2_500_000,
            name_required=True,
            check_serial=True,
        ),
        SecPolicy("CCD", "Corporate credit or debit", _05, 1),
        SecPolicy("CIE", "Customer initiated entry", _05, 1, credit_only=True, name_required=True),
        SecPolicy(
            "COR",
            "Notification of change / refused NOC",
            zero_amount=True,
            transaction_codes=frozenset(RETURN_NOC_CODES),
        ),
        SecPolicy("CTX", "Corporate trade exchange", _05, 9999, addenda_count_field=True),
        SecPolicy("DNE", "Death notification", _05, 1, name_required=True),
        SecPolicy("ENR", "Automated enrollment", _05, 9999, name_required=True),
        SecPolicy("IAT", "International ACH transaction"),
        SecPolicy(
            "MTE", "Machine transfer entry", _02, 1, required_addenda="02", name_required=True
        ),
        SecPolicy(
            "POP",
            "Point of purchase",
            debit_only=True,
            amount_limit=2_500_000,
            name_required=True,
            check_serial=True,
        ),
        SecPolicy("POS", "Point of sale", _02, 1, required_addenda="02", name_required=True),
        SecPolicy("PPD", "Prearranged payment and deposit", _05, 1, name_required=True),
        SecPolicy(
            "RCK",
            "Re-presented check",
            debit_only=True,
            amount_limit=250_000,
            name_required=True,
            check_serial=True,
            description="REDEPCHECK",
        ),
        SecPolicy(
            "SHR", "Shared network transaction", _02, 1, required_addenda="02", name_required=True
        ),
        SecPolicy("TEL", "Telephone-initiated entry", debit_only=True, name_required=True),
        SecPolicy("TRC", "Truncated entry", debit_only=True, check_serial=True),
        SecPolicy("TRX", "Truncated entries exchange", _05, 9999, addenda_count_field=True),
        SecPolicy("WEB", "Internet-initiated / mobile entry", _05, 1, name_required=True),
        SecPolicy(
            "XCK", "Destroyed check entry", debit_only=True, amount_limit=250_000, check_serial=True
        ),
    )
}
