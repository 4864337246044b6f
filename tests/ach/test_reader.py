"""Reader: streaming APIs, lenient line handling, returns and NOCs, issues."""

from __future__ import annotations

import pytest

from kassa.ach import (
    AchValidationError,
    Addenda98,
    Addenda99Contested,
    Addenda99Dishonored,
    Reader,
    ValidateOptions,
    dumps,
    parse_corrected_data,
    read,
    read_with_issues,
    returns_and_changes,
    validate,
)
from kassa.ach.errors import AchInputError

from .conftest import corpus_file, sample_builder


def test_streaming_entries_and_batches(sample_text: str) -> None:
    reader = Reader(sample_text.encode())
    pairs = list(reader.entries())
    assert len(pairs) == 3
    assert all(b.entries == [] for b, _ in pairs)  # batches are not accumulated
    assert reader.issues == []
    assert reader.header is not None and reader.control is not None
    batches = list(Reader(sample_text.encode()).batches())
    assert len(batches) == 1 and len(batches[0].entries) == 3


def test_records_iterator(sample_text: str) -> None:
    kinds = [type(r).__name__ for _, r in Reader(sample_text).records()]
    assert kinds[0] == "FileHeader" and kinds[-1] == "FileControl"


def test_short_long_and_unbroken_lines(sample_text: str) -> None:
    lines = sample_text.split("\n")[:-1]
    trimmed = "\n".join(line.rstrip() for line in lines) + "\n"
    assert validate(trimmed.encode()) == []
    assert validate(trimmed.encode(), ValidateOptions(require_exact_record_length=True))
    padded = "\n".join(line + "   " for line in lines) + "\n"
    assert validate(padded.encode()) == []
    assert validate("".join(lines).encode()) == []
    assert {i.rule for i in validate(("".join(lines) + "X").encode())} >= {"ACH-REC-LENGTH"}


def test_all_errors_collected(sample_text: str) -> None:
    lines = sample_text.split("\n")
    lines[2] = lines[2][:3] + "23138011" + lines[2][11:]  # bad check digit
    lines[3] = lines[3][:29] + "00000X0000" + lines[3][39:]  # non-numeric amount
    issues = validate("\n".join(lines).encode())
    rules = {i.rule for i in issues}
    assert {"ACH-ED-CHECK-DIGIT", "ACH-ED-AMOUNT", "ACH-BC-ENTRY-HASH"} <= rules
    by_line = {i.line for i in issues}
    assert 3 in by_line and 4 in by_line
    issue = next(i for i in issues if i.rule == "ACH-ED-CHECK-DIGIT")
    assert issue.record_type == "6" and issue.field == "check_digit"
    with pytest.raises(AchValidationError) as info:
        read("\n".join(lines).encode())
    assert info.value.file is not None
    file, found = read_with_issues("\n".join(lines).encode())
    assert found and file.batches


def test_unsupported_sec_code_is_an_issue(sample_text: str) -> None:
    text = sample_text.replace("PPDPAYROLL", "ZZZPAYROLL")
    assert "ACH-BH-SEC-CODE" in {i.rule for i in validate(text)}


def test_empty_and_missing_inputs(tmp_path: object) -> None:
    assert [i.rule for i in validate(b"")] == ["ACH-FILE-EMPTY"]
    with pytest.raises(AchInputError):
        validate("/nonexistent/file.ach")


def test_options_from_names() -> None:
    o = ValidateOptions.from_names(
        ["AllowMissingFileHeader", "allow-invalid-check-digit,custom_return_codes"]
    )
    assert o.allow_missing_file_header and o.allow_invalid_check_digit and o.custom_return_codes
    from kassa.ach import AchError

    with pytest.raises(AchError):
        ValidateOptions.from_names(["NoSuchOption"])


def test_returns_parse_into_notices() -> None:
    file = read(corpus_file("examples__testdata__contested-return.ach"))
    returns, changes = returns_and_changes(file)
    assert changes == []
    assert [r.kind for r in returns] == ["return", "dishonored", "contested"]
    assert returns[0].reason_code == "R07" and returns[0].original_trace_number == "099912340000015"
    addenda = file.batches[0].entries[0].addenda
    assert isinstance(addenda[1], Addenda99Dishonored) and addenda[1].return_reason_code == "01"
    assert (
        isinstance(addenda[2], Addenda99Contested)
        and addenda[2].dishonored_return_reason_code == "67"
    )


def test_noc_parses_corrected_data() -> None:
    file = read(corpus_file("examples__testdata__cor-read.ach"))
    _, changes = returns_and_changes(file)
    assert len(changes) == 1
    noc = changes[0]
    assert noc.change_code == "C01" and noc.original_trace_number == "121042880000001"
    assert noc.corrected.account_number == "1918171614"
    assert isinstance(file.batches[0].entries[0].addenda[0], Addenda98)


@pytest.mark.parametrize(
    ("code", "data", "field", "value"),
    [
        ("C02", "231380104", "routing_number", "231380104"),
        ("C03", "231380104   12345", "account_number", "12345"),
        ("C05", "32", "transaction_code", 32),
        ("C06", "12345               32", "transaction_code", 32),
        ("C07", "2313801041234567890123456732", "transaction_code", 32),
        ("C12", "ACME CORP       1234567890", "company_identification", "1234567890"),
    ],
)
def test_corrected_data_layouts(code: str, data: str, field: str, value: object) -> None:
    assert getattr(parse_corrected_data(code, data), field) == value


def test_round_trip_of_built_file(sample_text: str) -> None:
    assert dumps(read(sample_text)) == sample_text
    assert sample_builder().build().batches[0].entries == read(sample_text).batches[0].entries
