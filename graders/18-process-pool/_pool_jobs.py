"""Module-level job functions for the exercise 18 grader (module-level, so they pickle by reference)."""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path

# The grader's own pid (forked workers inherit this value). Jobs that crash or never end refuse to do so in the
# grader process itself, so a solution that runs calls in threads fails a test instead of killing the grader.
GRADER_PID = os.getpid()


class RanInTheCaller(RuntimeError):
    """A job that must run in a worker process ran in the grader process."""


def _refuse_in_caller(what: str) -> None:
    if os.getpid() == GRADER_PID:
        raise RanInTheCaller(f"this call {what} in a worker process, but it ran in the calling process")


def square(x: int) -> int:
    return x * x


def describe(x: object) -> str:
    return f"{type(x).__name__}:{x!r}"


def with_pid(x: object) -> tuple[object, int]:
    """The item and the pid of the process that ran the call."""
    return x, os.getpid()


def nap_with_pid(x: object) -> tuple[object, int]:
    """Like with_pid, but each call takes 50 ms, so every worker gets a share of the items."""
    time.sleep(0.05)
    return x, os.getpid()


def cpu_job(n: int) -> int:
    """A CPU-bound, pure-Python call (the GIL is held the whole time)."""
    total = 0
    for i in range(n):
        total = (total + i * i) % 1_000_003
    return total


class Unlucky(ValueError):
    """Raised by fail_on_multiples for the unlucky items."""


def fail_on_multiples(arg: tuple[int, int]) -> int:
    """arg = (x, m): raise Unlucky when x is a multiple of m, else return 2x + 1."""
    x, m = arg
    if x % m == 0:
        raise Unlucky(f"{x} is a multiple of {m}")
    return 2 * x + 1


def fail_on_13(x: int) -> int:
    if x == 13:
        raise ValueError("thirteen is unlucky")
    return x


class NeedsTwoArgs(Exception):
    """An exception that pickles but does not unpickle (its __init__ needs two arguments)."""

    def __init__(self, a: int, b: int) -> None:
        super().__init__(f"bad pair {a}/{b}")


def fail_unpicklably_on_7(x: int) -> int:
    if x == 7:
        raise NeedsTwoArgs(x, 0)
    return x


def generator_result_on_3(x: int) -> object:
    """Item 3's result is a generator, which cannot be pickled back to the parent."""
    if x == 3:
        return (i for i in range(3))
    return x


def crash_on_4(x: int) -> int:
    """Item 4 kills its worker process outright, as a segfault would."""
    if x == 4:
        _refuse_in_caller("would kill")
        os._exit(3)
    return x


def spin_on_5(x: int) -> int:
    """Item 5 never returns: a pure-Python busy loop."""
    if x == 5:
        _refuse_in_caller("would spin forever")
    while x == 5:
        pass
    return x


def sleep_on_5(x: int) -> int:
    """Item 5 sleeps for a minute."""
    if x == 5:
        _refuse_in_caller("would sleep a minute")
        time.sleep(60)
    return x


def stuck_in_c_on_5(x: int) -> int:
    """Item 5 spends hours inside one C call that never checks for signals."""
    if x == 5:
        _refuse_in_caller("would block for hours")
        return sum(itertools.repeat(1, 10**13))
    return x


def nap(x: int) -> int:
    """Each call takes 0.1 s."""
    time.sleep(0.1)
    return x


def log_and_nap(path: str, x: int) -> int:
    """Append x to the file at `path`, then (except for item 0, which fails at once) take 0.1 s."""
    if x == 0:
        raise ValueError("item 0 fails at once")
    with Path(path).open("a") as f:
        f.write(f"{x}\n")
    time.sleep(0.1)
    return x


def slow_nap(x: int) -> int:
    """Each call takes 0.3 s (a long job to interrupt)."""
    time.sleep(0.3)
    return x


def timed_nap(x: int) -> tuple[int, float, float]:
    """(pid, start, end) of a 0.3 s call, on the system-wide monotonic clock."""
    start = time.monotonic()
    time.sleep(0.3)
    return os.getpid(), start, time.monotonic()


def sibling_count(x: int) -> int:
    """How many child processes the caller of parallel_map has while this call runs (after a short nap)."""
    import psutil

    time.sleep(0.1)
    return len(psutil.Process(os.getppid()).children())
