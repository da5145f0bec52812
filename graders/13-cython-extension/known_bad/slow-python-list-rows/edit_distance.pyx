"""Known-bad: half-typed: C loop counters, but the table rows are Python lists and min() is a Python call (≈ 5×)."""


def levenshtein(str a not None, str b not None):
    cdef Py_ssize_t i, j, m, n
    cdef list previous, current
    if len(a) < len(b):
        a, b = b, a
    m, n = len(a), len(b)
    previous = list(range(n + 1))
    for i in range(1, m + 1):
        current = [i] * (n + 1)
        for j in range(1, n + 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
        previous = current
    return previous[n]


def closest(str query not None, choices):
    cdef Py_ssize_t index, best_index = -1, best = -1, d
    for index, choice in enumerate(choices):
        d = levenshtein(query, choice)
        if best_index < 0 or d < best:
            best_index, best = index, d
    if best_index < 0:
        raise ValueError("closest() needs at least one choice")
    return best_index, best
