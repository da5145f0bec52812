"""Known-bad: building is deferred, but running the pipeline turns every stage into a full list.

It looks lazy (nothing runs until iteration) and gives the right elements on finite input, but each stage
computes its whole output before the next starts: O(n) memory, and an infinite source never returns.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

Step = Callable[[list[Any]], list[Any]]


class Stream:
    def __init__(self, source: Iterable[Any], steps: tuple[Step, ...] = ()) -> None:
        self._source = source
        self._steps = steps

    def _then(self, step: Step) -> Stream:
        return Stream(self._source, (*self._steps, step))

    def __iter__(self) -> Iterator[Any]:
        data = list(self._source)
        for step in self._steps:
            data = step(data)
        return iter(data)

    def map(self, func: Callable[[Any], Any]) -> Stream:
        return self._then(lambda xs: [func(x) for x in xs])

    def filter(self, predicate: Callable[[Any], object]) -> Stream:
        return self._then(lambda xs: [x for x in xs if predicate(x)])

    def take(self, n: int) -> Stream:
        if n < 0:
            raise ValueError("n must be >= 0")
        return self._then(lambda xs: xs[:n])

    def chunk(self, size: int) -> Stream:
        if size < 1:
            raise ValueError("size must be >= 1")
        return self._then(lambda xs: [tuple(xs[i : i + size]) for i in range(0, len(xs), size)])

    def window(self, size: int) -> Stream:
        if size < 1:
            raise ValueError("size must be >= 1")
        return self._then(lambda xs: [tuple(xs[i : i + size]) for i in range(len(xs) - size + 1)])

    def flat_map(self, func: Callable[[Any], Iterable[Any]]) -> Stream:
        return self._then(lambda xs: list(itertools.chain.from_iterable(func(x) for x in xs)))

    def zip(self, other: Iterable[Any]) -> Stream:
        return self._then(lambda xs: list(zip(xs, other, strict=False)))

    def to_list(self) -> list[Any]:
        return list(self)

    def reduce(self, func: Callable[[Any, Any], Any], initial: Any) -> Any:
        acc = initial
        for x in self:
            acc = func(acc, x)
        return acc


class Thunk:
    def __init__(self, compute: Callable[[], Any]) -> None:
        self._compute: Callable[[], Any] | None = compute
        self._running = False
        self._done = False
        self._value: Any = None

    @property
    def is_forced(self) -> bool:
        return self._done

    def force(self) -> Any:
        if self._done:
            return self._value
        if self._running:
            raise RuntimeError("cyclic thunk")
        assert self._compute is not None
        self._running = True
        try:
            self._value = self._compute()
        finally:
            self._running = False
        self._done = True
        self._compute = None
        return self._value

    def map(self, func: Callable[[Any], Any]) -> Thunk:
        return Thunk(lambda: func(self.force()))
