"""The side-by-side timing harness (runs inside the grader process).

Absolute times mean little on a shared machine; ratios measured in one process do. Each benchmark warms both
sides up, calibrates how many calls make a sample of ~10 ms, then times learner and reference alternately
(A B, B A, …) and takes the median of the paired ratios, adding pairs when the median lands near the threshold.
The clocks are bound when this module is imported, before any learner code, so patching `time` can't fool it.
"""

from __future__ import annotations

import gc
import math
import os
import statistics
import struct
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from kata.results import Deadline, PerfResult

_CLOCKS: dict[str, Callable[[], int]] = {"cpu": time.process_time_ns, "wall": time.perf_counter_ns}
_CPU = time.process_time_ns
_WALL = time.perf_counter_ns
_Recorder = Callable[[dict[str, Any], str], None]
_recorder: _Recorder | None = None
_current_test = ""

TARGET_SAMPLE_NS = 10_000_000
BUSY_CPU_SHARE = 0.35


def set_recorder(recorder: _Recorder) -> None:
    global _recorder
    _recorder = recorder


def set_current_test(nodeid: str) -> None:
    global _current_test
    _current_test = nodeid


def record(result: PerfResult) -> None:
    if _recorder is not None:
        _recorder(asdict(result), _current_test)


def cpu_capacity(processes: int = 2, seconds: float = 0.2) -> float:
    """CPU-seconds per wall-second that `processes` forked busy loops get right now (up to the free cores).

    A parallel speed-up needs free cores, and only a measurement says how many there are: under Linux's autogroup
    scheduling one busy process in another session leaves this session about one core, whatever `os.cpu_count()`
    says. Graders of parallel exercises probe this before judging a wall-clock speed-up.
    """
    read_end, write_end = os.pipe()
    pids = []
    start = _WALL()
    try:
        for _ in range(processes):
            pid = os.fork()
            if pid == 0:  # the child spins, reports its CPU time and leaves without running any cleanup
                try:
                    deadline = _WALL() + int(seconds * 1e9)
                    while _WALL() < deadline:
                        pass
                    os.write(write_end, struct.pack("d", _CPU() / 1e9))
                finally:
                    os._exit(0)
            pids.append(pid)
    finally:
        for pid in pids:
            os.waitpid(pid, 0)
        os.close(write_end)
    wall = (_WALL() - start) / 1e9
    with os.fdopen(read_end, "rb") as reader:
        data = reader.read()
    cpu: float = sum(struct.unpack(f"{len(data) // 8}d", data))
    return cpu / wall


def _sample(fn: Callable[[], object], calls: int, clock: Callable[[], int]) -> float:
    """Nanoseconds per call over `calls` calls."""
    gc.collect(0)  # young garbage only: a full collection can cost 0.1 s in a big grader process
    start = clock()
    for _ in range(calls):
        fn()
    return (clock() - start) / calls


def _calibrate(fn: Callable[[], object], clock: Callable[[], int]) -> int:
    """Calls per sample so that one sample lasts at least TARGET_SAMPLE_NS (like timeit's autorange).

    Decided on the wall clock: it has fine resolution even while a CPU-time timer is armed.
    """
    calls = 1
    while calls < 1_000_000:
        start = _WALL()
        _sample(fn, calls, clock)
        elapsed = _WALL() - start
        if elapsed >= TARGET_SAMPLE_NS:
            break
        calls = min(1_000_000, calls * min(10, max(2, math.ceil(TARGET_SAMPLE_NS * 1.2 / max(elapsed, 1)))))
    return calls


