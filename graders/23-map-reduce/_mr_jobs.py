"""Module-level job functions for the exercise 23 grader (module-level, so they pickle by reference)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

# The grader's own pid (forked workers inherit this value): functions that must run in a worker can tell.
GRADER_PID = os.getpid()


class Unlucky(ValueError):
    """Raised by the failing mappers and reducers."""


class NeedsTwoArgs(Exception):
    """An exception that pickles but cannot be unpickled (its __init__ needs two arguments)."""

    def __init__(self, a: str, b: str) -> None:
        super().__init__(f"{a}/{b}")


def emit_pairs(key: Any, value: list[tuple[Any, int]]) -> list[tuple[Any, int]]:
    """The input value is already the list of (key, value) pairs to emit."""
    return list(value)


def add(key: Any, values: list[int]) -> int:
    return sum(values)


def add_combiner(key: Any, values: list[int]) -> list[int]:
    return [sum(values)]


def sorted_values(key: Any, values: list[int]) -> list[int]:
    return sorted(values)


def max_and_count(key: Any, values: list[tuple[int, int]]) -> tuple[int, int]:
    """Values are (max, count) pairs; the reducer's result is the same pair over all of them."""
    return max(v for v, _ in values), sum(c for _, c in values)


def max_and_count_combiner(key: Any, values: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [max_and_count(key, values)]


def as_max_and_count(key: Any, value: list[tuple[Any, int]]) -> Iterator[tuple[Any, tuple[int, int]]]:
    for k, v in value:
        yield k, (v, 1)


def key_and_pid(key: Any, value: Any) -> list[tuple[Any, int]]:
    """Emits (key, pid of the process mapping it), after a short nap so every worker gets some of the work."""
    time.sleep(0.02)
    return [(key, os.getpid())]


def first(key: Any, values: list[int]) -> int:
    return values[0]


def pids_of_reducers(key: Any, values: list[Any]) -> int:
    return os.getpid()


def interval(key: Any, value: float) -> list[tuple[Any, tuple[int, float, float]]]:
    """Sleeps `value` seconds; emits (key, (pid, start, end)) so the grader can see which calls overlapped."""
    start = time.monotonic()
    time.sleep(value)
    return [(key, (os.getpid(), start, time.monotonic()))]


def fail_on_unlucky(key: Any, value: int) -> list[tuple[str, int]]:
    if key == "unlucky":
        raise Unlucky(f"record {key!r} is unlucky")
    return [("n", value)]


def fail_unpicklably(key: Any, value: int) -> list[tuple[str, int]]:
    if key == "odd-one":
        raise NeedsTwoArgs("cannot", "unpickle")
    return [("n", value)]


def reduce_fail_on_k7(key: Any, values: list[int]) -> int:
    if key == "k7":
        raise Unlucky("key k7 cannot be reduced")
    return sum(values)


def crash_on_boom(key: Any, value: int) -> list[tuple[str, int]]:
    """Kills the worker process on input "boom" (never the grader itself: a run in-process raises instead)."""
    if key == "boom":
        if os.getpid() == GRADER_PID:
            raise RuntimeError("this mapper must run in a worker process, but it ran in the calling process")
        os._exit(13)
    return [("n", value)]


def logged_nap(key: Any, log: str) -> list[tuple[str, int]]:
    """Appends the input's key to the file `log`, then fails on input 0 at once or naps 0.1 s."""
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"{key}\n")
    if key == 0:
        raise Unlucky("input 0 fails")
    time.sleep(0.1)
    return [("n", 1)]


def burn(key: Any, n: int) -> list[tuple[int, int]]:
    """CPU-bound, pure Python (holds the GIL throughout): about n loop iterations."""
    total = 0
    for i in range(n):
        total = (total + i * i) % 1_000_003
    return [(key % 8, total)]


def sibling_count(key: Any, value: Any) -> list[tuple[Any, int]]:
    """Emits (key, how many child processes the grader has right now), after a short nap."""
    import psutil

    time.sleep(0.01)
    return [(key, len(psutil.Process(GRADER_PID).children(recursive=True)))]
