"""Hidden grader for exercise 12: an odd-only numpy sieve of Eratosthenes."""

from __future__ import annotations

import bisect
import gc
import math
import tracemalloc
from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kata.testing import Perf

# π(10^k) for k = 0..8, from the literature (OEIS A006880): an oracle independent of any sieve.
PI_OF_POWERS_OF_TEN = [0, 4, 25, 168, 1229, 9592, 78498, 664579, 5761455]
MEMORY_N = 10**7
MiB = 2**20


def _is_prime_by_trial_division(m: int) -> bool:
    if m < 2:
        return False
    d = 2
    while d * d <= m:
        if m % d == 0:
            return False
        d += 1
    return True


ORACLE_LIMIT = 10_000
SMALL_PRIMES = [m for m in range(ORACLE_LIMIT + 1) if _is_prime_by_trial_division(m)]


def _oracle_primes_up_to(n: int) -> list[int]:
    """Primes ≤ n for n ≤ ORACLE_LIMIT, by trial division."""
    return SMALL_PRIMES[: bisect.bisect_right(SMALL_PRIMES, n)]


def _is_prime_by_small_divisors(m: int) -> bool:
    """Trial division by the small primes, for 2 ≤ m ≤ ORACLE_LIMIT²."""
    root = math.isqrt(m)
    for p in SMALL_PRIMES:
        if p > root:
            return True
        if m % p == 0:
            return False
    return True  # every prime ≤ ORACLE_LIMIT ≥ √m was tried


def _oracle_primes_between(lo: int, hi: int) -> list[int]:
    """Primes in [lo, hi] for hi ≤ ORACLE_LIMIT², by trial division with the small primes."""
    return [m for m in range(max(lo, 2), hi + 1) if _is_prime_by_small_divisors(m)]


def _plain_python_sieve(n: int) -> list[int]:
    """The slow baseline for the speed-up: a textbook sieve over a list of booleans, all in the interpreter."""
    flags = [True] * (n + 1)
    flags[0] = flags[1] = False
    for p in range(2, math.isqrt(n) + 1):
        if flags[p]:
            for multiple in range(p * p, n + 1, p):
                flags[multiple] = False
    return [i for i, is_prime in enumerate(flags) if is_prime]


def _primes(solution: ModuleType, n: int) -> list[int]:
    """primes_up_to(n) checked for its type and dtype, as a list of Python ints."""
    got = solution.primes_up_to(n)
    assert type(got) is np.ndarray, f"primes_up_to({n}) returned a {type(got).__name__}, expected a numpy.ndarray"
    assert got.dtype == np.dtype(np.int64), (
        f"primes_up_to({n}) has dtype {got.dtype}, expected int64; did you convert with .astype(np.int64)?"
    )
    assert got.ndim == 1, f"primes_up_to({n}) has shape {got.shape}, expected a one-dimensional array"
    return [int(x) for x in got.tolist()]


def _tail(solution: ModuleType, n: int, width: int) -> tuple[list[int], int]:
    """The primes primes_up_to(n) reports in (n − width, n], and how many primes it reports in all."""
    got = solution.primes_up_to(n)
    assert type(got) is np.ndarray and got.dtype == np.dtype(np.int64) and got.ndim == 1, (
        f"primes_up_to({n}) must return a one-dimensional int64 numpy array"
    )
    return [int(x) for x in got[got > n - width].tolist()], int(got.shape[0])


def _count(solution: ModuleType, n: int) -> int:
    got = solution.prime_count(n)
    assert type(got) is int, (
        f"prime_count({n}) returned a {type(got).__name__}, expected a Python int; did you wrap it in int(...)?"
    )
    return got


def _show(xs: list[int]) -> str:
    return repr(xs) if len(xs) <= 12 else f"[{', '.join(map(str, xs[:5]))}, …, {', '.join(map(str, xs[-5:]))}]"


