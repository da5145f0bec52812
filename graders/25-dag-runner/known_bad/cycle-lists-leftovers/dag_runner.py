"""Known-bad: detects cycles with Kahn's algorithm and reports every task left over as the cycle.

Exercise 25: a DAG task runner on `concurrent.futures` executors.

One coordinator loop, in the calling thread, owns all the state: how many unfinished dependencies each task still
waits for, which calls are in flight and when each one's timeout expires. It submits every task whose
dependencies have all succeeded as soon as a worker is free, and sleeps in `concurrent.futures.wait` until a call
finishes or the nearest deadline passes. Workers only ever run the task functions, so no locks are needed.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
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


def find_cycle(deps: Mapping[str, Sequence[str]]) -> list[str] | None:
    """Kahn's algorithm: whatever cannot be ordered is reported as the cycle."""
    waiting = {name: len(ds) for name, ds in deps.items()}
    dependents: dict[str, list[str]] = {name: [] for name in deps}
    for name, ds in deps.items():
        for d in ds:
            dependents[d].append(name)
    queue = [name for name, n in waiting.items() if n == 0]
    while queue:
        for dependent in dependents[queue.pop()]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                queue.append(dependent)
    left = [name for name, n in waiting.items() if n > 0]
    return [*left, left[0]] if left else None


def _dfs_cycle(deps: Mapping[str, Sequence[str]]) -> list[str] | None:
    """Unused."""
    visiting, finished = set[str](), set[str]()
    for root in deps:
        if root in finished:
            continue
        path = [root]
        stack = [iter(deps[root])]
        visiting.add(root)
        while stack:
            child = next(stack[-1], None)
            if child is None:  # every dependency of path[-1] explored
                stack.pop()
                finished.add(path[-1])
                visiting.discard(path.pop())
            elif child in visiting:  # a back edge: the cycle is the path from `child` to here
                return [*path[path.index(child) :], child]
            elif child not in finished:
                path.append(child)
                stack.append(iter(deps[child]))
                visiting.add(child)
    return None


def _validate(tasks: list[Task], max_workers: int, executor: str) -> None:
    if max_workers < 1:
        raise ValueError(f"max_workers must be at least 1, got {max_workers}")
    if executor not in ("thread", "process"):
        raise ValueError(f"executor must be 'thread' or 'process', got {executor!r}")
    names: set[str] = set()
    for task in tasks:
        if task.name in names:
            raise ValueError(f"duplicate task name {task.name!r}")
        names.add(task.name)
        if task.retries < 0:
            raise ValueError(f"task {task.name!r}: retries must be at least 0, got {task.retries}")
        if task.timeout is not None and not task.timeout > 0:
            raise ValueError(f"task {task.name!r}: timeout must be positive, got {task.timeout}")
    for task in tasks:
        for dep in task.deps:
            if dep not in names:
                raise ValueError(f"task {task.name!r} depends on unknown task {dep!r}")
    cycle = find_cycle({task.name: task.deps for task in tasks})
    if cycle is not None:
        raise CycleError(cycle)


@dataclass
class _Call:
    """A submitted call: which task, which attempt, and when it times out (monotonic seconds, or None)."""

    task: Task
    attempt: int
    deadline: float | None


