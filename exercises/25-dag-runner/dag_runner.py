"""Exercise 25: a DAG task runner on `concurrent.futures` executors. Read README.md for the full spec.

The data classes and the exception are given; write `run_dag` (and any helpers you like).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["succeeded", "failed", "cancelled"]
EventKind = Literal["started", "retrying", "succeeded", "failed", "cancelled"]


@dataclass(frozen=True)
class Task:
    """A unit of work: `func(*results of deps, in order)`, retried `retries` times, each call within `timeout` s."""

    name: str
    func: Callable[..., Any]
    deps: Sequence[str] = ()
    retries: int = 0
    timeout: float | None = None


@dataclass(frozen=True)
class TaskResult:
    """How a task ended: its value if it succeeded, the last exception if it failed, nothing if cancelled."""

    name: str
    status: Status
    value: Any = None
    error: BaseException | None = None
    attempts: int = 0


@dataclass(frozen=True)
class Progress:
    """One progress event; `done` counts tasks that have reached their final status, out of `total`."""

    kind: EventKind
    task: str
    attempt: int
    done: int
    total: int


class CycleError(ValueError):
    """The dependencies form a cycle; `cycle` names it: each task depends on the next, and the last is the first."""

    def __init__(self, cycle: list[str]) -> None:
        super().__init__("dependency cycle: " + " -> ".join(cycle))
        self.cycle = cycle


def run_dag(
    tasks: Iterable[Task],
    *,
    max_workers: int = 4,
    executor: Literal["thread", "process"] = "thread",
    on_progress: Callable[[Progress], None] | None = None,
) -> dict[str, TaskResult]:
    """Run every task once all its dependencies have succeeded, up to `max_workers` at a time on a fresh
    ThreadPoolExecutor or ProcessPoolExecutor, with retries, per-call timeouts, cancellation of the dependents of
    a failed task, and progress events; return a TaskResult for every task, keyed by name.
    """
    raise NotImplementedError
