"""Hidden grader for exercise 18: a process pool and `parallel_map`."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import _pool_jobs as jobs
import psutil
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from kata.testing import Perf, Source, cpu_capacity

GRADER_DIR = Path(__file__).resolve().parent
_monotonic = time.monotonic  # bound before any learner code runs
# Every example starts processes: keep shrinking, skip the explain phase (hundreds of extra runs on a failure).
NO_EXPLAIN = (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink)


# ----------------------------------------------------------------------------------------------------- helpers


def _children() -> list[psutil.Process]:
    return psutil.Process().children(recursive=True)


def _describe(procs: list[psutil.Process]) -> str:
    parts = []
    for p in procs:
        try:
            parts.append(f"pid {p.pid} ({p.status()})")
        except psutil.Error:
            parts.append(f"pid {p.pid}")
    return ", ".join(parts)


def _kill_all(procs: list[psutil.Process], *, reap: bool = True) -> None:
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.kill()
    if not reap:  # leave the exit statuses to the learner's join()
        return
    psutil.wait_procs(procs, timeout=3)
    for p in procs:  # reap zombies the learner's code left unjoined
        with contextlib.suppress(ChildProcessError):
            os.waitpid(p.pid, os.WNOHANG)


def assert_no_workers_left(after: str) -> None:
    """Every worker has exited and been reaped (a zombie counts as left over)."""
    deadline = _monotonic() + 1.0
    left = _children()
    while left and _monotonic() < deadline:
        time.sleep(0.05)
        left = _children()
    if left:
        described = _describe(left)
        _kill_all(left)
        pytest.fail(
            f"after {after}, {len(left)} worker process(es) still exist: {described}. Did you terminate() and "
            "join() every worker on this path (a finally block)? A zombie is a process nobody join()ed.",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _reap_leftovers() -> Iterator[None]:
    """Whatever a test leaves behind is killed, so one leak can't spoil the next test."""
    yield
    _kill_all(_children())


def _raises(exc_type: type[BaseException], call: Callable[[], object], what: str) -> Any:
    try:
        got = call()
    except exc_type as exc:
        return exc
    except (Exception, KeyboardInterrupt) as exc:  # a time-limit stop is not caught: it ends the test itself
        pytest.fail(f"{what}: expected {exc_type.__name__}, got {type(exc).__name__}: {exc}", pytrace=False)
    pytest.fail(f"{what}: expected {exc_type.__name__}, but it returned {got!r:.200}", pytrace=False)


def _exact_list(got: object, expected: list[Any], what: str) -> None:
    assert type(got) is list, f"{what} returned {type(got).__name__}, expected a list"
    assert len(got) == len(expected), f"{what} returned {len(got)} results for {len(expected)} items"
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        assert type(g) is type(e) and g == e, f"{what}: result {i} is {g!r}, expected {e!r}"


# ------------------------------------------------------------------------------------------------- correctness


@pytest.mark.time_limit(40)
@settings(max_examples=30, phases=NO_EXPLAIN, report_multiple_bugs=False)
@given(
    xs=st.lists(st.integers(-1000, 1000), max_size=120),
    workers=st.integers(1, 4),
    chunksize=st.none() | st.integers(1, 12),
)
def test_results_equal_serial_map_in_input_order(
    solution: ModuleType, xs: list[int], workers: int, chunksize: int | None
) -> None:
    """parallel_map(square, xs) equals list(map(square, xs)) for any list, worker count and chunk size."""
    got = solution.parallel_map(jobs.square, xs, workers=workers, chunksize=chunksize)
    _exact_list(
        got, [x * x for x in xs], f"parallel_map(square, {len(xs)} items, workers={workers}, chunksize={chunksize})"
    )
    assert_no_workers_left("a successful parallel_map")


def test_items_of_any_picklable_type_and_any_iterable(solution: ModuleType) -> None:
    """Items of mixed types come back in order, from a list, a generator or a range; no items gives []."""
    items = ["a", 1, 2.5, None, (1, "x"), b"\x00", frozenset({3}), {"k": [1, 2]}, True, 10**30]
    expected = [jobs.describe(x) for x in items]
    _exact_list(solution.parallel_map(jobs.describe, items, workers=2, chunksize=3), expected, "mixed items")
    _exact_list(solution.parallel_map(jobs.describe, (x for x in items), workers=2), expected, "a generator")
    _exact_list(solution.parallel_map(jobs.square, range(7), workers=3), [x * x for x in range(7)], "a range")
    _exact_list(solution.parallel_map(jobs.square, [], workers=2), [], "no items")
    _exact_list(solution.parallel_map(jobs.square, iter([])), [], "an empty iterator")
    assert_no_workers_left("parallel_map over mixed iterables")


