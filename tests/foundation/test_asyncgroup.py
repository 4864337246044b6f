"""``AsyncGroupCommit``: coroutines of one loop share runs, each gets its own outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from kassa.kit.asyncgroup import AsyncGroupCommit


class _Gate:
    """A run that records its groups and holds each until ``release`` is set."""

    def __init__(self) -> None:
        self.groups: list[list[str]] = []
        self.release = asyncio.Event()

    async def __call__(self, items: list[str]) -> Sequence[object]:
        self.groups.append(list(items))
        await self.release.wait()
        return [ValueError(item) if item.startswith("bad") else item.upper() for item in items]


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_a_lone_item_runs_at_once_and_alone() -> None:
    async def main() -> None:
        gate = _Gate()
        gate.release.set()
        gc: AsyncGroupCommit[str, object] = AsyncGroupCommit(gate)
        assert await gc.submit("a") == "A"
        assert gate.groups == [["a"]]
        assert gc.idle

    asyncio.run(main())


def test_items_that_wait_go_together_and_each_gets_its_own_outcome() -> None:
    async def main() -> None:
        gate = _Gate()
        gc: AsyncGroupCommit[str, object] = AsyncGroupCommit(gate, max_running=1)
        first = asyncio.ensure_future(gc.submit("a"))
        await _settle()
        rest = [asyncio.ensure_future(gc.submit(x)) for x in ("b", "bad-c", "d")]
        await _settle()
        assert gate.groups == [["a"]], "the others wait while a group runs"
        gate.release.set()
        assert await first == "A"
        outcomes = await asyncio.gather(*rest, return_exceptions=True)
        assert outcomes[0] == "B" and outcomes[2] == "D"
        assert isinstance(outcomes[1], ValueError) and str(outcomes[1]) == "bad-c"
        assert gate.groups == [["a"], ["b", "bad-c", "d"]]

    asyncio.run(main())


def test_the_same_key_never_shares_a_group() -> None:
    async def main() -> None:
        gate = _Gate()
        gc: AsyncGroupCommit[str, object] = AsyncGroupCommit(
            gate, max_running=1, key=lambda item: item[0]
        )
        first = asyncio.ensure_future(gc.submit("x0"))
        await _settle()
        waiting = [asyncio.ensure_future(gc.submit(x)) for x in ("k1", "k2", "m1", "k3")]
        await _settle()
        gate.release.set()
        await asyncio.gather(first, *waiting)
        assert gate.groups == [["x0"], ["k1", "m1"], ["k2"], ["k3"]]

    asyncio.run(main())


class _Gates:
    """A run whose every group waits for its own release."""

    def __init__(self) -> None:
        self.groups: list[list[str]] = []
        self.releases: list[asyncio.Event] = []

    async def __call__(self, items: list[str]) -> Sequence[object]:
        release = asyncio.Event()
        self.groups.append(list(items))
        self.releases.append(release)
        await release.wait()
        return [item.upper() for item in items]


def test_a_second_group_waits_for_a_fair_share() -> None:
    async def main() -> None:
        gates = _Gates()
        gc: AsyncGroupCommit[str, object] = AsyncGroupCommit(gates, max_running=2)
        calls = [asyncio.ensure_future(gc.submit(x)) for x in ("a", "b", "c", "d", "e")]
        await _settle()
        assert gates.groups == [["a"], ["b"]], "two groups at most; c, d, e wait"
        gates.releases[0].set()
        await _settle()
        assert gates.groups[2:] == [["c", "d", "e"]]
        calls.append(asyncio.ensure_future(gc.submit("f")))
        gates.releases[1].set()
        await _settle()
        assert len(gates.groups) == 3, "one item waits: too few beside a group of three"
        calls += [asyncio.ensure_future(gc.submit(x)) for x in ("g", "h")]
        await _settle()
        assert gates.groups[3:] == [["f", "g", "h"]], "three waiting: a fair share"
        for release in gates.releases[2:]:
            release.set()
        assert await asyncio.gather(*calls) == ["A", "B", "C", "D", "E", "F", "G", "H"]
        assert gc.idle

    asyncio.run(main())


def test_a_failing_run_fails_every_caller_and_a_short_answer_is_refused() -> None:
    async def boom(items: list[str]) -> Sequence[object]:
        raise RuntimeError("database gone")

    async def short(items: list[str]) -> Sequence[object]:
        return []

    async def main() -> None:
        failing: AsyncGroupCommit[str, object] = AsyncGroupCommit(boom)
        with pytest.raises(RuntimeError, match="database gone"):
            await failing.submit("a")
        lying: AsyncGroupCommit[str, object] = AsyncGroupCommit(short)
        with pytest.raises(RuntimeError, match="0 outcomes for a group of 1"):
            await lying.submit("a")
        assert failing.idle and lying.idle

    asyncio.run(main())


def test_a_caller_that_goes_away_before_its_group_starts_is_skipped() -> None:
    async def main() -> None:
        gate = _Gate()
        gc: AsyncGroupCommit[str, object] = AsyncGroupCommit(gate, max_running=1)
        first = asyncio.ensure_future(gc.submit("a"))
        await _settle()
        gone = asyncio.ensure_future(gc.submit("gone"))
        stays = asyncio.ensure_future(gc.submit("stays"))
        await _settle()
        gone.cancel()
        await _settle()
        gate.release.set()
        assert await first == "A" and await stays == "STAYS"
        assert gate.groups == [["a"], ["stays"]]

    asyncio.run(main())


def test_gathering_a_lone_caller_never_waits() -> None:
    async def main() -> None:
        gate = _Gate()
        gate.release.set()
        # A gather of a minute: a caller that waited for it would fail the wait_for below.
        gc: AsyncGroupCommit[str, object] = AsyncGroupCommit(gate, max_running=1, gather_s=60)
        for name in ("a", "b", "c"):
            assert await asyncio.wait_for(gc.submit(name), timeout=5) == name.upper()
        assert gate.groups == [["a"], ["b"], ["c"]]

    asyncio.run(main())


def test_gathering_waits_for_the_callers_served_together_lately() -> None:
    async def main() -> None:
        gate = _Gate()
        gc: AsyncGroupCommit[str, object] = AsyncGroupCommit(gate, max_running=1, gather_s=60)
        calls = [asyncio.ensure_future(gc.submit(x)) for x in ("a", "b", "c", "d")]
        await _settle()
        gate.release.set()  # four were in the system at once: a ran, b, c and d waited
        assert await calls[0] == "A"
        await _settle()
        assert gate.groups == [["a"]], "b, c and d wait for a's caller to come back"
        calls.append(asyncio.ensure_future(gc.submit("a2")))
        await _settle()
        assert gate.groups == [["a"], ["b", "c", "d", "a2"]]
        # The four come back one by one: the first three wait for the fourth.
        for name in ("e", "f", "g", "h"):
            assert len(gate.groups) == 2, f"{name} came back to a group still gathering"
            calls.append(asyncio.ensure_future(gc.submit(name)))
            await _settle()
        assert gate.groups[2:] == [["e", "f", "g", "h"]]
        assert await asyncio.gather(*calls) == ["A", "B", "C", "D", "A2", "E", "F", "G", "H"]

    asyncio.run(main())


def test_gathering_ends_after_gather_s_and_the_peak_fades() -> None:
    async def main() -> None:
        gate = _Gate()
        loop = asyncio.get_running_loop()
        gc: AsyncGroupCommit[str, object] = AsyncGroupCommit(
            gate, max_running=1, gather_s=1.0, peak_window_s=0.2
        )
        calls = [asyncio.ensure_future(gc.submit(x)) for x in ("a", "b", "c")]
        await _settle()
        released = loop.time()
        gate.release.set()
        # a's caller does not come back: b and c go once the gather is over.
        assert await asyncio.gather(*calls) == ["A", "B", "C"]
        assert loop.time() - released >= 0.9
        assert gate.groups == [["a"], ["b", "c"]]
        # Two quiet windows: the peak is one again, and a caller goes at once.
        # "At once" is well under gather_s: a gathering d would take a whole second, so a
        # pause of the shared test machine cannot pass for one, nor fail the test.
        await asyncio.sleep(0.45)
        assert await asyncio.wait_for(gc.submit("d"), timeout=0.5) == "D"
        assert gate.groups[2:] == [["d"]]

    asyncio.run(main())
