"""Known-good: head/tail pointers ending in None (no sentinel), generator iterators; written from the README."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


class _Node:
    __slots__ = ("next", "prev", "value")

    def __init__(self, value: Any, prev: _Node | None = None, next: _Node | None = None) -> None:
        self.value = value
        self.prev = prev
        self.next = next


class LinkedList:
    def __init__(self, iterable: Iterable[Any] = ()) -> None:
        self._head: _Node | None = None
        self._tail: _Node | None = None
        self._size = 0
        self._changes = 0
        self.extend(iterable)

    def append(self, value: Any) -> None:
        node = _Node(value, self._tail, None)
        if self._tail is None:
            self._head = node
        else:
            self._tail.next = node
        self._tail = node
        self._size += 1
        self._changes += 1

    def appendleft(self, value: Any) -> None:
        node = _Node(value, None, self._head)
        if self._head is None:
            self._tail = node
        else:
            self._head.prev = node
        self._head = node
        self._size += 1
        self._changes += 1

    def extend(self, iterable: Iterable[Any]) -> None:
        for value in tuple(iterable):
            self.append(value)

    def _drop(self, node: _Node) -> Any:
        if node.prev is None:
            self._head = node.next
        else:
            node.prev.next = node.next
        if node.next is None:
            self._tail = node.prev
        else:
            node.next.prev = node.prev
        self._size -= 1
        self._changes += 1
        return node.value

    def pop(self) -> Any:
        if self._tail is None:
            raise IndexError("pop from empty list")
        return self._drop(self._tail)

    def popleft(self) -> Any:
        if self._head is None:
            raise IndexError("pop from empty list")
        return self._drop(self._head)

    def _find(self, index: int) -> _Node:
        node = self._head
        for _ in range(index):
            assert node is not None
            node = node.next
        assert node is not None
        return node

    def insert(self, index: int, value: Any) -> None:
        if index < 0:
            index = max(0, self._size + index)
        if index == 0:
            self.appendleft(value)
        elif index >= self._size:
            self.append(value)
        else:
            after = self._find(index)
            assert after.prev is not None
            node = _Node(value, after.prev, after)
            after.prev.next = node
            after.prev = node
            self._size += 1
            self._changes += 1

    def remove(self, value: Any) -> None:
        node = self._head
        while node is not None:
            if node.value == value:
                self._drop(node)
                return
            node = node.next
        raise ValueError("value not found")

    def clear(self) -> None:
        self._head = self._tail = None
        self._size = 0
        self._changes += 1

    def __getitem__(self, index: int) -> Any:
        if isinstance(index, slice) or not hasattr(index, "__index__"):
            raise TypeError("indices must be integers")
        i = index.__index__()
        if i < 0:
            i += self._size
        if not 0 <= i < self._size:
            raise IndexError("index out of range")
        return self._find(i).value

    def __len__(self) -> int:
        return self._size

    def _walk(self, forward: bool, expected: int) -> Iterator[Any]:
        # `expected` is passed in by __iter__/__reversed__: a generator's body only starts at the first next(),
        # but a change made before that must be detected too.
        node = self._head if forward else self._tail
        while True:
            if self._changes != expected:
                raise RuntimeError("LinkedList mutated during iteration")
            if node is None:
                return
            yield node.value
            node = node.next if forward else node.prev

    def __iter__(self) -> Iterator[Any]:
        return self._walk(True, self._changes)

    def __reversed__(self) -> Iterator[Any]:
        return self._walk(False, self._changes)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, LinkedList)
        if len(self) != len(other):
            return False
        return all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "LinkedList(" + repr(list(self)) + ")"
