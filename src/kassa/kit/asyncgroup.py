"""Group commit for the coroutines of one event loop (``kassa.kit.groupcommit`` for threads).

Requests served by one event loop submit an item each and await its own outcome. When no
group is running, the waiting items (up to ``max_group``) start one at once, so a lone
request is never delayed; while groups run, new items gather and go together in the next.
``run`` gets the items of a group and returns one outcome per item, in order: a result, or
the exception that item's caller gets. If ``run`` itself raises, every caller of the group
gets that exception.

With ``gather_s``, a group that would start while fewer items wait than were lately in the
system at once waits up to that long for the rest (PostgreSQL's ``commit_delay`` and
``commit_siblings`` do the same for WAL flushes). Callers that are served together tend to
come back together, but one by one: without it, the first of them starts a group alone and
the others wait for it to finish, so the groups split into a single item and the rest, and
every group costs a round trip and a commit.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

from kassa.kit.groupcommit import take_group

T = TypeVar("T")
R = TypeVar("R")


class AsyncGroupCommit(Generic[T, R]):
    def __init__(
        self,
        run: Callable[[list[T]], Awaitable[Sequence[R | BaseException]]],
        *,
        max_group: int = 64,
        max_running: int = 2,
        key: Callable[[T], Hashable | None] = lambda item: None,
        gather_s: float = 0.0,
        peak_window_s: float = 1.0,
    ) -> None:
        """``key``: items with the same (non-None) key never share a group; the later one
        waits for the next. ``max_running``: groups in flight at once. A group beside a
        running one starts only when at least as many items wait as the smallest running
        group holds: under load that keeps the groups large and even, instead of one large
        group and a train of single items behind it. ``gather_s``: how long a group that
        starts when none runs may wait for the callers the recent peak says are coming (0:
        never). The peak is the most items waiting and running at once, over the current and
        the previous ``peak_window_s``; a lone caller (a peak of one) never waits."""
        self._run = run
        self._max_group = max_group
        self._max_running = max_running
        self._key = key
        self._waiting: deque[tuple[T, asyncio.Future[R]]] = deque()
        self._running: dict[asyncio.Task[None], int] = {}  # group task -> its size
        self._gather_s = gather_s
        self._peak_window_s = peak_window_s
        self._peak_now = 0  # the peak in the current window
        self._peak_before = 0  # and in the one before it
        self._window_start = float("-inf")
        self._gather_timer: asyncio.TimerHandle | None = None

    @property
    def idle(self) -> bool:
        return not self._waiting and not self._running

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._gather_s > 0:
            self._count_peak()
        self._start_groups()
        return await future

    def _start_groups(self, gather: bool = True) -> None:
        while self._waiting and self._may_start():
            if gather and self._gathering():
                return
            group = self._take()
            if not group:
                return
            task = asyncio.ensure_future(self._run_group(group))
            self._running[task] = len(group)

    def _count_peak(self) -> None:
        in_system = len(self._waiting) + sum(self._running.values())
        now = asyncio.get_running_loop().time()
        elapsed = now - self._window_start
        if elapsed >= self._peak_window_s:
            # The window that ended is the one before only if it ended just now.
            self._peak_before = self._peak_now if elapsed < 2 * self._peak_window_s else 0
            self._peak_now, self._window_start = 0, now
        self._peak_now = max(self._peak_now, in_system)

    def _gathering(self) -> bool:
        """Whether the group about to start waits for more items (and arm its timer)."""
        if not self._gather_s:
            return False
        peak = max(self._peak_now, self._peak_before)
        if self._running or len(self._waiting) >= peak:
            if self._gather_timer is not None:
                self._gather_timer.cancel()
                self._gather_timer = None
            return False
        if self._gather_timer is None:
            self._gather_timer = asyncio.get_running_loop().call_later(
                self._gather_s, self._end_gathering
            )
        return True

    def _end_gathering(self) -> None:
        self._gather_timer = None
        self._start_groups(gather=False)  # the wait is over: whoever waits goes now

    def _may_start(self) -> bool:
        if not self._running:
            return True
        if len(self._running) >= self._max_running:
            return False
        return len(self._waiting) >= min(self._running.values())

    def _take(self) -> list[tuple[T, asyncio.Future[R]]]:
        return take_group(
            self._waiting,
            self._max_group,
            lambda entry: self._key(entry[0]),
            # Its caller went away before the group started.
            skip=lambda entry: entry[1].done(),
        )

    async def _run_group(self, group: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            outcomes: Sequence[R | BaseException] = await self._run([item for item, _ in group])
            if len(outcomes) != len(group):
                raise RuntimeError(f"{len(outcomes)} outcomes for a group of {len(group)}")
        except asyncio.CancelledError:
            for _, future in group:
                future.cancel()
            raise
        except Exception as exc:  # noqa: BLE001 - every caller of the group gets it
            outcomes = [exc] * len(group)
        finally:
            task = asyncio.current_task()
            self._running.pop(task, None)  # type: ignore[arg-type]
        for (_, future), outcome in zip(group, outcomes, strict=True):
            if future.done():  # its caller was cancelled while the group ran
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
        self._start_groups()
