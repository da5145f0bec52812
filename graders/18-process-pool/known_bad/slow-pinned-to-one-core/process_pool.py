"""Known-bad: every worker is pinned to CPU 0, so CPU-bound calls share one core (fails only on speed).
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import pickle
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkContext
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any, TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")

_IDLE = -1  # the slot's value while a worker runs no call
_POLL_S = 0.05  # how often the parent looks at the slots when a timeout is set
_GRACE_S = 2.0  # how long shutdown waits for a worker before escalating (stop -> SIGTERM -> SIGKILL)


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


def _short(obj: object, limit: int = 80) -> str:
    """repr(obj), cut to `limit` characters so an error message stays readable."""
    text = repr(obj)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------------------------------- the worker


def _serve(func: Callable[[Any], Any], conn: Connection, current: Any) -> None:
    """A worker's main loop: receive (start, chunk) tasks until told to stop (None) or the parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group; the parent decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # an inherited Python handler could not run inside stuck C code
    # "Pin worker i to core i for cache locality" -- but every worker computes i == 0.
    os.sched_setaffinity(0, {0})
    while True:
        try:
            task = pickle.loads(conn.recv_bytes())
        except EOFError:
            return
        if task is None:
            return
        start, chunk = task
        conn.send_bytes(_run_chunk(func, start, chunk, current))


def _run_chunk(func: Callable[[Any], Any], start: int, chunk: Sequence[Any], current: Any) -> bytes:
    """Run `func` over one chunk and return the pickled reply: ("ok", start, results) or ("error", ...)."""
    results = []
    for offset, item in enumerate(chunk):
        current.value = start + offset  # published before the call, so the parent can time it and name it
        try:
            results.append(func(item))
        except Exception as exc:
            current.value = _IDLE
            return _error_reply(start + offset, exc)
    current.value = _IDLE
    try:
        return pickle.dumps(("ok", start, results))
    except Exception:
        # Find the culprit so the error names the item whose result could not be sent back.
        for offset, result in enumerate(results):
            try:
                pickle.dumps(result)
            except Exception as exc:
                reason = TypeError(f"its result {_short(result)} cannot be pickled: {exc}")
                return _error_reply(start + offset, reason)
        raise


def _error_reply(index: int, exc: BaseException) -> bytes:
    """Pickle a failure; the exception travels as its own pickle so a bad one cannot spoil the reply."""
    description = f"{type(exc).__name__}: {exc}"
    try:
        payload: bytes | None = pickle.dumps(exc)
    except Exception:
        payload = None
    return pickle.dumps(("error", index, payload, description))


# --------------------------------------------------------------------------------------------------- the parent


class _Worker:
    """One worker process, the parent's end of its pipe, and the shared slot naming the item it runs."""

    def __init__(self, ctx: ForkContext, func: Callable[[Any], Any]) -> None:
        self.conn, child_conn = ctx.Pipe()
        self.current = ctx.RawValue("q", _IDLE)  # one aligned 8-byte word: reads and writes are atomic
        self.process: BaseProcess = ctx.Process(target=_serve, args=(func, child_conn, self.current), daemon=True)
        self.process.start()
        child_conn.close()  # only the worker holds its end now, so the parent sees EOF when the worker dies
        self.seen = (_IDLE, 0.0)  # (index the parent last saw running, when it first saw it)

    def running(self) -> int:
        return int(self.current.value)


