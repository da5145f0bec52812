"""Every verdict path of the grading engine, through real supervised pytest runs of the probe exercise."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from kata.catalog import Exercise
from kata.grading import grade
from kata.results import GradeResult, Outcome, TestStatus
from kata.ui import perf_table
from kata.verification import judge
from tests.conftest import REFERENCE, SLOW, make_probe, write

Grade = Callable[..., GradeResult]
pytestmark = pytest.mark.slow


def test_reference_passes_with_every_test_reported(grade_code: Grade) -> None:
    result = grade_code(REFERENCE, no_perf=False)
    assert result.outcome is Outcome.PASS, result.message
    assert [t.status for t in result.tests] == [TestStatus.PASS] * 4
    assert result.tests[0].description == "add(2, 3) is 5."
    assert len(result.perf) == 1 and result.perf[0].passed
    assert 0.3 < result.perf[0].ratio < 3.0


def test_stub_fails_and_names_the_first_failing_test(probe: Exercise) -> None:
    result = grade(probe, probe.exercise_dir)
    assert result.outcome is Outcome.FAIL
    assert result.message.startswith("test_add_small_numbers: NotImplementedError")
    assert "probe.py:2" in result.tests[0].message, "the learner's own frame is shown"


def test_a_wrong_answer_fails_with_the_assertion_message(grade_code: Grade) -> None:
    result = grade_code(REFERENCE.replace("return a + b", "return a - b"))
    assert result.outcome is Outcome.FAIL
    assert "add(2, 3) returned -1, expected 5" in result.message


def test_slow_solution_fails_on_speed_only(grade_code: Grade) -> None:
    result = grade_code(SLOW, no_perf=False)
    assert result.outcome is Outcome.FAIL
    assert [t.status for t in result.tests[:3]] == [TestStatus.PASS] * 3
    assert result.perf and not result.perf[0].passed and result.perf[0].ratio > 3.0
    assert "slower; the limit is 3×" in result.message


def test_verify_counts_a_known_bad_only_when_it_fails_for_its_mistake(grade_code: Grade) -> None:
    result = grade_code(SLOW, no_perf=False)
    assert judge(result, False, frozenset({"test_total_speed"})) == (True, result.message)
    ok, detail = judge(result, False, frozenset({"test_add_small_numbers"}))
    assert not ok and "not for its mistake (expected test_add_small_numbers to fail)" in detail
    assert judge(result, False, frozenset()) == (True, result.message)  # no expected.toml: any failure
    assert judge(result, True, frozenset()) == (False, result.message)


def test_a_benchmark_the_grader_cannot_judge_is_inconclusive_never_a_pass(probe: Exercise, grade_code: Grade) -> None:
    write(
        probe.grader_dir / "test_parallel.py",
        "import pytest\n"
        "from kata.testing import cpu_capacity\n\n\n"
        "@pytest.mark.perf\n"
        "def test_parallel_speed(solution, perf):\n"
        "    assert 0 < cpu_capacity(processes=1, seconds=0.05) <= 1.1\n"
        "    perf.inconclusive('add in parallel', 'the cores were busy', min_speedup=1.5)\n",
    )
    result = grade_code(REFERENCE, no_perf=False)
    assert result.outcome is Outcome.ERROR, result.message
    assert result.message == "add in parallel: inconclusive: the cores were busy"
    assert [p.name for p in result.perf if p.inconclusive] == ["add in parallel"]
    assert judge(result, False, frozenset({"test_parallel_speed"}))[0], "a known-bad kept to fail that benchmark"
    assert not judge(result, False, frozenset({"test_add_small_numbers"}))[0]
    table = Console(width=200, record=True)
    table.print(perf_table(result.perf))
    assert "not measured" in table.export_text() and "0 ns" not in table.export_text()


def test_perf_is_skipped_when_a_correctness_test_fails(grade_code: Grade) -> None:
    result = grade_code(REFERENCE.replace("return a + b", "return 0"), no_perf=False)
    assert result.outcome is Outcome.FAIL
    assert result.tests[-1].status is TestStatus.SKIPPED
    assert not result.perf


def test_no_perf_passes_without_counting_the_speed(grade_code: Grade) -> None:
    result = grade_code(SLOW, no_perf=True)
    assert result.outcome is Outcome.PASS and not result.perf_checked
    assert "performance not checked" in result.message


def test_syntax_error_is_an_error_naming_the_line(grade_code: Grade) -> None:
    result = grade_code("def add(a, b):\n    return a +\n")
    assert result.outcome is Outcome.ERROR
    assert "probe.py line 2: syntax error" in result.message


def test_import_error_is_an_error_naming_the_exception(grade_code: Grade) -> None:
    result = grade_code("import no_such_module_anywhere\n")
    assert result.outcome is Outcome.ERROR
    assert "importing probe.py raised ModuleNotFoundError (line 1)" in result.message


def test_missing_file_is_an_error_saying_how_to_restore_it(probe: Exercise, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = grade(probe, tmp_path / "empty")
    assert result.outcome is Outcome.ERROR and "kata reset 1" in result.message


def test_infinite_loop_at_import_is_stopped_by_the_wall_clock(tmp_path: Path, grade_code: Grade) -> None:
    quick = make_probe(tmp_path / "quick", timeout=4)
    t0 = time.monotonic()
    result = grade_code("while True:\n    pass\n", exercise=quick)
    elapsed = time.monotonic() - t0
    assert result.outcome is Outcome.ERROR
    assert result.message.startswith("time limit: stopped after 4 s while running test_add_small_numbers")
    assert elapsed < 4 + 2


def test_infinite_loop_inside_a_test_is_stopped_and_named(tmp_path: Path, grade_code: Grade) -> None:
    quick = make_probe(tmp_path / "quick", timeout=4)
    t0 = time.monotonic()
    result = grade_code(REFERENCE + "\ndef total(n):\n    while True:\n        pass\n", exercise=quick)
    assert result.outcome is Outcome.ERROR
    assert "while running test_total_matches_the_formula" in result.message
    assert time.monotonic() - t0 < 4 + 2


def test_a_crash_is_reported_with_its_signal(grade_code: Grade) -> None:
    result = grade_code("import ctypes\n\ndef add(a, b):\n    return ctypes.string_at(0)\n")
    assert result.outcome is Outcome.ERROR
    assert "crash" in result.message and "SIGSEGV" in result.message
    assert "test_add_small_numbers" in result.message


def test_learner_code_gets_default_signal_handling_even_if_kata_was_started_with_sigint_ignored(
    grade_code: Grade,
) -> None:
    # `kata check &` in a script starts kata with SIGINT ignored, and exec passes that on to the grader.
    code = (
        "import signal\n\n"
        "def add(a, b):\n"
        "    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler, 'SIGINT is not KeyboardInterrupt'\n"
        "    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, 'SIGTERM is not the default'\n"
        "    return a + b\n\n"
        "def total(n):\n    return sum(range(n))\n"
    )
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN), signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        result = grade_code(code, no_perf=True)
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])
    assert result.outcome is Outcome.PASS, result.message


def test_an_abort_is_reported_as_a_crash(grade_code: Grade) -> None:
    result = grade_code("import os\n\ndef add(a, b):\n    os.abort()\n")
    assert result.outcome is Outcome.ERROR and "SIGABRT" in result.message


def test_recursion_blow_up_past_the_c_stack_is_a_crash(tmp_path: Path, grade_code: Grade) -> None:
    code = """
        import sys

        def add(a, b):
            sys.setrecursionlimit(10**7)
            nested = []
            for _ in range(10**6):
                nested = [nested]
            return repr(nested)  # recursion inside C: overflows the C stack
    """
    result = grade_code(code)
    assert result.outcome is Outcome.ERROR
    assert "crash" in result.message and "SIGSEGV" in result.message


def test_plain_recursion_error_is_a_failure_with_the_learner_frame(grade_code: Grade) -> None:
    result = grade_code("def add(a, b):\n    return add(a, b)\n")
    assert result.outcome is Outcome.FAIL and "RecursionError" in result.message


def test_a_grader_that_cannot_be_collected_is_an_error_never_a_pass(probe: Exercise) -> None:
    (probe.grader_dir / "test_broken.py").write_text("import no_such_grader_dependency\n")
    result = grade(probe, probe.reference_dir, trusted=True)
    assert result.outcome is Outcome.ERROR and "could not collect" in result.message
    assert "no_such_grader_dependency" in result.message


def test_hypothesis_failures_show_the_falsifying_example_reproducibly(probe: Exercise, grade_code: Grade) -> None:
    (probe.grader_dir / "test_property.py").write_text(
        "from hypothesis import given, strategies as st\n\n"
        "@given(st.integers(), st.integers())\n"
        "def test_add_is_commutative(solution, a, b):\n"
        "    assert solution.add(a, b) == a + b\n"
    )
    buggy = REFERENCE.replace("return a + b", "return a + b if a < 1000 else a")
    first, second = grade_code(buggy), grade_code(buggy)
    assert first.outcome is Outcome.FAIL
    assert "Falsifying example" in first.message or "Failing test case" in first.message  # hypothesis < / >= 6.16x
    assert "a=1000" in first.message, "hypothesis shrinks to the boundary"
    assert first.message == second.message, "derandomised: the same verdict and example every time"


def test_constraint_checks_name_the_line_through_aliases_and_bare_builtins() -> None:
    import ast

    from kata.testing import Source

    text = (
        "import functools\nfrom functools import lru_cache as lc\n\n@functools.cache\ndef f(): pass\n"
        "x = exec('1')\nfrom http import server\nqueue = []\nqueue.append(1)\nattr = 2\n"
    )
    found = Source(Path("m.py"), text, ast.parse(text)).violations(
        {
            "functools.lru_cache": "no",
            "functools.cache": "no",
            "exec": "no",
            "http.server": "no",
            "queue": "no",
            "attr": "no",
        }
    )
    assert [line.split(":")[0] for line in found] == ["line 2", "line 4", "line 6", "line 7"]
    assert "`from functools import lru_cache as lc` uses functools.lru_cache" in found[0]


def test_a_hang_at_import_hits_the_test_time_limit_as_an_error(probe: Exercise, grade_code: Grade) -> None:
    (probe.grader_dir / "test_probe.py").write_text(
        "import pytest\n\n@pytest.mark.time_limit(3)\ndef test_add(solution):\n    assert solution.add(1, 2) == 3\n"
    )
    t0 = time.monotonic()
    result = grade_code("import time\nwhile True:\n    time.sleep(0.01)\n")
    assert result.outcome is Outcome.ERROR
    assert "importing probe.py did not finish within the time limit" in result.message
    assert time.monotonic() - t0 < 3 + 10
