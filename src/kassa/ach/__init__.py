"""kassa.ach: read, validate and write NACHA (ACH) files.

Pure standard library; no database, no web.  Typical use::

    from kassa.ach import read, validate, FileBuilder, dumps

    issues = validate("incoming.ach")          # every problem, no objects built
    file = read("incoming.ach")                # AchFile, raises AchValidationError
    for batch, entry in Reader("big.ach").entries():   # streaming, bounded memory
        ...

See docs/ach.md for the full guide and docs/ach-rules.md for the rule table.
"""

from __future__ import annotations

from .codes import (
    CHANGE_CODES,
    REFUSED_CHANGE_CODES,
    RETURN_REASONS,
    RecordType,
    SecCode,
    ServiceClass,
    TransactionCode,
)
from .errors import (
    AchBuildError,
    AchError,
    AchInputError,
    AchValidationError,
    Issue,
    UnsupportedSecCodeError,
)
from .model import AchFile, Batch
from .options import MOOV_ALIASES, ValidateOptions
from .reader import Reader, read, read_with_issues, validate
from .records import (
    Addenda,
    Addenda02,
    Addenda05,
    Addenda98,
    Addenda99,
    Addenda99Contested,
    Addenda99Dishonored,
    AdvBatchControl,
    AdvEntryDetail,
    AdvFileControl,
    BatchControl,
    BatchHeader,
    Entry,
    EntryDetail,
    FileControl,
    FileHeader,
    IatAddenda,
    IatBatchHeader,
    IatEntryDetail,
)
from .returns import (
    ChangeNotice,
    CorrectedData,
    ReturnNotice,
    iter_notices,
    parse_corrected_data,
    returns_and_changes,
)
from .routing import (
    is_valid_routing_number,
    routing_check_digit,
    routing_number_issues,
    validate_routing_number,
)
from .rules import RULES, Rule
from .writer import (
    BatchBuilder,
    EntryInput,
    FileBuilder,
    balancing_entry,
    build_file,
    dumps,
    finalize,
    iter_lines,
    split_amount,
    split_entry,
    write,
)

__all__ = [
    "CHANGE_CODES",
    "MOOV_ALIASES",
    "REFUSED_CHANGE_CODES",
    "RETURN_REASONS",
    "RULES",
    "AchBuildError",
    "AchError",
    "AchFile",
    "AchInputError",
    "AchValidationError",
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
    "Batch",
    "BatchBuilder",
    "BatchControl",
    "BatchHeader",
    "ChangeNotice",
    "CorrectedData",
    "Entry",
    "EntryDetail",
    "EntryInput",
    "FileBuilder",
    "FileControl",
    "FileHeader",
    "IatAddenda",
    "IatBatchHeader",
    "IatEntryDetail",
    "Issue",
    "Reader",
    "RecordType",
    "ReturnNotice",
    "Rule",
    "SecCode",
    "ServiceClass",
    "TransactionCode",
    "UnsupportedSecCodeError",
    "ValidateOptions",
    "balancing_entry",
    "build_file",
    "dumps",
    "finalize",
    "is_valid_routing_number",
    "iter_lines",
    "iter_notices",
    "parse_corrected_data",
    "read",
    "read_with_issues",
    "returns_and_changes",
    "routing_check_digit",
    "routing_number_issues",
    "split_amount",
    "split_entry",
    "validate",
    "validate_routing_number",
    "write",
]
