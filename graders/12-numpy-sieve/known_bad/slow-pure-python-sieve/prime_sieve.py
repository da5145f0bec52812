"""Known-bad: a pure-Python sieve (correct, memory-frugal, but the work runs in the interpreter: fails on speed).

This is the strongest pure-Python version: an odd-only `bytearray` crossed out by slice assignment, counted with
`bytearray.count`, and turned into an int64 array with `np.fromiter` (numpy only wraps the output).
"""

from __future__ import annotations

import math
import operator
from itertools import chain, compress

import numpy as np
import numpy.typing as npt


def _checked(n: int) -> int:
    value = operator.index(n)
    if value < 0:
        raise ValueError(f"n must be non-negative, got {value}")
    return value


def _odd_flags(n: int) -> bytearray:
    size = (n + 1) // 2
    flags = bytearray([1]) * size
    flags[0] = 0
    for i in range(1, (math.isqrt(n) - 1) // 2 + 1):
        if flags[i]:
            p = 2 * i + 1
            start = p * p // 2
            flags[start::p] = bytearray(len(range(start, size, p)))  # bytearray: assigned without a copy
    return flags


def primes_up_to(n: int) -> npt.NDArray[np.int64]:
    n = _checked(n)
    if n < 2:
        return np.empty(0, dtype=np.int64)
    flags = _odd_flags(n)
    count = flags.count(1) + 1
    odd_primes = compress(range(1, n + 1, 2), flags)
    return np.fromiter(chain((2,), odd_primes), dtype=np.int64, count=count)


def prime_count(n: int) -> int:
    n = _checked(n)
    if n < 2:
        return 0
    return _odd_flags(n).count(1) + 1
