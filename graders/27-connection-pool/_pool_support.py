"""Grader helpers for exercise 27: a counting sqlite3 factory, a fake clock, threads that report back."""

from __future__ import annotations

import ast
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest


class CountingConnection(sqlite3.Connection):
    """An in-memory sqlite3 connection that reports its (first) close() to the Factory that made it."""

    factory: Factory
    serial: int
    closed_by_close = False

    def close(self) -> None:
        if not self.closed_by_close:
            self.closed_by_close = True
            self.factory.closed(self)
        super().close()

    def __repr__(self) -> str:
        return f"<connection #{self.serial}>"

    def works(self) -> bool:
        try:
            return self.execute("select 1").fetchone() == (1,)
        except sqlite3.Error:
            return False


def healthy(connection: Any) -> bool:
    """The health check the tests give the pool: a round trip on the connection."""
    return bool(connection.execute("select 1").fetchone() == (1,))


class Factory:
    """Opens (slowly, if asked) counting connections and checks that at most `max_live` are ever open at once.

    A connection counts from the moment the factory is called until its close() is called.
    """

    def __init__(self, max_live: int, delay: float = 0.0, barrier: threading.Barrier | None = None) -> None:
        self.max_live = max_live
        self.delay = delay
        self.barrier = barrier
        self.lock = threading.Lock()
        self.live = 0
        self.peak = 0
        self.calls = 0
        self.opened: list[CountingConnection] = []
        self.violations: list[str] = []
        self.fail_next = 0
        self.error = ConnectionRefusedError("the database refused the connection (injected by the grader)")

    def __call__(self) -> CountingConnection:
        with self.lock:
            self.calls += 1
            self.live += 1
            self.peak = max(self.peak, self.live)
            if self.live > self.max_live:
                self.violations.append(f"{self.live} connections open at once (max_size is {self.max_live})")
            failing = self.fail_next > 0
            self.fail_next -= failing
        try:
            if self.barrier is not None:
                self.barrier.wait()
            if self.delay:
                time.sleep(self.delay)
            if failing:
                raise self.error
            conn = sqlite3.connect(":memory:", check_same_thread=False, factory=CountingConnection)
        except BaseException:
            with self.lock:
                self.live -= 1
            raise
        conn.factory = self
        with self.lock:
            conn.serial = len(self.opened)
            self.opened.append(conn)
        return conn

    def closed(self, conn: CountingConnection) -> None:
        with self.lock:
            self.live -= 1

    def open_connections(self) -> list[CountingConnection]:
        with self.lock:
            return [c for c in self.opened if not c.closed_by_close]


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# Method names that change the object they are called on (lists, deques, dicts, sets, events, conditions).
MUTATORS = frozenset(
    {"append", "appendleft", "extend", "extendleft", "insert", "pop", "popleft", "popitem", "remove", "discard"}
    | {"add", "clear", "update", "setdefault", "rotate", "sort", "reverse", "set", "notify", "notify_all"}
)


def mutating_lines(source: str) -> frozenset[int]:
    """Lines of statements that change shared state: stores to attributes or items, deletes, mutator calls."""
    lines: set[int] = set()
    for stmt in ast.walk(ast.parse(source)):
        if not isinstance(stmt, ast.stmt):
            continue
        header: list[ast.AST] = [stmt]
        if isinstance(stmt, (ast.If, ast.While)):
            header = [stmt.test]
        elif isinstance(stmt, (ast.For, ast.With, ast.FunctionDef, ast.ClassDef, ast.Try, ast.AsyncFunctionDef)):
            continue  # their bodies are visited as statements of their own
        for node in (n for part in header for n in ast.walk(part)):
            store = isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, (ast.Store, ast.Del))
            call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS
            if store or call:
                lines.add(stmt.lineno)
                break
    return frozenset(lines)


class Interleaver:
    """Forces thread switches inside the learner's code, right before each statement that changes shared state.

    `sys.setswitchinterval` is only a request, and CPython switches threads only at calls and backward jumps, so
    an unlocked `if idle: conn = idle.pop()` can survive millions of operations. This installs a trace function
    in the threads started while it is active; before each line of `filename` that stores to an attribute or an
    item, deletes one, or calls a mutating method (see `mutating_lines`), it releases the GIL with
    `time.sleep(0)`, so another thread runs between every check and the act that depends on it. A locked pool
    stays correct (the other threads just find the lock taken); an unlocked one is interrupted where it hurts.
    """

    def __init__(self, filename: str) -> None:
        self.filename = filename
        with open(filename, encoding="utf-8") as f:
            self.lines = mutating_lines(f.read())

    def _on_call(self, frame: Any, event: str, arg: Any) -> Any:
        return self._on_line if frame.f_code.co_filename == self.filename else None

    def _on_line(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "line" and frame.f_lineno in self.lines:
            time.sleep(0)
        return self._on_line

    def __enter__(self) -> Interleaver:
        threading.settrace(self._on_call)
        return self

    def __exit__(self, *exc: object) -> None:
        threading.settrace(None)  # type: ignore[arg-type]


class Worker(threading.Thread):
    """A daemon thread that records its result or exception."""

    def __init__(self, target: Callable[[], Any], name: str = "") -> None:
        super().__init__(daemon=True, name=name or None)
        self._fn = target
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self._fn()
        except BaseException as exc:
            self.error = exc

    def finish(self, timeout: float = 15.0) -> None:
        self.join(timeout)
        if self.is_alive():
            pytest.fail(f"a thread calling the pool was still blocked after {timeout:g} s: a deadlock?", pytrace=False)


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:g} s for {what}", pytrace=False)
        time.sleep(0.002)


def stats(pool: Any) -> tuple[int, int, int, int]:
    """pool.stats() as plain ints (size, idle, in_use, waiting), checked."""
    got = pool.stats()
    values = (got.size, got.idle, got.in_use, got.waiting)
    assert all(type(v) is int for v in values), f"stats() fields must be ints, got {got!r}"
    return values


def wait_for_waiters(pool: Any, n: int) -> None:
    wait_until(lambda: stats(pool)[3] == n, f"stats().waiting to reach {n} (is it counting blocked acquire() calls?)")
