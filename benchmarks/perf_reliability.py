"""Do perf verdicts hold? Grade each exercise's reference and slow known-bad N times, half of the runs with
another process burning a core, and count the verdicts ("inconclusive" is a grader saying it could not judge:
rerun). Run: python benchmarks/perf_reliability.py 11 22 48 [--runs 20] [--bad NAME]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from kata.catalog import Exercise, resolve
from kata.grading import grade
from kata.results import GradeResult, Outcome


@contextmanager
def busy_core(on: bool) -> Iterator[None]:
    if not on:
        yield
        return
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        burner.kill()
        burner.wait()


def ratios(result: GradeResult) -> str:
    return ", ".join(f"{p.ratio:.2f}" for p in result.perf) or "-"


def run(exercise: Exercise, label: str, runs: int) -> None:
    folder = exercise.reference_dir if label == "reference" else exercise.grader_dir / "known_bad" / label
    must_pass = label == "reference"
    good = unsure = 0
    seen: list[str] = []
    for i in range(runs):
        with busy_core(i % 2 == 1):
            result = grade(exercise, folder, trusted=must_pass)
        ok = (result.outcome is Outcome.PASS) == must_pass and (must_pass or result.perf)
        inconclusive = any(p.inconclusive for p in result.perf)
        good += bool(ok) and not inconclusive
        unsure += inconclusive
        seen.append(
            f"{'busy' if i % 2 else 'idle'}:{result.outcome.value}[{ratios(result)}]{result.resources.wall_s:.0f}s"
        )
    print(f"{exercise.folder} {label}: {good}/{runs} as expected, {unsure} inconclusive  " + " ".join(seen), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("exercises", nargs="+")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--bad", action="append", default=[], help="known_bad name(s) to run (default: those named slow-*)"
    )
    args = parser.parse_args()
    for ref in args.exercises:
        exercise = resolve(ref)
        run(exercise, "reference", args.runs)
        for bad in args.bad or [p.name for p in exercise.variants("known_bad") if p.name.startswith("slow")]:
            run(exercise, bad, args.runs)


if __name__ == "__main__":
    main()
