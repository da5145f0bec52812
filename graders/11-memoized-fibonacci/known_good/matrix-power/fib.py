"""Known-good: a class-based memo keyed on sorted kwargs, iterative warm-up, and 2x2 matrix powers."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

CacheInfo = namedtuple("CacheInfo", "hits misses currsize")


class memoize:  # used as a decorator, so named like one
    def __init__(self, func: Any) -> None:
        self.__wrapped__ = func
        self.__name__ = func.__name__
        self.__doc__ = func.__doc__
        self._cache: dict[Any, Any] = {}
        self._hits = 0
        self._misses = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        key = (args, tuple(sorted(kwargs.items())))
        if key in self._cache:
            self._hits += 1
            return self._cache[key]
        self._misses += 1
        value = self.__wrapped__(*args, **kwargs)
        self._cache[key] = value
        return value

    def cache_info(self) -> CacheInfo:
        return CacheInfo(self._hits, self._misses, len(self._cache))

    def cache_clear(self) -> None:
        self._cache.clear()
        self._hits = self._misses = 0


@memoize
def fib_memo(n: int) -> int:
    if n < 0:
        raise ValueError("negative")
    if n < 2:
        return n
    k = 100
    while k < n - 1:
        fib_memo(k)
        k += 100
    return fib_memo(n - 1) + fib_memo(n - 2)


def _square(m: tuple[int, int, int]) -> tuple[int, int, int]:
    # [[a, b], [b, c]] is symmetric for every power of [[1, 1], [1, 0]]: keep three numbers.
    a, b, c = m
    bb = b * b
    return (a * a + bb, b * (a + c), bb + c * c)


def _times(m: tuple[int, int, int], q: tuple[int, int, int]) -> tuple[int, int, int]:
    a, b, c = m
    d, e, f = q
    return (a * d + b * e, a * e + b * f, b * e + c * f)


def fib_fast(n: int) -> int:
    if n < 0:
        raise ValueError("negative")
    result = (1, 0, 1)  # identity
    base = (1, 1, 0)  # [[F(2), F(1)], [F(1), F(0)]]
    while n:
        if n & 1:
            result = _times(result, base)
        n >>= 1
        if n:
            base = _square(base)
    return result[1]