def test_calls_run_in_worker_processes(solution: ModuleType) -> None:
    """Every call runs in a worker process, never in the caller, and both of 2 workers get calls."""
    got = solution.parallel_map(jobs.nap_with_pid, range(20), workers=2, chunksize=1)
    assert [x for x, _ in got] == list(range(20)), "results out of order"
    pids = {pid for _, pid in got}
    assert os.getpid() not in pids, (
        f"calls ran in the calling process (pid {os.getpid()}); parallel_map must run them in worker processes. "
        "Threads share one interpreter lock, so CPU-bound Python gets no faster with them."
    )
    assert len(pids) == 2, f"20 calls of 50 ms with workers=2, chunksize=1 ran in {len(pids)} process(es), expected 2"


def test_calls_in_different_workers_overlap_in_time(solution: ModuleType) -> None:
    """Workers run at the same time: 4 calls of 0.3 s on 2 workers overlap (nothing serialises the calls)."""
    got = solution.parallel_map(jobs.timed_nap, range(4), workers=2, chunksize=1)
    overlaps = [(a, b) for i, a in enumerate(got) for b in got[i + 1 :] if a[0] != b[0] and a[1] < b[2] and b[1] < a[2]]
    assert overlaps, (
        "no two calls in different workers ran at the same time (start/end times: "
        f"{[(round(s, 2), round(e, 2)) for _, s, e in got]}); is something (a lock, a join) serialising the calls?"
    )


def test_workers_are_reused_and_never_more_than_needed(solution: ModuleType) -> None:
    """A call never has more than `workers` worker processes, nor more workers than chunks."""
    got = solution.parallel_map(jobs.nap_with_pid, range(30), workers=3, chunksize=1)
    pids = {pid for _, pid in got}
    assert len(pids) <= 3, f"30 calls with workers=3 ran in {len(pids)} processes; start workers once and reuse them"
    counts = solution.parallel_map(jobs.sibling_count, range(12), workers=3, chunksize=1)
    assert max(counts) <= 3, f"with workers=3 the caller had up to {max(counts)} child processes during the map"
    counts = solution.parallel_map(jobs.sibling_count, range(2), workers=8, chunksize=1)
    assert max(counts) <= 2, (
        f"2 items (2 chunks) with workers=8: the caller had {max(counts)} child processes; start at most one "
        "worker per chunk"
    )
    assert_no_workers_left("parallel_map")


@pytest.mark.parametrize(("n", "workers", "chunksize", "block"), [(23, 2, 5, 5), (80, 2, None, 10), (50, 3, None, 5)])
def test_chunks_are_contiguous_blocks(
    solution: ModuleType, n: int, workers: int, chunksize: int | None, block: int
) -> None:
    """Each chunk (chunksize items, default ceil(n / (4·workers))) runs in one worker, in order."""
    got = solution.parallel_map(
        jobs.nap_with_pid if n < 30 else jobs.with_pid, range(n), workers=workers, chunksize=chunksize
    )
    assert [x for x, _ in got] == list(range(n)), "results out of order"
    for start in range(0, n, block):
        pids = {pid for _, pid in got[start : start + block]}
        assert len(pids) == 1, (
            f"n={n}, workers={workers}, chunksize={chunksize}: items {start}..{min(start + block, n) - 1} should "
            f"form one chunk run by one worker, but ran in {len(pids)} processes"
            + ("; the default is ceil(n / (4 * workers))" if chunksize is None else "")
        )


@pytest.mark.parametrize(
    "kwargs", [{"workers": 0}, {"workers": -2}, {"chunksize": 0}, {"timeout": 0}, {"timeout": -1.5}]
)
def test_invalid_arguments_raise_value_error(solution: ModuleType, kwargs: dict[str, int]) -> None:
    """workers or chunksize below 1, and a timeout that is not positive, raise ValueError."""
    _raises(ValueError, lambda: solution.parallel_map(jobs.square, range(5), **kwargs), f"parallel_map(..., {kwargs})")
    assert_no_workers_left(f"rejecting {kwargs}")


