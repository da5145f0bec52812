"""Instrumentation for exercise 24's grader: counting sources and stage functions, and a task-leak check.

Everything here runs on one event loop, so plain counters are exact: an item is counted as pulled inside the
source's own `next()`, and as finished inside the last stage's function, before it returns.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

STAGE_CALL_LIMIT_S = 3.0  # a stage call waiting on the grader's own gate gives up after this long


class GateTimeout(Exception):
    """A stage call waited for a condition that a correct pipeline reaches at once."""


@dataclass
class Probe:
    """Counts pulls, calls in progress per stage, and finished items; tracks the high-water marks."""

    stages: int
    pulled: int = 0
    finished: int = 0
    max_in_flight: int = 0
    active: list[int] = field(default_factory=list)
    peak: list[int] = field(default_factory=list)
    entered: int = 0
    exited: int = 0
    cancelled: int = 0
    seen: list[list[Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.active = [0] * self.stages
        self.peak = [0] * self.stages
        self.seen = [[] for _ in range(self.stages)]

    def _pull(self) -> None:
        self.pulled += 1
        self.max_in_flight = max(self.max_in_flight, self.pulled - self.finished)

    def source(self, items: Iterable[Any]) -> Iterator[Any]:
        """A sync source that counts each item as it is pulled."""
        for item in items:
            self._pull()
            yield item

    async def asource(self, items: Iterable[Any], *, then_wait_forever: bool = False) -> AsyncIterator[Any]:
        """An async source that counts each pull; optionally it then waits forever for the next item."""
        for item in items:
            await asyncio.sleep(0)
            self._pull()
            yield item
        if then_wait_forever:
            await asyncio.Event().wait()

    def stage(
        self,
        n: int,
        body: Callable[[Any], Awaitable[Any]],
    ) -> Callable[[Any], Coroutine[Any, Any, Any]]:
        """Wrap `body` as stage `n`'s function, counting calls in progress and finished items."""
        last = n == self.stages - 1

        async def call(item: Any) -> Any:
            self.entered += 1
            self.active[n] += 1
            self.peak[n] = max(self.peak[n], self.active[n])
            self.seen[n].append(item)
            try:
                return await body(item)
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
            finally:
                self.active[n] -= 1
                self.exited += 1
                if last:
                    self.finished += 1

        return call

    def bound(self, workers: list[int], queue_sizes: list[int]) -> int:
        return 1 + sum(workers) + sum(queue_sizes)


async def yields(count: int) -> None:
    """Give other tasks `count` turns (no wall-clock time involved)."""
    for _ in range(count):
        await asyncio.sleep(0)


async def wait_for_gate(gate: asyncio.Event, what: str) -> None:
    try:
        await asyncio.wait_for(gate.wait(), STAGE_CALL_LIMIT_S)
    except TimeoutError:
        raise GateTimeout(f"waited {STAGE_CALL_LIMIT_S:g} s for {what}") from None


def pending_tasks() -> list[asyncio.Task[Any]]:
    """Every unfinished task except the one asking."""
    me = asyncio.current_task()
    return [t for t in asyncio.all_tasks() if t is not me]


def describe_tasks(tasks: list[asyncio.Task[Any]]) -> str:
    names = []
    for task in tasks[:6]:
        coro = task.get_coro()
        qualname = getattr(coro, "__qualname__", type(coro).__name__)
        names.append(f"{task.get_name()} running {qualname}")
    more = f" and {len(tasks) - 6} more" if len(tasks) > 6 else ""
    return "; ".join(names) + more


async def cancel_and_wait(tasks: list[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=2.0)


@dataclass
class Outcome:
    """How an awaited run_pipeline call ended, and which tasks were still pending right after it."""

    value: Any = None
    error: BaseException | None = None
    cancelled: bool = False
    leftovers: str = ""
    leftover_count: int = 0


async def settle(task: asyncio.Task[Any], timeout: float, what: str) -> Outcome:
    """Wait for `task` (at most `timeout` s), then list the tasks left pending; leftovers are cleaned up."""
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if not done:
        task.cancel()
        await asyncio.wait({task}, timeout=2.0)
        await cancel_and_wait(pending_tasks())
        raise AssertionError(
            f"{what} did not finish within {timeout:g} s. Did the workers wait forever for an item that never "
            "comes (is the end of the stream signalled to every worker of every stage)?"
        )
    left = pending_tasks()  # right away: the pipeline's own tasks must be finished by now
    outcome = Outcome(leftovers=describe_tasks(left), leftover_count=len(left))
    await cancel_and_wait(left)
    if task.cancelled():
        outcome.cancelled = True
    elif task.exception() is not None:
        outcome.error = task.exception()
    else:
        outcome.value = task.result()
    return outcome


def no_leftovers(outcome: Outcome, after: str) -> None:
    assert outcome.leftover_count == 0, (
        f"after {after}, {outcome.leftover_count} task(s) were still pending: {outcome.leftovers}. Every task "
        "the pipeline creates must be finished when run_pipeline returns, raises or is cancelled: did you cancel "
        "and await them on every path (asyncio.TaskGroup, or try/finally with cancel() and gather)?"
    )


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock jumps straight to the next timer whenever no callback is ready to run.

    `asyncio.sleep` then takes no real time, and `loop.time()` measures exactly the waiting that the pipeline's
    structure implies, whatever the load on the machine: 4 workers sleeping 1 s on 12 items take 3.0 s of loop time.
    (It reads two private attributes of CPython's BaseEventLoop, `_ready` and `_scheduled`.)
    """

    def __init__(self) -> None:
        super().__init__()
        self._virtual_now = 0.0

    def time(self) -> float:
        return self._virtual_now

    def _run_once(self) -> None:
        if not self._ready:  # type: ignore[attr-defined]
            timers = [h.when() for h in self._scheduled if not h.cancelled()]  # type: ignore[attr-defined]
            if timers:
                self._virtual_now = max(self._virtual_now, min(timers))
        super()._run_once()  # type: ignore[misc]


def run_on_virtual_clock(make: Callable[[], Awaitable[Any]]) -> tuple[Any, float]:
    """Run `make()` on a VirtualClockLoop; return its result and the loop time it took."""

    async def timed() -> tuple[Any, float]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        value = await asyncio.wait_for(make(), 1000.0)
        return value, loop.time() - start

    with asyncio.Runner(loop_factory=VirtualClockLoop) as runner:
        return runner.run(timed())
