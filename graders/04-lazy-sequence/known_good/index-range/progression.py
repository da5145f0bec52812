"""Known-good: a progression as (first element, step) over a `range` of indices.

Written from the README alone. Instead of re-deriving any slice or index rules, every question about
positions is delegated to `range(len)`, which already implements list semantics in C: `self._idx[s]` is the
range of indices a slice selects, `i in self._idx` and `self._idx.index(i)` are O(1) for ints.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from fractions import Fraction
from numbers import Rational
from typing import Any, SupportsIndex, overload

Number = int | Fraction


class Progression(Sequence[Number]):
    __slots__ = ("_args", "_first", "_idx", "_step")

    def __init__(self, *args: Any) -> None:
        if not 1 <= len(args) <= 3:
            raise TypeError(f"Progression expected 1 to 3 arguments, got {len(args)}")
        for a in args:
            if type(a) is not bool and not isinstance(a, (int, Fraction)):
                raise TypeError(f"Progression arguments must be int or Fraction, not {type(a).__name__}")
        start, stop, step = (0, args[0], 1) if len(args) == 1 else (*args, 1)[:3]
        if step == 0:
            raise ValueError("Progression step must not be zero")
        n = math.ceil(Fraction(stop - start) / step)
        self._args = (start, stop, step)
        self._first = start
        self._step = step
        self._idx = range(max(n, 0))

    start = property(lambda self: self._args[0])
    stop = property(lambda self: self._args[1])
    step = property(lambda self: self._args[2])

    def __len__(self) -> int:
        return len(self._idx)

    def __bool__(self) -> bool:
        return bool(self._idx)

    @overload
    def __getitem__(self, index: SupportsIndex) -> Number: ...
    @overload
    def __getitem__(self, index: slice) -> Progression: ...
    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            sub = self._idx[index]  # a range of the selected indices, list's rules included
            first = self._first + sub.start * self._step
            step = self._step * sub.step
            return Progression(first, first + len(sub) * step, step)
        return self._first + self._idx[index] * self._step  # range raises IndexError / TypeError for us

    def _where(self, value: object) -> int | None:
        if isinstance(value, float) and math.isfinite(value):
            value = Fraction(value)
        if not isinstance(value, Rational):
            return None
        offset = Fraction(value) - self._first
        i = offset / self._step
        if i.denominator != 1 or int(i) not in self._idx:
            return None
        return int(i)

    def __contains__(self, value: object) -> bool:
        return self._where(value) is not None

    def index(self, value: object, start: SupportsIndex = 0, stop: SupportsIndex | None = None) -> int:
        i = self._where(value)
        window = self._idx[start:stop]
        if i is None or i not in window:
            raise ValueError(f"{value!r} is not in the progression")
        return i

    def count(self, value: object) -> int:
        return int(value in self)

    def __iter__(self) -> Iterator[Number]:
        return (self._first + i * self._step for i in self._idx)

    def __reversed__(self) -> Iterator[Number]:
        return (self._first + i * self._step for i in reversed(self._idx))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Progression):
            return NotImplemented
        return self._shape() == other._shape()

    def __hash__(self) -> int:
        return hash(self._shape())

    def _shape(self) -> tuple[object, ...]:
        n = len(self._idx)
        return (n, self._first if n else None, self._step if n > 1 else None)

    def __repr__(self) -> str:
        return "Progression({!r}, {!r}, {!r})".format(*self._args)
