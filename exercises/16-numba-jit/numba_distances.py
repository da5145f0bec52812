"""Exercise 16: pairwise distances JIT-compiled with Numba. Read README.md for the full spec."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


# Decorate this function itself with numba's @njit (nopython mode); see README.md.
def pairwise_distances(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Euclidean distance between every row of `a` (m×d) and every row of `b` (n×d), as an (m, n) array.

    Raises ValueError when `a` and `b` have different numbers of columns.
    """
    raise NotImplementedError
