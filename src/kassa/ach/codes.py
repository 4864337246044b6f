"""Code tables of the NACHA format: SEC codes, transaction codes, service classes,
return reason codes and notification-of-change codes.

The tables are facts from the public Nacha Operating Rules summaries (see
docs/ach.md for the sources); they are kept as plain dicts and frozensets so the
validator can look codes up in O(1) without building objects.
"""

from __future__ import annotations

import enum


class RecordType(enum.StrEnum):
    """The first character of every 94-character record."""

    FILE_HEADER = "1"
    BATCH_HEADER = "5"
    ENTRY_DETAIL = "6"
    ADDENDA = "7"
    BATCH_CONTROL = "8"
    FILE_CONTROL = "9"


class ServiceClass(enum.IntEnum):
    """Batch service class code (batch header positions 2-4)."""

    MIXED = 200
    CREDITS_ONLY = 220
    DEBITS_ONLY = 225
    AUTOMATED_ACCOUNTING_ADVICES = 280


class SecCode(enum.StrEnum):
    """Standard Entry Class codes this library reads, validates and writes."""

    ACK = "ACK"
    ADV = "ADV"
    ARC = "ARC"
    ATX = "ATX"
    BOC = "BOC"
    CCD = "CCD"
    CIE = "CIE"
    COR = "COR"
    CTX = "CTX"
    DNE = "DNE"
    ENR = "ENR"
    IAT = "IAT"
    MTE = "MTE"
    POP = "POP"
    POS = "POS"
    PPD = "PPD"
    RCK = "RCK"
    SHR = "SHR"
    TEL = "TEL"
    TRC = "TRC"
    TRX = "TRX"
    WEB = "WEB"
    XCK = "XCK"


SEC_CODES: frozenset[str] = frozenset(s.value for s in SecCode)


class TransactionCode(enum.IntEnum):
    """Entry transaction codes (entry detail positions 2-3).

    First digit: account type (2 checking, 3 savings, 4 general ledger, 5 loan,
    8 ADV accounting records). Second digit: 1/6 return or NOC of a credit/debit,
    2/7 live credit/debit, 3/8 prenote credit/debit, 4/9 zero-dollar remittance.
    """

    CHECKING_RETURN_NOC_CREDIT = 21
    CHECKING_CREDIT = 22
    CHECKING_PRENOTE_CREDIT = 23
    CHECKING_ZERO_DOLLAR_CREDIT = 24
    CHECKING_RETURN_NOC_DEBIT = 26
    CHECKING_DEBIT = 27
    CHECKING_PRENOTE_DEBIT = 28
    CHECKING_ZERO_DOLLAR_DEBIT = 29
    SAVINGS_RETURN_NOC_CREDIT = 31
    SAVINGS_CREDIT = 32
    SAVINGS_PRENOTE_CREDIT = 33
    SAVINGS_ZERO_DOLLAR_CREDIT = 34
    SAVINGS_RETURN_NOC_DEBIT = 36
    SAVINGS_DEBIT = 37
    SAVINGS_PRENOTE_DEBIT = 38
    SAVINGS_ZERO_DOLLAR_DEBIT = 39
    GL_RETURN_NOC_CREDIT = 41
    GL_CREDIT = 42
    GL_PRENOTE_CREDIT = 43
    GL_ZERO_DOLLAR_CREDIT = 44
    GL_RETURN_NOC_DEBIT = 46
    GL_DEBIT = 47
    GL_PRENOTE_DEBIT = 48
    GL_ZERO_DOLLAR_DEBIT = 49
    LOAN_RETURN_NOC_CREDIT = 51
    LOAN_CREDIT = 52
    LOAN_PRENOTE_CREDIT = 53
    LOAN_ZERO_DOLLAR_CREDIT = 54
    LOAN_DEBIT = 55
    LOAN_RETURN_NOC_DEBIT = 56
    ADV_CREDIT_FOR_DEBITS_ORIGINATED = 81
    ADV_DEBIT_FOR_CREDITS_ORIGINATED = 82
    ADV_CREDIT_FOR_CREDITS_RECEIVED = 83
    ADV_DEBIT_FOR_DEBITS_RECEIVED = 84
    ADV_CREDIT_FOR_CREDITS_REJECTED = 85
    ADV_DEBIT_FOR_DEBITS_REJECTED = 86
    ADV_CREDIT_SUMMARY = 87
    ADV_DEBIT_SUMMARY = 88

    @property
    def is_credit(self) -> bool:
        """True for codes that add money to the receiver's account."""
        return self.value in CREDIT_CODES

    @property
    def is_debit(self) -> bool:
        """True for codes that take money from the receiver's account."""
        return self.value in DEBIT_CODES

    @property
    def is_prenote(self) -> bool:
        """True for zero-dollar prenotification codes (x3, x8)."""
        return self.value in PRENOTE_CODES

    @property
    def is_return_or_noc(self) -> bool:
        """True for codes used on returns and notifications of change (x1, x6)."""
        return self.value in RETURN_NOC_CODES


