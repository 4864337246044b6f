"""The registry of named validation rules.

Each rule has a stable code (``ACH-...``), a sentence saying what it checks,
the records and SEC codes it applies to, and the option (if any) that relaxes
or enables it.  docs/ach-rules.md is generated from this table by
``python -m kassa.ach.rules_doc``; a test fails when the two disagree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    """A validation rule."""

    code: str
    checks: str
    applies_to: str
    option: str = ""
    #: "relaxes" when the option switches the rule off, "enables" when the rule
    #: only runs with the option on.
    option_effect: str = ""


ALL_SEC = "all SEC codes"

_RULES: tuple[Rule, ...] = (
    # --- records and structure -------------------------------------------------
    Rule("ACH-FILE-EMPTY", "The input holds at least one record.", "file"),
    Rule(
        "ACH-REC-LENGTH",
        "Every record is 94 characters; text past a record that is not blank is an error.",
        "all records",
    ),
    Rule(
        "ACH-REC-SHORT",
        "A record shorter than 94 characters (trailing spaces "
        "trimmed) is an error instead of being padded.",
        "all records",
        "require_exact_record_length",
        "enables",
    ),
    Rule("ACH-REC-TYPE", "The record type code (position 1) is 1, 5, 6, 7, 8 or 9.", "all records"),
    Rule(
        "ACH-REC-ORDER",
        "Records come in NACHA order: file header, batches (5, 6/7..., 8), file "
        "control, 9-filler; entries and batch controls only inside a batch.",
        "all records",
    ),
    Rule(
        "ACH-REC-AFTER-FILE-CONTROL",
        "Nothing but all-9 filler records follows the File Control record.",
        "9 filler",
    ),
    Rule(
        "ACH-FIELD-CHARACTERS",
        "Alphanumeric fields hold only printable ASCII and "
        "Latin-1 letters/symbols (no control characters).",
        "all records",
        "allow_special_characters",
        "relaxes",
    ),
    Rule("ACH-FIELD-NUMERIC", "Numeric fields hold only digits 0-9.", "all records"),
    Rule("ACH-FIELD-REQUIRED", "Mandatory fields are neither blank nor all zeros.", "all records"),
    Rule(
        "ACH-FIELD-DATE",
        "Date fields that must be present are valid YYMMDD (or MMDD/MMYY) dates.",
        "1, 7 (02, 99)",
    ),
    Rule("ACH-FIELD-TIME", "File creation time, when present, is a valid HHMM.", "1"),
    # --- file header ------------------------------------------------------------
    Rule(
        "ACH-FILE-HEADER-MISSING",
        "The first record is a File Header.",
        "1",
        "allow_missing_file_header",
        "relaxes",
    ),
    Rule(
        "ACH-FH-DESTINATION",
        "Immediate Destination is a nine-digit routing number with a valid check digit.",
        "1",
        "bypass_destination_validation",
        "relaxes",
    ),
    Rule(
        "ACH-FH-ORIGIN",
        "Immediate Origin is neither blank nor all zeros.",
        "1",
        "bypass_origin_validation",
        "relaxes",
    ),
    Rule(
        "ACH-FH-ORIGIN-ABA",
        "Immediate Origin is a routing number with a valid check digit.",
        "1",
        "require_aba_origin",
        "enables",
    ),
    Rule("ACH-FH-RECORD-SIZE", "Record size is 094.", "1"),
    Rule("ACH-FH-BLOCKING-FACTOR", "Blocking factor is 10.", "1"),
    Rule("ACH-FH-FORMAT-CODE", "Format code is 1.", "1"),
    Rule("ACH-FH-FILE-ID-MODIFIER", "File ID modifier is A-Z or 0-9 (blank tolerated).", "1"),
    Rule("ACH-FH-CREATION-DATE", "File creation date is a valid YYMMDD date.", "1"),
    # --- batch header -----------------------------------------------------------
    Rule("ACH-BH-SERVICE-CLASS", "Service class code is 200, 220, 225 or 280.", "5"),
    Rule(
        "ACH-BH-SEC-CODE",
        "The SEC code is one this library supports; others get this error, never a crash.",
        "5",
    ),
    Rule(
        "ACH-BH-SEC-SERVICE-CLASS",
        "Service class 280 is used by ADV batches and only by them.",
        "5 (ADV)",
    ),
    Rule(
        "ACH-BH-COMPANY-NAME",
        "Company name is neither blank nor all zeros.",
        "5 (all but IAT, ADV)",
    ),
    Rule("ACH-BH-COMPANY-ID", "Company identification is neither blank nor all zeros.", "5"),
    Rule(
        "ACH-BH-ENTRY-DESCRIPTION", "Company entry description is neither blank nor all zeros.", "5"
    ),
    Rule("ACH-BH-ORIGINATOR-STATUS", "Originator status code is 0, 1 or 2.", "5"),
    Rule("ACH-BH-ODFI", "ODFI identification is eight digits, not all zeros.", "5"),
    Rule(
        "ACH-BH-EFFECTIVE-DATE",
        "Effective entry date is a valid YYMMDD date (default: "
        "an invalid date reads as blank, as in moov-io/ach).",
        "5",
        "require_strict_fields",
        "enables",
    ),
    Rule("ACH-BH-BATCH-NUMBER-ORDER", "Batch numbers ascend through the file.", "5"),
    Rule("ACH-BH-DESCRIPTION-SEC", "RCK batches use the description REDEPCHECK.", "5 (RCK)"),
    Rule(
        "ACH-BH-IAT-FIELDS",
        "IAT foreign exchange indicator is FV/VF/FF and its reference indicator 1, 2 or 3.",
        "5 (IAT)",
    ),
    # --- entry detail -------------------------------------------------------------
    Rule(
        "ACH-ED-TRANSACTION-CODE",
        "Transaction code is a Nacha code (checking, savings, GL, loan, ADV).",
        "6",
    ),
    Rule(
        "ACH-ED-TRANSACTION-CODE-SEC",
        "Transaction code fits the SEC code (COR: return/NOC "
        "codes; ACK/ATX: 24/34; ADV: 81-88 and only there).",
        "6 (COR, ACK, ATX, ADV)",
    ),
    Rule(
        "ACH-ED-SERVICE-CLASS-MISMATCH",
        "Service class 220 batches hold only credits, 225 only debits.",
        "6 in 5 with 220/225",
    ),
    Rule("ACH-ED-RDFI", "Receiving DFI identification is eight digits, not all zeros.", "6"),
    Rule(
        "ACH-ED-CHECK-DIGIT",
        "The check digit matches the RDFI identification (weights 3, 7, 1).",
        "6",
        "allow_invalid_check_digit",
        "relaxes",
    ),
    Rule("ACH-ED-ACCOUNT", "DFI account number is not blank.", "6"),
    Rule("ACH-ED-AMOUNT", "Amount is numeric.", "6"),
    Rule("ACH-ED-PRENOTE-ZERO", "Prenotification entries (x3, x8) carry a zero amount.", "6"),
    Rule(
        "ACH-ED-ZERO-AMOUNT-SEC",
        "COR, ACK and ATX entries carry a zero amount.",
        "6 (COR, ACK, ATX)",
    ),
    Rule(
        "ACH-ED-AMOUNT-LIMIT",
        "Amount is within the SEC limit: ARC, BOC, POP USD 25,000; RCK, XCK USD 2,500.",
        "6 (ARC, BOC, POP, RCK, XCK)",
        "allow_invalid_amounts",
        "relaxes",
    ),
    Rule(
        "ACH-ED-DEBIT-ONLY",
        "Only debits are allowed (forward entries).",
        "6 (ARC, BOC, POP, RCK, TEL, TRC, XCK)",
    ),
    Rule("ACH-ED-CREDIT-ONLY", "Only credits are allowed (forward entries).", "6 (CIE)"),
    Rule(
        "ACH-ED-INDIVIDUAL-NAME",
        "Individual name is neither blank nor all zeros.",
        "6 (ARC, BOC, CIE, DNE, ENR, MTE, POP, POS, PPD, RCK, SHR, TEL, WEB)",
        "allow_empty_individual_name",
        "relaxes",
    ),
    Rule(
        "ACH-ED-CHECK-SERIAL", "Check serial number is present.", "6 (ARC, BOC, POP, RCK, XCK, TRC)"
    ),
    Rule(
        "ACH-ED-CARD-EXPIRATION",
        "Card expiration date is a valid month (01-12) and year.",
        "6 (SHR)",
    ),
    Rule(
        "ACH-ED-ADDENDA-INDICATOR",
        "Addenda record indicator is 0 or 1 and is 1 exactly when addenda follow.",
        "6",
    ),
    Rule("ACH-ED-TRACE-NUMBER", "Trace number is 15 digits, not all zeros.", "6"),
    Rule(
        "ACH-ED-TRACE-ODFI",
        "Trace number starts with the batch's ODFI identification.",
        "6",
        "bypass_origin_validation, custom_trace_numbers",
        "relaxes",
    ),
    Rule(
        "ACH-ED-TRACE-ORDER",
        "Trace numbers ascend within a batch.",
        "6",
        "custom_trace_numbers",
        "relaxes",
    ),
    Rule(
        "ACH-ED-ADDENDA-COUNT-FIELD",
        "The declared number of addenda equals the addenda that follow.",
        "6 (CTX, ATX, IAT)",
    ),
    # --- addenda --------------------------------------------------------------------
    Rule(
        "ACH-AD-OUTSIDE-ENTRY",
        "An addenda record follows an entry detail record or another addenda.",
        "7",
    ),
    Rule("ACH-AD-TYPE-CODE", "Addenda type code is 02, 05, 98, 99 or 10-18.", "7"),
    Rule(
        "ACH-AD-NOT-ALLOWED",
        "The addenda type is allowed for the SEC code (e.g. 02 for POS/SHR/MTE, 05 for "
        "PPD/CCD/CTX/WEB..., none for ARC/BOC/POP/RCK/TEL/XCK/TRC forward entries).",
        ALL_SEC,
    ),
    Rule(
        "ACH-AD-COUNT",
        "Number of addenda per entry is within the SEC limit (1 for "
        "PPD/CCD/WEB/CIE/POS..., 9,999 for CTX/ATX/ENR/TRX, exactly 1 for COR).",
        ALL_SEC,
    ),
    Rule(
        "ACH-AD-REQUIRED",
        "SEC codes that need addenda have them (COR 98, POS/SHR/MTE 02, IAT 10-16).",
        "6 (COR, POS, SHR, MTE, IAT)",
    ),
    Rule(
        "ACH-AD-SEQUENCE",
        "Addenda sequence numbers run 1, 2, 3 ... for each entry.",
        "7 (05, 17, 18)",
    ),
    Rule(
        "ACH-AD-ENTRY-SEQUENCE",
        "The addenda's entry detail sequence number equals "
        "the last seven digits of the entry's trace number.",
        "7 (05, 10-18)",
        "require_strict_fields",
        "enables",
    ),
    Rule(
        "ACH-AD-RETURN-CODE",
        "Return reason code is a Nacha code R01-R85 (including "
        "dishonored R61-R70 and contested R71-R77).",
        "7 (99)",
        "custom_return_codes",
        "relaxes",
    ),
    Rule("ACH-AD-CHANGE-CODE", "Change code is C01-C14 or a refused-NOC code C61-C69.", "7 (98)"),
    Rule(
        "ACH-AD-CORRECTED-DATA",
        "Corrected data is present and well formed for the change "
        "code (C02 routing number, C05 transaction code, ...).",
        "7 (98)",
    ),
    Rule(
        "ACH-AD-ORIGINAL-TRACE",
        "Original entry trace number of a return or NOC is 15 digits.",
        "7 (98, 99)",
    ),
    Rule(
        "ACH-AD-CATEGORY",
        "An entry's addenda are all forward, all NOC (98) or all return (99).",
        "7",
    ),
    Rule(
        "ACH-AD-IAT-TRANSACTION-TYPE",
        "Addenda 10 transaction type code is a Nacha IAT code (ANN, BUS, ...).",
        "7 (10)",
    ),
    Rule(
        "ACH-AD-IAT-ORDER",
        "IAT addenda 10 to 16 are all present, once each, in order.",
        "7 (10-16)",
    ),
    # --- batch control --------------------------------------------------------------
    Rule("ACH-BC-MISSING", "Every batch ends with a Batch Control record.", "8"),
    Rule("ACH-BATCH-NO-ENTRIES", "A batch has at least one entry.", "5-8"),
    Rule(
        "ACH-BC-ENTRY-COUNT",
        "Entry/addenda count equals the entries and addenda in the batch.",
        "8",
    ),
    Rule("ACH-BC-ENTRY-HASH", "Entry hash equals the sum of RDFI identifications mod 10^10.", "8"),
    Rule("ACH-BC-DEBIT-TOTAL", "Total debit amount equals the sum of debit entries.", "8"),
    Rule("ACH-BC-CREDIT-TOTAL", "Total credit amount equals the sum of credit entries.", "8"),
    Rule(
        "ACH-BC-HEADER-MISMATCH",
        "Service class, company identification, ODFI and batch number equal the batch header's.",
        "8",
    ),
    # --- file control ---------------------------------------------------------------
    Rule(
        "ACH-FILE-CONTROL-MISSING",
        "The file has a File Control record.",
        "9",
        "allow_missing_file_control",
        "relaxes",
    ),
    Rule(
        "ACH-FILE-NO-BATCHES",
        "The file holds at least one batch.",
        "file",
        "allow_zero_batches",
        "relaxes",
    ),
    Rule("ACH-FC-BATCH-COUNT", "Batch count equals the batches in the file.", "9"),
    Rule("ACH-FC-ENTRY-COUNT", "Entry/addenda count equals the sum over the batches.", "9"),
    Rule(
        "ACH-FC-ENTRY-HASH",
        "Entry hash equals the sum of the batches' RDFI identifications mod 10^10.",
        "9",
    ),
    Rule("ACH-FC-DEBIT-TOTAL", "Total debit amount equals the sum over the batches.", "9"),
    Rule("ACH-FC-CREDIT-TOTAL", "Total credit amount equals the sum over the batches.", "9"),
    Rule("ACH-FC-BLOCK-COUNT", "Block count is not zero.", "9"),
    Rule(
        "ACH-FILE-BLOCKING",
        "The record count is a multiple of ten (9-filled) and the block count equals records / 10.",
        "9",
        "require_blocking",
        "enables",
    ),
    # --- routing numbers given to the public helpers ----------------------------------
    Rule(
        "ACH-RTN-FORMAT",
        "A routing number is nine digits (public routing helpers).",
        "routing numbers",
    ),
    Rule(
        "ACH-RTN-CHECK-DIGIT",
        "A routing number's ninth digit is its check digit (weights 3, 7, 1).",
        "routing numbers, 1, 6",
    ),
)

RULES: dict[str, Rule] = {r.code: r for r in _RULES}
