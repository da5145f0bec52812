"""Hidden grader for exercise 22: speed of 2×10^5 mixed operations, side by side with the reference."""

from __future__ import annotations

import random
from types import ModuleType

import pytest
from _lru_support import FakeClock

from kata.testing import Perf

MAXSIZE = 4_096
KEY_SPACE = 2 * MAXSIZE  # about half the lookups hit, and full-cache puts evict
DEFAULT_TTL = 1_000.0
GET, PUT, PUT_TTL, DELETE, CONTAINS, LEN, TICK = range(7)


def _operations(n: int = 200_000, seed: int = 22) -> list[tuple[int, tuple[str, int]]]:
    """A fixed mix: 55% get, 30% put, 5% put with its own TTL, 4% delete, 4% contains, len, clock ticks."""
    rng = random.Random(seed)
    keys = [("user", k) for k in range(KEY_SPACE)]  # tuple keys, like a memoised function's arguments
    ops: list[tuple[int, tuple[str, int]]] = []
    for i in range(n):
        roll = rng.random()
        key = keys[rng.randrange(KEY_SPACE)]
        if i % 100 == 99:
            ops.append((TICK, keys[0]))
        elif i % 1000 == 998:
            ops.append((LEN, keys[0]))
        elif roll < 0.55:
            ops.append((GET, key))
        elif roll < 0.85:
            ops.append((PUT, key))
        elif roll < 0.90:
            ops.append((PUT_TTL, key))
        elif roll < 0.96:
            ops.append((DELETE, key))
        else:
            ops.append((CONTAINS, key))
    return ops


OPERATIONS = _operations()


def _workload(module: ModuleType) -> int:
    """Run every operation on a fresh cache; the clock advances one second every 100 operations."""
    clock = FakeClock(0.0)
    cache = module.LRUCache(MAXSIZE, DEFAULT_TTL, clock)
    get, put, delete = cache.get, cache.put, cache.delete
    hits = 0
    for op, key in OPERATIONS:
        if op == GET:
            if get(key) is not None:
                hits += 1
        elif op == PUT:
            put(key, key)
        elif op == PUT_TTL:
            put(key, key, 7.0)
        elif op == DELETE:
            delete(key)
        elif op == CONTAINS:
            hits += key in cache
        elif op == LEN:
            hits += len(cache)
        else:
            clock.now += 1.0
    return hits


@pytest.mark.perf
@pytest.mark.time_limit(90)
def test_mixed_operations_speed_against_the_reference(solution: ModuleType, reference: ModuleType, perf: Perf) -> None:
    """2×10^5 mixed get/put/delete/contains/len operations on a cache of 4096 run within 3× of the reference."""
    perf.compare(
        "200 000 mixed operations, maxsize 4096",
        lambda: _workload(solution),
        lambda: _workload(reference),
        max_ratio=3.0,
        clock="cpu",
    )
