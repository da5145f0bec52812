"""The pytest plugin that runs inside the grader process and streams events to kata.

It is loaded with `-p kata.plugin` before any grader or learner module is imported. Events are JSON lines on a
private pipe (never stdout), each carrying a per-run token, so learner output cannot forge them. Perf tests are
ordered last and skipped once a correctness test has failed. Reports are cross-checked against the exceptions
this plugin saw itself, so a learner module that patches pytest's reporting is caught.
"""

from __future__ import annotations

import json
import os
import re
import signal
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from kata import perf as _perf  # binds the harness's clocks before any learner code runs
from kata.results import Deadline

EVENT_FD_ENV = "KATA_EVENT_FD"
TOKEN_ENV = "KATA_TOKEN"
SOLUTION_ENV = "KATA_SOLUTION_DIR"
REFERENCE_ENV = "KATA_REFERENCE_DIR"
MODULE_ENV = "KATA_MODULE"
NO_PERF_ENV = "KATA_NO_PERF"
OUTPUT_CAP = 4000
DEFAULT_TEST_TIME_LIMIT_S = 20.0


class TestTimeLimit(Deadline):
    """Raised inside a test that ran past its time limit.

    A BaseException, so hypothesis does not catch it and replay the slow example while shrinking.
    """


def _expire(signum: int, frame: FrameType | None) -> None:
    signal.setitimer(signal.ITIMER_REAL, 1.0)  # re-arm in case learner code swallows it
    raise TestTimeLimit


def time_limit(item: pytest.Item | None) -> float:
    marker = item.get_closest_marker("time_limit") if item is not None else None
    return float(marker.args[0]) if marker else DEFAULT_TEST_TIME_LIMIT_S


@contextmanager
def _limited(item: pytest.Item | None) -> Iterator[None]:
    """Arm the per-test wall-clock limit around one phase (nested phases keep the outer deadline)."""
    remaining = signal.getitimer(signal.ITIMER_REAL)[0]
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, remaining or time_limit(item))
    try:
        yield
    finally:
        if remaining:
            left = signal.getitimer(signal.ITIMER_REAL)[0]
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
        else:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


class Channel:
    """Writes events to the pipe kata handed over; the pipe moves to a fresh fd number at start-up."""

    def __init__(self, fd: int | None, token: str) -> None:
        self._fd = fd
        self._token = token

    def send(self, event: str, **fields: Any) -> None:
        if self._fd is None:
            return
        line = json.dumps({"event": event, "token": self._token, **fields}, default=str) + "\n"
        data = line.encode()
        while data:
            written = os.write(self._fd, data)
            data = data[written:]


class Settings:
    """What kata told this run, read once from the environment and then removed from it."""

    def __init__(self) -> None:
        env = os.environ
        fd_text = env.pop(EVENT_FD_ENV, "")
        fd: int | None = None
        if fd_text:
            fd = os.dup(int(fd_text))
            os.close(int(fd_text))
        self.channel = Channel(fd, env.pop(TOKEN_ENV, ""))
        self.solution_dir = Path(env.pop(SOLUTION_ENV, ".")).resolve()
        reference = env.pop(REFERENCE_ENV, "")
        self.reference_dir = Path(reference).resolve() if reference else None
        self.module = env.pop(MODULE_ENV, "")
        self.no_perf = env.pop(NO_PERF_ENV, "") == "1"


SETTINGS = pytest.StashKey[Settings]()


def is_perf(item: pytest.Item) -> bool:
    return item.get_closest_marker("perf") is not None


def describe(item: pytest.Item) -> str:
    doc = getattr(getattr(item, "function", None), "__doc__", None) or ""
    return " ".join(doc.split())


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _learner_frames(excinfo: pytest.ExceptionInfo[BaseException], solution_dir: Path) -> list[str]:
    frames = []
    for entry in excinfo.traceback:
        path = Path(str(entry.path))
        if solution_dir in path.parents:
            try:
                line = str(entry.statement).strip()
            except Exception:  # source may be unavailable; the location is still useful
                line = ""
            frames.append(f"  {path.name}:{entry.lineno + 1}: {line}")
    return frames[-6:]


