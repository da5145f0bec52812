"""Exercise 11: memoised and fast-doubling Fibonacci. Read README.md for the full spec."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
R = TypeVar("R", covariant=True)


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    currsize: int


class Memoized(Protocol[P, R]):
    """What `memoize` returns: the function, plus its cache controls."""

    __wrapped__: Callable[..., Any]

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R: ...
    def cache_info(self) -> CacheInfo: ...
    def cache_clear(self) -> None: ...


def memoize(func: Callable[P, R]) -> Memoized[P, R]:
    """Cache `func`'s results by its positional and keyword arguments (no functools.lru_cache/cache).

    Calls with equal arguments (keyword order ignored) run `func` once; unhashable arguments raise TypeError.
    The wrapper keeps `func`'s name and docstring, exposes it as `__wrapped__`, and offers `cache_info()` and
    `cache_clear()`.
    """
    raise NotImplementedError


def fib_memo(n: int) -> int:
    """F(n) via memoised recursion (decorate it with `memoize`); must handle n = 10_000."""
    raise NotImplementedError


def fib_fast(n: int) -> int:
    """F(n) in O(log n) arithmetic operations (fast doubling)."""
    raise NotImplementedError
