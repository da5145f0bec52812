"""A thread-safe connection pool (see README.md).

The exceptions and `PoolStats` are given; write `ConnectionPool`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Generic, NamedTuple, Protocol, TypeVar


class Closeable(Protocol):
    def close(self) -> Any: ...


C = TypeVar("C", bound=Closeable)


class PoolError(Exception):
    """Base class of the pool's own errors."""


class PoolTimeout(PoolError):
    """No connection became available within the checkout timeout."""

    def __init__(self, timeout: float, max_size: int) -> None:
        super().__init__(
            f"no connection became available within {timeout:g} s: all {max_size} connections (max_size) are in use"
        )
        self.timeout = timeout
        self.max_size = max_size


class PoolClosed(PoolError):
    """The pool has been closed."""


class PoolStats(NamedTuple):
    size: int  # open connections, including those being opened
    idle: int  # open connections waiting in the pool
    in_use: int  # size - idle: checked out, or on their way to a thread
    waiting: int  # threads blocked in acquire()


class ConnectionPool(Generic[C]):
    """A pool of connections made by `factory`, lent out one thread at a time."""

    def __init__(
        self,
        factory: Callable[[], C],
        *,
        min_size: int = 0,
        max_size: int = 10,
        timeout: float = 30.0,
        max_idle: float | None = None,
        health_check: Callable[[C], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        raise NotImplementedError

    def acquire(self, timeout: float | None = None) -> C:
        """Check out a connection, waiting up to `timeout` seconds (default: the pool's) for one to be free."""
        raise NotImplementedError

    def release(self, connection: C) -> None:
        """Return a checked-out connection to the pool (or close it, if the pool is closed)."""
        raise NotImplementedError

    def discard(self, connection: C) -> None:
        """Close a checked-out connection that is broken, freeing its slot for a new one."""
        raise NotImplementedError

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[C]:
        """Check out a connection for a `with` block; it goes back even if the block raises."""
        raise NotImplementedError

    def prune(self) -> int:
        """Close idle connections that have been idle for `max_idle` or longer (keeping `min_size`); return how many."""
        raise NotImplementedError

    def stats(self) -> PoolStats:
        raise NotImplementedError

    def close(self) -> None:
        """Close idle connections now and in-use ones when they come back; waiting threads get PoolClosed."""
        raise NotImplementedError

    def __enter__(self) -> ConnectionPool[C]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
