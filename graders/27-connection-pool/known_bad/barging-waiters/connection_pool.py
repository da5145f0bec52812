"""Known-bad: one Condition and notify(): a newcomer can take a connection released for a waiting thread.

Otherwise correct: locked bookkeeping, connects outside the lock, health checks, expiry, close.
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
        if max_size < 1 or not 0 <= min_size <= max_size or timeout < 0 or (max_idle is not None and max_idle <= 0):
            raise ValueError("bad pool settings")
        self._factory, self._min, self._max, self._timeout = factory, min_size, max_size, timeout
        self._max_idle, self._check, self._clock = max_idle, health_check, clock
        self._cond = threading.Condition()
        self._idle: list[tuple[C, float]] = []
        self._out: dict[int, C] = {}
        self._size = 0
        self._waiting = 0
        self._closed = False
        made: list[C] = []
        try:
            for _ in range(min_size):
                made.append(factory())
        except BaseException:
            for c in made:
                _close(c)
            raise
        self._idle = [(c, clock()) for c in made]
        self._size = len(made)

    def _expired(self) -> list[C]:
        if self._max_idle is None:
            return []
        now = self._clock()
        out: list[C] = []
        while self._idle and self._size - len(out) > self._min and now - self._idle[0][1] >= self._max_idle:
            out.append(self._idle.pop(0)[0])
        return out

    def _free(self, conns: list[C]) -> None:
        for c in conns:
            _close(c)
        if conns:
            with self._cond:
                self._size -= len(conns)
                self._cond.notify(len(conns))

    def _healthy(self, conn: C) -> bool:
        if self._check is None:
            return True
        try:
            return bool(self._check(conn))
        except Exception:
            return False

    def acquire(self, timeout: float | None = None) -> C:
        wait = self._timeout if timeout is None else timeout
        deadline = time.monotonic() + wait
        conn: C | None = None
        while True:
            with self._cond:
                if self._closed:
                    raise PoolClosed("closed")
                expired = self._expired()
                if not expired:
                    if self._idle:
                        conn = self._idle.pop()[0]
                        break
                    if self._size < self._max:
                        self._size += 1
                        break
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise PoolTimeout(wait, self._max)
                    self._waiting += 1
                    try:
                        self._cond.wait(remaining)
                    finally:
                        self._waiting -= 1
                    continue
            self._free(expired)
        if conn is not None:
            if self._healthy(conn):
                with self._cond:
                    self._out[id(conn)] = conn
                return conn
            _close(conn)
        try:
            conn = self._factory()
        except BaseException:
            with self._cond:
                self._size -= 1
                self._cond.notify()
            raise
        with self._cond:
            self._out[id(conn)] = conn
        return conn

    def release(self, connection: C) -> None:
        with self._cond:
            if self._out.pop(id(connection), None) is None:
                raise ValueError("not checked out")
            if not self._closed:
                self._idle.append((connection, self._clock()))
                self._cond.notify()
                return
        self._free([connection])

    def discard(self, connection: C) -> None:
        with self._cond:
            if self._out.pop(id(connection), None) is None:
                raise ValueError("not checked out")
        self._free([connection])

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[C]:
        conn = self.acquire(timeout)
        try:
            yield conn
        except BaseException:
            if self._healthy(conn):
                self.release(conn)
            else:
                self.discard(conn)
            raise
        self.release(conn)

    def prune(self) -> int:
        with self._cond:
            expired = self._expired()
        self._free(expired)
        return len(expired)

    def stats(self) -> PoolStats:
        with self._cond:
            return PoolStats(self._size, len(self._idle), self._size - len(self._idle), self._waiting)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle = [c for c, _ in self._idle]
            self._idle.clear()
            self._cond.notify_all()
        self._free(idle)

    def __enter__(self) -> ConnectionPool[C]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
