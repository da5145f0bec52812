"""Hidden grader for exercise 22: the memoising decorator built on the cache."""

from __future__ import annotations

import threading
from types import ModuleType

import pytest
from _lru_support import FakeClock
from hypothesis import given, settings
from hypothesis import strategies as st

from kata.testing import switch_interval


def _info(func: object) -> tuple[int, int, int, int]:
    info = func.cache_info()  # type: ignore[attr-defined]
    return (info.hits, info.misses, info.maxsize, info.currsize)


@settings(max_examples=60)
@given(st.lists(st.integers(min_value=0, max_value=6), max_size=40), st.integers(min_value=1, max_value=4))
def test_memoize_runs_once_per_cached_argument(solution: ModuleType, calls: list[int], maxsize: int) -> None:
    """A memoised function runs only on a miss; hits, misses and currsize follow LRU eviction of maxsize entries."""
    ran: list[int] = []

    @solution.memoize(maxsize)
    def square(x: int) -> int:
        ran.append(x)
        return x * x

    cached: list[int] = []  # the model: keys in recency order
    expected_ran: list[int] = []
    hits = 0
    for x in calls:
        got = square(x)
        assert got == x * x, f"square({x}) returned {got!r}"
        if x in cached:
            hits += 1
            cached.remove(x)
        else:
            expected_ran.append(x)
            if len(cached) == maxsize:
                cached.pop(0)
        cached.append(x)
    assert ran == expected_ran, (
        f"with maxsize={maxsize} and calls {calls} the function ran for {ran}; expected {expected_ran}"
    )
    expected = (hits, len(calls) - hits, maxsize, len(cached))
    assert _info(square) == expected, f"cache_info() is {square.cache_info()}, expected {expected}"


def test_memoize_recomputes_after_the_ttl(solution: ModuleType) -> None:
    """With ttl and clock, a cached result is reused before the TTL and recomputed (a miss) from then on."""
    clock = FakeClock(0.0)
    ran: list[str] = []

    @solution.memoize(8, ttl=10, clock=clock)
    def load(name: str) -> str:
        ran.append(name)
        return name.upper()

    load("x")
    clock.now = 9.5
    load("x")
    clock.now = 10.0
    assert load("x") == "X"
    assert ran == ["x", "x"], f"the function ran {len(ran)} times; expected 2 (at 0, and again at 10 when it expired)"
    assert _info(load) == (1, 2, 8, 1), f"cache_info() is {load.cache_info()}, expected hits=1 misses=2 currsize=1"
    clock.now = 100.0
    assert load.cache_info().currsize == 0, "currsize must count live entries only"


def test_memoize_keys_on_keyword_arguments_in_any_order(solution: ModuleType) -> None:
    """f(1, b=2) and f(1, b=3) are different calls; f(a=1, b=2) and f(b=2, a=1) are the same call."""
    ran: list[tuple[int, int]] = []

    @solution.memoize()
    def add(a: int, b: int = 0) -> int:
        ran.append((a, b))
        return a + b

    assert add(1, b=2) == 3
    got = add(1, b=3)
    assert got == 4, f"add(1, b=3) returned {got} after add(1, b=2); did you leave kwargs out of the key?"
    assert add(a=1, b=2) == 3 and add(b=2, a=1) == 3
    assert len(ran) == 3, f"the function ran {len(ran)} times for 3 distinct calls: {ran}"


def test_memoize_cache_clear_resets_everything(solution: ModuleType) -> None:
    """cache_clear() empties the cache and zeroes hits and misses."""
    ran: list[int] = []

    @solution.memoize(4)
    def ident(x: int) -> int:
        ran.append(x)
        return x

    ident(1)
    ident(1)
    ident.cache_clear()
    assert _info(ident) == (0, 0, 4, 0), f"cache_info() after cache_clear() is {ident.cache_info()}"
    ident(1)
    assert ran == [1, 1], "after cache_clear() the function must run again"


def test_memoize_rejects_unhashable_arguments(solution: ModuleType) -> None:
    """Unhashable arguments raise TypeError."""

    @solution.memoize()
    def total(xs: list[int]) -> int:
        return sum(xs)

    with pytest.raises(TypeError):
        total([1, 2, 3])


def test_memoize_preserves_the_function_identity(solution: ModuleType) -> None:
    """The wrapper keeps __name__ and __doc__ and exposes the original function as __wrapped__."""

    def area(r: float) -> float:
        """Area of a circle."""
        return 3.14159 * r * r

    wrapped = solution.memoize()(area)
    assert wrapped.__name__ == "area", f"__name__ is {wrapped.__name__!r}; did you use functools.wraps?"
    assert wrapped.__doc__ == "Area of a circle."
    assert wrapped.__wrapped__ is area
    assert wrapped(1.0) == area(1.0)


def test_memoize_rejects_a_bad_maxsize_at_decoration_time(solution: ModuleType) -> None:
    """memoize(0) raises ValueError at once, before any call."""
    with pytest.raises(ValueError):
        solution.memoize(0)


@pytest.mark.time_limit(30)
def test_memoize_counts_every_call_under_threads(solution: ModuleType) -> None:
    """16 threads calling a memoised function: results are right and hits + misses equals the number of calls."""
    threads_n, calls_each = 16, 400

    @solution.memoize(32)
    def triple(x: int) -> int:
        return 3 * x

    barrier = threading.Barrier(threads_n)
    errors: list[str] = []

    def worker(tid: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(calls_each):
                x = (i * 7 + tid) % 48
                got = triple(x)
                if got != 3 * x:
                    errors.append(f"triple({x}) returned {got!r}")
        except BaseException as exc:  # report anything, even from a broken cache
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(threads_n)]
    with switch_interval(1e-6):
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=20)
    assert not any(t.is_alive() for t in threads), "threads calling the memoised function never finished"
    assert not errors, "errors in threads:\n" + "\n".join(errors[:5])
    info = triple.cache_info()
    assert info.hits + info.misses == threads_n * calls_each, (
        f"cache_info() is {info}: hits + misses = {info.hits + info.misses}, but {threads_n * calls_each} calls "
        "were made; update the counters under a lock"
    )
    assert info.currsize <= 32, f"currsize {info.currsize} exceeds maxsize 32"
