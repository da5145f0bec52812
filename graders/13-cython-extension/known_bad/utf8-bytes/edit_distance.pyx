# cython: boundscheck=False, wraparound=False
"""Known-bad: fast and typed, but it compares UTF-8 *bytes*: 'é' counts as 2 characters and '😀' as 4."""

from cpython.mem cimport PyMem_Free, PyMem_Malloc


def levenshtein(str a not None, str b not None):
    cdef bytes ba = a.encode("utf-8")  # the mistake: code units of an encoding, not code points
    cdef bytes bb = b.encode("utf-8")
    cdef const unsigned char[:] sa, sb
    cdef Py_ssize_t i, j, m, n, diagonal, above, best
    cdef Py_ssize_t* row
    if len(ba) < len(bb):
        ba, bb = bb, ba
    sa, sb = ba, bb
    m, n = sa.shape[0], sb.shape[0]
    row = <Py_ssize_t*>PyMem_Malloc((n + 1) * sizeof(Py_ssize_t))
    if row == NULL:
        raise MemoryError()
    try:
        for j in range(n + 1):
            row[j] = j
        for i in range(1, m + 1):
            diagonal = row[0]
            row[0] = i
            for j in range(1, n + 1):
                above = row[j]
                best = diagonal + (sa[i - 1] != sb[j - 1])
                if above + 1 < best:
                    best = above + 1
                if row[j - 1] + 1 < best:
                    best = row[j - 1] + 1
                row[j] = best
                diagonal = above
        return row[n]
    finally:
        PyMem_Free(row)


def closest(str query not None, choices):
    cdef Py_ssize_t index, best_index = -1, best = -1, d
    for index, choice in enumerate(choices):
        d = levenshtein(query, choice)
        if best_index < 0 or d < best:
            best_index, best = index, d
    if best_index < 0:
        raise ValueError("closest() needs at least one choice")
    return best_index, best
