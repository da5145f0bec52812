"""Known-bad: |a|² + |b|² − 2a·b: fast, but it cancels catastrophically for close points far from the origin."""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit
def pairwise_distances(a, b):
    m, d = a.shape
    n, d_b = b.shape
    if d != d_b:
        raise ValueError("a and b must have the same number of columns")
    norms_a = np.zeros(m)
    norms_b = np.zeros(n)
    for i in range(m):
        for k in range(d):
            norms_a[i] += a[i, k] * a[i, k]
    for j in range(n):
        for k in range(d):
            norms_b[j] += b[j, k] * b[j, k]
    out = np.empty((m, n), dtype=np.float64)
    for i in range(m):
        for j in range(n):
            dot = 0.0
            for k in range(d):
                dot += a[i, k] * b[j, k]
            out[i, j] = math.sqrt(max(norms_a[i] + norms_b[j] - 2.0 * dot, 0.0))
    return out
