"""Known-bad: the length rounds down, (stop - start) // step, so a partial last step is lost.

A progression is three numbers, not a list: element i is `start + i * step`, the length is a ceiling division,
and every question a `Sequence` answers (indexing, slicing, membership, position) is a little arithmetic on
those numbers. Slicing maps the slice onto indices with `slice.indices`, exactly as `list` does, and returns a
new progression, so even a 10**12-long progression costs a few hundred bytes.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import SupportsIndex, overload

Number = int | Fraction


def _count(start: Number, stop: Number, step: Number) -> int:
    """How many of start, start + step, … lie before stop: max(0, ceil((stop - start) / step))."""
    # Floor division is exact for ints and Fractions (Fraction // Fraction is an int), so -(-a // b) is an
    # exact ceiling; `/` would go through float for two ints and lose precision past 2**53.
    return max(0, (stop - start) // step)


def _check(name: str, value: object) -> Number:
    # bool is an int, as it is for range(); floats are refused, see README ("Why no floats").
    if not isinstance(value, int | Fraction):
        raise TypeError(f"Progression {name} must be an int or a Fraction, not {type(value).__name__}")
    return value


class Progression(Sequence[Number]):
    """start, start + step, start + 2·step, … up to (not including) stop, like `range`, for ints and Fractions.

    Nothing is materialised: every operation is O(1) in time and memory, except iteration, which produces the
    elements one at a time.
    """

    # No per-instance __dict__: a progression is a small immutable value (it is hashable, so it must not change).
    __slots__ = ("_len", "_start", "_step", "_stop")

    def __init__(self, start_or_stop: Number, stop: Number | None = None, step: Number = 1, /) -> None:
        """`Progression(stop)`, `Progression(start, stop)` or `Progression(start, stop, step)`, as for `range`."""
        start: Number = 0
        if stop is None:
            stop = start_or_stop
        else:
            start = start_or_stop
        self._start = _check("start", start)
        self._stop = _check("stop", stop)
        self._step = _check("step", step)
        if step == 0:
            raise ValueError("Progression step must not be zero")
        self._len = _count(start, stop, step)

    @property
    def start(self) -> Number:
        """The `start` argument (0 when the constructor was given only `stop`)."""
        return self._start

    @property
    def stop(self) -> Number:
        """The `stop` argument."""
        return self._stop

    @property
    def step(self) -> Number:
        """The `step` argument (1 by default)."""
        return self._step

    def __len__(self) -> int:
        return self._len

    def __bool__(self) -> bool:
        # Without this, bool() would call len(), which raises OverflowError past sys.maxsize elements.
        return self._len > 0

    def _at(self, i: int) -> Number:
        # Always computed from start, never by adding step repeatedly: exact and O(1) for any i.
        return self._start + i * self._step

    @overload
    def __getitem__(self, index: SupportsIndex) -> Number: ...
    @overload
    def __getitem__(self, index: slice) -> Progression: ...
    def __getitem__(self, index: SupportsIndex | slice) -> Number | Progression:
        """Element `index`, or for a slice a new Progression with exactly the elements `list(self)[index]`."""
        if isinstance(index, slice):
            # slice.indices does list's clamping of None/negative/out-of-range bounds (ValueError for step 0).
            first, last, stride = index.indices(self._len)
            n = _count(first, last, stride)
            start, step = self._at(first), self._step * stride
            return Progression(start, start + n * step, step)
        try:
            i = operator.index(index)
        except TypeError:
            raise TypeError(f"Progression indices must be integers or slices, not {type(index).__name__}") from None
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("Progression index out of range")
        return self._at(i)

    def _position(self, value: object) -> int | None:
        """The index i with self[i] == value, or None: solve start + i·step = value for an integer i."""
        if isinstance(value, float):
            if not math.isfinite(value):
                return None
            value = Fraction(value)  # exact, so 0.1 matches nothing in steps of 1/10, as Fraction(1, 10) != 0.1
        if not isinstance(value, int | Fraction):
            return None
        i, rest = divmod(value - self._start, self._step)
        return int(i) if rest == 0 and 0 <= i < self._len else None

    def __contains__(self, value: object) -> bool:
        return self._position(value) is not None

    def index(self, value: object, start: SupportsIndex = 0, stop: SupportsIndex | None = None) -> int:
        """Position of `value`, as `list.index(value, start, stop)` would find it; ValueError when absent."""
        i = self._position(value)
        low, high, _ = slice(start, stop).indices(self._len)
        if i is None or not low <= i < high:
            raise ValueError(f"{value!r} is not in the progression")
        return i

    def count(self, value: object) -> int:
        """How many elements equal value: 0 or 1, since the elements are all different."""
        return 0 if self._position(value) is None else 1

    def __iter__(self) -> Iterator[Number]:
        start, step = self._start, self._step
        for i in range(self._len):  # range is lazy too: no list, whatever the length
            yield start + i * step

    def __reversed__(self) -> Iterator[Number]:
        start, step = self._start, self._step
        for i in reversed(range(self._len)):
            yield start + i * step

    def _key(self) -> tuple[Number, ...]:
        # Two progressions hold the same elements when they have the same length, first element and step;
        # the step does not matter for one element, nor anything for none (as for range: range(0) == range(4, 2)).
        if self._len == 0:
            return (0,)
        if self._len == 1:
            return (1, self._start)
        return (self._len, self._start, self._step)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Progression):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        # Fraction(n) == n and hash(Fraction(n)) == hash(n), so equal keys hash equal across number types.
        return hash(self._key())

    def __repr__(self) -> str:
        step = "" if type(self._step) is int and self._step == 1 else f", {self._step!r}"
        return f"Progression({self._start!r}, {self._stop!r}{step})"

    def __reduce__(self) -> tuple[type[Progression], tuple[Number, Number, Number]]:
        return (Progression, (self._start, self._stop, self._step))