def test_error_names_the_failing_item(solution: ModuleType) -> None:
    """func raising on item 13 gives TaskError(.index=13, .item=13) with the original ValueError as __cause__."""
    items = list(range(40))
    err = _raises(
        solution.TaskError,
        lambda: solution.parallel_map(jobs.fail_on_13, items, workers=2, chunksize=3),
        "func raised ValueError for item 13",
    )
    assert (err.index, err.item) == (13, 13), f"TaskError has index={err.index!r}, item={err.item!r}; expected 13, 13"
    cause = err.__cause__
    assert type(cause) is ValueError and cause.args == ("thirteen is unlucky",), (
        f"TaskError.__cause__ is {cause!r}; expected the original ValueError('thirteen is unlucky') (raise ... from)"
    )
    text = str(err)
    for part in ("13", "ValueError", "thirteen is unlucky"):
        assert part in text, f"the message {text!r} should contain {part!r}"
    assert_no_workers_left("a TaskError")


@pytest.mark.time_limit(40)
@settings(max_examples=25, phases=NO_EXPLAIN, report_multiple_bugs=False)
@given(xs=st.lists(st.integers(0, 500), max_size=60), m=st.integers(2, 40), chunksize=st.integers(1, 8))
def test_any_failure_is_reported_for_an_item_that_failed(
    solution: ModuleType, xs: list[int], m: int, chunksize: int
) -> None:
    """With some failing items, TaskError names one of them; with none, the results are right."""
    items = [(x, m) for x in xs]
    failing = {i for i, x in enumerate(xs) if x % m == 0}
    if not failing:
        got = solution.parallel_map(jobs.fail_on_multiples, items, workers=2, chunksize=chunksize)
        _exact_list(got, [2 * x + 1 for x in xs], "no item failing")
        return
    err = _raises(
        solution.TaskError,
        lambda: solution.parallel_map(jobs.fail_on_multiples, items, workers=2, chunksize=chunksize),
        "some items failing",
    )
    assert err.index in failing and err.item == items[err.index], (
        f"TaskError names index {err.index!r} / item {err.item!r}, which did not fail (failing indices: "
        f"{sorted(failing)})"
    )
    assert type(err.__cause__) is jobs.Unlucky, f"__cause__ is {err.__cause__!r}, expected an Unlucky exception"
    assert_no_workers_left("a TaskError")


def test_exception_that_cannot_be_unpickled_still_gives_task_error(solution: ModuleType) -> None:
    """An exception whose __init__ breaks unpickling still ends in TaskError for its item (not a hang)."""
    err = _raises(
        solution.TaskError,
        lambda: solution.parallel_map(jobs.fail_unpicklably_on_7, range(20), workers=2),
        "func raised an exception that can't be unpickled",
    )
    assert (err.index, err.item) == (7, 7), f"TaskError names index {err.index!r}, expected 7"
    assert "NeedsTwoArgs" in str(err), f"the message {str(err)!r} should name the exception type NeedsTwoArgs"
    assert_no_workers_left("a TaskError")


def test_unpicklable_result_gives_task_error(solution: ModuleType) -> None:
    """A result that cannot be pickled (a generator) raises TaskError for its item."""
    err = _raises(
        solution.TaskError,
        lambda: solution.parallel_map(jobs.generator_result_on_3, range(10), workers=2, chunksize=2),
        "func returned a generator for item 3",
    )
    assert (err.index, err.item) == (3, 3), f"TaskError names index {err.index!r}, expected 3"
    assert_no_workers_left("an unpicklable result")


def test_worker_crash_gives_task_error_for_its_item(solution: ModuleType) -> None:
    """A worker that dies mid-call (os._exit) makes parallel_map raise TaskError for that item, not hang."""
    err = _raises(
        solution.TaskError,
        lambda: solution.parallel_map(jobs.crash_on_4, range(12), workers=2, chunksize=2),
        "the worker running item 4 died",
    )
    assert (err.index, err.item) == (4, 4), f"TaskError names index {err.index!r}, expected 4"
    assert_no_workers_left("a worker crash")


def test_a_failure_stops_the_remaining_work(solution: ModuleType, tmp_path: Path) -> None:
    """After item 0 fails, no more calls start: of 59 calls of 0.1 s, only the few already running finish."""
    log = tmp_path / "calls.log"
    log.touch()
    func = functools.partial(jobs.log_and_nap, str(log))
    _raises(solution.TaskError, lambda: solution.parallel_map(func, range(60), workers=2, chunksize=1), "item 0 failed")
    time.sleep(0.5)
    ran = log.read_text().split()
    assert len(ran) < 15, (
        f"{len(ran)} more calls ran after item 0 failed; stop handing out work and terminate the workers"
    )
    assert_no_workers_left("a TaskError")


