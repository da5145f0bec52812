"""Hidden grader for exercise 14: profile and optimise an auth-log pipeline, keeping its output identical.

The oracle is the original pipeline itself (`_original_log_pipeline`, a verbatim copy of the stub's): the learner's
`summarize` must return exactly what it returns, on a shipped sample log and on generated ones.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import _original_log_pipeline as original
import pytest
from _authlog import attack_bursts, log_lines, make_log
from hypothesis import given, settings
from hypothesis import strategies as st

from kata.testing import Perf

SAMPLE = (Path(__file__).parent / "sample_auth.log").read_text(encoding="utf-8").splitlines(keepends=True)
PLANTED = "_find_breakins"
# The timed input: 5 000 lines, 45% failures from 300 IPs (70% with made-up names), 45% logins.
PERF_LOG = make_log(5000, 300, seed=5000, failures=0.45, logins=0.45, guessed_names=0.7)
_fresh = itertools.count()


def _plain(value: object, where: str = "result") -> Any:
    """`value` as plain JSON data, checking exact types (dict with str keys, list, str, int) on the way."""
    if type(value) is dict:
        for key in value:
            assert type(key) is str, f"{where} has a key {key!r} of type {type(key).__name__}; keys are str"
        return {key: _plain(item, f"{where}[{key!r}]") for key, item in value.items()}
    if type(value) is list:
        return [_plain(item, f"{where}[{i}]") for i, item in enumerate(value)]
    assert type(value) in (str, int), (
        f"{where} is a {type(value).__name__} ({value!r}); the report holds only dicts, lists, str and int"
    )
    return value


def _first_difference(got: Any, want: Any, where: str = "result") -> str:
    if type(got) is not type(want):
        return f"{where} is {got!r}, expected {want!r}"
    if isinstance(want, dict):
        for key in sorted(set(got) | set(want)):
            if key not in got:
                return f"{where} has no key {key!r} (expected {want[key]!r})"
            if key not in want:
                return f"{where} has an extra key {key!r}"
            if got[key] != want[key]:
                return _first_difference(got[key], want[key], f"{where}[{key!r}]")
    if isinstance(want, list) and len(got) == len(want):
        for i, (a, b) in enumerate(zip(got, want, strict=True)):
            if a != b:
                return _first_difference(a, b, f"{where}[{i}]")
    shown = repr(got) if len(repr(got)) < 300 else repr(got)[:300] + "…"
    return f"{where} is {shown}, expected {want!r}"[:700]


def _assert_identical(solution: ModuleType, lines: list[str], top: int = 5) -> None:
    want = original.summarize(list(lines), top=top)
    got = _plain(solution.summarize(list(lines), top=top))
    if got != want:
        shown = "".join(lines[:12]) + ("…\n" if len(lines) > 12 else "")
        pytest.fail(f"{_first_difference(got, want)}\nfor top={top} and the log:\n{shown}", pytrace=False)


# ------------------------------------------------------------------------------------------ the pipeline


def test_sample_log_gives_the_original_report(solution: ModuleType) -> None:
    """On the shipped 2 500-line sample log, summarize returns exactly the original's report."""
    _assert_identical(solution, SAMPLE)


@pytest.mark.parametrize("top", [0, 1, 3, 50])
def test_top_limits_the_attackers_like_the_original(solution: ModuleType, top: int) -> None:
    """summarize(lines, top=N) keeps the original's ranking: most failures first, ties by IP, N at most."""
    _assert_identical(solution, SAMPLE, top=top)


def test_an_empty_log(solution: ModuleType) -> None:
    """An empty log gives the original's all-zero report."""
    _assert_identical(solution, [])


def test_lines_may_come_from_a_one_shot_iterator(solution: ModuleType) -> None:
    """summarize reads `lines` once, so a generator (like an open file) works."""
    want = original.summarize(SAMPLE[:300])
    got = _plain(solution.summarize(line for line in SAMPLE[:300]))
    assert got == want, _first_difference(got, want)


@settings(max_examples=150)
@given(st.lists(log_lines(), max_size=25))
def test_generated_logs_give_the_original_report(solution: ModuleType, lines: list[str]) -> None:
    """On generated logs (login attempts, other sshd lines, damaged lines, junk), the report equals the original's.

    Did you keep every validation rule: the timestamp's calendar check, the IP check, single spaces, "\\r"?
    """
    _assert_identical(solution, lines)


@settings(max_examples=120)
@given(attack_bursts())
def test_breakins_match_the_original_even_out_of_time_order(solution: ModuleType, lines: list[str]) -> None:
    """Bursts of failures and logins, partly out of time order, give the original's break-ins.

    A failure counts for a login when it appears earlier in the log and its time is in [login − 10 min, login]:
    did you assume the log is sorted by time?
    """
    _assert_identical(solution, lines)


def test_a_large_log_gives_the_original_report(solution: ModuleType) -> None:
    """On a generated 5 000-line log (the one timed below) the report equals the original's."""
    _assert_identical(solution, PERF_LOG)


# ------------------------------------------------------------------------------------------ hotspots


def _planted_slow_step(n: int) -> int:
    total = 0
    for i in range(n):
        total += i % 7
    return total


