"""Hidden grader for exercise 16: pairwise distances JIT-compiled with Numba."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kata.testing import Perf

RTOL, ATOL = 1e-9, 1e-12


def oracle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """numpy broadcasting: the (m, n, d) differences, squared, summed, square-rooted."""
    diff = a[:, None, :] - b[None, :, :]
    return np.sqrt((diff * diff).sum(axis=2))


def pure_python(a: list[list[float]], b: list[list[float]]) -> list[list[float]]:
    """The same triple loop in plain CPython over lists: the baseline for the speed-up."""
    out = []
    for p in a:
        row = []
        for q in b:
            total = 0.0
            for x, y in zip(p, q, strict=True):
                diff = x - y
                total += diff * diff
            row.append(math.sqrt(total))
        out.append(row)
    return out


def distances(solution: ModuleType, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The learner's result, checked to be a float64 ndarray of the right shape."""
    got = solution.pairwise_distances(a, b)
    assert type(got) is np.ndarray, f"pairwise_distances returned a {type(got).__name__}, expected a numpy ndarray"
    assert got.dtype == np.float64, f"the result has dtype {got.dtype}, expected float64"
    expected_shape = (a.shape[0], b.shape[0])
    assert got.shape == expected_shape, (
        f"the result has shape {got.shape} for a {a.shape} and b {b.shape}; expected {expected_shape}"
    )
    return got


def points(rng: np.random.Generator, rows: int, cols: int, scale: float = 10.0) -> np.ndarray:
    return np.ascontiguousarray(rng.uniform(-scale, scale, size=(rows, cols)))


def dispatcher_class() -> type:
    from numba.core.registry import CPUDispatcher

    return CPUDispatcher


# Compiled, in nopython mode.


def test_pairwise_distances_is_a_numba_dispatcher(solution: ModuleType) -> None:
    """pairwise_distances itself is the object @njit returns (a numba CPUDispatcher), not a Python wrapper."""
    func = solution.pairwise_distances
    assert isinstance(func, dispatcher_class()), (
        f"pairwise_distances is a {type(func).__module__}.{type(func).__qualname__}, not a numba dispatcher; "
        "did you decorate the function itself with @numba.njit? (a plain function calling a jitted helper does "
        "not count, nor does @vectorize)"
    )


def test_pairwise_distances_compiles_in_nopython_mode(solution: ModuleType) -> None:
    """After a call, every compiled version is a nopython one: no object-mode fallback, no forceobj."""
    func = solution.pairwise_distances
    if not isinstance(func, dispatcher_class()):
        pytest.fail("pairwise_distances is not a numba dispatcher; decorate it with @numba.njit", pytrace=False)
    distances(solution, np.ones((2, 3)), np.zeros((4, 3)))
    options: dict[str, Any] = dict(func.targetoptions)
    assert not options.get("forceobj"), "pairwise_distances is compiled with forceobj=True (object mode); use @njit"
    assert func.nopython_signatures, (
        "after a call, pairwise_distances.nopython_signatures is empty: it ran in object mode, where every value "
        "is a Python object and the loops run at interpreter speed. Use @njit and keep to numba-supported types"
    )
    object_mode = [str(sig) for sig, cres in func.overloads.items() if getattr(cres, "objectmode", False)]
    assert not object_mode, f"these signatures were compiled in object mode: {object_mode}; use @njit"


# Correctness against numpy.


def test_a_small_example_by_hand(solution: ModuleType) -> None:
    """The README example: 3-4-5 triangles and a point at the origin."""
    a = np.array([[0.0, 0.0], [3.0, 4.0]])
    b = np.array([[0.0, 0.0], [6.0, 8.0], [3.0, 0.0]])
    got = distances(solution, a, b)
    expected = np.array([[0.0, 10.0, 3.0], [5.0, 5.0, 4.0]])
    assert np.array_equal(got, expected), f"got\n{got}\nexpected\n{expected}"


@settings(max_examples=120)
@given(
    st.integers(0, 12).flatmap(
        lambda d: st.tuples(
            hnp.arrays(np.float64, st.tuples(st.integers(0, 12), st.just(d)), elements=st.floats(-1e3, 1e3)),
            hnp.arrays(np.float64, st.tuples(st.integers(0, 12), st.just(d)), elements=st.floats(-1e3, 1e3)),
        )
    )
)
def test_distances_match_numpy_broadcasting(solution: ModuleType, arrays: tuple[np.ndarray, np.ndarray]) -> None:
    """For any a (m×d) and b (n×d), every entry matches numpy's broadcast computation (rtol 1e-9)."""
    a, b = (np.ascontiguousarray(x) for x in arrays)
    got = distances(solution, a, b)
    expected = oracle(a, b)
    bad = ~np.isclose(got, expected, rtol=RTOL, atol=ATOL)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        pytest.fail(
            f"for a of shape {a.shape} and b of shape {b.shape}: out[{i}, {j}] = {got[i, j]!r}, expected "
            f"{expected[i, j]!r} (distance between {a[i].tolist()} and {b[j].tolist()}); {int(bad.sum())} entries "
            "differ",
            pytrace=False,
        )


