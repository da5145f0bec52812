"""Hidden grader for exercise 11: memoised and fast-doubling Fibonacci."""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kata.testing import Perf, Source


def fib_oracle(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


FIRST = [fib_oracle(n) for n in range(100)]


def test_fib_fast_matches_the_first_hundred_values(solution: ModuleType) -> None:
    """fib_fast(n) equals F(n) for n = 0..99."""
    got = [solution.fib_fast(n) for n in range(100)]
    wrong = next((n for n in range(100) if got[n] != FIRST[n] or type(got[n]) is not int), None)
    assert wrong is None, f"fib_fast({wrong}) returned {got[wrong]!r}, expected {FIRST[wrong]}"


@settings(max_examples=60)
@given(st.integers(min_value=1, max_value=20_000))
def test_fib_fast_satisfies_cassini(solution: ModuleType, n: int) -> None:
    """Cassini's identity F(n-1)·F(n+1) − F(n)² = (−1)^n holds for fib_fast."""
    f = solution.fib_fast
    got = f(n - 1) * f(n + 1) - f(n) ** 2
    assert got == (-1) ** n, f"F({n}-1)·F({n}+1) − F({n})² = {got}, expected {(-1) ** n}"


@settings(max_examples=60)
@given(st.integers(min_value=0, max_value=5_000), st.integers(min_value=0, max_value=5_000))
def test_fib_fast_satisfies_d_ocagne(solution: ModuleType, m: int, n: int) -> None:
    """d'Ocagne's identity F(m)·F(n+1) − F(m+1)·F(n) = (−1)^n·F(m−n) holds for fib_fast (m ≥ n)."""
    m, n = max(m, n), min(m, n)
    f = solution.fib_fast
    assert f(m) * f(n + 1) - f(m + 1) * f(n) == (-1) ** n * f(m - n), f"d'Ocagne fails for m={m}, n={n}"


def test_fib_memo_handles_n_10000_without_recursion_error(solution: ModuleType) -> None:
    """fib_memo(10_000) works from a cold cache, without RecursionError.

    Did you warm the cache bottom-up so no single call recurses 10 000 frames deep?
    """
    solution.fib_memo.cache_clear()
    try:
        got = solution.fib_memo(10_000)
    except RecursionError:
        pytest.fail(
            "fib_memo(10_000) raised RecursionError from a cold cache; did you warm the cache "
            "bottom-up so no call recurses thousands of frames deep?",
            pytrace=False,
        )
    assert got == fib_oracle(10_000), "fib_memo(10_000) returned a wrong value"


def test_fib_memo_computes_each_value_exactly_once(solution: ModuleType) -> None:
    """After cache_clear(), fib_memo(300) misses exactly 301 times: once for each of F(0)..F(300)."""
    solution.fib_memo.cache_clear()
    solution.fib_memo(300)
    info = solution.fib_memo.cache_info()
    assert info.misses == 301, f"cache_info().misses = {info.misses}, expected 301 (one per value 0..300)"
    assert info.currsize == 301, f"cache_info().currsize = {info.currsize}, expected 301"


@pytest.mark.time_limit(10)
@settings(max_examples=40)
@given(st.integers(min_value=0, max_value=3_000))
def test_fib_memo_agrees_with_an_iterative_oracle(solution: ModuleType, n: int) -> None:
    """fib_memo(n) equals F(n) computed by a simple loop."""
    got = solution.fib_memo(n)
    assert type(got) is int and got == fib_oracle(n), f"fib_memo({n}) returned a wrong value"


@pytest.mark.parametrize("bad", [-1, -10])
def test_negative_n_raises_value_error(solution: ModuleType, bad: int) -> None:
    """Both functions reject a negative n with ValueError."""
    for func in (solution.fib_fast, solution.fib_memo):
        with pytest.raises(ValueError):
            func(bad)


def test_memoize_calls_the_function_once_per_distinct_argument(solution: ModuleType) -> None:
    """A memoised function runs once per distinct argument; repeats are cache hits."""
    calls: list[int] = []

    @solution.memoize
    def square(x: int) -> int:
        calls.append(x)
        return x * x

    results = [square(x) for x in [3, 4, 3, 3, 5, 4]]
    assert results == [9, 16, 9, 9, 25, 16], f"got {results}"
    assert calls == [3, 4, 5], f"the wrapped function ran for {calls}; expected once each for [3, 4, 5]"
    info = square.cache_info()
    assert (info.hits, info.misses, info.currsize) == (3, 3, 3), f"cache_info() = {info}, expected (3, 3, 3)"


def test_memoize_keys_on_keyword_arguments_in_any_order(solution: ModuleType) -> None:
    """f(1, k=2) and f(1, k=3) are different calls; f(a=1, b=2) and f(b=2, a=1) are the same call."""
    calls: list[tuple[int, int]] = []

    @solution.memoize
    def add(a: int, b: int = 0) -> int:
        calls.append((a, b))
        return a + b

    assert add(1, b=2) == 3
    got = add(1, b=3)
    assert got == 4, f"add(1, b=3) returned {got} after add(1, b=2); did you leave kwargs out of the key?"
    assert add(a=1, b=2) == 3 and add(b=2, a=1) == 3
    assert len(calls) == 3, f"the wrapped function ran {len(calls)} times for 3 distinct calls: {calls}"


def test_memoize_cache_clear_forgets_everything(solution: ModuleType) -> None:
    """cache_clear() empties the cache and resets the counters to zero."""
    calls: list[int] = []

    @solution.memoize
    def ident(x: int) -> int:
        calls.append(x)
        return x

    ident(1)
    ident(1)
    ident.cache_clear()
    assert tuple(ident.cache_info()) == (0, 0, 0), f"cache_info() after cache_clear() = {ident.cache_info()}"
    ident(1)
    assert calls == [1, 1], "after cache_clear() the function must run again"


def test_memoize_rejects_unhashable_arguments_with_type_error(solution: ModuleType) -> None:
    """Unhashable arguments raise TypeError instead of being silently cached or recomputed."""

    @solution.memoize
    def total(xs: list[int]) -> int:
        return sum(xs)

    with pytest.raises(TypeError):
        total([1, 2, 3])


def test_memoize_preserves_the_function_identity(solution: ModuleType) -> None:
    """The wrapper keeps __name__ and __doc__ and exposes the original as __wrapped__."""

    def area(r: float) -> float:
        """Area of a circle."""
        return 3.14159 * r * r

    wrapped = solution.memoize(area)
    assert wrapped.__name__ == "area", f"__name__ is {wrapped.__name__!r}; did you use functools.wraps?"
    assert wrapped.__doc__ == "Area of a circle."
    assert wrapped.__wrapped__ is area


def test_does_not_delegate_to_functools_caches(source: Source) -> None:
    """The memo is written by hand: functools.lru_cache and functools.cache are not allowed."""
    why = "this exercise asks you to write the memo yourself"
    found = source.violations({"functools.lru_cache": why, "functools.cache": why, "functools.cached_property": why})
    assert not found, "\n".join(found)


@pytest.mark.perf
def test_fib_fast_speed_against_the_reference(solution: ModuleType, reference: ModuleType, perf: Perf) -> None:
    """fib_fast(1_000_000) runs within 3× of the reference (median of interleaved CPU-time pairs)."""
    perf.compare(
        "fib_fast(1_000_000)",
        lambda: solution.fib_fast(1_000_000),
        lambda: reference.fib_fast(1_000_000),
        max_ratio=3.0,
    )
