# cython: boundscheck=False, wraparound=False
"""Known-good: typed memoryviews instead of raw C buffers, written from the README.

Each string becomes a UTF-32 buffer viewed as `const unsigned int[::1]` (one cell per code point; "surrogatepass"
keeps lone surrogates encodable), and the single table row is an `array.array('q')` viewed as `long long[::1]`.
"""

from cpython.array cimport array, clone

cdef array _ROW_TEMPLATE = array("q")


cdef const unsigned int[::1] _code_points(str text):
    return memoryview(text.encode("utf-32-le", "surrogatepass")).cast("I")


def levenshtein(str a not None, str b not None):
    cdef const unsigned int[::1] sa, sb
    cdef long long[::1] row
    cdef Py_ssize_t i, j, m, n
    cdef long long diagonal, above, best
    cdef unsigned int ca
    if len(a) < len(b):
        a, b = b, a
    sa, sb = _code_points(a), _code_points(b)
    m, n = sa.shape[0], sb.shape[0]
    row = clone(_ROW_TEMPLATE, n + 1, zero=False)
    for j in range(n + 1):
        row[j] = j
    for i in range(1, m + 1):
        ca = sa[i - 1]
        diagonal = row[0]
        row[0] = i
        for j in range(1, n + 1):
            above = row[j]
            best = diagonal + (ca != sb[j - 1])
            if above + 1 < best:
                best = above + 1
            if row[j - 1] + 1 < best:
                best = row[j - 1] + 1
            row[j] = best
            diagonal = above
    return int(row[n])


def closest(str query not None, choices):
    found = None
    for index, choice in enumerate(choices):
        if not isinstance(choice, str):
            raise TypeError(f"choice {index} is a {type(choice).__name__}, not a str")
        d = levenshtein(query, choice)
        if found is None or d < found[1]:
            found = (index, d)
    if found is None:
        raise ValueError("closest() needs at least one choice")
    return found
