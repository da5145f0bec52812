"""Known-good: @njit(parallel=True) over rows with prange, accumulating squared differences column by column."""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def pairwise_distances(a, b):
    m, d = a.shape
    n = b.shape[0]
    if b.shape[1] != d:
        raise ValueError("a and b must have the same number of columns")
    out = np.zeros((m, n))
    for i in prange(m):
        for k in range(d):
            x = a[i, k]
            for j in range(n):
                diff = x - b[j, k]
                out[i, j] += diff * diff
        for j in range(n):
            out[i, j] = np.sqrt(out[i, j])
    return out
