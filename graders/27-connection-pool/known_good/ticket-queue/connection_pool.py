"""Known-good: fairness by numbered tickets on one Condition (notify_all), instead of per-waiter hand-off.

Written from the README alone. Every acquire takes a ticket; only the holder of the lowest live ticket may take
a connection or a slot, so newcomers can't overtake. A caller that times out abandons its ticket, which the
queue then skips.
"""

from __future__ import annotations

import contextlib
import threading
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
    def __init__(self, timeout: float, max_size: int) -> None:
        super().__init__(
            f"no connection became available within {timeout:g} s: all {max_size} connections (max_size) are in use"
        )
        self.timeout = timeout
        self.max_size = max_size


class PoolClosed(PoolError):
    """The pool has been closed."""


class PoolStats(NamedTuple):
    size: int
    idle: int
    in_use: int
    waiting: int


def _close(conn: Any) -> None:
    with contextlib.suppress(Exception):
        conn.close()


class ConnectionPool(Generic[C]):
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
        if max_size < 1 or min_size < 0 or min_size > max_size:
            raise ValueError("sizes must satisfy 0 <= min_size <= max_size, max_size >= 1")
        if timeout < 0 or (max_idle is not None and max_idle <= 0):
            raise ValueError("timeout must be >= 0 and max_idle > 0")
        self._factory = factory
        self._min = min_size
        self._max = max_size
        self._timeout = timeout
        self._max_idle = max_idle
        self._check = health_check
        self._clock = clock
        self._cond = threading.Condition()
        self._idle: list[tuple[C, float]] = []
        self._out: dict[int, C] = {}
        self._count = 0
        self._next_ticket = 0
        self._serving = 0
        self._abandoned: set[int] = set()
        self._blocked = 0
        self._closed = False
        made: list[C] = []
        try:
            for _ in range(min_size):
                made.append(factory())
        except BaseException:
            for c in made:
                _close(c)
            raise
        now = clock()
        self._idle = [(c, now) for c in made]
        self._count = len(made)

    def _advance(self) -> None:
        self._serving += 1
        while self._serving in self._abandoned:
            self._abandoned.discard(self._serving)
            self._serving += 1
        self._cond.notify_all()

    def _collect_expired(self) -> list[C]:
        if self._max_idle is None:
            return []
        now = self._clock()
        n = 0
        while n < len(self._idle) and self._count - n > self._min and now - self._idle[n][1] >= self._max_idle:
            n += 1
        gone = [c for c, _ in self._idle[:n]]
        del self._idle[:n]
        return gone

    def _retire(self, conns: list[C]) -> None:
        for c in conns:
            _close(c)
        if conns:
            with self._cond:
                self._count -= len(conns)
                self._cond.notify_all()

    def _ok(self, conn: C) -> bool:
        if self._check is None:
            return True
        try:
            return bool(self._check(conn))
        except Exception:
            return False

    def acquire(self, timeout: float | None = None) -> C:
        limit = self._timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        with self._cond:
            if self._closed:
                raise PoolClosed("pool closed")
            expired = self._collect_expired()
        self._retire(expired)
        taken: C | None = None
        with self._cond:
            ticket = self._next_ticket
            self._next_ticket += 1
            while True:
                if self._closed:
                    self._abandon(ticket)
                    raise PoolClosed("pool closed while waiting")
                if ticket == self._serving:
                    if self._idle:
                        taken = self._idle.pop()[0]
                        break
                    if self._count < self._max:
                        self._count += 1
                        break
                left = deadline - time.monotonic()
                if left <= 0:
                    self._abandon(ticket)
                    raise PoolTimeout(limit, self._max)
                self._blocked += 1
                try:
                    self._cond.wait(left)
                finally:
                    self._blocked -= 1
            self._advance()
        if taken is not None:
            if self._ok(taken):
                with self._cond:
                    self._out[id(taken)] = taken
                return taken
            _close(taken)
        try:
            fresh = self._factory()
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify_all()
            raise
        with self._cond:
            self._out[id(fresh)] = fresh
        return fresh

    def _abandon(self, ticket: int) -> None:
        if ticket == self._serving:
            self._advance()
        else:
            self._abandoned.add(ticket)

    def release(self, connection: C) -> None:
        with self._cond:
            if self._out.pop(id(connection), None) is None:
                raise ValueError("connection is not checked out from this pool")
            if not self._closed:
                self._idle.append((connection, self._clock()))
                self._cond.notify_all()
                return
        self._retire([connection])

    def discard(self, connection: C) -> None:
        with self._cond:
            if self._out.pop(id(connection), None) is None:
                raise ValueError("connection is not checked out from this pool")
        self._retire([connection])

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[C]:
        conn = self.acquire(timeout)
        ok = False
        try:
            yield conn
            ok = True
        finally:
            if ok or self._ok(conn):
                self.release(conn)
            else:
                self.discard(conn)

    def prune(self) -> int:
        with self._cond:
            expired = self._collect_expired()
        self._retire(expired)
        return len(expired)

    def stats(self) -> PoolStats:
        with self._cond:
            return PoolStats(self._count, len(self._idle), self._count - len(self._idle), self._blocked)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle = [c for c, _ in self._idle]
            self._idle.clear()
            self._cond.notify_all()
        self._retire(idle)

    def __enter__(self) -> ConnectionPool[C]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
