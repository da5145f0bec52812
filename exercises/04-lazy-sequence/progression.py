"""Exercise 04: a lazy, exact arithmetic progression with slicing. Read README.md for the full spec."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import SupportsIndex, overload

Number = int | Fraction


class Progression(Sequence[Number]):
    """start, start + step, start + 2·step, … up to (not including) stop, like `range`, for ints and Fractions.

    Nothing is materialised: every operation below is O(1) in time and memory, except iteration, which
    produces the elements one at a time.
    """

    def __init__(self, start_or_stop: Number, stop: Number | None = None, step: Number = 1, /) -> None:
        """`Progression(stop)`, `Progression(start, stop)` or `Progression(start, stop, step)`, as for `range`.

        Arguments must be int or Fraction (TypeError otherwise, floats included); step 0 raises ValueError.
        """
        raise NotImplementedError

    @property
    def start(self) -> Number:
        """The `start` argument (0 when the constructor was given only `stop`)."""
        raise NotImplementedError

    @property
    def stop(self) -> Number:
        """The `stop` argument."""
        raise NotImplementedError

    @property
    def step(self) -> Number:
        """The `step` argument (1 by default)."""
        raise NotImplementedError

    def __len__(self) -> int:
        """The number of elements, in O(1)."""
        raise NotImplementedError

    @overload
    def __getitem__(self, index: SupportsIndex) -> Number: ...
    @overload
    def __getitem__(self, index: slice) -> Progression: ...
    def __getitem__(self, index: SupportsIndex | slice) -> Number | Progression:
        """Element `index` (negative counts from the end; IndexError when out of range), or, for a slice,
        a new Progression holding exactly the elements `list(self)[index]` would hold."""
        raise NotImplementedError

    def __contains__(self, value: object) -> bool:
        """True when some element == value, decided in O(1)."""
        raise NotImplementedError

    def index(self, value: object, start: SupportsIndex = 0, stop: SupportsIndex | None = None) -> int:
        """Position of `value`, as `list.index` would find it (ValueError when absent), in O(1)."""
        raise NotImplementedError

    def count(self, value: object) -> int:
        """How many elements == value (0 or 1), in O(1)."""
        raise NotImplementedError

    def __iter__(self) -> Iterator[Number]:
        """The elements, first to last, produced lazily."""
        raise NotImplementedError

    def __reversed__(self) -> Iterator[Number]:
        """The elements, last to first, produced lazily."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        """Progressions are equal when they hold the same elements; other types are never equal."""
        raise NotImplementedError

    def __hash__(self) -> int:
        """Consistent with ==: equal progressions hash equal."""
        raise NotImplementedError

    def __repr__(self) -> str:
        """`Progression(start, stop, step)`, which evaluates back to an equal progression."""
        raise NotImplementedError