def _peak_bytes(call: Callable[[], object]) -> int:
    """Peak traced memory (numpy buffers included) during one call, beyond what was allocated before it."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del result
    return peak - before


def test_small_n_edge_cases(solution: ModuleType) -> None:
    """n = 0, 1 give no primes; n = 2, 3, 4, 5 give [2], [2, 3], [2, 3], [2, 3, 5]."""
    expected = {0: [], 1: [], 2: [2], 3: [2, 3], 4: [2, 3], 5: [2, 3, 5]}
    for n, want in expected.items():
        got = _primes(solution, n)
        assert got == want, f"primes_up_to({n}) = {got}, expected {want}"
        count = _count(solution, n)
        assert count == len(want), f"prime_count({n}) = {count}, expected {len(want)}"


def test_prime_count_of_powers_of_ten_up_to_10_to_the_7(solution: ModuleType) -> None:
    """prime_count(10**k) and len(primes_up_to(10**k)) equal the known π(10^k) for k = 0..7."""
    for k, want in enumerate(PI_OF_POWERS_OF_TEN[:8]):
        got = _count(solution, 10**k)
        assert got == want, f"prime_count(10**{k}) = {got}, expected {want}"
        got = len(_primes(solution, 10**k))
        assert got == want, f"len(primes_up_to(10**{k})) = {got}, expected {want}"


@pytest.mark.time_limit(30)
def test_prime_count_of_10_to_the_8(solution: ModuleType) -> None:
    """prime_count(10**8) is 5 761 455."""
    got = _count(solution, 10**8)
    assert got == PI_OF_POWERS_OF_TEN[8], f"prime_count(10**8) = {got}, expected {PI_OF_POWERS_OF_TEN[8]}"


@pytest.mark.time_limit(30)
def test_primes_up_to_10_to_the_8(solution: ModuleType) -> None:
    """primes_up_to(10**8) has 5 761 455 ascending primes and ends with exactly the primes trial division finds."""
    got = solution.primes_up_to(10**8)
    assert type(got) is np.ndarray and got.dtype == np.dtype(np.int64) and got.ndim == 1, (
        "primes_up_to(10**8) must return a one-dimensional int64 numpy array"
    )
    assert got.shape[0] == PI_OF_POWERS_OF_TEN[8], f"primes_up_to(10**8) has {got.shape[0]} primes, expected 5761455"
    assert bool(np.all(got[1:] > got[:-1])), "primes_up_to(10**8) is not strictly ascending"
    head = [int(x) for x in got[:20].tolist()]
    assert head == SMALL_PRIMES[:20], f"primes_up_to(10**8) starts {head}, expected {SMALL_PRIMES[:20]}"
    tail_oracle = _oracle_primes_between(10**8 - 2000, 10**8)
    tail = [int(x) for x in got[-len(tail_oracle) :].tolist()]
    assert tail == tail_oracle, f"primes_up_to(10**8) ends {_show(tail)}, expected {_show(tail_oracle)}"


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=ORACLE_LIMIT))
def test_primes_up_to_matches_trial_division(solution: ModuleType, n: int) -> None:
    """primes_up_to(n) equals the primes ≤ n found by trial division (n ≤ 10 000)."""
    got, want = _primes(solution, n), _oracle_primes_up_to(n)
    assert got == want, f"primes_up_to({n}) = {_show(got)}, expected {_show(want)}"


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=ORACLE_LIMIT))
def test_prime_count_matches_trial_division(solution: ModuleType, n: int) -> None:
    """prime_count(n) equals the number of primes ≤ n found by trial division (n ≤ 10 000)."""
    got, want = _count(solution, n), len(_oracle_primes_up_to(n))
    assert got == want, f"prime_count({n}) = {got}, expected {want}"


@settings(max_examples=60)
@given(st.sampled_from(SMALL_PRIMES[1:300]), st.integers(min_value=-2, max_value=2))
def test_squares_of_primes_are_crossed_out(solution: ModuleType, p: int, offset: int) -> None:
    """Around n = p² (the first multiple a prime crosses out), p² is never reported as a prime.

    Did your loop over the sieving primes stop one short of isqrt(n)?
    """
    n = p * p + offset
    tail, total = _tail(solution, n, 200)
    want = _oracle_primes_between(n - 199, n)
    assert tail == want, f"primes_up_to({n}) ends {_show(tail)}, expected {_show(want)} (p = {p})"
    count = _count(solution, n)
    assert count == total, f"prime_count({n}) = {count}, but primes_up_to({n}) has {total} primes"


@settings(max_examples=25)
@given(st.integers(min_value=10**5, max_value=10**7), st.integers(min_value=50, max_value=600))
def test_large_windows_match_trial_division(solution: ModuleType, n: int, width: int) -> None:
    """For n up to 10⁷, the primes in (n − width, n] equal trial division and prime_count(n) equals their count."""
    tail, total = _tail(solution, n, width)
    want = _oracle_primes_between(n - width + 1, n)
    assert tail == want, f"primes_up_to({n}) in ({n - width}, {n}] is {_show(tail)}, expected {_show(want)}"
    count = _count(solution, n)
    assert count == total, f"prime_count({n}) = {count}, but primes_up_to({n}) has {total} primes"


def test_each_call_returns_a_fresh_array(solution: ModuleType) -> None:
    """Changing a returned array never changes what a later call returns."""
    first = solution.primes_up_to(100)
    first[:] = 0
    again = _primes(solution, 100)
    assert again == _oracle_primes_up_to(100), (
        f"after zeroing one result, primes_up_to(100) returned {_show(again)}; did you return a cached array?"
    )


def test_numpy_integers_are_accepted(solution: ModuleType) -> None:
    """n may be a numpy integer: prime_count(np.int64(100)) is 25 and primes_up_to(np.int32(10)) is [2, 3, 5, 7]."""
    got = _count(solution, np.int64(100))  # type: ignore[arg-type]
    assert got == 25, f"prime_count(np.int64(100)) = {got}, expected 25"
    primes = _primes(solution, np.int32(10))  # type: ignore[arg-type]
    assert primes == [2, 3, 5, 7], f"primes_up_to(np.int32(10)) = {primes}, expected [2, 3, 5, 7]"


@pytest.mark.parametrize("bad", [-1, -1000])
def test_negative_n_raises_value_error(solution: ModuleType, bad: int) -> None:
    """A negative n raises ValueError in both functions."""
    for func in (solution.primes_up_to, solution.prime_count):
        with pytest.raises(ValueError):
            func(bad)


@pytest.mark.parametrize("bad", [10.0, "10", None])
def test_non_integer_n_raises_type_error(solution: ModuleType, bad: object) -> None:
    """A float, a string or None raises TypeError in both functions (operator.index does this check)."""
    for func in (solution.primes_up_to, solution.prime_count):
        with pytest.raises(TypeError):
            func(bad)


def test_prime_count_memory_is_about_half_a_byte_per_number(solution: ModuleType) -> None:
    """prime_count(10**7) peaks at no more than 0.6·n bytes + 1 MiB (tracemalloc sees numpy's buffers).

    One bool per odd number (n/2 bytes) fits; a flag per number, int64 flags or a list of primes do not.
    """
    solution.prime_count(1000)  # warm-up: lazy imports and caches are not the sieve's memory
    peak = _peak_bytes(lambda: solution.prime_count(MEMORY_N))
    limit = int(0.6 * MEMORY_N) + MiB
    assert peak <= limit, (
        f"prime_count(10**7) peaked at {peak / MiB:.1f} MiB; the limit is {limit / MiB:.1f} MiB. Did you store a flag "
        f"for every number (n bytes), use int64/int flags (8 bytes each), or build the primes just to count them?"
    )


def test_primes_up_to_memory_is_flags_plus_output(solution: ModuleType) -> None:
    """primes_up_to(10**7) peaks at no more than 0.6·n bytes + twice the output's size + 1 MiB."""
    solution.primes_up_to(1000)
    peak = _peak_bytes(lambda: solution.primes_up_to(MEMORY_N))
    output = 8 * PI_OF_POWERS_OF_TEN[7]
    limit = int(0.6 * MEMORY_N) + 2 * output + MiB
    assert peak <= limit, (
        f"primes_up_to(10**7) peaked at {peak / MiB:.1f} MiB; the limit is {limit / MiB:.1f} MiB (flags for the odd "
        f"numbers, the {output / MiB:.1f} MiB result and one temporary of its size). Did you use wide flags, keep "
        f"extra copies of the result alive, or build a Python list of the primes?"
    )


@pytest.mark.perf
def test_primes_up_to_speed_against_the_reference(solution: ModuleType, reference: ModuleType, perf: Perf) -> None:
    """primes_up_to(10**7) runs within 2× of the reference (median of interleaved CPU-time pairs)."""
    n = 10**7
    perf.compare(
        "primes_up_to(10**7)", lambda: solution.primes_up_to(n), lambda: reference.primes_up_to(n), max_ratio=2.0
    )


@pytest.mark.perf
def test_primes_up_to_is_20x_faster_than_a_plain_python_sieve(solution: ModuleType, perf: Perf) -> None:
    """primes_up_to(10**6) is at least 20× faster than a plain-Python list sieve timed in the same run."""
    n = 10**6
    perf.speedup(
        "primes_up_to(10**6) vs a plain-Python sieve",
        lambda: solution.primes_up_to(n),
        lambda: _plain_python_sieve(n),
        min_speedup=20.0,
    )