#: Transaction codes by their two-character text, so the reader maps the field
#: straight to the enum member with a dict lookup (much faster than the enum call).
TRANSACTION_CODES_BY_TEXT: dict[str, TransactionCode] = {
    f"{c.value:02d}": c for c in TransactionCode
}

_ALL = frozenset(c.value for c in TransactionCode)
#: ADV codes: credit if odd (81, 83, 85, 87), debit if even.
ADV_CODES: frozenset[int] = frozenset(range(81, 89))
CREDIT_CODES: frozenset[int] = frozenset(
    c for c in _ALL if (c < 80 and c % 10 < 5) or (c > 80 and c % 2 == 1)
)
DEBIT_CODES: frozenset[int] = frozenset(_ALL - CREDIT_CODES)
PRENOTE_CODES: frozenset[int] = frozenset(c for c in _ALL if c < 80 and c % 10 in (3, 8))
RETURN_NOC_CODES: frozenset[int] = frozenset(c for c in _ALL if c < 80 and c % 10 in (1, 6))
ZERO_DOLLAR_CODES: frozenset[int] = frozenset(c for c in _ALL if c < 80 and c % 10 in (4, 9))
#: Codes whose entries must carry a zero amount (prenotes; returns and NOCs are
#: not forced to zero because returns carry the original amount).
MUST_BE_ZERO_CODES: frozenset[int] = PRENOTE_CODES


def credit_codes_text() -> frozenset[str]:
    """Two-character texts of the credit transaction codes."""
    return frozenset(f"{c:02d}" for c in CREDIT_CODES)


CREDIT_TEXT: frozenset[str] = credit_codes_text()
DEBIT_TEXT: frozenset[str] = frozenset(f"{c:02d}" for c in DEBIT_CODES)

