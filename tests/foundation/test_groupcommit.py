"""``GroupCommit``: concurrent callers share runs, each gets its own outcome."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import pytest

from kassa.kit.groupcommit import GroupCommit


class _Gate:
    """A run that records its groups and, while ``hold`` is clear, blocks the first one."""

    def __init__(self, answer: Callable[[str], object] = str.upper) -> None:
        self.groups: list[list[str]] = []
        self.started = threading.Event()
        self.hold = threading.Event()
        self.answer = answer

    def __call__(self, items: list[str]) -> Sequence[object]:
        self.groups.append(list(items))
        self.started.set()
        self.hold.wait(10)
        return [self.answer(item) for item in items]


def _submit_all(gc: GroupCommit[str, object], items: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}

    def call(item: str) -> None:
        try:
            out[item] = gc.submit(item)
        except Exception as exc:
            out[item] = exc

    threads = [threading.Thread(target=call, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not any(t.is_alive() for t in threads), "a caller never got its answer"
    return out


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.005)


def test_callers_waiting_behind_a_run_share_the_next_one() -> None:
    gate = _Gate()
    gc: GroupCommit[str, object] = GroupCommit(gate, max_running=1)
    first = threading.Thread(target=gc.submit, args=("a",))
    first.start()
    assert gate.started.wait(5)  # "a" runs alone and is held
    out: dict[str, object] = {}
    later = [threading.Thread(target=lambda i=i: out.__setitem__(i, gc.submit(i))) for i in "bcdef"]
    for thread in later:
        thread.start()
    _wait_for(lambda: len(gc._waiting) == 5)
    gate.hold.set()
    first.join(5)
    for thread in later:
        thread.join(5)
    assert gate.groups[0] == ["a"]
    assert sorted(gate.groups[1]) == list("bcdef")  # one run for the five that waited
    assert out == {i: i.upper() for i in "bcdef"}


def test_a_group_is_at_most_max_group_long() -> None:
    gate = _Gate()
    gate.hold.set()
    gc: GroupCommit[str, object] = GroupCommit(gate, max_group=3)
    out = _submit_all(gc, [f"x{i}" for i in range(20)])
    assert out == {f"x{i}": f"X{i}" for i in range(20)}
    assert all(len(g) <= 3 for g in gate.groups)
    assert sorted(i for g in gate.groups for i in g) == sorted(out)


def test_items_with_one_key_never_share_a_group() -> None:
    gate = _Gate()
    gc: GroupCommit[str, object] = GroupCommit(gate, max_running=1, key=lambda item: item[0])
    first = threading.Thread(target=gc.submit, args=("z",))
    first.start()
    assert gate.started.wait(5)
    out: dict[str, object] = {}
    later = [
        threading.Thread(target=lambda i=i: out.__setitem__(i, gc.submit(i)))
        for i in ("k1", "k2", "m1")
    ]
    for thread in later:
        thread.start()
    _wait_for(lambda: len(gc._waiting) == 3)
    gate.hold.set()
    for thread in [first, *later]:
        thread.join(5)
    assert out == {"k1": "K1", "k2": "K2", "m1": "M1"}
    for group in gate.groups:
        keys = [item[0] for item in group]
        assert len(keys) == len(set(keys)), gate.groups


def test_each_caller_gets_its_own_error() -> None:
    def answer(item: str) -> object:
        return ValueError(f"no {item}") if item.startswith("bad") else item.upper()

    gate = _Gate(answer)
    gate.hold.set()
    gc: GroupCommit[str, object] = GroupCommit(gate)
    out = _submit_all(gc, ["ok1", "bad1", "ok2", "bad2"])
    assert out["ok1"] == "OK1" and out["ok2"] == "OK2"
    assert isinstance(out["bad1"], ValueError) and str(out["bad1"]) == "no bad1"
    assert isinstance(out["bad2"], ValueError) and str(out["bad2"]) == "no bad2"


def test_a_failed_run_fails_every_caller_of_its_group_and_the_next_run_goes_on() -> None:
    calls = {"n": 0}

    def run(items: list[str]) -> Sequence[object]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("database gone")
        return [item.upper() for item in items]

    gc: GroupCommit[str, object] = GroupCommit(run)
    with pytest.raises(ConnectionError, match="database gone"):
        gc.submit("a")
    assert gc.submit("b") == "B"


def test_a_run_that_answers_for_the_wrong_number_of_items_is_an_error() -> None:
    gc: GroupCommit[str, object] = GroupCommit(lambda items: [])
    with pytest.raises(RuntimeError, match="wrong number"):
        gc.submit("a")


def test_a_second_group_runs_beside_the_first_only_when_it_is_worth_it() -> None:
    gate = _Gate()
    gc: GroupCommit[str, object] = GroupCommit(gate, max_running=2, min_parallel_group=3)
    first = threading.Thread(target=gc.submit, args=("a",))
    first.start()
    assert gate.started.wait(5)
    gate.started.clear()
    two = [threading.Thread(target=gc.submit, args=(i,)) for i in "bc"]
    for thread in two:
        thread.start()
    _wait_for(lambda: len(gc._waiting) == 2)
    assert not gate.started.wait(0.2)  # two waiting: not worth a second run yet
    third = threading.Thread(target=gc.submit, args=("d",))
    third.start()
    assert gate.started.wait(5)  # three waiting: a second run starts beside the first
    assert sorted(gate.groups[1]) == ["b", "c", "d"]
    gate.hold.set()
    for thread in [first, *two, third]:
        thread.join(5)
        assert not thread.is_alive()
