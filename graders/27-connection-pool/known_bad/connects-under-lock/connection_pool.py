"""Known-bad: calls the factory while holding the pool's lock, so slow connects run one at a time.

A thread-safe connection pool: bounded size, fair checkout with timeouts, health checks and idle expiry.

One lock guards all of the pool's bookkeeping, and it is never held while a connection is opened, checked or
closed: those may take milliseconds (a network round trip) and would serialise every thread behind them. Instead,
the bookkeeping *reserves* a slot (or takes an idle connection) under the lock, and the slow work happens after.

Fairness comes from handing off: a thread that can't be served at once queues a `_Waiter`, and whoever frees a
connection or a slot gives it to the longest-waiting thread directly, under the lock. Nothing is ever left lying
in the idle stack while a thread waits, so a newcomer can't take it first.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

__all__ = ["ConnectionPool", "PoolClosed", "PoolError", "PoolStats", "PoolTimeout"]


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


class _Create:
    """The grant "you may open a new connection": a slot has been reserved for you."""


class _Closed:
    """The grant "the pool was closed while you waited"."""


_CREATE = _Create()
_CLOSED = _Closed()


class _Waiter(Generic[C]):
    """A thread blocked in acquire(): the grant it receives and the event that wakes it."""

    __slots__ = ("event", "grant")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.grant: C | _Create | _Closed | None = None


@dataclass(slots=True)
class _Idle(Generic[C]):
    connection: C
    since: float  # the pool clock's reading when the connection was released


class ConnectionPool(Generic[C]):
    """A pool of connections made by `factory`, lent out one thread at a time (see README.md)."""

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
        if max_size < 1 or not 0 <= min_size <= max_size:
            raise ValueError(f"need 0 <= min_size <= max_size and max_size >= 1, got {min_size=}, {max_size=}")
        if timeout < 0:
            raise ValueError(f"timeout must be >= 0, got {timeout}")
        if max_idle is not None and max_idle <= 0:
            raise ValueError(f"max_idle must be > 0 or None, got {max_idle}")
        self._factory = factory
        self._min_size = min_size
        self._max_size = max_size
        self._timeout = timeout
        self._max_idle = max_idle
        self._health_check = health_check
        self._clock = clock
        self._lock = threading.Lock()
        self._idle: list[_Idle[C]] = []  # a stack: the most recently released connection is on top
        self._lent: dict[int, C] = {}  # checked-out connections by id() (identity, not __eq__/__hash__)
        self._size = 0  # connections open or being opened: never above max_size
        self._waiters: deque[_Waiter[C]] = deque()
        self._closed = False
        opened: list[C] = []
        try:
            for _ in range(min_size):
                opened.append(factory())
        except BaseException:
            for connection in opened:
                _close_quietly(connection)
            raise
        now = clock()
        self._idle = [_Idle(connection, now) for connection in opened]
        self._size = len(opened)

    # -- checkout and return ---------------------------------------------------------------------------------

    def acquire(self, timeout: float | None = None) -> C:
        """Check out a connection, waiting up to `timeout` seconds (default: the pool's) for one to be free."""
        wait_for = self._timeout if timeout is None else timeout
        with self._lock:
            if self._closed:
                raise PoolClosed("the pool is closed")
            expired = self._take_expired()
            grant: C | _Create | _Closed | None = self._grant_now()
            waiter: _Waiter[C] | None = None
            if grant is None and wait_for > 0:
                waiter = _Waiter()
                self._waiters.append(waiter)
        self._close_and_free(expired)
        if waiter is not None:
            waiter.event.wait(wait_for)
            with self._lock:
                grant = waiter.grant  # it may have been granted just as the wait timed out: then take it
                if grant is None:
                    self._waiters.remove(waiter)
        if grant is None:
            raise PoolTimeout(wait_for, self._max_size)
        if isinstance(grant, _Closed):
            raise PoolClosed("the pool was closed while waiting for a connection")
        connection = self._open_or_check(grant)
        with self._lock:
            self._lent[id(connection)] = connection
        return connection

    def release(self, connection: C) -> None:
        """Return a checked-out connection to the pool (or close it, if the pool is closed)."""
        with self._lock:
            self._unlend(connection)
            if not self._closed:
                if self._waiters:
                    self._hand_to_waiter(connection)
                else:
                    self._idle.append(_Idle(connection, self._clock()))
                return
        self._close_and_free([connection])

    def discard(self, connection: C) -> None:
        """Close a checked-out connection that is broken, freeing its slot for a new one."""
        with self._lock:
            self._unlend(connection)
        self._close_and_free([connection])

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[C]:
        """Check out a connection for a `with` block; it goes back even if the block raises.

        If the block raises, the connection is health-checked before it goes back, and discarded if it fails.
        """
        connection = self.acquire(timeout)
        try:
            yield connection
        except BaseException:
            if self._healthy(connection):
                self.release(connection)
            else:
                self.discard(connection)
            raise
        self.release(connection)

    # -- maintenance ---------------------------------------------------------------------------------------------

    def prune(self) -> int:
        """Close idle connections that have been idle for `max_idle` or longer (keeping `min_size`); return how many."""
        with self._lock:
            expired = self._take_expired()
        self._close_and_free(expired)
        return len(expired)

    def stats(self) -> PoolStats:
        with self._lock:
            idle = len(self._idle)
            return PoolStats(self._size, idle, self._size - idle, len(self._waiters))

    def close(self) -> None:
        """Close idle connections now and in-use ones when they come back; waiting threads get PoolClosed."""
        with self._lock:
            self._closed = True
            idle = [entry.connection for entry in self._idle]
            self._idle.clear()
            while self._waiters:
                waiter = self._waiters.popleft()
                waiter.grant = _CLOSED
                waiter.event.set()
        self._close_and_free(idle)

    def __enter__(self) -> ConnectionPool[C]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- internals: the methods named _take/_grant/_hand/_unlend run with self._lock held -------------------------

    def _grant_now(self) -> C | _Create | None:
        """An idle connection or a reserved slot, if one is free and nobody is queued ahead of the caller."""
        if self._waiters:
            return None
        if self._idle:
            return self._idle.pop().connection
        if self._size < self._max_size:
            self._size += 1
            return _CREATE
        return None

    def _hand_to_waiter(self, grant: C | _Create) -> None:
        waiter = self._waiters.popleft()
        waiter.grant = grant
        waiter.event.set()

    def _take_expired(self) -> list[C]:
        """Remove idle connections past max_idle, oldest first, never leaving fewer than min_size open."""
        if self._max_idle is None or not self._idle:
            return []
        deadline = self._clock() - self._max_idle
        count = 0
        removable = self._size - self._min_size
        while count < min(removable, len(self._idle)) and self._idle[count].since <= deadline:
            count += 1
        expired = [entry.connection for entry in self._idle[:count]]
        del self._idle[:count]
        return expired  # still counted in _size until they are closed: see _close_and_free

    def _unlend(self, connection: C) -> None:
        if self._lent.pop(id(connection), None) is None:
            raise ValueError(f"{connection!r} is not checked out from this pool (released twice?)")

    # -- internals that take the lock themselves -----------------------------------------------------------------

    def _close_and_free(self, connections: list[C]) -> None:
        """Close connections that hold a slot, then free their slots: closing first keeps size <= max_size."""
        if not connections:
            return
        for connection in connections:
            _close_quietly(connection)
        with self._lock:
            self._size -= len(connections)
            self._pass_on_free_slots()

    def _pass_on_free_slots(self) -> None:
        while self._waiters and self._size < self._max_size:
            self._size += 1
            self._hand_to_waiter(_CREATE)

    def _open_or_check(self, grant: C | _Create) -> C:
        """Turn a grant into a working connection: open one for a reserved slot, or health-check an idle one.

        A connection that fails its check is closed and replaced in the same slot.
        """
        if not isinstance(grant, _Create):
            if self._healthy(grant):
                return grant
            _close_quietly(grant)
        try:
            with self._lock:  # "so that two threads don't connect at once"
                return self._factory()
        except BaseException:
            with self._lock:  # the slot was never used: give it to the next waiter
                self._size -= 1
                self._pass_on_free_slots()
            raise

    def _healthy(self, connection: C) -> bool:
        if self._health_check is None:
            return True
        try:
            return bool(self._health_check(connection))
        except Exception:
            return False


def _close_quietly(connection: Closeable) -> None:
    with contextlib.suppress(Exception):  # a connection that can't even close cleanly is gone either way
        connection.close()
