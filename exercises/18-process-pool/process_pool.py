"""Exercise 18: a process pool and `parallel_map`. Read README.md for the full spec.

The three exception classes are given (they are part of the API); write `parallel_map`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class TaskError(Exception):
    """A call `func(item)` failed: it raised, or its worker process died while running it.

    `index` is the item's position in the input, `item` the item itself. When `func` raised, `__cause__` is that
    exception, rebuilt in the parent (a RuntimeError describing it if it could not be sent back).
    """

    def __init__(self, index: int, item: object, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.item = item

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.index, self.item, str(self)))


class TaskTimeout(TaskError, TimeoutError):
    """A call `func(item)` ran longer than the per-call `timeout`."""


class UnpicklableItemError(TypeError):
    """An input item cannot be pickled, so it cannot be sent to a worker process."""

    def __init__(self, index: int, item: object, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.item = item

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.index, self.item, str(self)))


def parallel_map(
    func: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int | None = None,
    chunksize: int | None = None,
    timeout: float | None = None,
) -> list[R]:
    """`list(map(func, items))`, computed by a pool of worker processes.

    `workers` processes (default `os.cpu_count()`, never more than there are chunks) each take contiguous chunks of
    `chunksize` items (default: ceil(len(items) / (4 * workers))). `timeout` bounds every single call, in seconds.
    Raises TaskError (or TaskTimeout) naming the failing item, UnpicklableItemError for an item that cannot be
    sent, TypeError for a `func` that cannot be pickled. Every worker has exited when this returns or raises.
    """
    raise NotImplementedError
