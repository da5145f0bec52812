"""Hidden grader for exercise 20: measure(), hotspots() and an optimised critical path."""

from __future__ import annotations

import dataclasses
import gc
import inspect
import math
import random
import statistics
import sys
from types import ModuleType
from typing import Any

import _original
import _planted
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from kata.testing import Perf

# Shrink failures, but skip the explain phase: on a failing solution it re-runs the test for many seconds.
NO_EXPLAIN = (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink)


# ------------------------------------------------------------------------------------------------ a fake clock


class FakeTime:
    """A clock that moves only when the timed function runs: each call costs `cost` seconds, plus any extra
    cost scheduled for a given call number. Reading the clock costs nothing."""

    def __init__(self, cost: float, extra: dict[int, float] | None = None) -> None:
        self.now = 1000.0
        self.cost = cost
        self.extra = extra or {}
        self.calls = 0
        self.gc_states: list[bool] = []

    def clock(self) -> float:
        return self.now

    def func(self) -> None:
        self.gc_states.append(gc.isenabled())
        self.now += self.cost + self.extra.get(self.calls, 0.0)
        self.calls += 1


def calibration_calls(loops: int) -> int:
    """Calls spent by the 1-2-5 autorange that stops at `loops`: 1 + 2 + 5 + 10 + ... + loops."""
    total, base = 0, 1
    while True:
        for factor in (1, 2, 5):
            total += base * factor
            if base * factor == loops:
                return total
        base *= 10


def run_measure(solution: ModuleType, fake: FakeTime, **kwargs: Any) -> Any:
    result = solution.measure(fake.func, clock=fake.clock, **kwargs)
    assert type(result) is solution.Measurement, f"measure returned {type(result).__name__}, expected Measurement"
    return result


# ----------------------------------------------------------------------------------------------------- measure


@pytest.mark.parametrize(
    ("cost", "min_time", "loops"),
    [(1 / 1024, 0.2, 500), (1 / 8, 0.2, 2), (1.0, 0.2, 1), (2**-14, 0.2, 5000), (1 / 64, 0.05, 5), (1 / 32, 0.2, 10)],
)
def test_autorange_picks_the_first_1_2_5_count_reaching_min_time(
    solution: ModuleType, cost: float, min_time: float, loops: int
) -> None:
    """loops is the first of 1, 2, 5, 10, 20, 50, … whose run takes at least min_time (timeit's autorange)."""
    got = run_measure(solution, FakeTime(cost), repeat=3, min_time=min_time)
    assert got.loops == loops, (
        f"calls cost {cost:g} s, min_time={min_time}: loops = {got.loops}, expected {loops} "
        "(try 1, 2, 5, 10, 20, 50, … and stop at the first run that takes >= min_time)"
    )


@pytest.mark.parametrize(("cost", "repeat"), [(1 / 1024, 5), (1 / 8, 3), (1.0, 7)])
def test_calibration_then_repeat_samples_of_loops_calls(solution: ModuleType, cost: float, repeat: int) -> None:
    """measure makes the calibration runs (1 + 2 + 5 + … + loops calls), then repeat × loops calls, nothing more."""
    fake = FakeTime(cost)
    got = run_measure(solution, fake, repeat=repeat)
    expected = calibration_calls(got.loops) + repeat * got.loops
    assert fake.calls == expected, (
        f"func ran {fake.calls} times; expected {calibration_calls(got.loops)} calibration calls + {repeat} samples "
        f"× {got.loops} = {expected}"
    )
    assert len(got.samples) == repeat, f"{len(got.samples)} samples for repeat={repeat}"


def test_samples_are_seconds_per_call_in_order(solution: ModuleType) -> None:
    """Each sample is its run's time divided by loops, in the order the samples were taken."""
    fake = FakeTime(1 / 1024)
    first_sample_call = calibration_calls(500)
    extras = [0.0, 2.0, 0.5, 0.0, 1.0]
    fake.extra = {first_sample_call + j * 500: e for j, e in enumerate(extras)}
    got = run_measure(solution, fake, repeat=5)
    expected = [1 / 1024 + e / 500 for e in extras]
    assert type(got.samples) is tuple, f"samples is a {type(got.samples).__name__}, expected a tuple"
    assert all(math.isclose(g, e, rel_tol=1e-9) for g, e in zip(got.samples, expected, strict=True)), (
        f"samples = {got.samples}, expected {tuple(expected)} (seconds per call, in order)"
    )


