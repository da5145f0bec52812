"""`kata verify`: the reference and known-good solutions must pass; the stub and every known-bad must not.

A known-bad is kept to show one mistake, so it must fail for that reason: its `expected.toml` names the tests
(`fails = ["test_…"]`) of which at least one must fail. A known-bad that fails some other test instead proves
nothing about its mistake, and verify says so.
"""

from __future__ import annotations

import re
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

from kata.catalog import Exercise
from kata.errors import KataError
from kata.grading import grade
from kata.results import GradeResult, Outcome, TestStatus
from kata.ui import VerifyRow

EXPECTED_FILE = "expected.toml"


def cases(exercise: Exercise) -> list[tuple[str, Path, bool]]:
    """(label, folder, must_pass) for every solution kept for `exercise`."""
    found = [("reference", exercise.reference_dir, True), ("stub", exercise.exercise_dir, False)]
    found += [(f"good:{p.name}", p, True) for p in exercise.variants("known_good")]
    found += [(f"bad:{p.name}", p, False) for p in exercise.variants("known_bad")]
    return found


def expected_failures(folder: Path) -> frozenset[str]:
    """The test names a known-bad's expected.toml says it fails (empty when it has none)."""
    path = folder / EXPECTED_FILE
    if not path.is_file():
        return frozenset()
    try:
        fails = tomllib.loads(path.read_text(encoding="utf-8")).get("fails")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise KataError(f"{path}: cannot be read as TOML ({exc})") from exc
    if not isinstance(fails, list) or not fails or not all(isinstance(f, str) and f for f in fails):
        raise KataError(f'{path}: `fails` must be a non-empty list of test names, like fails = ["test_speed"]')
    return frozenset(fails)


def _base(test_name: str) -> str:
    """`TestX::test_y[param]` -> `test_y`: the function a test result came from."""
    return test_name.rsplit("::", 1)[-1].split("[", 1)[0]


def failed_for(result: GradeResult, expected: frozenset[str]) -> bool:
    """Did `result` fail (or stop) in one of the `expected` tests?"""
    failed = {_base(t.name) for t in result.tests if t.status in (TestStatus.FAIL, TestStatus.ERROR)}
    if failed & expected:
        return True
    # A time limit, crash or memory limit names the running test in the message instead.
    named = set(re.findall(r"\b(test_\w+)", result.message))
    if named & expected:
        return True
    # A benchmark that could not be judged on a busy machine counts for a known-bad kept to fail that benchmark.
    unsure = any(p.inconclusive for p in result.perf)
    return unsure and bool(expected & {_base(t.name) for t in result.tests if t.perf})


def judge(result: GradeResult, must_pass: bool, expected: frozenset[str]) -> tuple[bool, str]:
    """(as expected?, detail) for one graded solution."""
    passed = result.outcome is Outcome.PASS
    if must_pass or passed:
        return passed == must_pass, result.message
    if expected and not failed_for(result, expected):
        return False, f"not for its mistake (expected {', '.join(sorted(expected))} to fail): {result.message}"
    return True, result.message


def verify_exercise(exercise: Exercise, *, on_start: Callable[[str], None] | None = None) -> list[VerifyRow]:
    rows = []
    for label, folder, must_pass in cases(exercise):
        if on_start:
            on_start(f"{exercise.folder} {label}")
        t0 = time.monotonic()
        result = grade(exercise, folder, trusted=label == "reference")
        ok, detail = judge(result, must_pass, expected_failures(folder))
        rows.append(
            VerifyRow(
                exercise.folder,
                label,
                "pass" if must_pass else "not pass",
                result.outcome,
                ok,
                time.monotonic() - t0,
                detail,
            )
        )
    return rows
