"""`kata verify`: the reference and known-good solutions must pass; the stub and every known-bad must not."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from kata.catalog import Exercise
from kata.grading import grade
from kata.results import Outcome
from kata.ui import VerifyRow


def cases(exercise: Exercise) -> list[tuple[str, Path, bool]]:
    """(label, folder, must_pass) for every solution kept for `exercise`."""
    found = [("reference", exercise.reference_dir, True), ("stub", exercise.exercise_dir, False)]
    found += [(f"good:{p.name}", p, True) for p in exercise.variants("known_good")]
    found += [(f"bad:{p.name}", p, False) for p in exercise.variants("known_bad")]
    return found


def verify_exercise(exercise: Exercise, *, on_start: Callable[[str], None] | None = None) -> list[VerifyRow]:
    rows = []
    for label, folder, must_pass in cases(exercise):
        if on_start:
            on_start(f"{exercise.folder} {label}")
        t0 = time.monotonic()
        result = grade(exercise, folder, trusted=label == "reference")
        passed = result.outcome is Outcome.PASS
        rows.append(
            VerifyRow(
                exercise.folder,
                label,
                "pass" if must_pass else "not pass",
                result.outcome,
                passed == must_pass,
                time.monotonic() - t0,
                result.message,
            )
        )
    return rows
