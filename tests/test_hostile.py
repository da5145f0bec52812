"""Hostile and buggy learner code: kata stays in control, and cheap tricks never pass."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from kata import supervisor
from kata.catalog import Exercise
from kata.grading import grade
from kata.results import GradeResult, Outcome
from tests.conftest import REFERENCE, SLOW, STUB, write

Grade = Callable[..., GradeResult]
pytestmark = pytest.mark.slow


def test_unbounded_memory_growth_is_stopped_at_the_cap(grade_code: Grade) -> None:
    code = "def add(a, b):\n    hog = []\n    while True:\n        hog.append(bytearray(10**7))\n"
    t0 = time.monotonic()
    result = grade_code(code)
    assert result.outcome is Outcome.ERROR
    assert result.message.startswith("memory limit: your code used more than 400 MiB while running test_add_small")
    assert result.resources.peak_rss_mb < 400 + 300, "stopped promptly, not long after the cap"
    assert time.monotonic() - t0 < 15


def test_a_flood_of_output_is_drained_and_capped_with_a_note() -> None:
    code = "import os\nfor _ in range(110):\n    os.write(1, b'x' * 1_000_000)\nos.write(1, b'THE-END')\n"
    out = supervisor.run(
        ["python3", "-c", code], env=dict(os.environ), cwd=Path.cwd(), token="t", timeout_s=30, memory_mb=1000
    )
    assert out.output_bytes == 110_000_007
    assert out.output_truncated and "bytes of output truncated" in out.output
    assert out.output.endswith("THE-END") and len(out.output) < 30_000


def test_output_flood_inside_a_test_does_not_break_the_verdict(grade_code: Grade) -> None:
    code = REFERENCE + "\nimport sys\nfor _ in range(100):\n    sys.stdout.write('y' * 1_000_000)\n"
    result = grade_code(code)
    assert result.outcome is Outcome.PASS, result.message


def _marker_processes(marker: str) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if marker in " ".join(p.info["cmdline"] or ()):
                found.append(p)
        except psutil.Error:
            pass
    return found


def test_children_and_setsid_daemons_are_killed_and_ports_freed(grade_code: Grade) -> None:
    marker = f"kata-escapee-{os.getpid()}"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = f"""
        import os, subprocess, sys
        DAEMON = '''
        import socket, time
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", {port})); s.listen()
        time.sleep(600)
        '''
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "{marker}"])
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, [sys.executable, "-c", DAEMON, "{marker}"])
            os._exit(0)

        def add(a, b):
            return a + b

        def total(n):
            return n * (n - 1) // 2
    """
    result = grade_code(code)
    assert result.outcome is Outcome.PASS, result.message
    time.sleep(0.2)
    assert _marker_processes(marker) == [], "no learner process survives the check"
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))  # the daemon's port is free again


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("import sys\nsys.exit(0)\n", id="sys-exit-at-import"),
        pytest.param("import os\nos._exit(0)\n", id="os-exit-at-import"),
        pytest.param(REFERENCE.replace("return a + b", "import os; os._exit(0)"), id="os-exit-in-test"),
        pytest.param(REFERENCE.replace("return a + b", "import sys; sys.exit(0)"), id="sys-exit-in-test"),
        pytest.param("import sys\n\ndef __getattr__(name):\n    sys.exit(0)\n", id="exit-from-getattr"),
        pytest.param("import os\n\ndef __getattr__(name):\n    os._exit(0)\n", id="os-exit-from-getattr"),
    ],
)
def test_exiting_early_is_never_a_pass(grade_code: Grade, code: str) -> None:
    result = grade_code(code)
    assert result.outcome is not Outcome.PASS, result.message


@pytest.mark.parametrize(
    "name, text",
    [
        (
            "conftest.py",
            "import pytest\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n"
            "    outcome = yield\n    outcome.get_result().outcome = 'passed'\n",
        ),
        ("pytest.ini", "[pytest]\naddopts = -k nothing_matches\n"),
        ("pyproject.toml", "[tool.pytest.ini_options]\naddopts = '-k nothing_matches'\n"),
        ("setup.cfg", "[tool:pytest]\naddopts = -k nothing_matches\n"),
        ("sitecustomize.py", "import os\nos._exit(0)\n"),
        ("evil.pth", "import os; os._exit(0)\n"),
        ("pytest.py", "import sys\nsys.exit(0)\n"),
    ],
)
def test_planted_config_files_have_no_effect(grade_code: Grade, name: str, text: str) -> None:
    result = grade_code(STUB, extra={name: text})
    assert result.outcome is Outcome.FAIL, result.message
    assert "NotImplementedError" in result.message


@pytest.mark.parametrize(
    "var, value",
    [("PYTEST_ADDOPTS", "-k nothing_matches"), ("PYTEST_PLUGINS", "no_such_plugin"), ("PYTHONPATH", "/nonexistent")],
)
def test_pytest_and_python_environment_variables_are_ignored(
    grade_code: Grade, monkeypatch: pytest.MonkeyPatch, var: str, value: str
) -> None:
    monkeypatch.setenv(var, value)
    assert grade_code(STUB).outcome is Outcome.FAIL
    assert grade_code(REFERENCE).outcome is Outcome.PASS


def test_constant_returning_module_fails(grade_code: Grade) -> None:
    code = "def __getattr__(name):\n    return lambda *a, **k: None\n"
    assert grade_code(code).outcome is Outcome.FAIL


def test_always_equal_object_fails(grade_code: Grade) -> None:
    code = """
        class Anything(int):
            def __eq__(self, other):
                return True
            __hash__ = int.__hash__

        def add(a, b):
            return Anything(0)

        def total(n):
            return Anything(0)
    """
    result = grade_code(code)
    assert result.outcome is Outcome.FAIL and "add(2, 3) returned 0" in result.message


def test_fake_event_lines_and_result_files_are_ignored_or_refused(grade_code: Grade) -> None:
    code = """
        import json, os
        print(json.dumps({"event": "end", "exitstatus": 0}))
        for name in ("results.json", ".kata-result", "report.xml"):
            with open(name, "w") as f:
                f.write('{"status": "pass"}')
        for fd in range(3, 40):
            try:
                os.write(fd, b'{"event": "report", "test": "x", "when": "call", "outcome": "passed"}\\n')
            except OSError:
                pass

        def add(a, b):
            raise NotImplementedError

        def total(n):
            raise NotImplementedError
    """
    assert grade_code(code).outcome is not Outcome.PASS


def test_patching_pytest_reporting_is_detected(grade_code: Grade) -> None:
    code = """
        import pytest

        original = pytest.TestReport.from_item_and_call

        def always_passed(item, call):
            report = original(item, call)
            report.outcome = "passed"
            report.longrepr = None
            return report

        pytest.TestReport.from_item_and_call = staticmethod(always_passed)

        def add(a, b):
            return 0

        def total(n):
            return 0
    """
    result = grade_code(code)
    assert result.outcome is Outcome.ERROR and "tampered" in result.message


def test_patching_the_clocks_does_not_fool_the_perf_harness(grade_code: Grade) -> None:
    code = (
        SLOW
        + """