def explain(excinfo: pytest.ExceptionInfo[BaseException], solution_dir: Path) -> str:
    """The failure as the learner should read it: the message, hypothesis's example, their own frames."""
    value = excinfo.value
    if isinstance(value, pytest.fail.Exception | pytest.skip.Exception):
        text = str(value.msg)
    elif isinstance(value, TestTimeLimit):
        text = "this test ran past its time limit and was stopped: your code is far too slow here, or never ends"
    elif isinstance(value, AssertionError):
        text = str(value) or "assertion failed"
    else:
        text = f"{type(value).__name__}: {value}"
    notes = [str(n) for n in getattr(value, "__notes__", ())]
    frames = _learner_frames(excinfo, solution_dir)
    parts = [text, *notes]
    if frames and not isinstance(value, pytest.fail.Exception):
        parts.append("in your code:\n" + "\n".join(frames))
    # Stable across runs (the same failure reads the same) and free of kata's temporary paths.
    text = "\n".join(parts).replace(f"{solution_dir.parent}{os.sep}", "")
    return _ADDRESS.sub(" at 0x…", text)


class Reporter:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.channel = settings.channel
        self.failed = False
        self.raised: dict[str, bool] = {}
        self.current: pytest.Item | None = None

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        items.sort(key=is_perf)  # stable: correctness first, perf last

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        tests = [{"name": item.nodeid, "perf": is_perf(item), "description": describe(item)} for item in session.items]
        self.channel.send("collected", tests=tests)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.channel.send("collect_error", where=report.nodeid, message=str(report.longrepr)[-2000:])

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self.channel.send("start", test=nodeid)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if is_perf(item):
            if self.settings.no_perf:
                pytest.skip("performance checks skipped (--no-perf)")
            if self.failed:
                pytest.skip("performance is measured once every correctness test passes")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, object, object]:
        with _limited(item):
            try:
                result = yield
            except BaseException:
                self.raised[item.nodeid] = True
                raise
        self.raised[item.nodeid] = False
        return result

    # Fixtures (a learner's server starting, their module importing) get the same limit per phase.
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        self.current = item
        try:
            return (yield)
        finally:
            self.current = None

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self) -> Generator[None, object, object]:
        with _limited(self.current):  # the running test's limit, also for session-scoped fixtures
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, object, object]:
        with _limited(item):
            return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        tampered = False
        if call.when == "call":
            saw_exception = self.raised.get(item.nodeid, True)
            tampered = report.passed and (saw_exception or call.excinfo is not None)
        message = ""
        if call.excinfo is not None and not report.passed:
            message = explain(call.excinfo, self.settings.solution_dir)
        if report.failed or tampered:
            self.failed = True
        output = (report.capstdout + report.capstderr)[-OUTPUT_CAP:]
        self.channel.send(
            "report",
            test=item.nodeid,
            when=call.when,
            outcome="failed" if tampered else report.outcome,
            message=message,
            output=output,
            tampered=tampered,
            import_error=bool(call.excinfo and call.excinfo.typename == "SolutionImportError"),
            duration=call.duration,
        )
        return report

    def pytest_sessionfinish(self, exitstatus: int) -> None:
        self.channel.send("end", exitstatus=int(exitstatus))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("kata_grader", "marks a kata grader run", default="1")


def _reset_signals() -> None:
    """Give learner code the signal handling of a fresh interpreter in a terminal.

    Dispositions set to "ignore" survive exec: a `kata check` started in the background of a script (`cmd &`,
    nohup) would hand the grader an ignored SIGINT, and then no KeyboardInterrupt and no SIGTERM could reach it.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for name in ("SIGTERM", "SIGHUP", "SIGQUIT"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)


def pytest_configure(config: pytest.Config) -> None:
    _reset_signals()
    config.addinivalue_line("markers", "perf: a side-by-side benchmark, run after every correctness test")
    config.addinivalue_line("markers", "time_limit(seconds): this test's own wall-clock limit (default 20 s)")
    settings = Settings()
    config.stash[SETTINGS] = settings
    config.pluginmanager.register(Reporter(settings), "kata-reporter")
    _perf.set_recorder(lambda result, test: settings.channel.send("perf", test=test, **result))
    _load_hypothesis_profile()


def _load_hypothesis_profile() -> None:
    from hypothesis import HealthCheck, Phase, settings

    settings.register_profile(
        "kata",
        derandomize=True,
        # No "explain" phase: it can take ~10 s per failing test, and the shrunk example is what learners need.
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
        report_multiple_bugs=False,  # one clear failing example, not an ExceptionGroup of them
        database=None,
        deadline=None,
        print_blob=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
    )
    settings.load_profile("kata")
