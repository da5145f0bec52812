"""What `kata check` costs over running the same grader with bare pytest, measured side by side.

Both run the exercise's grader on the reference without perf tests; kata adds staging, the supervised
subprocess, the event stream and the verdict. Run: python benchmarks/check_overhead.py [ID] [--rounds 8]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kata.catalog import Exercise, resolve
from kata.grading import grade
from kata.results import Outcome


def bare_pytest(exercise: Exercise) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(exercise.grader_dir, root / "grader", ignore=shutil.ignore_patterns("known_*"))
        env = {
            **os.environ,
            "KATA_SOLUTION_DIR": str(exercise.reference_dir),
            "KATA_REFERENCE_DIR": str(exercise.reference_dir),
            "KATA_MODULE": exercise.module,
            "KATA_NO_PERF": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "kata.plugin",
                "-p",
                "kata.testing",
                "--rootdir",
                str(root / "grader"),
                str(root / "grader"),
            ],
            env=env,
            cwd=root,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        return time.perf_counter() - t0


def kata_check(exercise: Exercise) -> float:
    t0 = time.perf_counter()
    result = grade(exercise, exercise.reference_dir, no_perf=True, trusted=True)
    assert result.outcome is Outcome.PASS, result.message
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("exercise", nargs="?", default="11")
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    exercise = resolve(args.exercise)
    bare_pytest(exercise)  # warm-up
    pairs = []
    for i in range(args.rounds):
        if i % 2:
            b, k = bare_pytest(exercise), kata_check(exercise)
        else:
            k, b = kata_check(exercise), bare_pytest(exercise)
        pairs.append((k, b))
    kata_med = statistics.median(k for k, _ in pairs)
    bare_med = statistics.median(b for _, b in pairs)
    ratio = statistics.median(k / b for k, b in pairs)
    print(
        f"{exercise.folder}: kata check {kata_med:.2f} s, bare pytest {bare_med:.2f} s, "
        f"overhead {kata_med - bare_med:+.2f} s (median paired ratio {ratio:.2f}×, {args.rounds} rounds)"
    )


if __name__ == "__main__":
    main()
