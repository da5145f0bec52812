"""A workload with one planted hot function, for the hotspots() tests."""

from __future__ import annotations


def hot_spot(n: int) -> int:
    """The planted hot function: all of the real work happens in its own frame."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def cold_helper(x: int) -> int:
    return x + 1


def middle(k: int) -> int:
    return sum(cold_helper(i) for i in range(k))


def workload(n_hot: int = 300_000, n_cold: int = 200) -> int:
    """Calls hot_spot once (heavy), cold_helper n_cold times (trivial) via middle."""
    return hot_spot(n_hot) + middle(n_cold) + sorted([3, 1, 2])[0]


class Boom(Exception):
    pass


def explode() -> None:
    cold_helper(1)
    raise Boom("profiled code raised")
