"""Known-good: workers pull pre-pickled chunks from one shared task queue and push replies to one result queue.

Different from the reference (one pipe per worker, the parent deals chunks): here the workers compete for tasks,
the parent polls worker exit codes to notice crashes, and each worker publishes (index, start time) per call in a
shared array that the parent reads to enforce the timeout.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import pickle
import queue
import signal
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class TaskError(Exception):
    def __init__(self, index: int, item: object, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.item = item

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.index, self.item, str(self)))


class TaskTimeout(TaskError, TimeoutError):
    pass


class UnpicklableItemError(TypeError):
    def __init__(self, index: int, item: object, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.item = item

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.index, self.item, str(self)))


def _work(func: Any, me: int, tasks: Any, replies: Any, slots: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        blob = tasks.get()
        if blob is None:
            break
        start, chunk = pickle.loads(blob)
        out = []
        failed = False
        for k, item in enumerate(chunk):
            slots[2 * me + 1] = time.monotonic()  # start time first, then the index (the parent reads the index first)
            slots[2 * me] = start + k
            try:
                out.append(func(item))
            except Exception as exc:
                slots[2 * me] = -1
                try:
                    exc_blob: bytes | None = pickle.dumps(exc)
                except Exception:
                    exc_blob = None
                replies.put(pickle.dumps(("err", start + k, exc_blob, f"{type(exc).__name__}: {exc}")))
                failed = True
                break
        slots[2 * me] = -1
        if failed:
            continue
        try:
            replies.put(pickle.dumps(("ok", start, out)))
        except Exception:
            bad = next(k for k, r in enumerate(out) if not _picklable(r))
            replies.put(pickle.dumps(("err", start + bad, None, f"TypeError: result {out[bad]!r} cannot be pickled")))
    replies.close()
    replies.join_thread()


def _picklable(obj: object) -> bool:
    try:
        pickle.dumps(obj)
    except Exception:
        return False
    return True


def parallel_map(
    func: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int | None = None,
    chunksize: int | None = None,
    timeout: float | None = None,
) -> list[R]:
    n = os.cpu_count() or 1 if workers is None else workers
    if n < 1:
        raise ValueError("workers must be >= 1")
    if chunksize is not None and chunksize < 1:
        raise ValueError("chunksize must be >= 1")
    if timeout is not None and timeout <= 0:
        raise ValueError("timeout must be > 0")
    if not _picklable(func):
        raise TypeError(f"func {func!r} cannot be pickled; use a module-level function")
    seq = list(items)
    if not seq:
        return []
    size = chunksize or math.ceil(len(seq) / (4 * n))
    starts = list(range(0, len(seq), size))
    n = min(n, len(starts))
    ctx = multiprocessing.get_context("fork")
    tasks = ctx.Queue()
    replies = ctx.Queue()
    slots = ctx.Array("d", [-1.0, 0.0] * n, lock=False)
    procs = []
    ok = False
    try:
        for s in starts:  # pickle here, so a bad item fails in the caller, never in a feeder thread
            try:
                blob = pickle.dumps((s, seq[s : s + size]))
            except Exception:
                bad = next(i for i in range(s, min(s + size, len(seq))) if not _picklable(seq[i]))
                raise UnpicklableItemError(bad, seq[bad], f"item {bad} ({seq[bad]!r}) cannot be pickled") from None
            tasks.put(blob)
        for _ in range(n):
            tasks.put(None)
        for me in range(n):
            p = ctx.Process(target=_work, args=(func, me, tasks, replies, slots), daemon=True)
            p.start()
            procs.append(p)
        results: list[Any] = [None] * len(seq)
        remaining = len(starts)
        while remaining:
            try:
                reply = pickle.loads(replies.get(timeout=0.05))
            except queue.Empty:
                reply = None
            if reply is not None:
                if reply[0] == "err":
                    _, i, exc_blob, text = reply
                    cause: BaseException = RuntimeError(text)
                    if exc_blob is not None:
                        with contextlib.suppress(Exception):  # pickles, but may not unpickle
                            cause = pickle.loads(exc_blob)
                    raise TaskError(i, seq[i], f"item {i} ({seq[i]!r}) failed: {text}") from cause
                _, s, out = reply
                results[s : s + len(out)] = out
                remaining -= 1
                continue
            now = time.monotonic()
            for me, p in enumerate(procs):
                i = int(slots[2 * me])
                if i >= 0 and p.exitcode is not None:
                    raise TaskError(i, seq[i], f"the worker died (exit code {p.exitcode}) while running item {i}")
                if i >= 0 and timeout is not None and now - slots[2 * me + 1] > timeout:
                    raise TaskTimeout(i, seq[i], f"item {i} ({seq[i]!r}) ran past the {timeout:g} s timeout")
        ok = True
        return results
    finally:
        for p in procs:
            if ok:
                p.join(2)
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(2)
            if p.is_alive():
                p.kill()
                p.join()
        for q in (tasks, replies):
            q.cancel_join_thread()
            q.close()