@pytest.mark.time_limit(12)
@pytest.mark.parametrize("job", ["spin_on_5", "sleep_on_5", "stuck_in_c_on_5"])
def test_timeout_stops_a_call_that_never_ends(solution: ModuleType, job: str) -> None:
    """A call running past `timeout` raises TaskTimeout for its item: a busy loop, a sleep, a call stuck in C."""
    func = getattr(jobs, job)
    rescued = threading.Event()

    def rescue() -> None:  # if no TaskTimeout came in 8 s, free the caller by killing the stuck workers
        rescued.set()
        _kill_all(_children(), reap=False)

    watchdog = threading.Timer(8.0, rescue)
    watchdog.start()
    outcome: Exception | None = None
    try:
        solution.parallel_map(func, range(10), workers=2, chunksize=2, timeout=0.5)
    except Exception as exc:
        outcome = exc
    finally:
        watchdog.cancel()
    assert not rescued.is_set(), (
        f"{job}: no TaskTimeout 8 s after the start, for a 0.5 s timeout (the grader then killed the workers, and "
        f"parallel_map ended with {outcome!r:.120}). "
        + (
            "A call stuck in C code never returns to the interpreter, so a signal handler inside the worker can't "
            "stop it: the parent must terminate the worker."
            if job == "stuck_in_c_on_5"
            else "Does the parent watch how long each call has been running?"
        )
    )
    err = outcome
    assert isinstance(err, solution.TaskTimeout), (
        f"{job}: item 5 never ends, timeout=0.5: expected TaskTimeout, got {err!r}"
    )
    assert isinstance(err, solution.TaskError) and isinstance(err, TimeoutError)
    assert (err.index, err.item) == (5, 5), f"TaskTimeout names index {err.index!r}, expected 5"
    assert_no_workers_left(f"a TaskTimeout ({job})")


def test_timeout_applies_per_call_not_per_chunk(solution: ModuleType) -> None:
    """timeout=0.5 with calls of 0.1 s in chunks of 8 (0.8 s per chunk) is no timeout."""
    got = solution.parallel_map(jobs.nap, range(16), workers=2, chunksize=8, timeout=0.5)
    _exact_list(got, list(range(16)), "calls of 0.1 s, timeout 0.5 s")


def test_unpicklable_item_gives_a_clear_error(solution: ModuleType) -> None:
    """An item that can't be pickled raises UnpicklableItemError (a TypeError) naming it; no hang."""
    lock = threading.Lock()
    items: list[object] = [1, 2, lock, 4, 5, 6]
    err = _raises(
        solution.UnpicklableItemError,
        lambda: solution.parallel_map(jobs.describe, items, workers=2, chunksize=1),
        "item 2 is a threading.Lock",
    )
    assert isinstance(err, TypeError), "UnpicklableItemError must be a TypeError"
    assert err.index == 2 and err.item is lock, f"UnpicklableItemError names index {err.index!r}, expected 2"
    assert_no_workers_left("an UnpicklableItemError")


def test_unpicklable_func_raises_type_error(solution: ModuleType) -> None:
    """A lambda as func raises TypeError saying it cannot be pickled, before any worker starts."""
    err = _raises(TypeError, lambda: solution.parallel_map(lambda x: x, [1, 2, 3], workers=2), "func is a lambda")
    assert "pickl" in str(err).lower(), f"the message {str(err)!r} should say that func cannot be pickled"
    assert_no_workers_left("rejecting a lambda")


