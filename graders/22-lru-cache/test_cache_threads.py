"""Hidden grader for exercise 22: 16 threads hammering one cache must not break it.

Races only show up when a thread is switched out in the middle of an update, so the test makes that happen on
purpose rather than hoping for it: a barrier releases all threads at once, the interpreter is asked to switch
threads every microsecond, the key space is small (threads fight over the same entries), and the keys' hashes
release the GIL now and then (see `YieldingKey`), which interrupts an unlocked cache inside its updates on any
machine. Each round checks for errors and torn entries while the threads run, then checks that the cache is
still a working LRU cache of at most maxsize entries; several rounds, fresh cache each time.
"""

from __future__ import annotations

import math
import random
import threading
from types import ModuleType
from typing import Any

import pytest
from _lru_support import TickClock, YieldingKey

from kata.testing import switch_interval

THREADS = 16
ROUNDS = 5
OPS_PER_THREAD = 300
MAXSIZE = 16
KEYS = 40
FRESH = 3 * MAXSIZE
KEY_OBJECTS = [YieldingKey(n) for n in range(KEYS + FRESH)]


def _encodes(got: object, key: YieldingKey) -> bool:
    """Values are (key number, thread id, op number): a value under the wrong key is a torn entry."""
    return type(got) is tuple and len(got) == 3 and got[0] == key.n


def _hammer(cache: Any, tid: int, seed: int, barrier: threading.Barrier, errors: list[str]) -> None:
    """One thread's share: random gets, puts (some with short TTLs), deletes, contains and len."""
    rng = random.Random(seed)
    try:
        barrier.wait(timeout=10)
        for i in range(OPS_PER_THREAD):
            key = KEY_OBJECTS[rng.randrange(KEYS)]
            roll = rng.random()
            if roll < 0.45:
                ttl = rng.choice([None, None, 30, 200])  # the clock ticks once per reading
                cache.put(key, (key.n, tid, i), ttl)
            elif roll < 0.85:
                got = cache.get(key)
                if got is not None and not _encodes(got, key):
                    errors.append(f"get({key}) returned {got!r}, a value stored under another key (a torn entry)")
            elif roll < 0.93:
                cache.delete(key)
            elif roll < 0.97:
                _ = key in cache
            else:
                size = len(cache)
                if size > MAXSIZE:
                    errors.append(f"len(cache) was {size} while the threads ran; maxsize is {MAXSIZE}")
    except BaseException as exc:  # report anything, even from a broken cache
        errors.append(f"thread {tid} raised {type(exc).__name__}: {exc!r}")


def _check_still_an_lru_cache(cache: Any, where: str) -> None:
    """Size bound, no torn entries, and fresh puts evict exactly as an LRU cache must."""
    size = len(cache)
    assert type(size) is int and size <= MAXSIZE, f"len(cache) is {size!r} {where}; maxsize is {MAXSIZE}"
    present = [k for k in KEY_OBJECTS[:KEYS] if k in cache]
    assert len(present) == size, (
        f"{len(present)} keys are `in cache` but len(cache) is {size} {where}: the cache's structures disagree"
    )
    for key in present:
        got = cache.get(key)
        assert _encodes(got, key), f"get({key}) returned {got!r} {where}: a torn entry"
    fresh = KEY_OBJECTS[KEYS:]
    for key in fresh:
        cache.put(key, (key.n, -1, -1), math.inf)
    expected = fresh[-MAXSIZE:]
    kept = [k for k in KEY_OBJECTS if k in cache]
    assert kept == expected and len(cache) == MAXSIZE, (
        f"{where}, putting {FRESH} fresh keys into the cache left {len(cache)} entries {kept}; expected just the "
        f"last {MAXSIZE} fresh keys {expected}: the recency order and the key index went out of step"
    )


@pytest.mark.time_limit(60)
def test_sixteen_threads_keep_the_cache_consistent(solution: ModuleType) -> None:
    """16 threads hammering get/put/delete on one small cache keep size <= maxsize and every entry intact."""
    for round_no in range(1, ROUNDS + 1):
        where = f"after round {round_no} of {THREADS} threads"
        clock = TickClock()
        cache = solution.LRUCache(MAXSIZE, None, clock)
        barrier = threading.Barrier(THREADS)
        errors: list[str] = []
        threads = [
            threading.Thread(target=_hammer, args=(cache, t, 100 * round_no + t, barrier, errors), daemon=True)
            for t in range(THREADS)
        ]
        with switch_interval(1e-6):
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=40)
        stuck = sum(t.is_alive() for t in threads)
        assert not stuck, f"{stuck} of {THREADS} threads never finished in round {round_no}: a deadlock, or a loop?"
        assert not errors, (
            f"in round {round_no}, {len(errors)} things went wrong while {THREADS} threads shared the cache (is "
            "every operation, reads included, done under one lock?):\n" + "\n".join(errors[:5])
        )
        clock.freeze()  # nothing expires while the cache is inspected
        _check_still_an_lru_cache(cache, where)
