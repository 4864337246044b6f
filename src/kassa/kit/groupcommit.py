"""Group commit: calls that arrive together from different threads run as one unit.

Many threads of one process each submit an item and wait for its own outcome. One of them
(the leader) takes every item waiting at that moment, up to ``max_group``, and runs the
group with one call of ``run``; the others wait. When a run ends, the oldest caller still
waiting is woken to lead the items that arrived meanwhile. So a lone caller runs at once,
alone, and under load the groups grow by themselves, with no timer: the busier the system,
the more each round trip and commit is shared. PostgreSQL commits its WAL the same way.

``run`` returns one outcome per item, in order: a result, or the exception that item's
caller gets. If ``run`` itself raises, every caller in the group gets that exception.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Slot(Generic[T, R]):
    __slots__ = ("done", "error", "item", "promoted", "result", "wake")

    def __init__(self, item: T) -> None:
        self.item = item
        self.promoted = False  # its thread is to lead the next group
        self.done = False
        self.result: R | None = None
        self.error: BaseException | None = None
        # Each caller sleeps on its own event: a finished group wakes just its members and
        # the next leader, not every waiting thread (each wake-up costs a GIL hand-over).
        self.wake = threading.Event()


class GroupCommit(Generic[T, R]):
    def __init__(
        self,
        run: Callable[[list[T]], Sequence[R | BaseException]],
        *,
        max_group: int = 64,
        max_running: int = 1,
        min_parallel_group: int = 1,
        key: Callable[[T], Hashable | None] = lambda item: None,
    ) -> None:
        """``key``: items with the same (non-None) key never share a group; the later one
        waits for the next. ``max_running``: groups of this process in flight at once; a
        group beside a running one starts only with ``min_parallel_group`` items waiting."""
        self._run = run
        self._max_group = max_group
        self._max_running = max_running
        self._min_parallel_group = min_parallel_group
        self._key = key
        self._lock = threading.Lock()
        self._waiting: deque[_Slot[T, R]] = deque()
        self._running = 0  # groups running or promised to a promoted caller
        self._sizes: list[int] = []  # sizes of the groups running
        self._peak = 0  # callers seen in the system at once, lately (decays by one a group)

    def submit(self, item: T) -> R:
        """Run ``item`` (with whatever else is waiting) and return its result or raise its
        error."""
        slot: _Slot[T, R] = _Slot(item)
        with self._lock:
            self._waiting.append(slot)
            lead = self._may_start()
            if lead:
                self._running += 1
        while True:
            if lead:
                self._lead()
                lead = False
            # Flags are set before the event, and read after it is cleared: no lost wake-up.
            # A promotion reserved a running place, so it is honoured even if another group
            # already took this slot (the empty lead just gives the place back).
            if slot.promoted:
                slot.promoted = False
                lead = True
                continue
            if slot.done:
                break
            slot.wake.wait()
            slot.wake.clear()
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]

    def _may_start(self) -> bool:
        """Whether one more group may start now; called with the lock held."""
        if self._running == 0:
            return bool(self._waiting)
        # Beside a running group, only a group of a fair share of the callers: one started
        # for every newcomer would split the load into many small groups instead of a few
        # large ones, and every group costs a round trip and a commit. The callers are
        # counted by their recent peak, as some are always between two calls.
        waiting = len(self._waiting)
        callers = max(self._peak, waiting + sum(self._sizes))
        enough = max(self._min_parallel_group, -(-callers // self._max_running))
        return self._running < self._max_running and waiting >= enough

    def _lead(self) -> None:
        """Take a group and run it; the caller has reserved a running place for it."""
        with self._lock:
            in_system = len(self._waiting) + sum(self._sizes)
            self._peak = max(in_system, self._peak - 1)
            group = self._take()
            self._sizes.append(len(group))
        outcomes: Sequence[R | BaseException] = []
        try:
            if group:
                outcomes = self._run([s.item for s in group])
            if len(outcomes) != len(group):
                raise RuntimeError("a group run answered for the wrong number of items")
        except Exception as exc:  # noqa: BLE001 - every caller of the group learns why
            outcomes = [exc] * len(group)
        finally:
            if len(outcomes) != len(group):  # interrupted: nobody may wait forever
                outcomes = [RuntimeError("the group's run was interrupted")] * len(group)
            for slot, outcome in zip(group, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    slot.error = outcome
                else:
                    slot.result = outcome
                slot.done = True
            with self._lock:
                self._running -= 1
                self._sizes.remove(len(group))
                leaders = self._promote()
            for slot in group:
                slot.wake.set()
            for slot in leaders:
                slot.wake.set()

    def _promote(self) -> list[_Slot[T, R]]:
        """Hand free running places to waiting callers, oldest first; lock held."""
        leaders: list[_Slot[T, R]] = []
        candidates = (s for s in self._waiting if not s.promoted)
        while self._may_start():
            slot = next(candidates, None)
            if slot is None:
                break
            slot.promoted = True
            self._running += 1
            leaders.append(slot)
        return leaders

    def _take(self) -> list[_Slot[T, R]]:
        return take_group(self._waiting, self._max_group, lambda slot: self._key(slot.item))


W = TypeVar("W")


def take_group(
    waiting: deque[W],
    max_group: int,
    key: Callable[[W], Hashable | None],
    skip: Callable[[W], bool] = lambda entry: False,
) -> list[W]:
    """The next group from the front of ``waiting``: up to ``max_group`` entries, never two
    with the same (non-None) key - a later one stays, in its place, for the next group.
    Entries for which ``skip`` says so are dropped."""
    group: list[W] = []
    keys: set[Hashable] = set()
    later: list[W] = []
    while waiting and len(group) < max_group:
        entry = waiting.popleft()
        if skip(entry):
            continue
        entry_key = key(entry)
        if entry_key is not None and entry_key in keys:
            later.append(entry)
            continue
        if entry_key is not None:
            keys.add(entry_key)
        group.append(entry)
    waiting.extendleft(reversed(later))
    return group
