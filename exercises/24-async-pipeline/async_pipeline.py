"""Exercise 24: a multi-stage producer-consumer pipeline on asyncio queues. Read README.md for the full spec.

The data classes and the exception are given; write `run_pipeline` (and any helpers you like).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

OnError = Literal["fail", "skip", "retry"]


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


async def run_pipeline(
    source: Iterable[Any] | AsyncIterable[Any],
    stages: Sequence[Stage],
    *,
    ordered: bool = False,
    stop: asyncio.Event | None = None,
) -> PipelineResult:
    """Run every item of `source` through `stages` in turn, each stage on its own workers and bounded queue.

    Pulls from `source` lazily (backpressure), applies each stage's error policy, returns the last stage's
    outputs (in source order if `ordered`, else in the order they finished), stops pulling once `stop` is set
    and drains what it already pulled, and leaves no task behind when it returns, raises or is cancelled.
    """
    raise NotImplementedError