@settings(max_examples=80, phases=NO_EXPLAIN)
@given(extras=st.lists(st.integers(0, 60), min_size=3, max_size=15))
def test_robust_statistics_match_an_oracle(solution: ModuleType, extras: list[int]) -> None:
    """best, median, q1/q3 (statistics.quantiles, 'inclusive'), iqr, mad and Tukey outliers are right."""
    fake = FakeTime(1.0, {1 + j: float(e) for j, e in enumerate(extras)})  # loops == 1: call 0 calibrates
    got = run_measure(solution, fake, repeat=len(extras))
    samples = [1.0 + e for e in extras]
    median = statistics.median(samples)
    q1, _, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    iqr = q3 - q1
    expected = {
        "best": min(samples),
        "median": median,
        "q1": q1,
        "q3": q3,
        "iqr": iqr,
        "mad": statistics.median(abs(s - median) for s in samples),
    }
    for field, value in expected.items():
        have = getattr(got, field)
        assert isinstance(have, float | int) and math.isclose(have, value, rel_tol=1e-9, abs_tol=1e-12), (
            f"samples {samples}: {field} = {have!r}, expected {value!r}"
        )
    outliers = sum(1 for s in samples if s < q1 - 1.5 * iqr or s > q3 + 1.5 * iqr)
    assert got.outliers == outliers, f"samples {samples}: outliers = {got.outliers}, expected {outliers}"


def test_one_slow_sample_barely_moves_the_summary(solution: ModuleType) -> None:
    """Six samples of 1 s and one of 100 s: median 1, mad 0, one outlier (a mean would say 15)."""
    fake = FakeTime(1.0, {7: 99.0})  # calls 1..7 are the samples; the last one is slow
    got = run_measure(solution, fake, repeat=7)
    assert got.median == 1.0 and got.mad == 0.0, f"median {got.median}, mad {got.mad}; expected 1.0 and 0.0"
    assert got.outliers == 1 and got.best == 1.0, f"outliers {got.outliers}, best {got.best}; expected 1 and 1.0"


def test_gc_is_off_during_timed_runs_and_restored(solution: ModuleType) -> None:
    """The collector is disabled while func runs (as timeit does) and left as it was found afterwards."""
    assert gc.isenabled()
    fake = FakeTime(1 / 8)
    run_measure(solution, fake, repeat=3)
    assert not any(fake.gc_states), "gc was enabled during some timed calls; disable it around each timed run"
    assert gc.isenabled(), "measure() left the garbage collector disabled"
    gc.disable()
    try:
        run_measure(solution, FakeTime(1 / 8), repeat=3)
        assert not gc.isenabled(), "measure() enabled gc although the caller had disabled it"
    finally:
        gc.enable()


def test_exceptions_propagate_and_gc_is_restored(solution: ModuleType) -> None:
    """An exception from func propagates unchanged, and gc is enabled again."""

    class Oops(Exception):
        pass

    def boom() -> None:
        raise Oops("from func")

    with pytest.raises(Oops):
        solution.measure(boom, clock=FakeTime(1.0).clock)
    assert gc.isenabled(), "after func raised, measure() left the garbage collector disabled (use try/finally)"


@pytest.mark.parametrize("kwargs", [{"repeat": 2}, {"repeat": 0}, {"min_time": 0}, {"min_time": -1.0}])
def test_invalid_arguments_raise_value_error(solution: ModuleType, kwargs: dict[str, float]) -> None:
    """repeat below 3 and a min_time that is not positive raise ValueError."""
    fake = FakeTime(1.0)
    with pytest.raises(ValueError):
        solution.measure(fake.func, clock=fake.clock, **kwargs)


