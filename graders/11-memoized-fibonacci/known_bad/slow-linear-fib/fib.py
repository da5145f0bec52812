"""Known-bad: fib_fast is a linear loop (correct values, fails on speed).

`memoize` is a small, honest version of `functools.cache`: a dict keyed by the call's arguments, with
hit/miss counters. `fib_memo` shows the memo turning exponential recursion into linear work, and how to stay
clear of the recursion limit. `fib_fast` is the O(log n) fast-doubling method.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple, ParamSpec, Protocol, TypeVar, cast

P = ParamSpec("P")
R = TypeVar("R", covariant=True)

# Recursion from an empty cache never goes deeper than this; see fib_memo.
_WARM_STEP = 200


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


_MISSING = object()


def _key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Hashable:
    # Keyword order must not matter (f(a=1, b=2) is f(b=2, a=1)), so the items go in a frozenset.
    # A call without keywords keys on the bare args tuple: the common case stays cheap.
    return (args, frozenset(kwargs.items())) if kwargs else args


def memoize(func: Callable[P, R]) -> Memoized[P, R]:
    """Cache `func`'s results by its positional and keyword arguments."""
    cache: dict[Hashable, Any] = {}
    hits = misses = 0

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        nonlocal hits, misses
        key = _key(args, kwargs)
        result = cache.get(key, _MISSING)  # hashing here raises TypeError for unhashable arguments
        if result is not _MISSING:
            hits += 1
            return cast(R, result)
        misses += 1
        result = func(*args, **kwargs)
        cache[key] = result
        return cast(R, result)

    def cache_info() -> CacheInfo:
        return CacheInfo(hits, misses, len(cache))

    def cache_clear() -> None:
        nonlocal hits, misses
        cache.clear()
        hits = misses = 0

    wrapper.cache_info = cache_info  # type: ignore[attr-defined]
    wrapper.cache_clear = cache_clear  # type: ignore[attr-defined]
    return cast(Memoized[P, R], wrapper)


def _check(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, not {type(n).__name__}")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")


@memoize
def fib_memo(n: int) -> int:
    """F(n) via memoised recursion; handles n = 10_000 and beyond."""
    _check(n)
    if n < 2:
        return n
    # A cold call for a large n would recurse n frames deep. Warming the memo bottom-up in steps bounds the
    # depth of any one recursion by _WARM_STEP, while each value is still computed exactly once.
    for k in range(_WARM_STEP, n - 1, _WARM_STEP):
        fib_memo(k)
    return fib_memo(n - 1) + fib_memo(n - 2)


def _doubling(n: int) -> tuple[int, int]:
    """(F(n), F(n+1)) by walking the bits of n from the top."""
    a, b = 0, 1  # (F(k), F(k+1)) for k = 0
    for bit in bin(n)[2:]:
        # k -> 2k:  F(2k) = F(k)(2F(k+1) - F(k)),  F(2k+1) = F(k)^2 + F(k+1)^2
        c = a * (2 * b - a)
        d = a * a + b * b
        a, b = (d, c + d) if bit == "1" else (c, d)  # a set bit also steps k -> k+1
    return a, b


def fib_fast(n: int) -> int:
    """F(n) in O(log n) big-integer multiplications (fast doubling)."""
    _check(n)
    a, b = 0, 1
    for _ in range(n):  # O(n) additions of ever-larger integers: correct but slow
        a, b = b, a + b
    return a
