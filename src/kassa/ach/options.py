"""Named validation options.

Real bank files deviate from the NACHA format in known ways.  Each option below
switches one rule off (``allow_*``, ``bypass_*``, ``custom_*``) or, for the
``require_*`` options, switches on a stricter rule that the default (moov-io/ach
compatible) profile does not enforce.  docs/ach-rules.md lists which rule each
option affects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace

from .errors import AchError

#: moov-io/ach ``ValidateOpts`` names accepted as aliases of ours.
MOOV_ALIASES: dict[str, str] = {
    "AllowMissingFileHeader": "allow_missing_file_header",
    "AllowMissingFileControl": "allow_missing_file_control",
    "BypassOriginValidation": "bypass_origin_validation",
    "BypassDestinationValidation": "bypass_destination_validation",
    "AllowSpecialCharacters": "allow_special_characters",
    "AllowInvalidCheckDigit": "allow_invalid_check_digit",
    "AllowEmptyIndividualName": "allow_empty_individual_name",
    "CustomReturnCodes": "custom_return_codes",
    "CustomTraceNumbers": "custom_trace_numbers",
    "AllowInvalidAmounts": "allow_invalid_amounts",
    "SkipAll": "skip_all",
    "RequireABAOrigin": "require_aba_origin",
    "AllowZeroBatches": "allow_zero_batches",
}


@dataclass(frozen=True, slots=True)
class ValidateOptions:
    """Switches for validation; every field defaults to the standard behaviour."""

    #: Accept a file whose first record is not a File Header (1).
    allow_missing_file_header: bool = False
    #: Accept a file without a File Control (9) record; file totals are then not checked.
    allow_missing_file_control: bool = False
    #: Skip Immediate Origin checks and the rule that trace numbers start with the ODFI.
    bypass_origin_validation: bool = False
    #: Do not require the Immediate Destination to be a routing number.
    bypass_destination_validation: bool = False
    #: Accept any printable character in alphanumeric fields (not only ASCII/Latin-1).
    allow_special_characters: bool = False
    #: Do not check the entry's RDFI check digit.
    allow_invalid_check_digit: bool = False
    #: Accept a blank or all-zero Individual Name where the SEC code requires one.
    allow_empty_individual_name: bool = False
    #: Accept return reason codes outside the Nacha list (bank-specific codes).
    custom_return_codes: bool = False
    #: Trace numbers need neither the ODFI prefix nor ascending order.
    custom_trace_numbers: bool = False
    #: Do not apply per-SEC amount limits (ARC/BOC/POP USD 25,000, RCK/XCK USD 2,500).
    allow_invalid_amounts: bool = False
    #: Accept a file with no batches (moov-compatible default: accepted).
    allow_zero_batches: bool = True
    #: Stricter: Immediate Origin must be a routing number with a valid check digit.
    require_aba_origin: bool = False
    #: Stricter: the file must be blocked (record count a multiple of 10, 9-filled)
    #: and the File Control block count must be exact.
    require_blocking: bool = False
    #: Stricter: every record must be exactly 94 characters (no padding of short lines).
    require_exact_record_length: bool = False
    #: Stricter: addenda entry detail sequence numbers must equal the entry's trace sequence
    #: and the effective entry date must be a valid YYMMDD date.
    require_strict_fields: bool = False
    #: Run no validation at all (parse only).
    skip_all: bool = False

    @classmethod
    def names(cls) -> list[str]:
        """Our option names, in declaration order."""
        return [f.name for f in fields(cls)]

    @classmethod
    def from_names(cls, names: Iterable[str]) -> ValidateOptions:
        """Options with the named switches turned on.

        Accepts our snake_case names, the same with dashes (CLI style) and
        moov-io/ach's ValidateOpts names.  ``allow_zero_batches`` is on already;
        unknown names raise :class:`AchError`.
        """
        known = set(cls.names())
        changes: dict[str, bool] = {}
        for raw in names:
            for part in raw.split(","):
                name = part.strip()
                if not name:
                    continue
                key = MOOV_ALIASES.get(name, name.replace("-", "_").lower())
                if key not in known:
                    raise AchError(
                        f"unknown validation option {name!r}; known: {', '.join(sorted(known))}"
                    )
                changes[key] = True
        return replace(cls(), **changes)


DEFAULT_OPTIONS = ValidateOptions()