#: Return reason codes R01-R85 (and the dishonored R61-R77 range) with their
#: Nacha titles.  Codes Nacha has retired are kept because old files carry them.
RETURN_REASONS: dict[str, str] = {
    "R01": "Insufficient funds",
    "R02": "Account closed",
    "R03": "No account / unable to locate account",
    "R04": "Invalid account number structure",
    "R05": "Unauthorized debit to consumer account using corporate SEC code",
    "R06": "Returned per ODFI's request",
    "R07": "Authorization revoked by customer",
    "R08": "Payment stopped",
    "R09": "Uncollected funds",
    "R10": "Customer advises originator is not known to receiver and/or not authorized",
    "R11": "Customer advises entry not in accordance with the terms of the authorization",
    "R12": "Account sold to another DFI",
    "R13": "Invalid ACH routing number",
    "R14": "Representative payee deceased or unable to continue in that capacity",
    "R15": "Beneficiary or account holder (other than a representative payee) deceased",
    "R16": "Account frozen / entry returned per OFAC instruction",
    "R17": "File record edit criteria / entry with invalid "
    "account number initiated under questionable circumstances",
    "R18": "Improper effective entry date",
    "R19": "Amount field error",
    "R20": "Non-transaction account",
    "R21": "Invalid company identification",
    "R22": "Invalid individual ID number",
    "R23": "Credit entry refused by receiver",
    "R24": "Duplicate entry",
    "R25": "Addenda error",
    "R26": "Mandatory field error",
    "R27": "Trace number error",
    "R28": "Routing number check digit error",
    "R29": "Corporate customer advises not authorized",
    "R30": "RDFI not participant in check truncation program",
    "R31": "Permissible return entry (CCD and CTX only)",
    "R32": "RDFI non-settlement",
    "R33": "Return of XCK entry",
    "R34": "Limited participation DFI",
    "R35": "Return of improper debit entry",
    "R36": "Return of improper credit entry",
    "R37": "Source document presented for payment",
    "R38": "Stop payment on source document",
    "R39": "Improper source document / source document presented for payment",
    "R40": "Return of ENR entry by federal government agency",
    "R41": "Invalid transaction code (ENR only)",
    "R42": "Routing number / check digit error (ENR only)",
    "R43": "Invalid DFI account number (ENR only)",
    "R44": "Invalid individual ID number / identification number (ENR only)",
    "R45": "Invalid individual name / company name (ENR only)",
    "R46": "Invalid representative payee indicator (ENR only)",
    "R47": "Duplicate enrollment (ENR only)",
    "R50": "State law affecting RCK acceptance",
    "R51": "Item related to RCK entry is ineligible or RCK entry is improper",
    "R52": "Stop payment on item related to RCK entry",
    "R53": "Item and RCK entry presented for payment",
    "R61": "Misrouted return",
    "R62": "Return of erroneous or reversing debit",
    "R67": "Duplicate return",
    "R68": "Untimely return",
    "R69": "Field error(s)",
    "R70": "Permissible return entry not accepted / return not requested by ODFI",
    "R71": "Misrouted dishonored return",
    "R72": "Untimely dishonored return",
    "R73": "Timely original return",
    "R74": "Corrected return",
    "R75": "Return not a duplicate",
    "R76": "No errors found",
    "R77": "Non-acceptance of R62 dishonored return",
    "R80": "IAT entry coding error",
    "R81": "Non-participant in IAT program",
    "R82": "Invalid foreign receiving DFI identification",
    "R83": "Foreign receiving DFI unable to settle",
    "R84": "Entry not processed by gateway",
    "R85": "Incorrectly coded outbound international payment",
}

#: Dishonored return codes (an ODFI refusing a return) and contested dishonored
#: return codes (an RDFI contesting that refusal); each has its own addenda layout.
DISHONORED_RETURN_CODES: frozenset[str] = frozenset({"R61", "R62", "R67", "R68", "R69", "R70"})
CONTESTED_RETURN_CODES: frozenset[str] = frozenset(
    {"R71", "R72", "R73", "R74", "R75", "R76", "R77"}
)

#: Notification-of-change codes with the corrected data they carry.
CHANGE_CODES: dict[str, str] = {
    "C01": "Incorrect DFI account number",
    "C02": "Incorrect routing number",
    "C03": "Incorrect routing number and incorrect DFI account number",
    "C04": "Incorrect individual name / receiving company name",
    "C05": "Incorrect transaction code",
    "C06": "Incorrect DFI account number and incorrect transaction code",
    "C07": "Incorrect routing number, incorrect DFI account number and incorrect transaction code",
    "C08": "Incorrect receiving DFI identification (IAT only)",
    "C09": "Incorrect individual identification number",
    "C10": "Incorrect company name",
    "C11": "Incorrect company identification",
    "C12": "Incorrect company name and company identification",
    "C13": "Addenda format error",
    "C14": "Incorrect SEC code for outbound international payment",
}

#: Refused notification-of-change codes (an ODFI refusing a NOC).
REFUSED_CHANGE_CODES: dict[str, str] = {
    "C61": "Misrouted notification of change",
    "C62": "Incorrect trace number",
    "C63": "Incorrect company identification number",
    "C64": "Incorrect individual identification number / identification number",
    "C65": "Incorrectly formatted corrected data",
    "C66": "Incorrect discretionary data",
    "C67": "Routing number not from original entry detail record",
    "C68": "DFI account number not from original entry detail record",
    "C69": "Incorrect transaction code",
}

#: Addenda 10 transaction type codes for IAT entries.
IAT_TRANSACTION_TYPE_CODES: frozenset[str] = frozenset(
    {
        "ANN",
        "BUS",
        "DEP",
        "LOA",
        "MIS",
        "MOR",
        "PEN",
        "RLS",
        "REM",
        "SAL",
        "TAX",
        "TEL",
        "WEB",
        "ARC",
        "BOC",
        "POP",
        "RCK",
    }
)

#: Same-day ACH per-payment limit in cents (USD 1,000,000).
SAME_DAY_LIMIT_CENTS = 100_000_000
