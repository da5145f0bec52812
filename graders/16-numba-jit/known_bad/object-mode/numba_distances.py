"""Known-bad: @jit(forceobj=True): a numba dispatcher, but compiled in object mode (Python objects, Python speed)."""

from __future__ import annotations

import math

import numpy as np
from numba import jit


@jit(forceobj=True)
def pairwise_distances(a, b):
    m, d = a.shape
    n, d_b = b.shape
    if d != d_b:
        raise ValueError("a and b must have the same number of columns")
    out = np.empty((m, n), dtype=np.float64)
    for i in range(m):
        for j in range(n):
            total = 0.0
            for k in range(d):
                diff = a[i, k] - b[j, k]
                total += diff * diff
            out[i, j] = math.sqrt(total)
    return out
