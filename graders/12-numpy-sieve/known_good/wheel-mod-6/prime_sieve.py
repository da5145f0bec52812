"""Known-good: a mod-6 wheel sieve (flags only for numbers coprime to 6: n/3 bytes), written from the README.

Slot i stands for v(i) = (3·i + 1) | 1, i.e. 1, 5, 7, 11, 13, 17, … and the slot of such a value v is v // 3.
Multiples of a prime k that are coprime to 6 form two progressions 2k slots apart, starting at k² and at
k·(k + 4) or k·(k + 2) depending on k mod 6.
"""

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


def _value(i: int) -> int:
    return (3 * i + 1) | 1


def _wheel_flags(n: int) -> npt.NDArray[np.bool_]:
    """For n ≥ 5: flags[i] is True iff v(i) is prime, for every v(i) ≤ n."""
    size = (n + 1) // 3 + 1
    while _value(size - 1) > n:
        size -= 1
    flags = np.ones(size, dtype=np.bool_)
    flags[0] = False  # v(0) = 1
    root = math.isqrt(n)
    i = 1
    while _value(i) <= root:
        if flags[i]:
            k = _value(i)
            step = 2 * k
            flags[k * k // 3 :: step] = False
            second = k * (k + 4) if i % 2 == 0 else k * (k + 2)
            flags[second // 3 :: step] = False
        i += 1
    return flags


def primes_up_to(n: int) -> npt.NDArray[np.int64]:
    n = _checked(n)
    if n < 5:
        return np.array([p for p in (2, 3) if p <= n], dtype=np.int64)
    found = np.flatnonzero(_wheel_flags(n)).astype(np.int64, copy=False)
    found *= 3
    found += 1
    found |= 1
    result = np.empty(found.shape[0] + 2, dtype=np.int64)
    result[:2] = (2, 3)
    result[2:] = found
    return result


def prime_count(n: int) -> int:
    n = _checked(n)
    if n < 5:
        return sum(1 for p in (2, 3) if p <= n)
    return int(np.count_nonzero(_wheel_flags(n))) + 2
