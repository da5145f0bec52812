"""A memory-conscious sieve of Eratosthenes over a numpy boolean array that stores odd numbers only.

Slot `i` of the flag array stands for the odd number 2·i + 1, so the sieve for n needs about n/2 bytes (one
`np.bool_` per odd number) and never touches the even numbers at all. Crossing out the multiples of a prime p is
one strided slice assignment, `flags[p*p // 2 :: p] = False`, which numpy runs as a C loop: the only Python-level
loop is over the candidates p ≤ √n.
"""

from __future__ import annotations

import math
import operator

import numpy as np
import numpy.typing as npt

__all__ = ["prime_count", "primes_up_to"]


def _checked(n: int) -> int:
    """`n` as a Python int; TypeError for non-integers (floats, strings), ValueError for negatives."""
    value = operator.index(n)  # accepts int and numpy integers, rejects 10.0 and "10" with TypeError
    if value < 0:
        raise ValueError(f"n must be non-negative, got {value}")
    return value


def _odd_flags(n: int) -> npt.NDArray[np.bool_]:
    """Flags for the odd numbers 1, 3, 5, … ≤ n (n ≥ 2): `flags[i]` is True iff 2·i + 1 is prime."""
    flags = np.ones((n + 1) // 2, dtype=np.bool_)
    flags[0] = False  # 1 is not prime
    # Every odd composite m ≤ n has an odd prime factor p ≤ √n, and its smallest multiple not already crossed out
    # by a smaller prime is p². Slot of p² is p² // 2; consecutive odd multiples of p are 2p apart, p slots apart.
    for i in range(1, (math.isqrt(n) - 1) // 2 + 1):
        if flags[i]:  # skipping composites roughly halves the number of slice assignments
            p = 2 * i + 1
            flags[p * p // 2 :: p] = False
    return flags


def primes_up_to(n: int) -> npt.NDArray[np.int64]:
    """All primes p with 2 ≤ p ≤ n, ascending, as a new one-dimensional `np.int64` array.

    Raises TypeError if `n` is not an integer and ValueError if it is negative.
    """
    n = _checked(n)
    if n < 2:
        return np.empty(0, dtype=np.int64)
    flags = _odd_flags(n)
    # Slot 0 stands for 1, which is not prime; flagging it lets the output array reserve its first cell for 2
    # without a concatenation (which would copy the whole output once more).
    flags[0] = True
    primes = np.flatnonzero(flags)  # slot indices, already int64 (np.intp on 64-bit platforms)
    primes *= 2  # in place: slot i -> odd number 2·i + 1, no temporary the size of the output
    primes += 1
    primes[0] = 2
    return primes.astype(np.int64, copy=False)


def prime_count(n: int) -> int:
    """π(n): how many primes are ≤ n, as a Python int. Never materialises the primes themselves.

    Raises TypeError if `n` is not an integer and ValueError if it is negative.
    """
    n = _checked(n)
    if n < 2:
        return 0
    return int(np.count_nonzero(_odd_flags(n))) + 1  # + 1 for the only even prime, 2
