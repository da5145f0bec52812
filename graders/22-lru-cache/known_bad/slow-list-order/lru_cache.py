"""Known-bad: recency kept in a Python list, so get/put are O(n) (correct results, fails on speed only).

The natural first attempt: a dict of key -> (value, expiry time) plus a list of keys in recency order (and
a heap for expiry, as in the reference). `list.remove` scans the list and `list.pop(0)` shifts it, so every
hit, rewrite and eviction costs O(maxsize).
"""

from __future__ import annotations

import functools
import heapq
import math
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple, ParamSpec, Protocol, TypeVar, cast

P = ParamSpec("P")
R = TypeVar("R", covariant=True)
Clock = Callable[[], float]


def _check_maxsize(maxsize: int) -> int:
    if maxsize < 1:
        raise ValueError(f"maxsize must be at least 1, got {maxsize!r}")
    return maxsize


def _check_ttl(ttl: float) -> float:
    if not ttl > 0:
        raise ValueError(f"ttl must be a positive number of seconds, got {ttl!r}")
    return ttl


class LRUCache:
    def __init__(self, maxsize: int, ttl: float | None = None, clock: Clock = time.monotonic) -> None:
        self.maxsize = _check_maxsize(maxsize)
        self._ttl = math.inf if ttl is None else _check_ttl(ttl)
        self._clock = clock
        self._lock = threading.Lock()
        self._values: dict[Any, tuple[Any, float, int]] = {}  # key -> (value, expiry time, stamp)
        self._order: list[Any] = []  # keys, least recently used first
        self._heap: list[tuple[float, int, Any]] = []  # (expiry time, stamp, key)
        self._stamps = 0

    def _expire(self, now: float) -> None:
        while self._heap and self._heap[0][0] <= now:
            _, stamp, key = heapq.heappop(self._heap)
            entry = self._values.get(key)
            if entry is not None and entry[2] == stamp:
                del self._values[key]
                self._order.remove(key)

    def get(self, key: Any, default: Any = None) -> Any:
        with self._lock:
            self._expire(self._clock())
            entry = self._values.get(key)
            if entry is None:
                return default
            self._order.remove(key)  # O(n): scans the list
            self._order.append(key)
            return entry[0]

    def put(self, key: Any, value: Any, ttl: float | None = None) -> None:
        lifetime = self._ttl if ttl is None else _check_ttl(ttl)
        with self._lock:
            now = self._clock()
            self._expire(now)
            if key in self._values:
                self._order.remove(key)  # O(n)
            elif len(self._values) >= self.maxsize:
                del self._values[self._order.pop(0)]  # O(n): shifts the whole list
            self._stamps += 1
            self._values[key] = (value, now + lifetime, self._stamps)
            self._order.append(key)
            if lifetime != math.inf:
                heapq.heappush(self._heap, (now + lifetime, self._stamps, key))
                if len(self._heap) > 2 * len(self._values) + 64:
                    self._heap = [(e, s, k) for k, (_, e, s) in self._values.items() if e != math.inf]
                    heapq.heapify(self._heap)

    def delete(self, key: Any) -> bool:
        with self._lock:
            self._expire(self._clock())
            if key not in self._values:
                return False
            del self._values[key]
            self._order.remove(key)
            return True

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._order.clear()
            self._heap.clear()

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._values)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            self._expire(self._clock())
            return key in self._values


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    maxsize: int
    currsize: int


class Memoized(Protocol[P, R]):
    """What `memoize(...)` returns when applied to a function: the function plus its cache controls."""

    __wrapped__: Callable[..., Any]

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R: ...
    def cache_info(self) -> CacheInfo: ...
    def cache_clear(self) -> None: ...


_MISSING = object()
# Separates positional from keyword arguments in a key, so f((1,), frozenset()) can't collide with f(1).
_KWARGS_MARK = object()


def memoize(
    maxsize: int = 128, *, ttl: float | None = None, clock: Clock = time.monotonic
) -> Callable[[Callable[P, R]], Memoized[P, R]]:
    """Decorator: cache a function's results in an `LRUCache(maxsize, ttl, clock)`.

    Calls are the same call when their positional arguments are equal and their keyword arguments are equal
    as a set (keyword order does not matter). The function runs outside the cache's lock, so two threads that
    miss on the same arguments at once may both run it; the hit and miss counts stay exact.
    """

    _check_maxsize(maxsize)  # fail at the decorator line, not at the first call
    if ttl is not None:
        _check_ttl(ttl)

    def decorate(func: Callable[P, R]) -> Memoized[P, R]:
        cache = LRUCache(maxsize, ttl, clock)
        stats_lock = threading.Lock()
        hits = misses = 0

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            nonlocal hits, misses
            # A call without keywords keys on the bare args tuple, the common case; keyword order must not
            # matter, hence the frozenset. Hashing the key (inside get) raises TypeError for unhashable args.
            key = (*args, _KWARGS_MARK, frozenset(kwargs.items())) if kwargs else args
            result = cache.get(key, _MISSING)
            with stats_lock:
                if result is _MISSING:
                    misses += 1
                else:
                    hits += 1
            if result is _MISSING:
                result = func(*args, **kwargs)
                cache.put(key, result)
            return cast(R, result)

        def cache_info() -> CacheInfo:
            with stats_lock:
                return CacheInfo(hits, misses, maxsize, len(cache))

        def cache_clear() -> None:
            nonlocal hits, misses
            with stats_lock:
                cache.clear()
                hits = misses = 0

        wrapper.cache_info = cache_info  # type: ignore[attr-defined]
        wrapper.cache_clear = cache_clear  # type: ignore[attr-defined]
        return cast(Memoized[P, R], wrapper)

    return decorate
