"""Known-bad: __reversed__ copies the items into a list and walks the copy backwards (O(n) memory).

A doubly linked list with lazy forward and reverse iterators that detect mutation, as `dict` does.

The list is circular around a sentinel node, so every insertion and removal is the same four pointer
assignments, with no special cases for the ends. A modification counter (`_version`) goes up on every change
to the list's structure; an iterator remembers the count it started with and refuses to go on once it differs.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar

__all__ = ["LinkedList"]

T = TypeVar("T")


class _Node(Generic[T]):
    __slots__ = ("next", "prev", "value")

    def __init__(self, value: T) -> None:
        self.value = value
        self.prev: _Node[T] = self
        self.next: _Node[T] = self


class LinkedList(Generic[T]):
    """A sequence with O(1) operations at both ends, iterable lazily in both directions.

    Iterators (from `iter()` and `reversed()`) walk the links and use O(1) extra memory. Any change to the
    list's contents made after an iterator was created makes that iterator's next `next()` raise RuntimeError.
    """

    def __init__(self, iterable: Iterable[T] = ()) -> None:
        # The sentinel's value is never read; its links close the circle (root.next is the head, root.prev
        # the tail, and an empty list is a root linked to itself).
        self._root: _Node[Any] = _Node(None)
        self._len = 0
        self._version = 0
        self.extend(iterable)

    # -- mutation: every successful change goes through _link or _unlink, which bump the version --

    def _link(self, value: T, before: _Node[T]) -> None:
        """Insert a node for `value` just before `before`."""
        node = _Node(value)
        prev = before.prev
        node.prev, node.next = prev, before
        prev.next = before.prev = node
        self._len += 1
        self._version += 1

    def _unlink(self, node: _Node[T]) -> T:
        node.prev.next = node.next
        node.next.prev = node.prev
        self._len -= 1
        self._version += 1
        return node.value

    def append(self, value: T) -> None:
        """Add `value` at the end, O(1)."""
        self._link(value, self._root)

    def appendleft(self, value: T) -> None:
        """Add `value` at the front, O(1)."""
        self._link(value, self._root.next)

    def extend(self, iterable: Iterable[T]) -> None:
        """Append every item of `iterable`, in order (`ll.extend(ll)` doubles the list)."""
        for value in list(iterable):  # a snapshot, so extending a list with itself terminates
            self.append(value)

    def pop(self) -> T:
        """Remove and return the last item, O(1); IndexError if the list is empty."""
        if not self._len:
            raise IndexError("pop from an empty LinkedList")
        return self._unlink(self._root.prev)

    def popleft(self) -> T:
        """Remove and return the first item, O(1); IndexError if the list is empty."""
        if not self._len:
            raise IndexError("pop from an empty LinkedList")
        return self._unlink(self._root.next)

    def insert(self, index: int, value: T) -> None:
        """Insert `value` before position `index`, with `list.insert`'s rules for negative and large indices."""
        if index < 0:
            index = max(index + self._len, 0)
        if index >= self._len:
            self.append(value)
        else:
            self._link(value, self._node_at(index))

    def remove(self, value: T) -> None:
        """Remove the first item equal to `value`; ValueError if there is none."""
        node = self._root.next
        while node is not self._root:
            if node.value == value:
                self._unlink(node)
                return
            node = node.next
        raise ValueError(f"{value!r} is not in the LinkedList")

    def clear(self) -> None:
        """Remove every item."""
        self._root.prev = self._root.next = self._root
        self._len = 0
        self._version += 1

    # -- access --

    def _node_at(self, index: int) -> _Node[T]:
        """The node at 0 <= index < len, walking from whichever end is nearer."""
        if index < self._len // 2:
            node = self._root.next
            for _ in range(index):
                node = node.next
        else:
            node = self._root.prev
            for _ in range(self._len - 1 - index):
                node = node.prev
        return node

    def __getitem__(self, index: int) -> T:
        """The item at `index` (negative counts from the end), O(min(i, n - i)); IndexError if out of range."""
        index = operator.index(index)  # TypeError for slices, floats, strings
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError("LinkedList index out of range")
        return self._node_at(index).value

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[T]:
        return _LinkedListIterator(self, forward=True)

    def __reversed__(self) -> Iterator[T]:
        return self._reversed_copy(self._version)

    def _reversed_copy(self, version: int) -> Iterator[T]:
        if self._version != version:
            raise RuntimeError("LinkedList changed during iteration")
        items = list(self)  # the mistake: a full copy, O(n) memory before the first item
        for value in items[::-1]:
            yield value
            if self._version != version:
                raise RuntimeError("LinkedList changed during iteration")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LinkedList):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # mutable, like list

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"


class _LinkedListIterator(Iterator[T]):
    """A cursor over a LinkedList, in either direction.

    It holds the list, the node it will read next and the list's version when it was created. Each `next()`
    checks the version *first*, before looking at the node, so a change is reported even when it removed the
    very items the cursor was about to reach. Once exhausted it drops the list and stays exhausted; once it
    has reported a change it keeps reporting it.
    """

    __slots__ = ("_forward", "_left", "_list", "_node", "_version")

    def __init__(self, linked: LinkedList[T], *, forward: bool) -> None:
        self._list: LinkedList[T] | None = linked
        self._forward = forward
        root = linked._root
        self._node: _Node[T] = root.next if forward else root.prev
        self._version = linked._version
        self._left = len(linked)  # items not yet returned, valid while the version matches

    def __iter__(self) -> _LinkedListIterator[T]:
        return self

    def __next__(self) -> T:
        linked = self._list
        if linked is None:
            raise StopIteration
        if linked._version != self._version:
            raise RuntimeError(f"{type(linked).__name__} changed during iteration")
        node = self._node
        if node is linked._root:
            self._list = None  # exhausted for good; also lets the list be freed
            raise StopIteration
        self._node = node.next if self._forward else node.prev
        self._left -= 1
        return node.value

    def __length_hint__(self) -> int:
        """Items left, O(1): lets `list(reversed(ll))` allocate its result once (see operator.length_hint)."""
        linked = self._list
        if linked is None or linked._version != self._version:
            return 0
        return self._left
