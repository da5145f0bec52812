"""Value types shared by the grading engine, the grader process and the renderers.

Nothing here imports rich, typer or pytest: the grader process and the CLI both use it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Deadline(BaseException):
    """Raised into running code when a time budget runs out (per-test limit, benchmark budget).

    A BaseException, so learner code's `except Exception` and hypothesis don't swallow it.
    """


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"


class TestStatus(StrEnum):
    __test__ = False  # not a pytest test class
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest test class
    name: str
    status: TestStatus
    description: str = ""
    message: str = ""
    output: str = ""
    perf: bool = False


@dataclass(frozen=True)
class PerfResult:
    """One side-by-side benchmark: the learner's time per call against the reference's, in one run."""

    name: str
    learner_s: float
    reference_s: float
    ratio: float
    threshold: float
    passed: bool
    clock: str = "cpu"
    pairs: int = 0
    kind: str = "ratio"  # "ratio": learner/reference <= threshold; "speedup": baseline/learner >= threshold
    note: str = ""

    @property
    def inconclusive(self) -> bool:
        """The machine was too busy to judge this benchmark: neither a pass nor a fail, the check must be rerun."""
        return self.note.startswith("inconclusive")


@dataclass(frozen=True)
class Resources:
    wall_s: float = 0.0
    peak_rss_mb: float = 0.0
    output_bytes: int = 0
    output_truncated: bool = False


@dataclass(frozen=True)
class GradeResult:
    exercise: str
    outcome: Outcome
    message: str
    tests: tuple[TestResult, ...] = ()
    perf: tuple[PerfResult, ...] = ()
    resources: Resources = field(default_factory=Resources)
    output_tail: str = ""
    perf_checked: bool = True

    @property
    def best_ratio(self) -> float | None:
        ratios = [p.ratio for p in self.perf if p.kind == "ratio"]
        return max(ratios) if ratios else None

    def to_json(self) -> dict[str, Any]:
        """Exercism's results.json v3 keys plus kata's perf/resources/hidden blocks."""
        return {
            "version": 3,
            "exercise": self.exercise,
            "status": self.outcome.value,
            "message": self.message,
            "tests": [
                {
                    "name": t.name,
                    "status": t.status.value,
                    "message": t.message,
                    "output": t.output,
                    "description": t.description,
                }
                for t in self.tests
            ],
            "perf": [asdict(p) for p in self.perf],
            "perf_checked": self.perf_checked,
            "resources": asdict(self.resources),
            "hidden": {"grader_source": "shown by `kata solution` after a pass"},
        }