def test_distances_to_itself_are_symmetric_with_a_zero_diagonal(solution: ModuleType) -> None:
    """pairwise_distances(x, x) is exactly symmetric with exactly 0.0 on the diagonal, and all entries ≥ 0."""
    x = points(np.random.default_rng(16), 60, 5, scale=1e4)
    got = distances(solution, x, x)
    assert np.all(np.diag(got) == 0.0), f"the diagonal holds {np.diag(got)[np.diag(got) != 0][:5]}, expected exact 0.0"
    assert np.array_equal(got, got.T), "pairwise_distances(x, x) is not exactly symmetric"
    assert np.all(got >= 0.0), "some distances are negative"


def test_close_points_far_from_the_origin_keep_their_precision(solution: ModuleType) -> None:
    """Points 1e-3 apart at 1e8 from the origin get distances accurate to 1e-9 relative.

    Did you expand |a - b|² into |a|² + |b|² − 2a·b? Far from the origin that subtracts two huge, nearly equal
    numbers and keeps only rounding noise.
    """
    rng = np.random.default_rng(7)
    base = np.full((1, 3), 1e8)
    a = base + rng.uniform(-1e-3, 1e-3, size=(20, 3))
    b = base + rng.uniform(-1e-3, 1e-3, size=(30, 3))
    got = distances(solution, a, b)
    expected = oracle(a, b)
    worst = float(np.max(np.abs(got - expected) / expected))
    assert np.allclose(got, expected, rtol=RTOL, atol=0.0), (
        f"distances between points ~1e-3 apart at 1e8 from the origin are off by up to {worst:.2g} relative; "
        "compute the differences a[i, k] - b[j, k] first, then square them (the |a|² + |b|² − 2a·b expansion "
        "cancels catastrophically here)"
    )


def test_empty_and_zero_width_inputs_give_the_right_shape(solution: ModuleType) -> None:
    """m = 0, n = 0 or d = 0 still give an (m, n) float64 array (zeros when d = 0)."""
    for m, n, d in [(0, 4, 3), (5, 0, 3), (0, 0, 2), (3, 2, 0)]:
        got = distances(solution, np.ones((m, d)), np.zeros((n, d)))  # checks dtype and shape
        assert np.all(got == 0.0), f"with a {(m, d)} and b {(n, d)}, expected all zeros, got\n{got}"


def test_mismatched_columns_raise_value_error(solution: ModuleType) -> None:
    """a with 3 columns and b with 2 columns raise ValueError."""
    with pytest.raises(ValueError):
        solution.pairwise_distances(np.ones((4, 3)), np.ones((5, 2)))
        pytest.fail("pairwise_distances accepted a (4, 3) and a (5, 2) array without ValueError", pytrace=False)


def test_inputs_are_left_unchanged(solution: ModuleType) -> None:
    """The call does not write into a or b."""
    rng = np.random.default_rng(3)
    a, b = points(rng, 30, 4), points(rng, 40, 4)
    a_before, b_before = a.copy(), b.copy()
    distances(solution, a, b)
    assert np.array_equal(a, a_before) and np.array_equal(b, b_before), "pairwise_distances modified its input"


def test_results_are_fresh_arrays(solution: ModuleType) -> None:
    """Each call returns a new array: the second call does not overwrite the first result."""
    rng = np.random.default_rng(5)
    a, b, c = points(rng, 8, 3), points(rng, 9, 3), points(rng, 9, 3)
    first = distances(solution, a, b)
    kept = first.copy()
    distances(solution, a, c)
    assert np.array_equal(first, kept), "a second call changed the array returned by the first; allocate a new one"


# Speed.


@contextlib.contextmanager
def one_numba_thread() -> Iterator[None]:
    """Numba on one thread: CPU time then measures work, and parallel=True neither helps nor hurts."""
    import numba

    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


@pytest.mark.perf
def test_speedup_over_pure_python(solution: ModuleType, perf: Perf) -> None:
    """On 200×8 against 200×8 points, yours is at least 50× faster than the same loops in pure Python."""
    rng = np.random.default_rng(50)
    a, b = points(rng, 200, 8), points(rng, 200, 8)
    a_list, b_list = a.tolist(), b.tolist()
    solution.pairwise_distances(a, b)  # compile (if not already) outside the timings
    with one_numba_thread():
        perf.speedup(
            "pairwise_distances(200×8, 200×8) vs pure Python",
            lambda: solution.pairwise_distances(a, b),
            lambda: pure_python(a_list, b_list),
            min_speedup=50.0,
        )


@pytest.mark.perf
def test_speed_against_the_reference(solution: ModuleType, reference: ModuleType, perf: Perf) -> None:
    """On 600×8 against 600×8 points, yours runs within 2× of the reference (single thread, CPU time)."""
    rng = np.random.default_rng(600)
    a, b = points(rng, 600, 8), points(rng, 600, 8)
    solution.pairwise_distances(a, b)  # compile both sides outside the timings
    reference.pairwise_distances(a, b)
    with one_numba_thread():
        perf.compare(
            "pairwise_distances(600×8, 600×8)",
            lambda: solution.pairwise_distances(a, b),
            lambda: reference.pairwise_distances(a, b),
            max_ratio=2.0,
        )
