"""Task functions for the grader's clusters: the learner's workers import this file through `--tasks`.

Side effects go to files named in the arguments, so the grader can see which process ran what, and how often,
from outside the workers.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def square(x: int) -> int:
    return x * x


def nap(seconds: float, value: object) -> object:
    time.sleep(seconds)
    return value


def stall(seconds: float, marker_dir: str) -> int:
    """Leave a marker named after this process, sleep, leave a `.done` marker and return the pid."""
    (Path(marker_dir) / str(os.getpid())).write_text("started")
    time.sleep(seconds)
    (Path(marker_dir) / f"{os.getpid()}.done").write_text("done")
    return os.getpid()


def hold(path: str) -> str:
    """The first run records its pid and sleeps until it is killed; any later run returns at once."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return "resumed"
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    time.sleep(60)
    return "held"


def flaky(path: str, failures: int) -> int:
    """Append one line per run; raise on the first `failures` runs."""
    with open(path, "a") as f:
        f.write(f"{os.getpid()}\n")
    runs = len(Path(path).read_text().splitlines())
    if runs <= failures:
        raise RuntimeError(f"failure {runs}")
    return runs