class _Scheduler:
    def __init__(
        self, tasks: list[Task], pool: Executor, max_workers: int, on_progress: Callable[[Progress], None] | None
    ) -> None:
        self.tasks = {task.name: task for task in tasks}
        self.pool = pool
        self.max_workers = max_workers
        self.on_progress = on_progress
        self.waiting = {task.name: len(task.deps) for task in tasks}  # unfinished dependencies
        self.dependents: dict[str, list[str]] = {task.name: [] for task in tasks}
        for task in tasks:
            for dep in task.deps:
                self.dependents[dep].append(task.name)
        self.ready: deque[tuple[Task, int]] = deque((t, 1) for t in tasks if not t.deps)
        self.running: dict[Future[Any], _Call] = {}
        self.abandoned: set[Future[Any]] = set()  # timed-out calls still occupying a worker
        self.results: dict[str, TaskResult] = {}

    def emit(self, kind: EventKind, task: str, attempt: int) -> None:
        if self.on_progress is not None:
            self.on_progress(Progress(kind, task, attempt, len(self.results), len(self.tasks)))

    def run(self) -> dict[str, TaskResult]:
        while len(self.results) < len(self.tasks):
            self.submit_ready()
            now = time.monotonic()
            deadlines = [c.deadline for c in self.running.values() if c.deadline is not None]
            timeout = max(0.0, min(deadlines) - now) if deadlines else None
            finished, _ = wait({*self.running, *self.abandoned}, timeout=timeout, return_when=FIRST_COMPLETED)
            for future in finished:
                if future in self.abandoned:
                    self.abandoned.discard(future)  # a timed-out call ended at last: its worker is free
                    continue
                call = self.running.pop(future)
                error = future.exception()
                if error is None:
                    self.succeed(call.task, call.attempt, future.result())
                else:
                    self.attempt_failed(call, error)
            self.expire(time.monotonic())
        return self.results

    def submit_ready(self) -> None:
        """Start ready tasks while workers are free: a submitted call starts at once, so its timeout is fair."""
        while self.ready and len(self.running) + len(self.abandoned) < self.max_workers:
            task, attempt = self.ready.popleft()
            args = [self.results[dep].value for dep in task.deps]
            deadline = None if task.timeout is None else time.monotonic() + task.timeout
            self.running[self.pool.submit(task.func, *args)] = _Call(task, attempt, deadline)
            self.emit("started", task.name, attempt)

    def expire(self, now: float) -> None:
        for future, call in list(self.running.items()):
            if call.deadline is not None and now >= call.deadline:
                del self.running[future]
                if not future.cancel():  # it is running: Python cannot stop it, so stop waiting for it
                    self.abandoned.add(future)
                error = TimeoutError(f"task {call.task.name!r} ran past its {call.task.timeout:g} s timeout")
                self.attempt_failed(call, error)

    def succeed(self, task: Task, attempt: int, value: Any) -> None:
        self.results[task.name] = TaskResult(task.name, "succeeded", value, None, attempt)
        self.emit("succeeded", task.name, attempt)
        for name in self.dependents[task.name]:
            self.waiting[name] -= 1
            if self.waiting[name] == 0 and name not in self.results:
                self.ready.append((self.tasks[name], 1))

    def attempt_failed(self, call: _Call, error: BaseException) -> None:
        task = call.task
        if call.attempt <= task.retries:
            self.emit("retrying", task.name, call.attempt)
            self.ready.appendleft((task, call.attempt + 1))
            return
        self.results[task.name] = TaskResult(task.name, "failed", None, error, call.attempt)
        self.emit("failed", task.name, call.attempt)
        self.cancel_dependents(task.name)

    def cancel_dependents(self, name: str) -> None:
        """Every task downstream of `name` can never run: cancel it now (none of them has started)."""
        stack = list(self.dependents[name])
        while stack:
            dependent = stack.pop()
            if dependent in self.results:
                continue
            self.results[dependent] = TaskResult(dependent, "cancelled")
            self.emit("cancelled", dependent, 0)
            stack.extend(self.dependents[dependent])


def run_dag(
    tasks: Iterable[Task],
    *,
    max_workers: int = 4,
    executor: Literal["thread", "process"] = "thread",
    on_progress: Callable[[Progress], None] | None = None,
) -> dict[str, TaskResult]:
    """Run every task after its dependencies, in parallel on a fresh executor; see README.md for the contract."""
    task_list = list(tasks)
    _validate(task_list, max_workers, executor)
    if not task_list:
        return {}
    pool: Executor = (
        ThreadPoolExecutor(max_workers, thread_name_prefix="dag")
        if executor == "thread"
        else ProcessPoolExecutor(max_workers)
    )
    try:
        return _Scheduler(task_list, pool, max_workers, on_progress).run()
    finally:
        # Don't wait: a timed-out call may still be running, and nothing can stop it early.
        pool.shutdown(wait=False, cancel_futures=True)