class _Pool:
    """A fixed set of workers for one map; leaving the `with` block always stops and reaps every one of them."""

    def __init__(self, func: Callable[[Any], Any], workers: int) -> None:
        # fork: the workers inherit `func` and every module already imported, including the caller's.
        ctx = multiprocessing.get_context("fork")
        self.workers: list[_Worker] = []
        try:
            for _ in range(workers):
                self.workers.append(_Worker(ctx, func))
        except BaseException:  # e.g. Ctrl-C between two forks: don't leak the ones already started
            self.shutdown(graceful=False)
            raise

    def __enter__(self) -> _Pool:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.shutdown(graceful=exc_type is None)

    def shutdown(self, *, graceful: bool) -> None:
        """Stop every worker: ask politely after success, terminate after a failure; then reap them all."""
        if graceful:
            for w in self.workers:
                with contextlib.suppress(OSError):  # a worker already gone is reaped below
                    w.conn.send_bytes(pickle.dumps(None))
        deadline = time.monotonic() + (_GRACE_S if graceful else 0.0)
        for w in self.workers:
            w.process.join(max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.terminate()
        for w in self.workers:
            w.process.join(_GRACE_S)
            if w.process.is_alive():  # SIGTERM ignored or blocked: no more asking
                w.process.kill()
                w.process.join()
            w.conn.close()
            w.process.close()

    def map(self, items: Sequence[Any], chunksize: int, timeout: float | None) -> list[Any]:
        """Deal out chunks as workers become free; return the results in input order."""
        results: list[Any] = [None] * len(items)
        pending = deque(range(0, len(items), chunksize))  # the start index of every chunk not yet sent
        busy: dict[Connection, _Worker] = {}

        def give_work(w: _Worker) -> None:
            if pending:
                start = pending.popleft()
                w.conn.send_bytes(_encode_chunk(items, start, chunksize))
                busy[w.conn] = w

        for w in self.workers:
            give_work(w)
        poll = None if timeout is None else min(_POLL_S, timeout / 4)
        while busy:
            for conn in wait(list(busy), timeout=poll):
                w = busy.pop(cast(Connection, conn))
                start, values = self._receive(w, items)
                results[start : start + len(values)] = values
                give_work(w)
            if timeout is not None:
                self._check_timeouts(busy.values(), items, timeout)
        return results

    def _receive(self, w: _Worker, items: Sequence[Any]) -> tuple[int, list[Any]]:
        try:
            reply = pickle.loads(w.conn.recv_bytes())
        except EOFError:
            index = w.running()
            w.process.join(_GRACE_S)
            code = w.process.exitcode
            if index == _IDLE:
                raise RuntimeError(f"a worker process exited unexpectedly (exit code {code})") from None
            raise TaskError(
                index,
                items[index],
                f"the worker died (exit code {code}) while running item {index} ({_short(items[index])})",
            ) from None
        if reply[0] == "ok":
            return reply[1], reply[2]
        _, index, payload, description = reply
        cause = _load_exception(payload, description)
        raise TaskError(index, items[index], f"item {index} ({_short(items[index])}) failed: {description}") from cause

    @staticmethod
    def _check_timeouts(busy: Iterable[_Worker], items: Sequence[Any], timeout: float) -> None:
        """Time each running call from the moment the parent first saw it start."""
        now = time.monotonic()
        for w in busy:
            index = w.running()
            if index != w.seen[0]:
                w.seen = (index, now)
            elif index != _IDLE and now - w.seen[1] > timeout:
                raise TaskTimeout(
                    index, items[index], f"item {index} ({_short(items[index])}) ran past the {timeout:g} s timeout"
                )


def _encode_chunk(items: Sequence[Any], start: int, chunksize: int) -> bytes:
    """Pickle one task, or name the first item in it that cannot be pickled."""
    chunk = items[start : start + chunksize]
    try:
        return pickle.dumps((start, chunk))
    except Exception:
        for offset, item in enumerate(chunk):
            try:
                pickle.dumps(item)
            except Exception as exc:
                index = start + offset
                raise UnpicklableItemError(
                    index,
                    item,
                    f"item {index} ({_short(item)}) cannot be pickled, so it cannot be sent to a "
                    f"worker process: {type(exc).__name__}: {exc}",
                ) from exc
        raise


def _load_exception(payload: bytes | None, description: str) -> BaseException:
    """The worker's exception rebuilt, or a RuntimeError describing it when it does not survive pickling."""
    if payload is not None:
        try:
            exc = pickle.loads(payload)
        except Exception:
            pass
        else:
            if isinstance(exc, BaseException):
                return exc
    return RuntimeError(f"{description} (the exception could not be sent back from the worker)")


def _positive(name: str, value: int | None, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return value


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
    `chunksize` items (default: about four chunks per worker). `timeout` bounds every single call, in seconds.
    Raises TaskError (or TaskTimeout) naming the failing item, UnpicklableItemError for an item that cannot be
    sent, TypeError for a `func` that cannot be pickled. Every worker has exited when this returns or raises.
    """
    n_workers = _positive("workers", workers, os.cpu_count() or 1)
    if timeout is not None and not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    try:
        pickle.dumps(func)  # with fork it is inherited, not sent; but code that can't pickle it isn't portable
    except Exception as exc:
        raise TypeError(
            f"func {_short(func)} cannot be pickled ({type(exc).__name__}: {exc}); pass a module-level function"
        ) from exc
    seq = list(items)
    if not seq:
        return []
    size = _positive("chunksize", chunksize, max(1, math.ceil(len(seq) / (4 * n_workers))))
    n_chunks = math.ceil(len(seq) / size)
    with _Pool(func, min(n_workers, n_chunks)) as pool:
        return cast(list[R], pool.map(seq, size, timeout))
