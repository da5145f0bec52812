# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Levenshtein edit distance in Cython: the dynamic programme runs over C arrays, without the GIL.

The pure-Python version spends its time boxing and unboxing ints and looking up `min`; here every cell of the
table is three C comparisons. The strings are copied once into arrays of code points (`Py_UCS4`), so the inner
loop never touches a Python object, and only one row of the table is kept (O(min(m, n)) memory).
"""

from cpython.mem cimport PyMem_Free, PyMem_Malloc


cdef Py_UCS4* _code_points(str text) except NULL:
    """A new PyMem buffer holding the code points of `text` (the caller frees it)."""
    cdef Py_ssize_t i = 0
    cdef Py_UCS4 c
    cdef Py_UCS4* buffer = <Py_UCS4*>PyMem_Malloc((len(text) + 1) * sizeof(Py_UCS4))
    if buffer == NULL:
        raise MemoryError()
    for c in text:  # Cython iterates a typed str by code point, with no per-character objects
        buffer[i] = c
        i += 1
    return buffer


cdef Py_ssize_t _distance(const Py_UCS4* a, Py_ssize_t m, const Py_UCS4* b, Py_ssize_t n,
                          Py_ssize_t* row) noexcept nogil:
    """The edit distance of a[:m] and b[:n], with `row` (n + 1 cells) as the only scratch space.

    row[j] holds D(i − 1, j) before cell (i, j) is computed and D(i, j) after; `diagonal` carries D(i − 1, j − 1).
    """
    cdef Py_ssize_t i, j, diagonal, above, best
    cdef Py_UCS4 ca
    for j in range(n + 1):
        row[j] = j
    for i in range(1, m + 1):
        ca = a[i - 1]
        diagonal = row[0]
        row[0] = i
        for j in range(1, n + 1):
            above = row[j]
            best = diagonal + (ca != b[j - 1])  # substitute (free when the characters match)
            if above + 1 < best:  # delete a[i - 1]
                best = above + 1
            if row[j - 1] + 1 < best:  # insert b[j - 1]
                best = row[j - 1] + 1
            row[j] = best
            diagonal = above
    return row[n]


def levenshtein(str a not None, str b not None) -> int:
    """The minimum number of single-character insertions, deletions and substitutions turning `a` into `b`.

    Characters are compared by code point. Raises TypeError unless both arguments are str.
    """
    cdef Py_UCS4* ca = NULL
    cdef Py_UCS4* cb = NULL
    cdef Py_ssize_t* row = NULL
    cdef Py_ssize_t m, n, result
    if len(a) < len(b):  # keep the row as short as the shorter string
        a, b = b, a
    m, n = len(a), len(b)
    if n == 0:
        return m
    try:
        ca = _code_points(a)
        cb = _code_points(b)
        row = <Py_ssize_t*>PyMem_Malloc((n + 1) * sizeof(Py_ssize_t))
        if row == NULL:
            raise MemoryError()
        with nogil:  # pure C from here on: other Python threads may run meanwhile
            result = _distance(ca, m, cb, n, row)
        return result
    finally:
        PyMem_Free(ca)
        PyMem_Free(cb)
        PyMem_Free(row)


def closest(str query not None, choices) -> tuple:
    """(index, distance) of the choice nearest to `query` in edit distance; the lowest index wins a tie.

    `choices` is any iterable of str. Raises ValueError if it is empty and TypeError if an item is not a str.
    """
    cdef Py_ssize_t index, best_index = -1, best = -1, d
    for index, choice in enumerate(choices):
        d = levenshtein(query, choice)
        if best_index < 0 or d < best:
            best_index, best = index, d
    if best_index < 0:
        raise ValueError("closest() needs at least one choice")
    return best_index, best
