"""Known-bad: an odd-only numpy sieve whose flags are int64 (8 bytes per odd number: fails the memory limit)."""

from __future__ import annotations

import math
import operator

import numpy as np
import numpy.typing as npt


def _checked(n: int) -> int:
    value = operator.index(n)
    if value < 0:
        raise ValueError(f"n must be non-negative, got {value}")
    return value


def _odd_flags(n: int) -> npt.NDArray[np.int64]:
    flags = np.ones((n + 1) // 2, dtype=np.int64)  # the mistake: np.ones defaults to wide numbers, not bools
    flags[0] = 0
    for i in range(1, (math.isqrt(n) - 1) // 2 + 1):
        if flags[i]:
            p = 2 * i + 1
            flags[p * p // 2 :: p] = 0
    return flags


def primes_up_to(n: int) -> npt.NDArray[np.int64]:
    n = _checked(n)
    if n < 2:
        return np.empty(0, dtype=np.int64)
    odd = np.flatnonzero(_odd_flags(n)) * 2 + 1
    return np.concatenate((np.array([2], dtype=np.int64), odd.astype(np.int64)))


def prime_count(n: int) -> int:
    n = _checked(n)
    if n < 2:
        return 0
    return int(np.count_nonzero(_odd_flags(n))) + 1
