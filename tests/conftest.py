"""Shared fixtures: a small synthetic exercise ("probe") in a temporary content root, so engine tests run fast
and do not depend on the real curriculum."""

from __future__ import annotations

import fcntl
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kata.catalog import Exercise, load_all
from kata.grading import grade
from kata.results import GradeResult

PROBE_TOML = """\
format = 1
title = "Probe exercise for kata's own tests"
level = 1
topic = "Advanced Language Features"
files = ["probe.py"]
principles = ["test rigorously"]
hints = ["first nudge", "second direction", "third near-answer"]

[limits]
timeout = {timeout}
memory_mb = {memory_mb}
"""

STUB = """\
def add(a: int, b: int) -> int:
    raise NotImplementedError


def total(n: int) -> int:
    raise NotImplementedError
"""

REFERENCE = """\
def add(a: int, b: int) -> int:
    return a + b


def total(n: int) -> int:
    return sum(range(n))
"""

SLOW = """\
def add(a: int, b: int) -> int:
    return a + b


def total(n: int) -> int:
    result = 0
    for i in range(n):
        for _ in range(20):
            pass
        result += i
    return result
"""

GRADER = '''\
import pytest


def test_add_small_numbers(solution):
    """add(2, 3) is 5."""
    got = solution.add(2, 3)
    assert type(got) is int and got == 5, f"add(2, 3) returned {got!r}, expected 5"


def test_add_negative_numbers(solution):
    """add(-2, -3) is -5."""
    got = solution.add(-2, -3)
    assert type(got) is int and got == -5, f"add(-2, -3) returned {got!r}, expected -5"


def test_total_matches_the_formula(solution):
    """total(n) is n(n-1)/2."""
    for n in (0, 1, 10, 1000):
        got = solution.total(n)
        assert type(got) is int and got == n * (n - 1) // 2, f"total({n}) returned {got!r}"


@pytest.mark.perf
def test_total_speed(solution, reference, perf):
    """total(100_000) runs within 3x of the reference."""
    perf.compare("total(100_000)", lambda: solution.total(100_000), lambda: reference.total(100_000),
                 max_ratio=3.0)
'''


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def make_probe(root: Path, *, timeout: float = 20, memory_mb: int = 400) -> Exercise:
    write(root / "exercises/01-probe/exercise.toml", PROBE_TOML.format(timeout=timeout, memory_mb=memory_mb))
    write(root / "exercises/01-probe/README.md", "# Probe\n\nAdd two numbers.\n")
    write(root / "exercises/01-probe/probe.py", STUB)
    write(root / "reference/01-probe/probe.py", REFERENCE)
    write(root / "reference/01-probe/NOTES.md", "# Notes\n\nIt adds.\n")
    write(root / "graders/01-probe/test_probe.py", GRADER)
    write(root / "graders/01-probe/known_bad/slow/probe.py", SLOW)
    load_all.cache_clear()
    return load_all(root)[0]


@pytest.fixture
def probe(tmp_path: Path) -> Exercise:
    return make_probe(tmp_path / "content")


@pytest.fixture
def grade_code(tmp_path: Path, probe: Exercise) -> Callable[..., GradeResult]:
    """Grade `code` as the learner's probe.py (plus any extra files) and return the verdict."""
    counter = iter(range(1000))

    def run(
        code: str, *, extra: dict[str, str] | None = None, no_perf: bool = True, exercise: Exercise | None = None
    ) -> GradeResult:
        folder = tmp_path / f"learner{next(counter)}"
        write(folder / "probe.py", code)
        for name, text in (extra or {}).items():
            write(folder / name, text)
        return grade(exercise or probe, folder, no_perf=no_perf)

    return run


LOCK = Path(tempfile.gettempdir()) / f"kata-tests-{Path(__file__).resolve().parent.parent.name}.lock"


@pytest.fixture(autouse=True)
def machine_share(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests share the machine (pytest -n 2), except `exclusive` ones (gradings that measure a parallel
    speed-up on both cores): they wait for the others to finish and hold it alone."""
    exclusive = request.node.get_closest_marker("exclusive") is not None
    with LOCK.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
