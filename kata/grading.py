"""Grade one solution folder: stage, spawn the grader under supervision, clean up, then judge.

The verdict rule: PASS only if the plugin's end marker arrived, the collected tests equal what the grader
declared at collection, every one of them has a passing report, every perf verdict held, nothing was forged or
tampered with, and the process exited normally. The exit code alone never decides.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kata import supervisor
from kata.catalog import Exercise
from kata.results import GradeResult, Outcome, PerfResult, Resources, TestResult, TestStatus
from kata.staging import RunDirs, copy_tree, make_run_dirs, stage_solution

ENV_ALLOW = (
    "PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TERM",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "SYSTEMROOT",
    "CC",
    "CXX",
)
INI = """[pytest]
python_files = test_*.py
python_classes = Test*
python_functions = test_*
addopts = -q --tb=native -p no:cacheprovider --noconftest --import-mode=importlib -p no:randomly -p no:xdist
    -p no:benchmark -p no:timeout
pythonpath = {grader}
filterwarnings = ignore::DeprecationWarning
console_output_style = classic
"""


def _child_env(dirs: RunDirs, token: str, module: str, no_perf: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ENV_ALLOW}
    env.update(
        HOME=str(dirs.home),
        TMPDIR=str(dirs.home),
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        NUMBA_CACHE_DIR=str(dirs.home / "numba"),
        KATA_TOKEN=token,
        KATA_SOLUTION_DIR=str(dirs.solution),
        KATA_REFERENCE_DIR=str(dirs.reference),
        KATA_MODULE=module,
        KATA_NO_PERF="1" if no_perf else "0",
    )
    return env


def grade(exercise: Exercise, source: Path, *, no_perf: bool = False, trusted: bool = False) -> GradeResult:
    """Grade the files in `source` (the learner's folder, the reference, or a known-bad/good variant).

    One grading at a time per process: the supervisor kills every process re-parented to this one during the run
    (that is how a learner's double-forked daemon dies), and a second grading's grader would be among them. Grade
    in parallel from separate processes, as `pytest -n 2` does.
    """
    with tempfile.TemporaryDirectory(prefix="kata-run-") as tmp:
        dirs = make_run_dirs(Path(tmp))
        refusal = stage_solution(exercise, source, dirs.solution, trusted=trusted)
        if refusal is not None:
            return GradeResult(exercise.folder, Outcome.ERROR, refusal.message, perf_checked=not no_perf)
        copy_tree(exercise.reference_dir, dirs.reference)
        copy_tree(exercise.grader_dir, dirs.grader, skip=("known_bad", "known_good"))
        ini = dirs.root / "kata.ini"
        ini.write_text(INI.format(grader=dirs.grader), encoding="utf-8")
        token = secrets.token_hex(16)
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
        outcome = supervisor.run(
            cmd,
            env=_child_env(dirs, token, exercise.module, no_perf),
            cwd=dirs.home,
            token=token,
            timeout_s=exercise.limits.timeout_s,
            memory_mb=exercise.limits.memory_mb,
        )
        if outcome.interrupted:
            raise KeyboardInterrupt
        return judge(exercise, outcome, no_perf=no_perf)


def _reports(events: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    by_test: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        if e.get("event") == "report":
            by_test.setdefault(str(e.get("test")), []).append(e)
    return by_test


def _test_result(name: str, info: dict[str, Any], reports: list[dict[str, Any]]) -> TestResult:
    status, message, output = TestStatus.PASS, "", ""
    phases = {r["when"]: r for r in reports}
    for when in ("setup", "call", "teardown"):
        r = phases.get(when)
        if r is None:
            continue
        output = output or str(r.get("output", ""))
        if r["outcome"] == "skipped":
            status, message = TestStatus.SKIPPED, str(r.get("message", ""))
            break
        if r["outcome"] == "failed":
            status = TestStatus.ERROR if when != "call" else TestStatus.FAIL
            message = str(r.get("message", ""))
            break
    if "call" not in phases and status is TestStatus.PASS:
        status, message = TestStatus.ERROR, "this test never ran to completion"
    short = name.split("::", 1)[-1]
    return TestResult(short, status, str(info.get("description", "")), message, output, bool(info.get("perf")))


def judge(exercise: Exercise, out: supervisor.RunOutcome, *, no_perf: bool = False) -> GradeResult:
    events = out.events
    collected = next((e for e in events if e.get("event") == "collected"), None)
    ended = any(e.get("event") == "end" for e in events)
    started = [e["test"] for e in events if e.get("event") == "start"]
    reports = _reports(events)
    if not started:
        running = "collection"
    elif any(r["when"] == "teardown" for r in reports.get(started[-1], [])):
        running = f"shutdown, after {started[-1].split('::', 1)[-1]} had finished"
    else:
        running = started[-1].split("::", 1)[-1]
    expected = {t["name"]: t for t in (collected or {}).get("tests", [])}
    tests = tuple(_test_result(n, info, reports.get(n, [])) for n, info in expected.items())
    perf = tuple(
        PerfResult(**{k: v for k, v in e.items() if k not in ("event", "test")})
        for e in events
        if e.get("event") == "perf"
    )
    resources = Resources(out.wall_s, out.peak_rss / 2**20, out.output_bytes, out.output_truncated)

    def result(outcome: Outcome, message: str) -> GradeResult:
        return GradeResult(
            exercise.folder,
            outcome,
            message,
            tests,
            perf,
            resources,
            out.output if outcome is Outcome.ERROR else "",
            perf_checked=not no_perf,
        )

    if out.timed_out:
        return result(
            Outcome.ERROR,
            f"time limit: stopped after {exercise.limits.timeout_s:g} s while running "
            f"{running}; look for an infinite loop or a blocking call",
        )
    if out.memory_exceeded:
        return result(
            Outcome.ERROR,
            f"memory limit: your code used more than {exercise.limits.memory_mb} MiB "
            f"while running {running}; look for unbounded growth",
        )
    if (out.signal_name and out.signal_name != "SIGKILL") or (out.signal_name == "SIGKILL" and not ended):
        return result(
            Outcome.ERROR,
            f"crash: the grader process died with {out.signal_name} while running "
            f"{running} (a segfault, abort or stack overflow in your code)",
        )
    if out.forged or any(e.get("tampered") for e in events):
        return result(
            Outcome.ERROR,
            "refused: the grading channel or pytest's reports were tampered with; solutions must not touch the grader",
        )
    imports = [e for e in events if e.get("import_error")]
    if imports:
        return result(Outcome.ERROR, str(imports[0].get("message", "your module failed to import")))
    broken = next((e for e in events if e.get("event") == "collect_error"), None)
    if collected is None or broken is not None or not expected:
        detail = f": {broken.get('message', '')}" if broken else ""
        return result(
            Outcome.ERROR,
            f"the grader could not collect its tests{detail}; run `kata doctor`, and report this if it persists",
        )
    if not ended:
        return result(
            Outcome.ERROR,
            f"premature exit: the grader process ended (exit code {out.returncode}) "
            f"while running {running}; did your code call sys.exit() or os._exit()?",
        )
    missing = [t for t in tests if t.status is not TestStatus.PASS and not (t.perf and no_perf)]
    if missing:
        first = next((t for t in missing if t.status is not TestStatus.SKIPPED), missing[0])
        return result(Outcome.FAIL, f"{first.name}: {first.message}".strip())
    inconclusive = next((p for p in perf if p.inconclusive), None)
    if inconclusive:
        return result(Outcome.ERROR, f"{inconclusive.name}: {inconclusive.note}")
    if out.returncode != 0:
        return result(
            Outcome.ERROR,
            f"the grader process exited with code {out.returncode} after every test "
            "passed; did your code exit or kill it?",
        )
    passed = sum(t.status is TestStatus.PASS for t in tests)
    return result(Outcome.PASS, f"all {passed} checks passed" + (" (performance not checked)" if no_perf else ""))
