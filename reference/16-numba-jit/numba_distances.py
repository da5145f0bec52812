"""Pairwise Euclidean distances, compiled to machine code with Numba.

The numpy one-liner `sqrt(((a[:, None] - b[None]) ** 2).sum(-1))` builds an (m, n, d) temporary, so it moves
d times more memory than its answer. Written as three plain loops, the same computation touches each input row
from cache and writes each result once; interpreted by CPython those loops cost ~100 ns per element, compiled by
Numba (nopython mode: typed, no Python objects in the loop) they cost about a nanosecond.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import NDArray


# nopython mode: numba must type every value, or compilation fails (it never falls back to slow object mode).
# cache=True stores the machine code on disk, so the next process skips the compile (~0.5 s here).
@njit(cache=True)
def pairwise_distances(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Euclidean distance between every row of `a` (m×d) and every row of `b` (n×d), as an (m, n) array."""
    m, d = a.shape
    n, d_b = b.shape
    if d != d_b:
        raise ValueError("a and b must have the same number of columns")
    out = np.empty((m, n), dtype=np.float64)
    for i in range(m):
        for j in range(n):
            # Difference first, then square: exact for nearby points however far from the origin they are
            # (the |a|^2 + |b|^2 - 2 a.b shortcut cancels catastrophically there).
            total = 0.0
            for k in range(d):
                diff = a[i, k] - b[j, k]
                total += diff * diff
            out[i, j] = math.sqrt(total)
    return out
