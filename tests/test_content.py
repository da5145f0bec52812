"""`kata verify` over every exercise in the repository: reference and known-good pass, stub and known-bad fail,
and each known-bad fails one of the tests its expected.toml names (the mistake it was kept to show)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kata import catalog
from kata.grading import grade
from kata.results import Outcome
from kata.verification import cases, expected_failures, judge

EXERCISES = catalog.load_all()
CASES = [
    pytest.param(
        e,
        label,
        folder,
        must_pass,
        id=f"{e.folder}:{label}",
        marks=[pytest.mark.exclusive] if e.limits.cores > 1 else [],
    )
    for e in EXERCISES
    for label, folder, must_pass in cases(e)
]


@pytest.mark.slow
@pytest.mark.parametrize("exercise, label, folder, must_pass", CASES)
def test_verify(exercise: catalog.Exercise, label: str, folder: Path, must_pass: bool) -> None:
    result = grade(exercise, folder, trusted=label == "reference")
    ok, detail = judge(result, must_pass, expected_failures(folder))
    assert ok, f"{label} must {'pass' if must_pass else 'not pass'}: {detail}"
    if not must_pass and label != "stub":
        stopped = "limit" in detail or any(p.inconclusive for p in result.perf)  # a time limit, or not judged
        assert result.outcome is not Outcome.ERROR or stopped, f"{label} should fail on behaviour, not crash: {detail}"


def _grader_tests(exercise: catalog.Exercise) -> set[str]:
    """The names of the test functions in an exercise's grader files."""
    names = set()
    for path in exercise.grader_dir.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
                names.add(node.name)
    return names


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.folder)
def test_every_known_bad_names_the_tests_it_fails(exercise: catalog.Exercise) -> None:
    tests = _grader_tests(exercise)
    for folder in exercise.variants("known_bad"):
        expected = expected_failures(folder)
        assert expected, f"{folder.relative_to(exercise.grader_dir)} has no expected.toml naming the tests it fails"
        unknown = expected - tests
        assert not unknown, f"{folder.name}/expected.toml names tests the grader does not have: {sorted(unknown)}"
