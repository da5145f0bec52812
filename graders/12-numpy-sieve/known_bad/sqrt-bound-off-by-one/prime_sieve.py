"""Known-bad: the sieving loop stops one short (`range(3, isqrt(n), 2)`), so p² survives when p = isqrt(n)."""

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


def _odd_flags(n: int) -> npt.NDArray[np.bool_]:
    flags = np.ones((n + 1) // 2, dtype=np.bool_)
    flags[0] = False
    for p in range(3, math.isqrt(n), 2):  # the mistake: isqrt(n) itself is never used as a sieving prime
        if flags[p // 2]:
            flags[p * p // 2 :: p] = False
    return flags


def primes_up_to(n: int) -> npt.NDArray[np.int64]:
    n = _checked(n)
    if n < 2:
        return np.empty(0, dtype=np.int64)
    flags = _odd_flags(n)
    flags[0] = True
    primes = np.flatnonzero(flags).astype(np.int64)
    primes *= 2
    primes += 1
    primes[0] = 2
    return primes


def prime_count(n: int) -> int:
    n = _checked(n)
    if n < 2:
        return 0
    return int(np.count_nonzero(_odd_flags(n))) + 1
