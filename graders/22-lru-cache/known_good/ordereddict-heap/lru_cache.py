"""Known-good: an OrderedDict for recency, a heap of expiry times, an RLock; written from the README alone.

Expired entries are removed lazily: a lookup checks the entry's own deadline, and capacity checks first sweep
the heap. Stale heap records (for rewritten or deleted keys) are recognised by comparing the deadline.
"""

from __future__ import annotations

import functools
import heapq
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    maxsize: int
    currsize: int


def _valid_ttl(ttl: float) -> float:
    if not (isinstance(ttl, int | float) and ttl > 0):
        raise ValueError(f"bad ttl {ttl!r}")
    return float(ttl)


class LRUCache:
    def __init__(self, maxsize: int, ttl: float | None = None, clock: Callable[[], float] = time.monotonic):
        if maxsize < 1:
            raise ValueError("maxsize must be >= 1")
        self.maxsize = maxsize
        self._default = math.inf if ttl is None else _valid_ttl(ttl)
        self._clock = clock
        self._data: OrderedDict[Any, tuple[Any, float]] = OrderedDict()  # key -> (value, deadline)
        self._deadlines: list[tuple[float, int, Any]] = []
        self._counter = 0
        self._lock = threading.RLock()

    def _sweep(self, now: float) -> None:
        h = self._deadlines
        while h and h[0][0] <= now:
            deadline, _, key = heapq.heappop(h)
            entry = self._data.get(key)
            if entry is not None and entry[1] == deadline:
                del self._data[key]

    def _live(self, key: Any, now: float) -> tuple[Any, float] | None:
        entry = self._data.get(key)
        if entry is None:
            return None
        if now >= entry[1]:
            del self._data[key]
            return None
        return entry

    def get(self, key: Any, default: Any = None) -> Any:
        with self._lock:
            entry = self._live(key, self._clock())
            if entry is None:
                return default
            self._data.move_to_end(key)
            return entry[0]

    def put(self, key: Any, value: Any, ttl: float | None = None) -> None:
        life = self._default if ttl is None else _valid_ttl(ttl)
        with self._lock:
            now = self._clock()
            if self._live(key, now) is None:
                self._sweep(now)
                if len(self._data) >= self.maxsize:
                    self._data.popitem(last=False)
            deadline = now + life
            self._data[key] = (value, deadline)
            self._data.move_to_end(key)
            if deadline != math.inf:
                self._counter += 1
                heapq.heappush(self._deadlines, (deadline, self._counter, key))
                if len(self._deadlines) > 4 * len(self._data) + 100:
                    self._deadlines = [(d, i, k) for i, (k, (_, d)) in enumerate(self._data.items()) if d != math.inf]
                    heapq.heapify(self._deadlines)

    def delete(self, key: Any) -> bool:
        with self._lock:
            if self._live(key, self._clock()) is None:
                return False
            del self._data[key]
            return True

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._deadlines.clear()

    def __len__(self) -> int:
        with self._lock:
            self._sweep(self._clock())
            return len(self._data)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return self._live(key, self._clock()) is not None


def memoize(maxsize: int = 128, *, ttl: float | None = None, clock: Callable[[], float] = time.monotonic) -> Any:
    if maxsize < 1:
        raise ValueError("maxsize must be >= 1")

    def decorator(func: Callable[..., Any]) -> Any:
        cache = LRUCache(maxsize, ttl, clock)
        lock = threading.Lock()
        counts = [0, 0]
        missing = object()

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key: Hashable = (args, tuple(sorted(kwargs.items()))) if kwargs else (args,)
            value = cache.get(key, missing)
            with lock:
                counts[value is missing] += 1
            if value is missing:
                value = func(*args, **kwargs)
                cache.put(key, value)
            return value

        def cache_info() -> CacheInfo:
            with lock:
                return CacheInfo(counts[0], counts[1], maxsize, len(cache))

        def cache_clear() -> None:
            with lock:
                cache.clear()
                counts[0] = counts[1] = 0

        wrapper.cache_info = cache_info  # type: ignore[attr-defined]
        wrapper.cache_clear = cache_clear  # type: ignore[attr-defined]
        return wrapper

    return decorator
