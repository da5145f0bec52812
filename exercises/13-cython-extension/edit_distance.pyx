# cython: language_level=3
"""Levenshtein edit distance as a compiled Cython extension (see README.md).

kata compiles this file with Cython and a C compiler every time you run `kata check`.
"""


def levenshtein(str a not None, str b not None) -> int:
    """The minimum number of single-character insertions, deletions and substitutions turning `a` into `b`.

    Characters are compared by code point. Raises TypeError unless both arguments are str.
    """
    raise NotImplementedError


def closest(str query not None, choices) -> tuple:
    """(index, distance) of the choice nearest to `query` in edit distance; the lowest index wins a tie.

    `choices` is any iterable of str. Raises ValueError if it is empty and TypeError if an item is not a str.
    """
    raise NotImplementedError