def test_real_clock_measurement(solution: ModuleType) -> None:
    """With the default clock (time.perf_counter), a real function gives positive per-call times."""
    default = inspect.signature(solution.measure).parameters["clock"].default
    assert default is __import__("time").perf_counter, f"the default clock is {default!r}, expected time.perf_counter"
    got = solution.measure(lambda: sum(range(200)), repeat=3, min_time=0.005)
    assert got.loops >= 1 and len(got.samples) == 3 and all(s > 0 for s in got.samples), f"got {got}"
    assert got.best <= got.median <= max(got.samples)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.median = 0.0


# ---------------------------------------------------------------------------------------------------- hotspots


def by_name(spots: list[Any]) -> dict[str, Any]:
    return {h.function: h for h in spots if h.filename.endswith("_planted.py")}


def test_hotspots_finds_the_planted_hot_function(solution: ModuleType) -> None:
    """The function with the most own time comes first: the planted hot_spot, with its file and line."""
    spots = solution.hotspots(_planted.workload)
    assert spots and all(type(h) is solution.Hotspot for h in spots), f"expected a list of Hotspot, got {spots!r}"
    first = spots[0]
    assert first.function == "hot_spot", (
        f"the top entry is {first.function!r}; expected 'hot_spot', which does all the work in its own frame. "
        "Did you sort by cumulative time? workload() includes its callees"
    )
    line = _planted.hot_spot.__code__.co_firstlineno
    assert first.filename.endswith("_planted.py") and first.lineno == line, (
        f"hot_spot is at {first.filename}:{first.lineno}, expected _planted.py:{line}"
    )


@settings(max_examples=40, phases=NO_EXPLAIN)
@given(n_cold=st.integers(1, 300))
def test_hotspots_counts_calls_exactly(solution: ModuleType, n_cold: int) -> None:
    """calls is the exact call count: cold_helper n times, middle and hot_spot once."""
    spots = by_name(solution.hotspots(_planted.workload, n_hot=1000, n_cold=n_cold, top=100))
    for name, calls in (("cold_helper", n_cold), ("middle", 1), ("hot_spot", 1), ("workload", 1)):
        assert name in spots, f"{name} is missing from hotspots(..., top=100): {sorted(spots)}"
        assert spots[name].calls == calls, f"{name}: calls = {spots[name].calls}, expected {calls}"


def test_hotspots_are_ordered_and_limited_by_top(solution: ModuleType) -> None:
    """Entries come largest own time first, at most `top` of them, with total_time >= own_time."""
    spots = solution.hotspots(_planted.workload, top=100)
    own = [h.own_time for h in spots]
    assert own == sorted(own, reverse=True), "entries are not sorted by own time, largest first"
    for h in spots:
        assert h.total_time >= h.own_time - 1e-9, f"{h.function}: total_time {h.total_time} < own_time {h.own_time}"
        assert type(h.calls) is int and type(h.lineno) is int
    names = {h.function for h in spots}
    assert "<built-in method builtins.sorted>" in names, "built-in functions (sorted) should be listed too"
    assert not any("_lsprof.Profiler" in n for n in names), "leave the profiler's own disable() entry out"
    assert len(solution.hotspots(_planted.workload, top=2)) == 2, "top=2 must return 2 entries"


def test_hotspots_leaves_no_profiler_running(solution: ModuleType) -> None:
    """The profiler is off afterwards, also when the profiled call raises (the exception propagates)."""
    solution.hotspots(_planted.workload, n_hot=10)
    assert sys.getprofile() is None, "a profiler is still installed after hotspots() returned"
    with pytest.raises(_planted.Boom):
        solution.hotspots(_planted.explode)
    assert sys.getprofile() is None, "after the profiled call raised, the profiler was left running (try/finally)"


def test_hotspots_on_the_original_points_at_the_percentile(solution: ModuleType) -> None:
    """Profiling the original report puts the percentile's counting loop (its generator, or the sum it feeds) first."""
    spots = solution.hotspots(_original.slow_endpoint_report, LOG[:3000])
    source, start = inspect.getsourcelines(_original._percentile)

    def in_percentile(h: Any) -> bool:
        return bool(h.filename.endswith("_original.py") and start <= h.lineno < start + len(source))

    top_two = spots[:2]
    # The generator and the builtin sum split the loop's time; on a busy machine either may come first.
    assert any(in_percentile(h) for h in top_two) and all(
        in_percentile(h) or h.function == "<built-in method builtins.sum>" for h in top_two
    ), (
        f"the top entries are {[(h.function, h.filename.rsplit('/', 1)[-1], h.lineno) for h in top_two]}; expected "
        "the generator inside _percentile and the built-in sum it feeds"
    )


