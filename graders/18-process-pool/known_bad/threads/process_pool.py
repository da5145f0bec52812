"""Known-bad: a thread pool. Correct results and errors, but one GIL: CPU-bound calls get no faster."""

from __future__ import annotations

import math
import os
import pickle
import queue
import threading
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


def parallel_map(
    func: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int | None = None,
    chunksize: int | None = None,
    timeout: float | None = None,
) -> list[R]:
    n_workers = os.cpu_count() or 1 if workers is None else workers
    if n_workers < 1 or (chunksize is not None and chunksize < 1) or (timeout is not None and timeout <= 0):
        raise ValueError("bad arguments")
    try:
        pickle.dumps(func)
    except Exception as exc:
        raise TypeError(f"func cannot be pickled: {exc}") from exc
    seq = list(items)
    for i, item in enumerate(seq):  # same contract as the process version
        try:
            pickle.dumps(item)
        except Exception as exc:
            raise UnpicklableItemError(i, item, f"item {i} ({item!r}) cannot be pickled") from exc
    if not seq:
        return []
    size = chunksize or max(1, math.ceil(len(seq) / (4 * n_workers)))
    tasks: queue.Queue[int | None] = queue.Queue()
    for start in range(0, len(seq), size):
        tasks.put(start)
    results: list[Any] = [None] * len(seq)
    failures: queue.Queue[TaskError] = queue.Queue()
    running: dict[int, tuple[int, float]] = {}
    stop = threading.Event()

    def work(me: int) -> None:
        while not stop.is_set():
            try:
                start = tasks.get_nowait()
            except queue.Empty:
                return
            assert start is not None
            for i in range(start, min(start + size, len(seq))):
                if stop.is_set():
                    return
                running[me] = (i, time.monotonic())
                try:
                    results[i] = func(seq[i])
                except Exception as exc:
                    err = TaskError(i, seq[i], f"item {i} ({seq[i]!r}) failed: {type(exc).__name__}: {exc}")
                    err.__cause__ = exc
                    failures.put(err)
                    stop.set()
                    return
                finally:
                    running.pop(me, None)

    threads = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(n_workers)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        for t in threads:
            t.join(0.02)
        if not failures.empty():
            break
        if timeout is not None:
            now = time.monotonic()
            for i, started in list(running.values()):
                if now - started > timeout:
                    stop.set()
                    raise TaskTimeout(i, seq[i], f"item {i} ran past the {timeout:g} s timeout")
    stop.set()
    if not failures.empty():
        raise failures.get()
    return results
