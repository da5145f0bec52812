"""Task functions and DAG helpers for exercise 25's grader.

The module-level functions pickle by reference, so they also run in a ProcessPoolExecutor's workers (forked from
the grader, which has this folder on sys.path).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

GATE_LIMIT_S = 3.0


# ------------------------------------------------------------------------------------- process-safe functions


def pid_and_sum(*args: tuple[int, int]) -> tuple[int, int]:
    """(this process's pid, 1 + the sum of the dependencies' second fields)."""
    return os.getpid(), 1 + sum(value for _, value in args)


def refuse(*args: object) -> None:
    raise ValueError("refused on purpose")


def nap(seconds: float, *args: object) -> str:
    time.sleep(seconds)
    return "woke up"


# ------------------------------------------------------------------------------------------ thread recording


class GraderGateTimeout(Exception):
    """A task waited for a condition a correct runner reaches at once."""


class Boom(Exception):
    pass


@dataclass
class Recorder:
    """Thread-safe log of when each task function starts and ends (a global sequence number under a lock)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    seq: int = 0
    started: dict[str, list[int]] = field(default_factory=dict)
    ended: dict[str, list[int]] = field(default_factory=dict)
    args: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    active: int = 0
    peak: int = 0

    def _tick(self) -> int:
        self.seq += 1
        return self.seq

    def task(self, name: str, *, fail: int = 0, body: Callable[[], None] | None = None) -> Callable[..., Any]:
        """A task function: records start/end, raises Boom on its first `fail` calls, returns a value built from
        its name and its arguments (so a wrong or misordered argument shows in the result)."""

        def run(*args: Any) -> str:
            with self.lock:
                self.started.setdefault(name, []).append(self._tick())
                self.args.setdefault(name, []).append(args)
                self.active += 1
                self.peak = max(self.peak, self.active)
                calls = len(self.started[name])
            try:
                if body is not None:
                    body()
                if calls <= fail:
                    raise Boom(f"{name} fails on call {calls}")
                return expected_value(name, list(args))
            finally:
                with self.lock:
                    self.active -= 1
                    self.ended.setdefault(name, []).append(self._tick())

        return run


def expected_value(name: str, dep_values: Sequence[Any]) -> str:
    return f"{name}({','.join(map(str, dep_values))})"


def wait_for(event: threading.Event, what: str) -> None:
    if not event.wait(GATE_LIMIT_S):
        raise GraderGateTimeout(f"waited {GATE_LIMIT_S:g} s for {what}")


# ------------------------------------------------------------------------------------------------ DAG oracles


def topological(deps: dict[str, list[str]]) -> list[str]:
    """Names in an order where every task comes after its dependencies (the graph must be acyclic)."""
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(deps):
        for name, ds in deps.items():
            if name not in placed and all(d in placed for d in ds):
                order.append(name)
                placed.add(name)
    return order


def expected_statuses(deps: dict[str, list[str]], failing: set[str]) -> dict[str, str]:
    status: dict[str, str] = {}
    for name in topological(deps):
        if any(status[d] != "succeeded" for d in deps[name]):
            status[name] = "cancelled"
        elif name in failing:
            status[name] = "failed"
        else:
            status[name] = "succeeded"
    return status


def expected_values(deps: dict[str, list[str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in topological(deps):
        values[name] = expected_value(name, [values[d] for d in deps[name]])
    return values


def ancestors(deps: dict[str, list[str]], name: str) -> set[str]:
    seen: set[str] = set()
    stack = list(deps[name])
    while stack:
        d = stack.pop()
        if d not in seen:
            seen.add(d)
            stack.extend(deps[d])
    return seen