def _measure_pairs(
    learner: Callable[[], object],
    reference: Callable[[], object],
    clock: Callable[[], int],
    threshold: float,
    min_pairs: int,
    max_pairs: int,
    budget_s: float,
    settle_early: bool,
) -> tuple[list[float], float, float, int, float]:
    """Interleaved pairs; returns (ratios, learner ns/call, reference ns/call, pairs, cpu share)."""
    gc.collect()
    # Warm-up calls: imports, JIT compilation, first-call caches. A runaway learner call is stopped by the test's
    # own time limit (a Deadline, caught in _run); CPU-time timers are avoided on purpose: while one is armed,
    # Linux advances the process CPU clock only at scheduler ticks, which would spoil the samples.
    first_ref = _sample(reference, 1, _WALL)
    first_learner = _sample(learner, 1, _WALL)
    if settle_early and first_learner > 1e9 and first_learner > 10 * threshold * first_ref:
        # One call already settles it; timing more pairs would only spend the learner's time.
        ratio = first_learner / max(first_ref, 1.0)
        return [ratio], first_learner, first_ref, 1, 1.0
    n_ref = _calibrate(reference, clock)
    n_learner = _calibrate(learner, clock)
    ratios: list[float] = []
    learner_times: list[float] = []
    reference_times: list[float] = []
    wall0, cpu0 = _WALL(), _CPU()
    deadline = wall0 + budget_s * 1e9
    while len(ratios) < max_pairs:
        if len(ratios) % 2 == 0:
            t_learner = _sample(learner, n_learner, clock)
            t_reference = _sample(reference, n_ref, clock)
        else:
            t_reference = _sample(reference, n_ref, clock)
            t_learner = _sample(learner, n_learner, clock)
        learner_times.append(t_learner)
        reference_times.append(t_reference)
        ratios.append(t_learner / max(t_reference, 1.0))
        if len(ratios) >= 3 and statistics.median(ratios) > threshold * 3:
            break  # far beyond the threshold: more pairs would only spend the learner's time
        if len(ratios) >= min_pairs:
            median = statistics.median(ratios)
            near = 0.7 * threshold <= median <= 1.3 * threshold
            if not near or _WALL() > deadline:
                break
    share = (_CPU() - cpu0) / max(_WALL() - wall0, 1)
    return (
        ratios,
        statistics.median(learner_times),
        statistics.median(reference_times),
        len(ratios),
        share,
    )


def compare(
    name: str,
    learner: Callable[[], object],
    reference: Callable[[], object],
    *,
    max_ratio: float,
    clock: str = "cpu",
    min_pairs: int = 10,
    max_pairs: int = 30,
    budget_s: float = 6.0,
) -> PerfResult:
    """Learner time / reference time, median of paired ratios; passes when it is at most `max_ratio`."""
    return _run(name, learner, reference, max_ratio, clock, min_pairs, max_pairs, budget_s, "ratio")


def speedup(
    name: str,
    fast: Callable[[], object],
    baseline: Callable[[], object],
    *,
    min_speedup: float,
    clock: str = "cpu",
    min_pairs: int = 10,
    max_pairs: int = 30,
    budget_s: float = 6.0,
) -> PerfResult:
    """Baseline time / learner time; passes when the learner's code is at least `min_speedup` times faster."""
    return _run(name, fast, baseline, min_speedup, clock, min_pairs, max_pairs, budget_s, "speedup")


def _run(
    name: str,
    learner: Callable[[], object],
    other: Callable[[], object],
    threshold: float,
    clock_name: str,
    min_pairs: int,
    max_pairs: int,
    budget_s: float,
    kind: str,
) -> PerfResult:
    clock = _CLOCKS[clock_name]
    # For a speed-up, the "reference" side is the slow baseline and the threshold is compared inverted.
    limit = threshold if kind == "ratio" else 1.0 / threshold
    try:
        ratios, t_learner, t_other, pairs, share = _measure_pairs(
            learner, other, clock, limit, min_pairs, max_pairs, budget_s, settle_early=kind == "ratio"
        )
    except Deadline:  # the test's own time limit ran out while timing
        result = PerfResult(
            name,
            float("inf"),
            0.0,
            float("inf"),
            threshold,
            False,
            clock_name,
            0,
            kind,
            note="stopped early: the test's time limit ran out while timing your code",
        )
        record(result)
        return result
    median = statistics.median(ratios)
    value = median if kind == "ratio" else 1.0 / median
    passed = value <= threshold if kind == "ratio" else value >= threshold
    note = ""
    near = 0.7 * threshold <= value <= 1.3 * threshold
    if clock_name == "cpu" and share < BUSY_CPU_SHARE and near:
        # Far from the threshold the verdict stands even on a busy machine (paired ratios stay within ~±17%);
        # close to it, a starved run could tip either way.
        note = "inconclusive: the machine was too busy to measure; rerun the check"
    result = PerfResult(
        name=name,
        learner_s=t_learner / 1e9,
        reference_s=t_other / 1e9,
        ratio=value,
        threshold=threshold,
        passed=passed,
        clock=clock_name,
        pairs=pairs,
        kind=kind,
        note=note,
    )
    record(result)
    return result