def _cheap_step(x: int) -> int:
    return x + 1


def _toy_workload(rounds: int, *, cheap_calls: int) -> int:
    total = 0
    for _ in range(rounds):
        total += _planted_slow_step(200_000)
    for i in range(cheap_calls):
        total += _cheap_step(i)
    return total


def _check_entries(spots: object) -> list[Any]:
    assert type(spots) is list, f"hotspots returned a {type(spots).__name__}, expected a list"
    for spot in spots:
        for field, kind in [
            ("function", str),
            ("filename", str),
            ("lineno", int),
            ("calls", int),
            ("own_time", float),
            ("total_time", float),
        ]:
            value = getattr(spot, field, None)
            assert type(value) is kind, f"Hotspot.{field} is {value!r}, expected a {kind.__name__}"
    return spots


def test_hotspots_puts_the_slowest_function_first(solution: ModuleType) -> None:
    """hotspots(f, 3, cheap_calls=500) names the function with the most own time first, with its file and line."""
    spots = _check_entries(solution.hotspots(_toy_workload, 3, cheap_calls=500, top=50))
    assert spots, "hotspots returned no entries"
    first = spots[0]
    assert first.function == "_planted_slow_step", (
        f"the first hotspot is {first.function!r}, expected '_planted_slow_step' (most own time); "
        f"did you sort by own time (tottime), largest first?"
    )
    assert first.calls == 3, f"_planted_slow_step ran 3 times, the hotspot says {first.calls}"
    assert Path(first.filename).name == Path(__file__).name, f"filename is {first.filename!r}"
    assert first.lineno == _planted_slow_step.__code__.co_firstlineno, f"lineno is {first.lineno}"
    assert first.own_time > 0 and first.total_time >= first.own_time, (
        f"own_time {first.own_time}, total_time {first.total_time}: expected 0 < own ≤ total"
    )


def test_hotspots_counts_calls_and_sorts_by_own_time(solution: ModuleType) -> None:
    """Every function appears once with its call count; entries are sorted by own time, largest first."""
    spots = _check_entries(solution.hotspots(_toy_workload, 2, cheap_calls=700, top=100))
    by_name = {spot.function: spot for spot in spots}
    cheap = by_name.get("_cheap_step")
    assert cheap is not None and cheap.calls == 700, f"_cheap_step ran 700 times; got {cheap}"
    outer = by_name.get("_toy_workload")
    assert outer is not None and outer.total_time >= by_name["_planted_slow_step"].total_time, (
        f"_toy_workload's total time must include its callees; got {outer}"
    )
    times = [spot.own_time for spot in spots]
    assert times == sorted(times, reverse=True), "hotspots are not sorted by own time, largest first"


def test_hotspots_returns_at_most_top_entries(solution: ModuleType) -> None:
    """top=2 gives the two functions with the most own time; top < 1 raises ValueError."""
    spots = _check_entries(solution.hotspots(_toy_workload, 1, cheap_calls=10, top=2))
    assert len(spots) == 2, f"top=2 gave {len(spots)} entries"
    with pytest.raises(ValueError):
        solution.hotspots(_toy_workload, 1, cheap_calls=10, top=0)


def test_hotspots_lets_exceptions_through_and_stops_profiling(solution: ModuleType) -> None:
    """If the profiled function raises, the same exception propagates and no profiler is left running."""
    problem = KeyError("boom")

    def failing() -> None:
        raise problem

    with pytest.raises(KeyError) as caught:
        solution.hotspots(failing)
    assert caught.value is problem, "hotspots must re-raise the function's own exception"
    active = sys.getprofile()
    sys.setprofile(None)
    assert active is None, f"a profiler is still installed after hotspots raised: {active!r}; disable it in finally"


def test_hotspots_names_the_planted_slow_function_of_the_original(solution: ModuleType) -> None:
    """Run on the original pipeline and the sample log, hotspots names _find_breakins (the quadratic scan) first."""
    spots = _check_entries(solution.hotspots(original.summarize, SAMPLE, top=5))
    names = [spot.function for spot in spots]
    assert names and names[0] == PLANTED, f"hotspots(original.summarize, sample) gave {names}; expected {PLANTED} first"


# ------------------------------------------------------------------------------------------ speed


def _perf_input() -> list[str]:
    """The perf log plus one line that differs on every call, so no solution can replay a cached report."""
    return [*PERF_LOG, f"2024-03-02T00:00:00Z web1 sshd[1]: Connection closed by 10.9.9.9 port {next(_fresh)}\n"]


@pytest.mark.perf
@pytest.mark.time_limit(60)  # ≈ 3 s of CPU (the original runs a dozen times); far more wall time when busy
def test_at_least_10x_faster_than_the_original(solution: ModuleType, perf: Perf) -> None:
    """summarize on a 5 000-line log is at least 10× faster than the original (interleaved CPU-time pairs)."""
    perf.speedup(
        "summarize(5 000 lines) vs the original",
        lambda: solution.summarize(_perf_input()),
        lambda: original.summarize(_perf_input()),
        min_speedup=10.0,
    )
