"""Known-good: completions arrive through Future.add_done_callback into a queue.Queue; the caller's loop reads
that queue with a timeout set by the nearest deadline. Cycles: Kahn's algorithm finds that there is one, then a
walk inside the leftover tasks (each of which has a leftover dependency) extracts a real cycle.
"""

from __future__ import annotations

import heapq
import itertools
import queue
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["succeeded", "failed", "cancelled"]
EventKind = Literal["started", "retrying", "succeeded", "failed", "cancelled"]


@dataclass(frozen=True)
class Task:
    name: str
    func: Callable[..., Any]
    deps: Sequence[str] = ()
    retries: int = 0
    timeout: float | None = None


@dataclass(frozen=True)
class TaskResult:
    name: str
    status: Status
    value: Any = None
    error: BaseException | None = None
    attempts: int = 0


@dataclass(frozen=True)
class Progress:
    kind: EventKind
    task: str
    attempt: int
    done: int
    total: int


class CycleError(ValueError):
    def __init__(self, cycle: list[str]) -> None:
        super().__init__("dependency cycle: " + " -> ".join(cycle))
        self.cycle = cycle


def _check(tasks: list[Task]) -> None:
    by_name: dict[str, Task] = {}
    for t in tasks:
        if t.name in by_name:
            raise ValueError(f"two tasks are called {t.name!r}")
        by_name[t.name] = t
        if t.retries < 0 or (t.timeout is not None and t.timeout <= 0):
            raise ValueError(f"bad retries/timeout for {t.name!r}")
    for t in tasks:
        for d in t.deps:
            if d not in by_name:
                raise ValueError(f"{t.name!r} needs {d!r}, which does not exist")
    indegree = {t.name: len(set(t.deps)) for t in tasks}
    users: dict[str, list[str]] = {t.name: [] for t in tasks}
    for t in tasks:
        for d in set(t.deps):
            users[d].append(t.name)
    free = [n for n, k in indegree.items() if k == 0]
    while free:
        for u in users[free.pop()]:
            indegree[u] -= 1
            if indegree[u] == 0:
                free.append(u)
    left = {n for n, k in indegree.items() if k > 0}
    if not left:
        return
    # Every leftover task has a leftover dependency: walk them until a task repeats.
    walk = [min(left)]
    position = {walk[0]: 0}
    while True:
        nxt = next(d for d in by_name[walk[-1]].deps if d in left)
        if nxt in position:
            raise CycleError([*walk[position[nxt] :], nxt])
        position[nxt] = len(walk)
        walk.append(nxt)


def run_dag(
    tasks: Iterable[Task],
    *,
    max_workers: int = 4,
    executor: Literal["thread", "process"] = "thread",
    on_progress: Callable[[Progress], None] | None = None,
) -> dict[str, TaskResult]:
    todo = list(tasks)
    if max_workers < 1 or executor not in ("thread", "process"):
        raise ValueError("bad max_workers or executor")
    _check(todo)
    if not todo:
        return {}
    by_name = {t.name: t for t in todo}
    users: dict[str, list[str]] = {t.name: [] for t in todo}
    missing = {t.name: len(t.deps) for t in todo}
    for t in todo:
        for d in t.deps:
            users[d].append(t.name)
    results: dict[str, TaskResult] = {}
    values: dict[str, Any] = {}
    ready: list[tuple[str, int]] = [(t.name, 1) for t in todo if not t.deps]
    inbox: queue.Queue[Future[Any]] = queue.Queue()
    live: dict[Future[Any], tuple[str, int]] = {}  # call -> (task, attempt)
    zombies: set[Future[Any]] = set()
    deadlines: list[tuple[float, int, Future[Any]]] = []
    tie = itertools.count()

    def tell(kind: EventKind, name: str, attempt: int) -> None:
        if on_progress:
            on_progress(Progress(kind, name, attempt, len(results), len(todo)))

    def finish(name: str, attempt: int, error: BaseException | None, value: Any = None) -> None:
        task = by_name[name]
        if error is None:
            results[name] = TaskResult(name, "succeeded", value, None, attempt)
            values[name] = value
            tell("succeeded", name, attempt)
            for u in users[name]:
                missing[u] -= 1
                if missing[u] == 0 and u not in results:
                    ready.append((u, 1))
            return
        if attempt <= task.retries:
            tell("retrying", name, attempt)
            ready.insert(0, (name, attempt + 1))
            return
        results[name] = TaskResult(name, "failed", None, error, attempt)
        tell("failed", name, attempt)
        doomed = list(users[name])
        while doomed:
            u = doomed.pop()
            if u not in results:
                results[u] = TaskResult(u, "cancelled")
                tell("cancelled", u, 0)
                doomed.extend(users[u])

    pool: Executor = ThreadPoolExecutor(max_workers) if executor == "thread" else ProcessPoolExecutor(max_workers)
    try:
        while len(results) < len(todo):
            while ready and len(live) + len(zombies) < max_workers:
                name, attempt = ready.pop(0)
                task = by_name[name]
                fut = pool.submit(task.func, *[values[d] for d in task.deps])
                live[fut] = (name, attempt)
                if task.timeout is not None:
                    heapq.heappush(deadlines, (time.monotonic() + task.timeout, next(tie), fut))
                tell("started", name, attempt)
                fut.add_done_callback(inbox.put)
            while deadlines and deadlines[0][2] not in live:
                heapq.heappop(deadlines)
            wait_s = max(0.0, deadlines[0][0] - time.monotonic()) if deadlines else None
            try:
                fut = inbox.get(timeout=wait_s)
            except queue.Empty:
                fut = None
            if fut is not None:
                if fut in zombies:
                    zombies.discard(fut)
                elif fut in live:
                    name, attempt = live.pop(fut)
                    exc = fut.exception()
                    finish(name, attempt, exc, None if exc else fut.result())
            now = time.monotonic()
            while deadlines and deadlines[0][0] <= now:
                _, _, late = heapq.heappop(deadlines)
                if late in live:
                    name, attempt = live.pop(late)
                    if not late.cancel():
                        zombies.add(late)
                    finish(name, attempt, TimeoutError(f"{name} timed out"))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return results
