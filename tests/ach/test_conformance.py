"""The moov-io/ach conformance corpus: labels, round trips and option mapping."""

from __future__ import annotations

from typing import Any

import pytest

from kassa.ach import AchValidationError, ValidateOptions, dumps, read, validate
from kassa.ach.lines import iter_records

from .conftest import MANIFEST, corpus_file, require_corpus


def _ids(entries: list[dict[str, Any]]) -> list[str]:
    return [e["file"] for e in entries]


VALID = [e for e in MANIFEST if e["expect"] == "valid"]
INVALID = [e for e in MANIFEST if e["expect"] == "invalid"]
NEEDS = [e for e in MANIFEST if e["expect"] == "needs-option"]

#: moov error names (from the manifest) and the rule of ours that must be among the issues.
MOOV_TO_RULE = {
    "ErrFileHeader": "ACH-FILE-HEADER-MISSING",
    "ErrFileControl": "ACH-FILE-CONTROL-MISSING",
    "ErrMisplacedFileHeader": "ACH-REC-ORDER",
    "ErrExtraRecordsAfterFileControl": "ACH-REC-AFTER-FILE-CONTROL",
    "ErrFormatCode": "ACH-FH-FORMAT-CODE",
    "ErrNonAlphanumeric": "ACH-FIELD-CHARACTERS",
    "ErrAddenda98ChangeCode": "ACH-AD-CHANGE-CODE",
    "ErrAddenda99ReturnCode": "ACH-AD-RETURN-CODE",
    "ErrBatchTraceNumberNotODFI": "ACH-ED-TRACE-ODFI",
    "ErrValidCheckDigit": "ACH-ED-CHECK-DIGIT",
    "ErrFileAddendaOutsideEntry": "ACH-AD-OUTSIDE-ENTRY",
    "ErrTransactionTypeCode": "ACH-AD-IAT-TRANSACTION-TYPE",
    "ErrServiceClass": "ACH-BH-SERVICE-CLASS",
    "ErrTransactionCode": "ACH-ED-TRANSACTION-CODE",
    "ErrBatchHeaderControlEquality": "ACH-BC-HEADER-MISMATCH",
    "ErrIATBatchAddendaIndicator": "ACH-ED-ADDENDA-INDICATOR",
    "ErrValidMonth": "ACH-ED-CARD-EXPIRATION",
    "RecordWrongLengthErr": "ACH-REC-LENGTH",
    "routing number checksum mismatch": "ACH-FH-DESTINATION",
}


#: Files where our first-class error differs from moov's name for it.
OVERRIDES = {
    # the File Control is a bare "9": we read it as a File Control whose numeric
    # fields are blank, moov as a missing File Control
    "test__testdata__file_parsing_missing_file_control.txt": "ACH-FIELD-NUMERIC",
}


def test_corpus_present_or_skipped() -> None:
    require_corpus()
    assert len(MANIFEST) == 161
    assert (len(VALID), len(INVALID), len(NEEDS)) == (97, 53, 11)


@pytest.mark.parametrize("entry", VALID, ids=_ids(VALID))
def test_valid_file_is_accepted_and_round_trips(entry: dict[str, Any]) -> None:
    path = corpus_file(entry["file"])
    assert validate(path) == []
    file = read(path)
    # Read-then-write gives the input's records (short lines padded, long-line
    # blank tails dropped, LF endings): see docs/ach.md "Round trips".
    expected = "".join(line + "\n" for _, line, _ in iter_records(path))
    assert dumps(file) == expected
    assert dumps(file, "\r\n") == expected.replace("\n", "\r\n")


@pytest.mark.parametrize("entry", VALID, ids=_ids(VALID))
def test_valid_file_fields_format_exactly(entry: dict[str, Any]) -> None:
    """Formatting from fields alone (without the remembered text) reproduces the
    records; txp-debit.ach is the one file whose fields are shifted by hand."""
    path = corpus_file(entry["file"])
    file = read(path)
    records: list[Any] = [file.header]
    for batch in file.batches:
        records.append(batch.header)
        for e in batch.entries:
            records.append(e)
            records.extend(e.addenda)
        records.append(batch.control)
    records.append(file.control)
    mismatched = [r for r in records if r is not None and r.to_line() != r.raw]
    if entry["file"] == "test__testdata__txp-debit.ach":
        assert len(mismatched) == 1
    else:
        assert mismatched == []


@pytest.mark.parametrize("entry", INVALID, ids=_ids(INVALID))
def test_invalid_file_is_rejected_with_our_error(entry: dict[str, Any]) -> None:
    path = corpus_file(entry["file"])
    with pytest.raises(AchValidationError) as info:
        read(path)
    assert info.value.issues
    assert validate(path)
    rules = info.value.rules
    if entry["file"] in OVERRIDES:
        assert OVERRIDES[entry["file"]] in rules
        return
    for moov_name, rule in MOOV_TO_RULE.items():
        if (
            moov_name in (entry["moov_error"] or "")
            and "ErrFileHeader and others" not in entry["moov_error"]
        ):
            if moov_name in ("ErrFileHeader", "ErrFileControl") and "crashers" in entry["file"]:
                continue
            assert rule in rules, f"{moov_name} should map to {rule}, got {sorted(rules)}"


@pytest.mark.parametrize("entry", NEEDS, ids=_ids(NEEDS))
def test_needs_option_file(entry: dict[str, Any]) -> None:
    path = corpus_file(entry["file"])
    issues = validate(path)
    assert issues, "must fail with default options"
    # moov option names are accepted as aliases of ours
    options = ValidateOptions.from_names([entry["option"]])
    assert validate(path, options) == []
    file = read(path, options)
    assert file.batches or file.header is not None
