"""Known-good: each stage is a hand-written iterator class with __next__; a Thunk with three boolean flags."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any


class _Map:
    def __init__(self, func: Callable[[Any], Any], it: Iterator[Any]) -> None:
        self.func, self.it = func, it

    def __iter__(self) -> _Map:
        return self

    def __next__(self) -> Any:
        return self.func(next(self.it))


class _Filter:
    def __init__(self, predicate: Callable[[Any], object], it: Iterator[Any]) -> None:
        self.predicate, self.it = predicate, it

    def __iter__(self) -> _Filter:
        return self

    def __next__(self) -> Any:
        while True:
            item = next(self.it)
            if self.predicate(item):
                return item


class _Take:
    def __init__(self, n: int, it: Iterator[Any]) -> None:
        self.left, self.it = n, it

    def __iter__(self) -> _Take:
        return self

    def __next__(self) -> Any:
        if self.left <= 0:
            raise StopIteration
        self.left -= 1
        return next(self.it)


class _Chunk:
    def __init__(self, size: int, it: Iterator[Any]) -> None:
        self.size, self.it = size, it

    def __iter__(self) -> _Chunk:
        return self

    def __next__(self) -> tuple[Any, ...]:
        buf = []
        for _ in range(self.size):
            try:
                buf.append(next(self.it))
            except StopIteration:
                break
        if not buf:
            raise StopIteration
        return tuple(buf)


class _Window:
    def __init__(self, size: int, it: Iterator[Any]) -> None:
        self.size, self.it = size, it
        self.buf: tuple[Any, ...] = ()

    def __iter__(self) -> _Window:
        return self

    def __next__(self) -> tuple[Any, ...]:
        if len(self.buf) < self.size:  # the first window: fill it up
            while len(self.buf) < self.size:
                self.buf += (next(self.it),)
            return self.buf
        self.buf = (*self.buf[1:], next(self.it))
        return self.buf


class _FlatMap:
    def __init__(self, func: Callable[[Any], Iterable[Any]], it: Iterator[Any]) -> None:
        self.func, self.it = func, it
        self.inner: Iterator[Any] = iter(())

    def __iter__(self) -> _FlatMap:
        return self

    def __next__(self) -> Any:
        while True:
            try:
                return next(self.inner)
            except StopIteration:
                self.inner = iter(self.func(next(self.it)))


class _Zip:
    def __init__(self, a: Iterator[Any], other: Iterable[Any]) -> None:
        self.a, self.other = a, other
        self.b: Iterator[Any] | None = None

    def __iter__(self) -> _Zip:
        return self

    def __next__(self) -> tuple[Any, Any]:
        x = next(self.a)
        if self.b is None:
            self.b = iter(self.other)
        return x, next(self.b)


class Stream:
    def __init__(self, source: Iterable[Any], make: Callable[[Iterator[Any]], Iterator[Any]] | None = None) -> None:
        self.source = source
        self.make = make

    def __iter__(self) -> Iterator[Any]:
        it = iter(self.source)
        return self.make(it) if self.make else it

    def _then(self, make: Callable[[Iterator[Any]], Iterator[Any]]) -> Stream:
        return Stream(self, make)

    def map(self, func: Callable[[Any], Any]) -> Stream:
        return self._then(lambda it: _Map(func, it))

    def filter(self, predicate: Callable[[Any], object]) -> Stream:
        return self._then(lambda it: _Filter(predicate, it))

    def take(self, n: int) -> Stream:
        if n < 0:
            raise ValueError(f"take({n}): n must be >= 0")
        return self._then(lambda it: _Take(n, it))

    def chunk(self, size: int) -> Stream:
        if size < 1:
            raise ValueError(f"chunk({size}): size must be >= 1")
        return self._then(lambda it: _Chunk(size, it))

    def window(self, size: int) -> Stream:
        if size < 1:
            raise ValueError(f"window({size}): size must be >= 1")
        return self._then(lambda it: _Window(size, it))

    def flat_map(self, func: Callable[[Any], Iterable[Any]]) -> Stream:
        return self._then(lambda it: _FlatMap(func, it))

    def zip(self, other: Iterable[Any]) -> Stream:
        return self._then(lambda it: _Zip(it, other))

    def to_list(self) -> list[Any]:
        out = []
        for x in self:
            out.append(x)
        return out

    def reduce(self, func: Callable[[Any, Any], Any], initial: Any) -> Any:
        acc = initial
        for x in self:
            acc = func(acc, x)
        return acc


class Thunk:
    def __init__(self, compute: Callable[[], Any]) -> None:
        self._compute: Callable[[], Any] | None = compute
        self._busy = False
        self._has_value = False
        self._value: Any = None

    @property
    def is_forced(self) -> bool:
        return self._has_value

    def force(self) -> Any:
        if not self._has_value:
            if self._busy:
                raise RuntimeError("cyclic thunk: it needs its own value")
            self._busy = True
            try:
                assert self._compute is not None
                self._value = self._compute()
            finally:
                self._busy = False
            self._has_value = True
            self._compute = None
        return self._value

    def map(self, func: Callable[[Any], Any]) -> Thunk:
        return Thunk(lambda: func(self.force()))
