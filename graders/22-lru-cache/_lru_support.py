"""Grader helpers for exercise 22: fake clocks, traceable values and keys, an executable model of the spec."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Hashable

MISSING = object()


class FakeClock:
    """A clock that moves only when the test says so."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Val:
    """A value with an identity: the grader checks `got is expected`, never a learner object's `__eq__`."""

    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n

    def __repr__(self) -> str:
        return f"Val({self.n})"


class ModelLRU:
    """The README's rules written as plainly as possible (every operation O(n)); the oracle for the cache.

    `entries` is kept in recency order, least recently used first (a dict remembers insertion order, so
    popping a key and inserting it again moves it to the most recent end).
    """

    def __init__(self, maxsize: int, ttl: float | None) -> None:
        self.maxsize = maxsize
        self.ttl = math.inf if ttl is None else ttl
        self.entries: dict[Hashable, tuple[object, float]] = {}

    def _expire(self, now: float) -> None:
        # Live while now - written < ttl, i.e. now < expires_at; expired from now >= expires_at on.
        self.entries = {k: e for k, e in self.entries.items() if now < e[1]}

    def get(self, key: Hashable, now: float) -> object:
        self._expire(now)
        if key not in self.entries:
            return MISSING
        entry = self.entries.pop(key)
        self.entries[key] = entry
        return entry[0]

    def put(self, key: Hashable, value: object, ttl: float | None, now: float) -> None:
        self._expire(now)
        lifetime = self.ttl if ttl is None else ttl
        if key in self.entries:
            del self.entries[key]
        elif len(self.entries) >= self.maxsize:
            del self.entries[next(iter(self.entries))]
        self.entries[key] = (value, now + lifetime)

    def delete(self, key: Hashable, now: float) -> bool:
        self._expire(now)
        return self.entries.pop(key, None) is not None

    def contains(self, key: Hashable, now: float) -> bool:
        self._expire(now)
        return key in self.entries

    def size(self, now: float) -> int:
        self._expire(now)
        return len(self.entries)

    def clear(self) -> None:
        self.entries.clear()

    def recency(self, now: float) -> list[Hashable]:
        self._expire(now)
        return list(self.entries)


class YieldingKey:
    """A key whose hash lets other threads run, so every dict operation on it is a likely thread switch.

    `sys.setswitchinterval` is only a request: where the OS timer is coarse (many VMs), the interpreter may
    switch threads just every few milliseconds, and a race that needs a switch at one exact line can hide for
    thousands of operations. `time.sleep(0)` releases the GIL on the spot, so a cache that isn't locked gets
    interrupted in the middle of its updates, on every machine. Only every `yield_every`-th hash yields: each
    yield costs a context switch, and under a lock a switch is slow.
    """

    __slots__ = ("n",)
    yield_every = 8
    _hashes = itertools.count()

    def __init__(self, n: int) -> None:
        self.n = n

    def __hash__(self) -> int:
        if next(YieldingKey._hashes) % YieldingKey.yield_every == 0:
            time.sleep(0)
        return self.n

    def __eq__(self, other: object) -> bool:
        return type(other) is YieldingKey and other.n == self.n

    def __repr__(self) -> str:
        return f"Key({self.n})"


class TickClock:
    """A clock that ticks once per reading (thread-safe: next() on a count is atomic), until frozen."""

    def __init__(self) -> None:
        self._ticks = itertools.count()
        self._frozen: float | None = None

    def __call__(self) -> float:
        return self._frozen if self._frozen is not None else float(next(self._ticks))

    def freeze(self) -> None:
        self._frozen = float(next(self._ticks))