# ----------------------------------------------------------------------------------------- fast_endpoint_report


def make_log(n: int, seed: int = 7) -> list[str]:
    """A realistic access log: 20 endpoints (10 busy), random ids, log-normal latencies, a few server errors."""
    rng = random.Random(seed)
    resources = ["users", "orders", "items", "carts", "reviews"]
    lines = []
    for i in range(n):
        method = "GET" if rng.random() < 0.9 else "POST"
        path = f"/api/v2/{rng.choice(resources)}/{rng.randint(1, 99999)}{rng.choice(['', '/history'])}"
        status = rng.choice([200] * 15 + [201, 204, 404, 500, 503])
        latency = int(rng.lognormvariate(5, 1.2))
        lines.append(
            f"2024-05-01T12:{i % 60:02d}:{i % 57:02d} user{rng.randint(1, 500)} {method} {path} {status} {latency}ms"
        )
    return lines


LOG = make_log(8000)

_segment = st.one_of(
    st.sampled_from(["api", "v2", "users", "orders", "", "x1", "1x", "007", "²", "٣", "12٣", "1_0"]),
    st.integers(0, 10**6).map(str),
    st.text(st.characters(blacklist_categories=("Z", "C"), blacklist_characters="/"), min_size=1, max_size=3),
)
_path = st.builds(
    lambda lead, segments: lead + "/".join(segments),
    st.sampled_from(["/", "/", "/", "", "x/"]),
    st.lists(_segment, max_size=4),
).filter(bool)
_line = st.builds(
    lambda user, method, path, status, latency: f"2024-05-01T12:00:00 u{user} {method} {path} {status} {latency}ms",
    st.integers(0, 5),
    st.sampled_from(["GET", "POST", "DELETE"]),
    _path,
    st.sampled_from([200, 201, 302, 404, 499, 500, 503]),
    st.integers(0, 3000),
)


@settings(max_examples=200, phases=NO_EXPLAIN)
@given(lines=st.lists(_line, max_size=60), top=st.integers(1, 12))
def test_fast_report_is_identical_to_the_original(solution: ModuleType, lines: list[str], top: int) -> None:
    """fast_endpoint_report(lines, top) == the original's result, for any log (odd paths and digits included)."""
    expected = _original.slow_endpoint_report(lines, top)
    got = solution.fast_endpoint_report(list(lines), top)
    assert type(got) is list and all(type(r) is tuple for r in got), f"expected a list of tuples, got {got!r:.200}"
    assert got == expected, (
        f"got {got}\nexpected {expected}\nNote: the original's r'[0-9]+' matches ASCII digits only, unlike "
        "str.isdigit(); and split('/')[1:] drops whatever precedes the first '/'"
    )


def test_fast_report_is_identical_on_a_realistic_log(solution: ModuleType) -> None:
    """On an 8000-line access log, every row (top=25) matches the original."""
    expected = _original.slow_endpoint_report(LOG, 25)
    got = solution.fast_endpoint_report(list(LOG), 25)
    assert got == expected, f"first difference: {next((g, e) for g, e in zip(got, expected, strict=False) if g != e)}"


def test_fast_report_does_not_modify_its_input(solution: ModuleType) -> None:
    """The input list is left as it was."""
    lines = LOG[:500]
    copy = list(lines)
    solution.fast_endpoint_report(lines)
    assert lines == copy, "fast_endpoint_report changed the list it was given"


# -------------------------------------------------------------------------------------------------------- perf


@pytest.mark.perf
def test_fast_report_is_5x_faster_than_the_original(solution: ModuleType, perf: Perf) -> None:
    """On the 8000-line log, fast_endpoint_report is at least 5× faster than the original (CPU time)."""
    perf.speedup(
        "fast_endpoint_report(8000 lines) vs the original",
        lambda: solution.fast_endpoint_report(LOG),
        lambda: _original.slow_endpoint_report(LOG),
        min_speedup=5.0,
    )
