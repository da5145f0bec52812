"""`kata verify` over every exercise in the repository: reference and known-good pass, stub and known-bad fail."""

from __future__ import annotations

import pytest

from kata import catalog
from kata.grading import grade
from kata.results import Outcome
from kata.verification import cases

CASES = [
    pytest.param(
        e,
        label,
        folder,
        must_pass,
        id=f"{e.folder}:{label}",
        marks=[pytest.mark.exclusive] if e.limits.cores > 1 else [],
    )
    for e in catalog.load_all()
    for label, folder, must_pass in cases(e)
]


@pytest.mark.slow
@pytest.mark.parametrize("exercise, label, folder, must_pass", CASES)
def test_verify(exercise: catalog.Exercise, label: str, folder: object, must_pass: bool) -> None:
    result = grade(exercise, folder, trusted=label == "reference")  # type: ignore[arg-type]
    if must_pass:
        assert result.outcome is Outcome.PASS, f"{label} must pass: {result.message}"
    else:
        assert result.outcome is not Outcome.PASS, f"{label} must not pass"
        assert result.outcome is not Outcome.ERROR or label == "stub" or "limit" in result.message, (
            f"{label} should fail on behaviour, not crash the grader: {result.message}"
        )