@pytest.mark.time_limit(15)
def test_keyboard_interrupt_stops_every_worker(solution: ModuleType) -> None:
    """Ctrl-C in the caller (KeyboardInterrupt) propagates and leaves no worker behind."""
    timer = threading.Timer(0.7, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        _raises(
            KeyboardInterrupt,
            lambda: solution.parallel_map(jobs.slow_nap, range(200), workers=2, chunksize=1),
            "SIGINT arrived during parallel_map",
        )
    finally:
        timer.cancel()
    assert_no_workers_left("a KeyboardInterrupt")


_CTRL_C_SCRIPT = """
import json, sys
sys.path[:0] = [{solution!r}, {grader!r}]
import psutil
import _pool_jobs
import {module}
try:
    {module}.parallel_map(_pool_jobs.slow_nap, range(200), workers=2, chunksize=1)
except KeyboardInterrupt:
    left = [p.pid for p in psutil.Process().children(recursive=True)]
    print(json.dumps({{"outcome": "KeyboardInterrupt", "left": left}}), flush=True)
    sys.exit(0)
except BaseException as exc:
    print(json.dumps({{"outcome": type(exc).__name__ + ": " + str(exc)}}), flush=True)
    sys.exit(3)
print(json.dumps({{"outcome": "returned"}}), flush=True)
"""


@pytest.mark.time_limit(30)
def test_ctrl_c_in_a_terminal_is_a_clean_shutdown(solution: ModuleType, solution_dir: Path) -> None:
    """SIGINT to the whole process group (a terminal's Ctrl-C): KeyboardInterrupt, no worker left, no tracebacks."""
    module = Path(solution.__file__ or "").stem
    script = _CTRL_C_SCRIPT.format(solution=str(solution_dir), grader=str(GRADER_DIR), module=module)
    proc = subprocess.Popen(
        [sys.executable, "-I", "-B", "-c", script],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = _monotonic() + 15
        workers: list[psutil.Process] = []
        while _monotonic() < deadline and proc.poll() is None:
            workers = psutil.Process(proc.pid).children(recursive=True)
            if len(workers) >= 2:
                break
            time.sleep(0.05)
        assert len(workers) >= 2, "the script never started 2 workers"
        time.sleep(0.5)  # let the workers get into their calls
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
        _kill_all([w for w in workers if w.is_running()])
    last = out.strip().splitlines()[-1] if out.strip() else "{}"
    report = json.loads(last)
    assert report.get("outcome") == "KeyboardInterrupt", (
        f"after Ctrl-C, parallel_map ended with {report.get('outcome')!r}; let KeyboardInterrupt propagate\n"
        + err[-800:]
    )
    assert report.get("left") == [], (
        f"right after the KeyboardInterrupt, {len(report['left'])} worker process(es) still existed; stop and join "
        "them before re-raising"
    )
    assert "Traceback" not in err, (
        "workers printed tracebacks on Ctrl-C; make them ignore SIGINT (signal.signal(SIGINT, SIG_IGN)) and let the "
        f"parent shut them down:\n{err[-800:]}"
    )


def test_does_not_delegate_to_an_existing_pool(source: Source) -> None:
    """The pool is built here: multiprocessing.Pool and concurrent.futures are not allowed."""
    why = "this exercise builds the pool from Process and pipes"
    found = source.violations(
        {
            "multiprocessing.Pool": why,
            "multiprocessing.pool": why,
            "concurrent.futures": why,
            "multiprocessing.context.BaseContext.Pool": why,
        }
    )
    assert not found, "\n".join(found)


# -------------------------------------------------------------------------------------------------------- perf

CPU_ITEMS = [100_000] * 24
MIN_SPEEDUP = 1.3
# Two busy processes get ~1.95 CPU-seconds per wall-second on the idle 2-core grader. Other sessions' processes
# take cores away (with autogroup scheduling one busy process elsewhere leaves this session about one core), and
# then no pool can show a speed-up. Below FREE_CAPACITY the benchmark is not even run, and a failed benchmark counts
# only if the machine gave at least as much right after it (best of 3 probes: one probe can catch a passing blip).
# Otherwise the verdict is "inconclusive, rerun", not a failure.
FREE_CAPACITY = 1.6


def _busy(capacity: float) -> str:
    return (
        f"other processes held the cores (two busy processes got {capacity:.2f} of 2 cores), so no speed-up can be "
        "measured; rerun the check when the machine is quieter"
    )


@pytest.mark.perf
@pytest.mark.time_limit(30)
def test_speed_up_over_serial_map(solution: ModuleType, perf: Perf) -> None:
    """parallel_map over 24 CPU-bound calls with 2 workers is at least 1.3× faster than map (wall time)."""
    expected = list(map(jobs.cpu_job, CPU_ITEMS[:4]))
    assert solution.parallel_map(jobs.cpu_job, CPU_ITEMS[:4], workers=2) == expected
    name = "parallel_map(cpu_job, 24 items, workers=2) vs map"
    capacity = cpu_capacity()
    if capacity < FREE_CAPACITY:
        perf.inconclusive(name, _busy(capacity), min_speedup=MIN_SPEEDUP)
        return
    try:
        perf.speedup(
            name,
            lambda: solution.parallel_map(jobs.cpu_job, CPU_ITEMS, workers=2),
            lambda: list(map(jobs.cpu_job, CPU_ITEMS)),
            min_speedup=MIN_SPEEDUP,
            clock="wall",
            budget_s=4.0,
        )
    except pytest.fail.Exception:
        capacity = max(cpu_capacity() for _ in range(3))  # the machine may have got busy during the measurement
        if capacity >= FREE_CAPACITY:
            raise
        perf.inconclusive(name, _busy(capacity), min_speedup=MIN_SPEEDUP)
    assert_no_workers_left("the benchmark")
