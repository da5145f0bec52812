"""Exercise 22: a thread-safe LRU cache with expiration. Read README.md for the full spec."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, NamedTuple, ParamSpec, Protocol, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
P = ParamSpec("P")
R = TypeVar("R", covariant=True)

Clock = Callable[[], float]


class LRUCache(Generic[K, V]):
    """A bounded mapping that evicts the least recently used entry and forgets entries after their TTL.

    An entry written by `put` at clock reading `t` with time-to-live `ttl` is live while `clock() - t < ttl`
    and expired from `clock() - t >= ttl` on. Expired entries behave as if deleted and never count towards
    `maxsize`. Every method is safe to call from several threads at once.
    """

    def __init__(self, maxsize: int, ttl: float | None = None, clock: Clock = time.monotonic) -> None:
        """`maxsize` >= 1 live entries at most; `ttl` is the default time-to-live (None: never expire).

        Raises ValueError for maxsize < 1 or a ttl that is not > 0.
        """
        raise NotImplementedError

    def get(self, key: K, default: Any = None) -> Any:
        """The value for `key`, making it the most recently used entry; `default` if absent or expired."""
        raise NotImplementedError

    def put(self, key: K, value: V, ttl: float | None = None) -> None:
        """Store `value` under `key` as the most recently used entry; restart its TTL.

        `ttl` overrides the cache's default for this entry (math.inf: never expires); ValueError unless > 0.
        If the key has no live entry and the cache already holds maxsize live entries, the least recently used
        one is evicted first.
        """
        raise NotImplementedError

    def delete(self, key: K) -> bool:
        """Remove `key`; True if a live entry was removed, False if it was absent or had expired."""
        raise NotImplementedError

    def clear(self) -> None:
        """Remove every entry."""
        raise NotImplementedError

    def __len__(self) -> int:
        """The number of live entries."""
        raise NotImplementedError

    def __contains__(self, key: object) -> bool:
        """True if `key` has a live entry. Not a use: the key's recency does not change."""
        raise NotImplementedError


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


def memoize(
    maxsize: int = 128, *, ttl: float | None = None, clock: Clock = time.monotonic
) -> Callable[[Callable[P, R]], Memoized[P, R]]:
    """Decorator factory: cache a function's results in an `LRUCache(maxsize, ttl, clock)`.

    Use it as `@memoize()` or `@memoize(maxsize=256, ttl=60)`. Raises ValueError for a bad maxsize or ttl
    at once. The wrapper offers `cache_info()` -> CacheInfo(hits, misses, maxsize, currsize) and
    `cache_clear()`, keeps the function's name and docstring, and exposes it as `__wrapped__`.
    """
    raise NotImplementedError
