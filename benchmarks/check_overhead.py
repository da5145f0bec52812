"""What `kata check` costs over running the same grader with bare pytest, measured side by side.

Both run the exercise's grader on the reference without perf tests; kata adds staging, the supervised
subprocess, the event stream and the verdict. Run: python benchmarks/check_overhead.py [ID] [--rounds 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kata.catalog import Exercise, resolve
from kata.grading import INI, grade
from kata.results import Outcome
from kata.staging import copy_tree, make_run_dirs


def bare_pytest(exercise: Exercise) -> float:
    """The same pytest command kata's grader runs, launched plainly: no staging checks, supervision or verdict."""
    with tempfile.TemporaryDirectory() as tmp:
        dirs = make_run_dirs(Path(tmp))
        copy_tree(exercise.reference_dir, dirs.solution)
        copy_tree(exercise.reference_dir, dirs.reference)
        copy_tree(exercise.grader_dir, dirs.grader, skip=("known_bad", "known_good"))
        ini = dirs.root / "kata.ini"
        ini.write_text(INI.format(grader=dirs.grader), encoding="utf-8")
        env = {
            **os.environ,
            "KATA_SOLUTION_DIR": str(dirs.solution),
            "KATA_REFERENCE_DIR": str(dirs.reference),
            "KATA_MODULE": exercise.module,
            "KATA_NO_PERF": "1",
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        }
        tests = sorted(str(p) for p in dirs.grader.glob("test_*.py"))
        cmd = [
            sys.executable,
            "-I",
            "-B",
            "-m",
            "pytest",
            *tests,
            "-c",
            str(ini),
            "--rootdir",
            str(dirs.grader),
            "-p",
            "kata.plugin",
            "-p",
            "kata.testing",
            "-p",
            "_hypothesis_pytestplugin",
        ]
        t0 = time.perf_counter()
        # A new session, like kata's: with autogroup scheduling that decides its share of the CPU under load.
        subprocess.run(cmd, env=env, cwd=dirs.home, stdout=subprocess.DEVNULL, check=True, start_new_session=True)
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
