"""Property-based round trips and fuzzing of the reader."""

from __future__ import annotations

import contextlib
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kassa.ach import AchError, EntryInput, FileBuilder, Reader, dumps, read, validate
from kassa.ach.routing import routing_check_digit

from .conftest import CORPUS, MANIFEST, sample_builder

_TEXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=22).map(
    str.strip
)
_ROUTING = (
    st.text(alphabet="0123456789", min_size=8, max_size=8)
    .filter(lambda s: s != "00000000")
    .map(lambda s: s + str(routing_check_digit(s)))
)
_ENTRY = st.builds(
    EntryInput,
    transaction_code=st.sampled_from([22, 27, 32, 37, 42, 47, 52]),
    routing_number=_ROUTING,
    account_number=st.text(alphabet="0123456789ABC-", min_size=1, max_size=17),
    amount=st.integers(min_value=0, max_value=2_000_000),
    individual_name=st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ abc.,'", min_size=1, max_size=22
    ).filter(lambda s: s.strip(" 0") != ""),
    identification_number=_TEXT.map(lambda s: s[:15]),
    addenda=st.lists(
        st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80),
        max_size=1,
    ),
)
_BATCH = st.tuples(
    st.sampled_from(["PPD", "CCD", "WEB"]),
    st.text(alphabet="ABCDEFGHIJ XYZ", min_size=1, max_size=16).filter(
        lambda s: s.strip(" 0") != ""
    ),
    st.lists(_ENTRY, min_size=1, max_size=6),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_BATCH, min_size=1, max_size=4), st.sampled_from(["\n", "\r\n"]))
def test_generated_files_write_and_read_back_equal(
    batches: list[tuple[str, str, list[EntryInput]]], ending: str
) -> None:
    builder = FileBuilder(
        "231380104",
        "121042882",
        "DEST",
        "ORIGIN",
        file_creation_date="250101",
        file_creation_time="0930",
    )
    for sec, company, entries in batches:
        batch = builder.add_batch(sec, company, "1234567890", "PAYMENT", "12104288", "250102")
        for e in entries:
            batch.add_entry(e)
    file = builder.build()
    text = dumps(file, ending)
    assert validate(text.encode()) == []
    back = read(text.encode())
    assert back.header == file.header
    assert back.control == file.control
    assert [(b.header, b.entries, b.control) for b in back.batches] == [
        (b.header, b.entries, b.control) for b in file.batches
    ]
    assert dumps(back, ending) == text


def _check_reader(data: bytes) -> None:
    """The reader and validator may only raise AchError, whatever the bytes."""
    with contextlib.suppress(AchError):
        validate(data)
    with contextlib.suppress(AchError):
        reader = Reader(data)
        for _ in reader.entries():
            pass
        assert isinstance(reader.issues, list)
    with contextlib.suppress(AchError):
        read(data)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes_never_crash(data: bytes) -> None:
    _check_reader(data)


def _mutate(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(4)
        pos = rng.randrange(len(buf)) if buf else 0
        if op == 0 and buf:
            buf[pos] = rng.randrange(256)
        elif op == 1:
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 5)))
        elif op == 2 and buf:
            del buf[pos : pos + rng.randint(1, 95)]
        else:
            buf[pos:pos] = rng.choice(
                [b"\n", b"\r\n", b"9" * 94, b"7", b"5", b"\x00", "\u017c".encode()]
            )
    return bytes(buf)


@settings(max_examples=120, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_mutated_generated_files_never_crash(seed: int) -> None:
    rng = random.Random(seed)
    data = dumps(
        sample_builder(sec=rng.choice(["PPD", "CCD", "WEB"]), n=rng.randint(1, 4)).build()
    ).encode()
    _check_reader(_mutate(rng, data))


def test_mutated_corpus_files_never_crash() -> None:
    if not MANIFEST:
        import pytest

        pytest.skip(f"conformance corpus not found at {CORPUS}")
    rng = random.Random(20240601)
    for entry in MANIFEST:
        data = (CORPUS / "files" / entry["file"]).read_bytes()
        for _ in range(6):
            _check_reader(_mutate(rng, data))


def _issues(data: bytes, fast: bool) -> list[object]:
    from kassa.ach.lines import iter_record_chunks
    from kassa.ach.validator import Validator

    v = Validator(use_fast_path=fast)
    for chunk in iter_record_chunks(data):
        v.feed_many(chunk)
    return list(v.finish())


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_bulk_path_reports_what_the_record_path_reports(seed: int) -> None:
    """Runs of entries are checked in bulk; mutations anywhere must give the same issues."""
    rng = random.Random(seed)
    data = dumps(
        sample_builder(sec=rng.choice(["PPD", "CCD", "WEB", "TEL"]), n=rng.randint(10, 40)).build()
    ).encode()
    if rng.random() < 0.8:
        data = _mutate(rng, data)
    assert _issues(data, True) == _issues(data, False)
