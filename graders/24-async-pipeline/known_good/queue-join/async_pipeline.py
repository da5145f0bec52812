"""Known-good: the asyncio-docs worker pattern (workers loop forever, `Queue.join()` per stage, then cancel).

No sentinels and no TaskGroup: the driver feeds the source, joins the queues in order (stage n's queue is
joined once every item put into it has been handed on or dropped), and a `finally` cancels and awaits every
task on every path. A "fail" completes a future that the caller races against the driver.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

OnError = Literal["fail", "skip", "retry"]


@dataclass(frozen=True)
class Stage:
    func: Callable[[Any], Awaitable[Any]]
    workers: int = 1
    queue_size: int = 1
    on_error: OnError = "fail"
    retries: int = 2


@dataclass(frozen=True)
class Failure:
    stage: int
    index: int
    item: Any
    exception: Exception
    attempts: int


@dataclass
class PipelineResult:
    outputs: list[Any] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


class PipelineError(Exception):
    def __init__(self, failure: Failure) -> None:
        exc = failure.exception
        super().__init__(
            f"stage {failure.stage} failed on item {failure.index} ({failure.item!r}) after "
            f"{failure.attempts} attempt(s): {type(exc).__name__}: {exc}"
        )
        self.failure = failure


async def _next_or_stop(it: AsyncIterator[Any], stop: asyncio.Event) -> tuple[bool, Any]:
    getter = asyncio.ensure_future(it.__anext__())
    waiter = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait([getter, waiter], return_when=asyncio.FIRST_COMPLETED)
    finally:
        getter.cancel()
        waiter.cancel()
        await asyncio.gather(getter, waiter, return_exceptions=True)
    if getter.cancelled():
        return False, None
    try:
        return True, getter.result()
    except StopAsyncIteration:
        return False, None


async def run_pipeline(
    source: Iterable[Any] | AsyncIterable[Any],
    stages: Sequence[Stage],
    *,
    ordered: bool = False,
    stop: asyncio.Event | None = None,
) -> PipelineResult:
    if len(stages) == 0:
        raise ValueError("no stages")
    for s in stages:
        if s.workers < 1 or s.queue_size < 1 or s.retries < 0 or s.on_error not in ("fail", "skip", "retry"):
            raise ValueError(f"bad stage {s}")
    queues: list[asyncio.Queue[tuple[int, Any]]] = [asyncio.Queue(maxsize=s.queue_size) for s in stages]
    done: list[tuple[int, Any]] = []
    failures: list[Failure] = []
    failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def worker(n: int) -> None:
        stage = stages[n]
        while True:
            index, value = await queues[n].get()
            try:
                tries = stage.retries + 1 if stage.on_error == "retry" else 1
                attempt = 0
                while True:
                    attempt += 1
                    try:
                        out = await stage.func(value)
                        break
                    except Exception as exc:
                        if attempt < tries:
                            continue
                        failure = Failure(n, index, value, exc, attempt)
                        if stage.on_error == "skip":
                            failures.append(failure)
                            out = failures  # marker: dropped
                            break
                        if not failed.done():
                            error = PipelineError(failure)
                            error.__cause__ = exc
                            failed.set_exception(error)
                        return
                if out is failures:
                    continue
                if n + 1 == len(stages):
                    done.append((index, out))
                else:
                    await queues[n + 1].put((index, out))
            finally:
                queues[n].task_done()

    async def drive() -> None:
        index = 0
        if isinstance(source, AsyncIterable):
            it = source.__aiter__()
            while True:
                if stop is None:
                    try:
                        value = await it.__anext__()
                    except StopAsyncIteration:
                        break
                else:
                    if stop.is_set():
                        break
                    got, value = await _next_or_stop(it, stop)
                    if not got:
                        break
                await queues[0].put((index, value))
                index += 1
        else:
            it2 = iter(source)
            while not (stop is not None and stop.is_set()):
                try:
                    value = next(it2)
                except StopIteration:
                    break
                await queues[0].put((index, value))
                index += 1
        for q in queues:
            await q.join()

    tasks = [asyncio.ensure_future(worker(n)) for n, s in enumerate(stages) for _ in range(s.workers)]
    driver = asyncio.ensure_future(drive())
    try:
        await asyncio.wait([driver, failed], return_when=asyncio.FIRST_COMPLETED)
        if failed.done():
            failed.result()  # raises the PipelineError
        driver.result()  # raises the source's exception, if any
    finally:
        everything = [*tasks, driver]
        for t in everything:
            t.cancel()
        await asyncio.gather(*everything, return_exceptions=True)
        if not failed.done():
            failed.cancel()
    if ordered:
        done.sort(key=lambda p: p[0])
    return PipelineResult([v for _, v in done], failures)
