"""Known-bad: no lock around the cache's operations (races corrupt the recency list).

A thread-safe LRU cache with per-entry expiration, and a memoising decorator built on it.

`LRUCache` keeps three structures in step, all behind one lock:

- a dict from key to node, for O(1) lookup;
- a circular doubly linked list of the nodes in recency order (least recently used first), for O(1)
  "move to the most recent end" and "evict the least recent";
- a min-heap of (expiry time, stamp, node) records, so the entries that have expired can be found without
  scanning everything.

Every operation first removes what has expired (one peek at the heap when nothing has), so the dict and the
list only ever hold live entries and `len`, eviction and lookups need no expiry checks of their own.
"""

from __future__ import annotations

import functools
import heapq
import math
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, NamedTuple, ParamSpec, Protocol, TypeVar, cast, overload

__all__ = ["CacheInfo", "LRUCache", "Memoized", "memoize"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
D = TypeVar("D")
P = ParamSpec("P")
R = TypeVar("R", covariant=True)

Clock = Callable[[], float]

# The heap is rebuilt from the live entries once stale records outnumber them by this much (see _push).
_COMPACT_SLACK = 64


class _Node:
    """One entry, and its links in the recency list."""

    __slots__ = ("expires_at", "key", "next", "prev", "stamp", "value")

    def __init__(self, key: Any, value: Any, expires_at: float, stamp: int) -> None:
        self.prev: _Node = self
        self.next: _Node = self
        self.key = key
        self.value = value
        self.expires_at = expires_at
        # Which heap record is current: a put that rewrites the node gives it a new stamp, and the old
        # record, still in the heap, is recognised as stale and skipped.
        self.stamp = stamp


def _check_maxsize(maxsize: int) -> int:
    if maxsize < 1:
        raise ValueError(f"maxsize must be at least 1, got {maxsize!r}")
    return maxsize


def _check_ttl(ttl: float) -> float:
    # `not ttl > 0` (rather than `ttl <= 0`) also rejects NaN, which compares false with everything.
    if not ttl > 0:
        raise ValueError(f"ttl must be a positive number of seconds, got {ttl!r}")
    return ttl


class LRUCache(Generic[K, V]):
    """A bounded mapping that evicts the least recently used entry and forgets entries after their TTL.

    An entry written by `put` at clock reading `t` with time-to-live `ttl` is live while
    `clock() - t < ttl`; from `clock() - t >= ttl` on it has expired and behaves as if it had been deleted.
    Expired entries never count towards `maxsize`. All methods are safe to call from several threads.
    """

    def __init__(self, maxsize: int, ttl: float | None = None, clock: Clock = time.monotonic) -> None:
        self._maxsize = _check_maxsize(maxsize)
        self._ttl = math.inf if ttl is None else _check_ttl(ttl)
        self._clock = clock
        self._map: dict[K, _Node] = {}
        self._root = _Node(None, None, math.inf, 0)  # sentinel: root.next is the LRU end, root.prev the MRU end
        self._heap: list[tuple[float, int, _Node]] = []
        self._stamps = 0

    @property
    def maxsize(self) -> int:
        return self._maxsize

    # -- the public operations: each takes the lock, reads the clock once, and drops expired entries first --

    @overload
    def get(self, key: K) -> V | None: ...
    @overload
    def get(self, key: K, default: D) -> V | D: ...

    def get(self, key: K, default: object = None) -> object:
        """The value for `key` (making it the most recently used), or `default` if absent or expired."""
        self._expire(self._clock())
        node = self._map.get(key)
        if node is None:
            return default
        self._unlink(node)
        self._append(node)
        return node.value

    def put(self, key: K, value: V, ttl: float | None = None) -> None:
        """Store `value` under `key` as the most recently used entry, evicting the LRU entry if full.

        `ttl` overrides the cache's default for this entry (`math.inf`: never expires). Rewriting a key
        restarts its TTL.
        """
        lifetime = self._ttl if ttl is None else _check_ttl(ttl)
        now = self._clock()
        self._expire(now)
        self._stamps += 1
        node = self._map.get(key)
        if node is None:
            if len(self._map) >= self._maxsize:
                self._remove(self._root.next)
            node = self._map[key] = _Node(key, value, now + lifetime, self._stamps)
        else:
            self._unlink(node)
            node.value, node.expires_at, node.stamp = value, now + lifetime, self._stamps
        self._append(node)
        if lifetime != math.inf:
            self._push(node)

    def delete(self, key: K) -> bool:
        """Remove `key`; True if a live entry was removed, False if it was absent or had expired."""
        self._expire(self._clock())
        node = self._map.get(key)
        if node is None:
            return False
        self._remove(node)
        return True

    def clear(self) -> None:
        """Remove every entry."""
        self._map.clear()
        self._root.prev = self._root.next = self._root
        self._heap.clear()

    def __len__(self) -> int:
        """The number of live (unexpired) entries."""
        self._expire(self._clock())
        return len(self._map)

    def __contains__(self, key: object) -> bool:
        """True if `key` has a live entry; does not count as a use (recency is unchanged)."""
        self._expire(self._clock())
        return key in self._map

    def __repr__(self) -> str:
        return f"{type(self).__name__}(maxsize={self._maxsize}, ttl={self._ttl}, size={len(self)})"

    # -- internals: called with the lock held --

    def _unlink(self, node: _Node) -> None:
        node.prev.next = node.next
        node.next.prev = node.prev

    def _append(self, node: _Node) -> None:
        """Link `node` in at the most recently used end."""
        last = self._root.prev
        node.prev, node.next = last, self._root
        last.next = self._root.prev = node

    def _remove(self, node: _Node) -> None:
        """Drop `node` from the list and the dict; its heap record, if any, goes stale."""
        self._unlink(node)
        del self._map[node.key]

    def _push(self, node: _Node) -> None:
        heap = self._heap
        heapq.heappush(heap, (node.expires_at, node.stamp, node))
        # Rewrites and deletions leave stale records behind (a record can't be removed from the middle of a
        # heap cheaply). Rebuilding once they dominate keeps memory O(maxsize) at amortised O(1) per put:
        # a rebuild costs O(n) and at least n + _COMPACT_SLACK pushes happen between two rebuilds.
        if len(heap) > 2 * len(self._map) + _COMPACT_SLACK:
            heap[:] = [(n.expires_at, n.stamp, n) for n in self._map.values() if n.expires_at != math.inf]
            heapq.heapify(heap)

    def _expire(self, now: float) -> None:
        """Remove every entry whose expiry time has come (`now >= expires_at`)."""
        heap = self._heap
        while heap and heap[0][0] <= now:
            _, stamp, node = heapq.heappop(heap)
            if node.stamp == stamp and self._map.get(node.key) is node:
                self._remove(node)


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
        cache: LRUCache[Hashable, Any] = LRUCache(maxsize, ttl, clock)
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
