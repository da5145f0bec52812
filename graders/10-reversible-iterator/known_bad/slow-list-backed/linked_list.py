"""Known-bad: a Python list underneath, so appendleft/popleft shift every item (O(n)); correct, fails on speed.

The iterators are index cursors with a version check, so they are lazy, use O(1) memory and detect changes:
everything works, but the front of the "linked" list costs O(n) per operation.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator
from typing import Any


class LinkedList:
    def __init__(self, iterable: Iterable[Any] = ()) -> None:
        self._items: list[Any] = list(iterable)
        self._version = 0

    def append(self, value: Any) -> None:
        self._items.append(value)
        self._version += 1

    def appendleft(self, value: Any) -> None:
        self._items.insert(0, value)  # O(n)
        self._version += 1

    def extend(self, iterable: Iterable[Any]) -> None:
        self._items.extend(list(iterable))
        self._version += 1

    def pop(self) -> Any:
        if not self._items:
            raise IndexError("pop from an empty LinkedList")
        self._version += 1
        return self._items.pop()

    def popleft(self) -> Any:
        if not self._items:
            raise IndexError("pop from an empty LinkedList")
        self._version += 1
        return self._items.pop(0)  # O(n)

    def insert(self, index: int, value: Any) -> None:
        self._items.insert(index, value)
        self._version += 1

    def remove(self, value: Any) -> None:
        self._items.remove(value)
        self._version += 1

    def clear(self) -> None:
        self._items.clear()
        self._version += 1

    def __getitem__(self, index: int) -> Any:
        return self._items[operator.index(index)]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        return _Cursor(self, 1)

    def __reversed__(self) -> Iterator[Any]:
        return _Cursor(self, -1)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LinkedList):
            return NotImplemented
        return self._items == other._items

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"LinkedList({self._items!r})"


class _Cursor:
    def __init__(self, owner: LinkedList, step: int) -> None:
        self._owner: LinkedList | None = owner
        self._version = owner._version
        self._step = step
        self._index = 0 if step == 1 else len(owner) - 1

    def __iter__(self) -> _Cursor:
        return self

    def __next__(self) -> Any:
        owner = self._owner
        if owner is None:
            raise StopIteration
        if owner._version != self._version:
            raise RuntimeError("LinkedList changed during iteration")
        if not 0 <= self._index < len(owner._items):
            self._owner = None
            raise StopIteration
        value = owner._items[self._index]
        self._index += self._step
        return value
