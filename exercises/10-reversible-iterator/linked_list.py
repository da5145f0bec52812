"""Exercise 10: a doubly linked list with lazy, mutation-detecting iterators. Read README.md for the spec."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class LinkedList(Generic[T]):
    """A sequence with O(1) operations at both ends, iterable lazily in both directions.

    `iter(ll)` and `reversed(ll)` walk the links in O(1) extra memory; once the list changes, an iterator
    created before the change raises RuntimeError on its next `next()`.
    """

    def __init__(self, iterable: Iterable[T] = ()) -> None:
        raise NotImplementedError

    def append(self, value: T) -> None:
        """Add `value` at the end, O(1)."""
        raise NotImplementedError

    def appendleft(self, value: T) -> None:
        """Add `value` at the front, O(1)."""
        raise NotImplementedError

    def extend(self, iterable: Iterable[T]) -> None:
        """Append every item of `iterable` in order (`ll.extend(ll)` doubles the list)."""
        raise NotImplementedError

    def pop(self) -> T:
        """Remove and return the last item, O(1); IndexError if empty."""
        raise NotImplementedError

    def popleft(self) -> T:
        """Remove and return the first item, O(1); IndexError if empty."""
        raise NotImplementedError

    def insert(self, index: int, value: T) -> None:
        """Insert `value` before position `index`, with `list.insert`'s rules for negative and large indices."""
        raise NotImplementedError

    def remove(self, value: T) -> None:
        """Remove the first item equal to `value`; ValueError if there is none."""
        raise NotImplementedError

    def clear(self) -> None:
        """Remove every item."""
        raise NotImplementedError

    def __getitem__(self, index: int) -> T:
        """The item at integer `index` (negative counts from the end); IndexError out of range, TypeError for slices."""
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def __iter__(self) -> Iterator[T]:
        """A new lazy iterator from the first item to the last."""
        raise NotImplementedError

    def __reversed__(self) -> Iterator[T]:
        """A new lazy iterator from the last item to the first."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        """Equal to another LinkedList with equal items in the same order; NotImplemented for other types."""
        raise NotImplementedError

    def __repr__(self) -> str:
        """`LinkedList([1, 2, 3])`."""
        raise NotImplementedError
