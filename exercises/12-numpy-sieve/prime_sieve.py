"""A fast, memory-conscious sieve of Eratosthenes over numpy arrays (see README.md)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def primes_up_to(n: int) -> npt.NDArray[np.int64]:
    """All primes p with 2 ≤ p ≤ n, ascending, as a new one-dimensional `np.int64` array.

    Raises TypeError if `n` is not an integer and ValueError if it is negative.
    """
    raise NotImplementedError


def prime_count(n: int) -> int:
    """π(n): how many primes are ≤ n, as a Python int. Never materialises the primes themselves.

    Raises TypeError if `n` is not an integer and ValueError if it is negative.
    """
    raise NotImplementedError