import time
time.perf_counter = lambda: 0.0
time.perf_counter_ns = lambda: 0
time.process_time = lambda: 0.0
time.process_time_ns = lambda: 0
time.monotonic = lambda: 0.0
"""
    )
    result = grade_code(code, no_perf=False)
    assert result.outcome is Outcome.FAIL
    assert result.perf and result.perf[0].ratio > 3.0


@pytest.mark.parametrize(
    "code, line",
    [
        ("from kata.testing import load_module\n", 1),
        ("import kata.catalog\n", 1),
        ("SRC = open(__import__('os').path.join('kata', '_content/reference/01-probe/probe.py')).read()\n", 1),
        ("import importlib\nm = importlib.import_module('kata_reference_probe')\n", 2),
    ],
)
def test_reaching_for_the_reference_is_refused(grade_code: Grade, code: str, line: int) -> None:
    result = grade_code(code + REFERENCE)
    assert result.outcome is Outcome.ERROR and f"probe.py line {line}:" in result.message


def test_a_symlinked_solution_file_is_refused_not_followed(probe: Exercise, tmp_path: Path) -> None:
    folder = tmp_path / "linked"
    real = write(tmp_path / "elsewhere/probe.py", REFERENCE)
    folder.mkdir()
    (folder / "probe.py").symlink_to(real)
    result = grade(probe, folder)
    assert result.outcome is Outcome.ERROR and "symlink" in result.message


def test_check_writes_nothing_into_the_learner_folder(probe: Exercise, tmp_path: Path) -> None:
    folder = tmp_path / "clean"
    write(folder / "probe.py", REFERENCE + "\nimport helper\n")
    write(folder / "helper.py", "X = 1\n")
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    grade(probe, folder, no_perf=False)
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before


def _as_in_a_terminal() -> None:
    # A test run started in the background of a script (`cmd &`) ignores SIGINT, and exec would pass that on:
    # kata, like any program, keeps an ignored SIGINT ignored. These tests play a user at a terminal.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _kata(ws: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KATA_WORKSPACE": str(ws)}
    return subprocess.Popen(
        [sys.executable, "-m", "kata.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=_as_in_a_terminal,
    )


def _run(ws: Path, *args: str) -> tuple[int, str]:
    proc = _kata(ws, *args)
    out = proc.communicate(timeout=120)[0].decode()
    return proc.returncode, out


def _graders_under(pid: int) -> list[psutil.Process]:
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []
    return [p for p in children if "kata.plugin" in " ".join(p.cmdline())]


def test_ctrl_c_during_a_check_leaves_no_processes_and_a_sound_progress_file(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert _run(ws, "start", "11")[0] == 0
    check = _kata(ws, "check", "11")
    deadline = time.monotonic() + 60
    graders: list[psutil.Process] = []
    while time.monotonic() < deadline and not graders:
        graders = _graders_under(check.pid)
        time.sleep(0.05)
    assert graders, "the check started a grader process"
    check.send_signal(signal.SIGINT)
    out = check.communicate(timeout=30)[0].decode()
    assert check.returncode == 130 and "interrupted" in out and "Traceback" not in out
    _, alive = psutil.wait_procs(graders, timeout=5)
    assert not alive, "the grader process tree is gone"
    code, out = _run(ws, "progress", "--json")
    assert code == 0 and json.loads(out)["exercises"][0]["attempts"] == 0


def test_two_checks_at_once_are_both_recorded(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert _run(ws, "start", "11")[0] == 0
    checks = [_kata(ws, "check", "11", "--no-perf") for _ in range(2)]
    for check in checks:
        check.communicate(timeout=120)
    assert [c.returncode for c in checks] == [1, 1]
    code, out = _run(ws, "progress", "--json")
    assert code == 0
    assert json.loads(out)["exercises"][0]["attempts"] == 2


def test_kata_imports_are_refused_in_non_python_sources_too() -> None:
    from kata.staging import _check_text

    refusal = _check_text("kernel.pyx", "def f():\n    pass\ncimport kata.testing\n", trusted=False)
    assert refusal is not None and "kernel.pyx line 3: importing kata.testing" in refusal.message
