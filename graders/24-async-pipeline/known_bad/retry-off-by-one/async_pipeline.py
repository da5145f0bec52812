"""Known-bad: under "retry" it makes `retries` attempts in all instead of 1 + retries.

Exercise 24: a multi-stage producer-consumer pipeline on asyncio queues.

Items flow source → feeder → queue 0 → stage 0 workers → queue 1 → stage 1 workers → … → outputs. Every queue
is bounded, so a slow stage makes its upstream neighbours block on `put`, all the way back to the feeder, which
then stops pulling from the source: that is backpressure. One `asyncio.TaskGroup` owns every task, so a failure
or a cancellation tears all of them down before `run_pipeline` returns or raises.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

OnError = Literal["fail", "skip", "retry"]
_POLICIES = ("fail", "skip", "retry")


@dataclass(frozen=True)
class Stage:
    """One step of the pipeline: `workers` tasks calling `func` on items taken from a queue of `queue_size`."""

    func: Callable[[Any], Awaitable[Any]]
    workers: int = 1
    queue_size: int = 1
    on_error: OnError = "fail"
    retries: int = 2


@dataclass(frozen=True)
class Failure:
    """A stage call that failed for good: which stage, which source item, the value it got, and why."""

    stage: int
    index: int
    item: Any
    exception: Exception
    attempts: int


@dataclass
class PipelineResult:
    """What a finished run produced: the last stage's outputs and the items dropped under "skip"."""

    outputs: list[Any] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


class PipelineError(Exception):
    """A stage failed under the "fail" policy (or ran out of retries); `__cause__` is the original exception."""

    def __init__(self, failure: Failure) -> None:
        exc = failure.exception
        super().__init__(
            f"stage {failure.stage} failed on item {failure.index} ({failure.item!r}) after "
            f"{failure.attempts} attempt(s): {type(exc).__name__}: {exc}"
        )
        self.failure = failure


@dataclass(frozen=True)
class _Item:
    """An item in flight: its position in the source (for ordering and error reports) and its current value."""

    index: int
    value: Any


class _Done:
    """The end-of-stream marker: one per downstream worker, queued behind the last real item."""


_DONE = _Done()
_Message = _Item | _Done


def _validate(stages: Sequence[Stage]) -> None:
    if not stages:
        raise ValueError("a pipeline needs at least one stage")
    for i, stage in enumerate(stages):
        if stage.workers < 1 or stage.queue_size < 1 or stage.retries < 0:
            raise ValueError(
                f"stage {i}: workers and queue_size must be at least 1 and retries at least 0, got {stage}"
            )
        if stage.on_error not in _POLICIES:
            raise ValueError(f"stage {i}: on_error must be one of {_POLICIES}, got {stage.on_error!r}")


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first real exception inside a (possibly nested) exception group."""
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first


async def _pull(iterator: AsyncIterator[Any], stop: asyncio.Event | None) -> tuple[bool, Any]:
    """The next item of an async source, or (False, None) when `stop` is set first (the pull is cancelled)."""
    if stop is None:
        return True, await anext(iterator)
    if stop.is_set():
        return False, None
    pull: asyncio.Future[Any] = asyncio.ensure_future(anext(iterator))
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait((pull, stopped), return_when=asyncio.FIRST_COMPLETED)
    finally:
        # Whatever happened (including our own cancellation), neither helper task may outlive this call.
        for task in (pull, stopped):
            task.cancel()
        await asyncio.gather(pull, stopped, return_exceptions=True)
    if pull.cancelled():
        return False, None
    return True, pull.result()  # re-raises StopAsyncIteration or the source's own exception


class _Run:
    """The state of one `run_pipeline` call: the queues, the outputs, and the coroutines of each task."""

    def __init__(self, stages: Sequence[Stage], stop: asyncio.Event | None) -> None:
        self.stages = stages
        self.stop = stop
        self.queues: list[asyncio.Queue[_Message]] = [asyncio.Queue(s.queue_size) for s in stages]
        self.running = [s.workers for s in stages]  # workers of each stage that have not exited yet
        self.outputs: list[tuple[int, Any]] = []
        self.failures: list[Failure] = []

    async def feed(self, source: Iterable[Any] | AsyncIterable[Any]) -> None:
        """Pull lazily: the next item is read only after the previous one found room in the first queue."""
        queue = self.queues[0]
        if isinstance(source, AsyncIterable):
            iterator = aiter(source)
            index = 0
            while True:
                try:
                    got, value = await _pull(iterator, self.stop)
                except StopAsyncIteration:
                    break
                if not got:
                    break
                await queue.put(_Item(index, value))
                index += 1
        else:
            items: Iterator[Any] = iter(source)
            for index, value in enumerate(_until(items, self.stop)):
                await queue.put(_Item(index, value))
        for _ in range(self.stages[0].workers):
            await queue.put(_DONE)

    async def work(self, n: int) -> None:
        """One worker of stage `n`: take, call (with the stage's error policy), pass on, until the end marker."""
        stage, inbox = self.stages[n], self.queues[n]
        last = n == len(self.stages) - 1
        while not isinstance(message := await inbox.get(), _Done):
            ok, value = await self.call(n, stage, message)
            if not ok:
                continue  # skipped: recorded in self.failures
            if last:
                self.outputs.append((message.index, value))
            else:
                await self.queues[n + 1].put(_Item(message.index, value))
        self.running[n] -= 1
        if self.running[n] == 0 and not last:  # the last worker out tells every downstream worker
            for _ in range(self.stages[n + 1].workers):
                await self.queues[n + 1].put(_DONE)

    async def call(self, n: int, stage: Stage, item: _Item) -> tuple[bool, Any]:
        attempts = max(stage.retries, 1) if stage.on_error == "retry" else 1
        for attempt in range(1, attempts + 1):
            try:
                return True, await stage.func(item.value)
            except Exception as exc:  # CancelledError is a BaseException: cancellation passes straight through
                if attempt < attempts:
                    continue
                failure = Failure(n, item.index, item.value, exc, attempt)
                if stage.on_error == "skip":
                    self.failures.append(failure)
                    return False, None
                raise PipelineError(failure) from exc
        raise AssertionError("unreachable: the loop returns or raises")


def _until(items: Iterator[Any], stop: asyncio.Event | None) -> Iterator[Any]:
    """`items`, checking `stop` before each pull from the source."""
    while stop is None or not stop.is_set():
        try:
            yield next(items)
        except StopIteration:
            return


async def run_pipeline(
    source: Iterable[Any] | AsyncIterable[Any],
    stages: Sequence[Stage],
    *,
    ordered: bool = False,
    stop: asyncio.Event | None = None,
) -> PipelineResult:
    """Run every item of `source` through `stages` in turn; see README.md for the full contract."""
    _validate(stages)
    run = _Run(stages, stop)
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(run.feed(source), name="pipeline-feeder")
            for n, stage in enumerate(stages):
                for w in range(stage.workers):
                    group.create_task(run.work(n), name=f"pipeline-stage{n}-worker{w}")
    except BaseExceptionGroup as errors:
        # TaskGroup has cancelled and awaited every task; surface the first error as itself, not as a group.
        error = _first_leaf(errors)
        raise error from error.__cause__
    if ordered:
        run.outputs.sort(key=lambda pair: pair[0])
    return PipelineResult([value for _, value in run.outputs], run.failures)
