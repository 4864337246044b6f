"""The writer: computed fields, helpers, line endings, refusals."""

from __future__ import annotations

import io

import pytest

from kassa.ach import (
    AchBuildError,
    EntryInput,
    FileBuilder,
    UnsupportedSecCodeError,
    balancing_entry,
    dumps,
    read,
    split_amount,
    split_entry,
    validate,
    write,
)
from kassa.ach.codes import SAME_DAY_LIMIT_CENTS

from .conftest import sample_builder


def test_built_file_is_valid_and_blocked() -> None:
    text = dumps(sample_builder(n=5).build())
    lines = text.split("\n")[:-1]
    assert all(len(line) == 94 for line in lines)
    assert len(lines) % 10 == 0
    assert lines[-1] == "9" * 94
    from kassa.ach import ValidateOptions

    assert (
        validate(text.encode(), ValidateOptions(require_blocking=True, require_strict_fields=True))
        == []
    )


def test_computed_fields() -> None:
    file = sample_builder(n=3).build()
    batch = file.batches[0]
    assert batch.header.service_class_code == 200
    traces = [e.trace_number for e in batch.entries]
    assert traces == ["121042880000001", "121042880000002", "121042880000003"]
    assert batch.control is not None
    assert batch.control.entry_hash == (23138010 * 2 + 12104288) % 10**10
    assert batch.control.total_credit == 1000 + 1002
    assert batch.control.total_debit == 1001
    assert file.control is not None
    assert file.control.block_count == 1
    assert file.control.batch_count == 1


@pytest.mark.parametrize(
    ("codes", "scc"), [((22, 32), 220), ((27, 37), 225), ((22, 27), 200), ((23,), 220)]
)
def test_service_class_from_entries(codes: tuple[int, ...], scc: int) -> None:
    b = FileBuilder(
        "231380104", "121042882", file_creation_date="250102", file_creation_time="1200"
    )
    batch = b.add_batch("CCD", "Acme", "1234567890", "VENDOR", "12104288", "250103")
    for code in codes:
        batch.add_entry(EntryInput(code, "231380104", "1", 0 if code in (23, 28) else 5))
    assert b.build().batches[0].header.service_class_code == scc


def test_ctx_addenda_counts_and_sequences() -> None:
    b = FileBuilder(
        "231380104", "121042882", file_creation_date="250102", file_creation_time="1200"
    )
    batch = b.add_batch("CTX", "Acme", "1234567890", "VENDOR", "12104288", "250103")
    batch.add_entry(
        EntryInput(
            22,
            "231380104",
            "99",
            500,
            individual_name="Supplier Inc",
            addenda=["ISA*1", "GS*2", "ST*3"],
        )
    )
    file = b.build()
    entry = file.batches[0].entries[0]
    assert entry.number_of_addenda_records == 3
    assert entry.receiving_company_name == "Supplier Inc"
    assert [a.sequence_number for a in entry.addenda] == [1, 2, 3]  # type: ignore[union-attr]
    assert [a.entry_detail_sequence_number for a in entry.addenda] == [1, 1, 1]  # type: ignore[union-attr]
    text = dumps(file)
    assert validate(text.encode()) == []
    assert read(text.encode()).batches[0].entries[0].addenda == entry.addenda


def test_line_endings_and_stream() -> None:
    file = sample_builder().build()
    crlf = dumps(file, "\r\n")
    assert crlf.count("\r\n") == 10
    buf = io.StringIO()
    write(file, buf, "\r\n")
    assert buf.getvalue() == crlf
    assert read(crlf.encode()).batches[0].entries == file.batches[0].entries
    with pytest.raises(AchBuildError):
        dumps(file, "\t")


def test_balancing_entry() -> None:
    b = sample_builder(n=3)
    batch = b.batches[0]
    offset = balancing_entry(batch, "121042882", "OPERATING")
    assert offset is not None
    assert offset.transaction_code == 27
    assert offset.amount == 1000 + 1002 - 1001
    file = b.build()
    assert file.batches[0].total_debit == file.batches[0].total_credit
    assert balancing_entry(batch, "121042882", "OPERATING") is None
    assert validate(dumps(file).encode()) == []


def test_split_amount_and_same_day() -> None:
    assert split_amount(250, 100) == [100, 100, 50]
    assert split_amount(200, 100) == [100, 100]
    assert split_amount(0, 100) == [0]
    big = EntryInput(22, "231380104", "1", SAME_DAY_LIMIT_CENTS + 1)
    pieces = split_entry(big, SAME_DAY_LIMIT_CENTS)
    assert sum(p.amount for p in pieces) == big.amount
    assert not any(p.same_day_eligible for p in pieces)
    small = split_entry(EntryInput(22, "231380104", "1", 300), 100)
    assert all(p.same_day_eligible for p in small)
    b = FileBuilder(
        "231380104", "121042882", file_creation_date="250102", file_creation_time="1200"
    )
    same_day = b.add_batch(
        "PPD", "Acme", "1234567890", "PAYROLL", "12104288", "250102", same_day=True
    )
    same_day.add_entry(pieces[0])
    with pytest.raises(AchBuildError):
        b.build()


def test_refusals() -> None:
    with pytest.raises(AchBuildError):
        EntryInput(22, "231380104", "1", 10.5)  # type: ignore[arg-type]
    with pytest.raises(AchBuildError):
        split_amount(100, 0)
    b = FileBuilder("231380104", "121042882")
    with pytest.raises(UnsupportedSecCodeError):
        b.add_batch("XYZ", "Acme", "1", "D", "12104288", "250101")
    batch = b.add_batch("PPD", "Acme", "1", "D", "12104288", "250101")
    batch.add_entry(EntryInput(22, "231380105", "1", 1))
    with pytest.raises(AchBuildError):
        b.build()
    b2 = sample_builder()
    b2.batches[0].entries[0].individual_name = "x" * 23
    with pytest.raises((AchBuildError, ValueError)):
        dumps(b2.build())


def test_edited_record_is_written_from_fields() -> None:
    text = dumps(sample_builder().build())
    file = read(text.encode())
    file.batches[0].entries[0].individual_name = "Changed Name"
    from kassa.ach import finalize

    out = dumps(finalize(file))
    assert "Changed Name" in out
    assert validate(out.encode()) == []
