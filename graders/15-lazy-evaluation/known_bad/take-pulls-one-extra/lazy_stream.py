"""Known-bad: take(n) pulls element n + 1 before it notices it has n (the classic off-by-one).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from typing import Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")
A = TypeVar("A")


def _check_count(name: str, value: int, minimum: int) -> None:
    # Validate when the stage is built, not when it is first iterated: the mistake is reported at the line
    # that made it, not wherever the stream happens to be consumed.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")


class Stream(Generic[T]):
    """A lazy pipeline over an iterable; each method returns a new stage, nothing is pulled until iteration."""

    __slots__ = ("_source",)

    def __init__(self, source: Iterable[T]) -> None:
        # Keep the iterable, not iter(source): building a pipeline must not touch the source at all.
        self._source = source

    def __iter__(self) -> Iterator[T]:
        return iter(self._source)

    # Stages. Each wraps "how to iterate me" in a _Deferred, so even the iter() calls wait until the pipeline
    # runs, and a stream over a re-iterable source (a list, a range) can be run again. The builtins `map`,
    # `filter`, `zip` and `itertools.islice` are already lazy (and run in C), so the stages that have one use it;
    # the others are small generators.

    def map(self, func: Callable[[T], U]) -> Stream[U]:
        """Apply `func` to each element."""
        return _stage(lambda: map(func, self))

    def filter(self, predicate: Callable[[T], object]) -> Stream[T]:
        """Keep the elements for which `predicate` is truthy."""
        return _stage(lambda: filter(predicate, self))

    def take(self, n: int) -> Stream[T]:
        """The first `n` elements; never pulls element n + 1."""
        _check_count("n", n, 0)
        # islice checks the count *before* pulling, so after the n-th element it stops without asking for more.
        return _stage(lambda: _take(self, n))

    def chunk(self, size: int) -> Stream[tuple[T, ...]]:
        """Consecutive non-overlapping tuples of `size` elements; the last one may be shorter."""
        _check_count("size", size, 1)
        return _stage(lambda: _chunks(self, size))

    def window(self, size: int) -> Stream[tuple[T, ...]]:
        """Overlapping tuples of `size` consecutive elements, advancing by one."""
        _check_count("size", size, 1)
        return _stage(lambda: _windows(self, size))

    def flat_map(self, func: Callable[[T], Iterable[U]]) -> Stream[U]:
        """Apply `func` to each element and yield the items of each result in turn (lazily, even if infinite)."""
        return _stage(lambda: itertools.chain.from_iterable(map(func, self)))

    def zip(self, other: Iterable[U]) -> Stream[tuple[T, U]]:
        """Pairs of this stream's elements with `other`'s, stopping at the shorter."""
        return _stage(lambda: zip(self, other, strict=False))

    # Terminal operations: these run the pipeline.

    def to_list(self) -> list[T]:
        """Run the pipeline and collect every element."""
        return list(self)

    def reduce(self, func: Callable[[A, T], A], initial: A) -> A:
        """Fold the elements into `initial` with `func(accumulator, element)`, holding one element at a time."""
        accumulator = initial
        for item in self:
            accumulator = func(accumulator, item)
        return accumulator


class _Deferred(Generic[T]):
    """An iterable whose iterator is built by `open_` each time it is iterated, and not before."""

    __slots__ = ("_open",)

    def __init__(self, open_: Callable[[], Iterator[T]]) -> None:
        self._open = open_

    def __iter__(self) -> Iterator[T]:
        return self._open()


def _stage(open_: Callable[[], Iterator[U]]) -> Stream[U]:
    return Stream(_Deferred(open_))


def _take(items: Iterable[T], n: int) -> Iterator[T]:
    for index, item in enumerate(items):
        if index >= n:  # too late: `item` has already been pulled
            return
        yield item


def _chunks(items: Iterable[T], size: int) -> Iterator[tuple[T, ...]]:
    iterator = iter(items)
    # Each islice pulls at most `size` elements; an empty tuple means the source is exhausted.
    while chunk := tuple(itertools.islice(iterator, size)):
        yield chunk


def _windows(items: Iterable[T], size: int) -> Iterator[tuple[T, ...]]:
    # A bounded deque drops the oldest element by itself: O(size) memory however long the stream is.
    recent: deque[T] = deque(maxlen=size)
    for item in items:
        recent.append(item)
        if len(recent) == size:
            yield tuple(recent)


class _State(Enum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"


class Thunk(Generic[T]):
    """A computation deferred until `force()`, which runs it at most once and remembers the value.

    Not thread-safe: two threads forcing the same pending thunk may both run it.
    """

    __slots__ = ("_compute", "_state", "_value")

    def __init__(self, compute: Callable[[], T]) -> None:
        self._compute: Callable[[], T] | None = compute
        self._state = _State.PENDING
        self._value: T | None = None

    @property
    def is_forced(self) -> bool:
        """True once a `force()` has returned a value."""
        return self._state is _State.DONE

    def force(self) -> T:
        """The value, computing it on the first call; later calls return the same object."""
        if self._state is _State.DONE:
            return self._value  # type: ignore[return-value]  # DONE means _value holds a T
        if self._state is _State.RUNNING:
            # The "black hole" of lazy runtimes: the computation needs its own result.
            raise RuntimeError("thunk forced itself while computing its value (a cyclic definition)")
        assert self._compute is not None
        self._state = _State.RUNNING
        try:
            value = self._compute()
        except BaseException:
            self._state = _State.PENDING  # a failure is not remembered: the next force() tries again
            raise
        self._value = value
        self._state = _State.DONE
        # Drop the function, and with it everything its closure captured: a forced thunk keeps only its value.
        self._compute = None
        return value

    def map(self, func: Callable[[T], U]) -> Thunk[U]:
        """A new thunk for `func(self.force())`; neither thunk is forced until the new one is."""
        return Thunk(lambda: func(self.force()))
