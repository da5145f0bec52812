"""Exercise 15: a lazy, chainable stream and a memoising thunk. Read README.md for the full spec."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")
A = TypeVar("A")


class Stream(Generic[T]):
    """A lazy pipeline over an iterable; each method returns a new stage, nothing is pulled until iteration."""

    def __init__(self, source: Iterable[T]) -> None:
        raise NotImplementedError

    def __iter__(self) -> Iterator[T]:
        """Run the pipeline, one element at a time."""
        raise NotImplementedError

    def map(self, func: Callable[[T], U]) -> Stream[U]:
        """Apply `func` to each element."""
        raise NotImplementedError

    def filter(self, predicate: Callable[[T], object]) -> Stream[T]:
        """Keep the elements for which `predicate` is truthy."""
        raise NotImplementedError

    def take(self, n: int) -> Stream[T]:
        """The first `n` elements (ValueError if n < 0); never pulls element n + 1."""
        raise NotImplementedError

    def chunk(self, size: int) -> Stream[tuple[T, ...]]:
        """Consecutive non-overlapping tuples of `size` elements, the last may be shorter (ValueError if size < 1)."""
        raise NotImplementedError

    def window(self, size: int) -> Stream[tuple[T, ...]]:
        """Overlapping tuples of `size` consecutive elements, advancing by one (ValueError if size < 1)."""
        raise NotImplementedError

    def flat_map(self, func: Callable[[T], Iterable[U]]) -> Stream[U]:
        """Apply `func` to each element and yield the items of each result in turn."""
        raise NotImplementedError

    def zip(self, other: Iterable[U]) -> Stream[tuple[T, U]]:
        """Pairs of this stream's elements with `other`'s, stopping at the shorter."""
        raise NotImplementedError

    def to_list(self) -> list[T]:
        """Run the pipeline and collect every element."""
        raise NotImplementedError

    def reduce(self, func: Callable[[A, T], A], initial: A) -> A:
        """Fold the elements into `initial` with `func(accumulator, element)`."""
        raise NotImplementedError


class Thunk(Generic[T]):
    """A computation deferred until `force()`, which runs it at most once and remembers the value."""

    def __init__(self, compute: Callable[[], T]) -> None:
        raise NotImplementedError

    @property
    def is_forced(self) -> bool:
        """True once a `force()` has returned a value."""
        raise NotImplementedError

    def force(self) -> T:
        """The value, computing it on the first call; later calls return the same object."""
        raise NotImplementedError

    def map(self, func: Callable[[T], U]) -> Thunk[U]:
        """A new thunk for `func(self.force())`; neither thunk is forced until the new one is."""
        raise NotImplementedError
