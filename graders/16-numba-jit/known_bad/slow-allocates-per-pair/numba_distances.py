"""Known-bad: nopython mode, but `np.sum((a[i] - b[j]) ** 2)` allocates two arrays per pair (correct, ~15× slow)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit
def pairwise_distances(a, b):
    if a.shape[1] != b.shape[1]:
        raise ValueError("a and b must have the same number of columns")
    m, n = a.shape[0], b.shape[0]
    out = np.empty((m, n), dtype=np.float64)
    for i in range(m):
        for j in range(n):
            out[i, j] = np.sqrt(np.sum((a[i] - b[j]) ** 2))
    return out
