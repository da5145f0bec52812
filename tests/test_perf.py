"""The timing harness, in-process: paired ratios, early settling, budgets and speed-ups."""

from __future__ import annotations

import signal
import time

from kata import perf
from kata.results import Deadline


def work(n: int) -> int:
    return sum(i * i for i in range(n))


def test_identical_workloads_have_a_ratio_near_one() -> None:
    result = perf.compare("same", lambda: work(20_000), lambda: work(20_000), max_ratio=3.0)
    assert result.passed and 0.5 < result.ratio < 2.0 and result.pairs >= 10
    assert result.learner_s > 0 and result.reference_s > 0


def test_a_much_slower_learner_fails_after_few_pairs() -> None:
    result = perf.compare("slow", lambda: work(400_000), lambda: work(20_000), max_ratio=3.0)
    assert not result.passed and result.ratio > 9
    assert result.pairs < 10, "far beyond the threshold, more pairs would not change the verdict"


def test_a_runaway_learner_stopped_by_the_test_time_limit_gets_a_perf_verdict() -> None:
    def forever() -> None:
        while True:
            pass

    def expire(signum: int, frame: object) -> None:
        raise Deadline

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, 1.0)  # what the plugin's per-test limit does
    try:
        result = perf.compare("runaway", forever, lambda: work(1_000), max_ratio=3.0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not result.passed and result.ratio == float("inf") and "time limit" in result.note


def test_a_hopelessly_slow_learner_is_judged_within_three_pairs() -> None:
    t0 = time.monotonic()
    result = perf.compare("slow", lambda: work(3_000_000), lambda: work(1_000), max_ratio=3.0)
    assert not result.passed and result.pairs <= 3 and result.ratio > 100
    assert time.monotonic() - t0 < 30


def test_speedup_compares_against_a_slow_baseline() -> None:
    result = perf.speedup("fast", lambda: work(10_000), lambda: work(200_000), min_speedup=5.0)
    assert result.passed and result.kind == "speedup" and result.ratio > 10
    slow = perf.speedup("not fast", lambda: work(100_000), lambda: work(200_000), min_speedup=5.0)
    assert not slow.passed and 1.0 < slow.ratio < 4.0


def test_a_slow_first_call_does_not_fail_a_speedup() -> None:
    calls = {"n": 0}

    def jit_like() -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            work(3_000_000)  # a first call that compiles for a while
        return work(1_000)

    result = perf.speedup("jit", jit_like, lambda: work(100_000), min_speedup=5.0)
    assert result.passed, result


def test_patched_clocks_do_not_change_the_measurement(monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(time, "process_time_ns", lambda: 0)
    monkeypatch.setattr(time, "perf_counter_ns", lambda: 0)
    result = perf.compare("patched", lambda: work(200_000), lambda: work(10_000), max_ratio=3.0)
    assert not result.passed and result.ratio > 5
