"""Hidden grader for exercise 22: the cache's behaviour, checked against an executable model of the spec."""

from __future__ import annotations

import math
import time
import tracemalloc
from types import ModuleType
from typing import Any

import pytest
from _lru_support import MISSING, FakeClock, ModelLRU, Val
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from kata.testing import Source

KEY_COUNT = 5
KEYS = st.integers(min_value=0, max_value=KEY_COUNT - 1)
WAITS = st.sampled_from([0, 0, 1, 2, 0.5])  # seconds the clock moves on before an operation
# Hypothesis's "explain" phase re-runs failing examples under a tracer: slow, and the steps say enough.
NO_EXPLAIN = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]


class CacheMachine(RuleBasedStateMachine):
    """Random sequences of operations on the learner's cache and on the model, with a fake clock.

    Every operation first moves the clock on by `wait` (often 0), so each one also runs right after entries
    expired: that is where lazy expiry forgets a case.
    """

    module: ModuleType

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock(1000.0)
        self.model = ModelLRU(1, None)
        self.cache: Any = None
        self.where = ""

    @initialize(maxsize=st.sampled_from([2, 3, 1, 4]), ttl=st.sampled_from([None, 3, None, 2]))
    def create(self, maxsize: int, ttl: int | None) -> None:
        self.cache = self.module.LRUCache(maxsize, ttl, self.clock)
        self.model = ModelLRU(maxsize, ttl)
        self.where = f"LRUCache(maxsize={maxsize}, ttl={ttl})"

    def _wait(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def _at(self) -> str:
        return f"{self.where} at clock {self.clock.now}"

    @rule(wait=WAITS, key=KEYS, n=st.integers(min_value=0, max_value=999))
    def put(self, wait: float, key: int, n: int) -> None:
        self._wait(wait)
        value = Val(n)
        self.cache.put(key, value)
        self.model.put(key, value, None, self.clock.now)

    @rule(wait=WAITS, key=KEYS, n=st.integers(min_value=0, max_value=999), ttl=st.sampled_from([1, 2, 3, math.inf]))
    def put_with_ttl(self, wait: float, key: int, n: int, ttl: float) -> None:
        self._wait(wait)
        value = Val(n)
        self.cache.put(key, value, ttl)
        self.model.put(key, value, ttl, self.clock.now)

    @rule(wait=WAITS, key=KEYS, pass_default=st.booleans())
    def get(self, wait: float, key: int, pass_default: bool) -> None:
        self._wait(wait)
        default = object()
        got = self.cache.get(key, default) if pass_default else self.cache.get(key)
        expected = self.model.get(key, self.clock.now)
        if expected is MISSING:
            want = default if pass_default else None
            shown = "the default you passed" if pass_default else "None"
            assert got is want, f"get({key}) returned {got!r}; expected {shown} ({self._at()}: absent or expired)"
        else:
            assert got is expected, f"get({key}) returned {got!r}, expected {expected!r} ({self._at()})"

    @rule(wait=WAITS, key=KEYS)
    def delete(self, wait: float, key: int) -> None:
        self._wait(wait)
        got = self.cache.delete(key)
        expected = self.model.delete(key, self.clock.now)
        assert got is expected, f"delete({key}) returned {got!r}, expected {expected} ({self._at()})"

    @rule(wait=WAITS, key=KEYS)
    def contains(self, wait: float, key: int) -> None:
        self._wait(wait)
        got = key in self.cache
        expected = self.model.contains(key, self.clock.now)
        assert got is expected, f"`{key} in cache` is {got!r}, expected {expected} ({self._at()})"

    @rule(wait=WAITS)
    def length(self, wait: float) -> None:
        self._wait(wait)
        got = len(self.cache)
        expected = self.model.size(self.clock.now)
        assert type(got) is int and got == expected, (
            f"len(cache) is {got!r}, expected {expected} live entries ({self._at()})"
        )

    @rule(wait=WAITS)
    def contents(self, wait: float) -> None:
        """Look at every key with `in` (which must not disturb the recency order)."""
        self._wait(wait)
        got = [k for k in range(KEY_COUNT) if k in self.cache]
        expected = [k for k in range(KEY_COUNT) if self.model.contains(k, self.clock.now)]
        assert got == expected, f"the keys `in` the cache are {got}, expected {expected} ({self._at()})"

    @rule(roll=st.integers(min_value=0, max_value=7))
    def clear(self, roll: int) -> None:
        if roll == 0:  # clearing on every eighth draw only keeps the cache interesting
            self.cache.clear()
            self.model.clear()


def test_least_recently_used_entry_is_evicted_first(solution: ModuleType) -> None:
    """When full, put evicts the entry used least recently (a get counts as a use)."""
    cache = solution.LRUCache(3)
    for key in "abc":
        cache.put(key, key.upper())
    assert cache.get("a") == "A"
    cache.put("d", "D")  # b is now the least recently used
    present = [k for k in "abcd" if k in cache]
    assert present == ["a", "c", "d"], (
        f"after put a, b, c, get a, put d into a cache of 3, the keys present are {present}; expected "
        "['a', 'c', 'd']: did get() move 'a' to the most recently used end?"
    )
    assert len(cache) == 3, f"len(cache) is {len(cache)}, expected 3"


def test_contains_does_not_count_as_a_use(solution: ModuleType) -> None:
    """`key in cache` does not refresh the key's recency: only get and put do."""
    cache = solution.LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert "a" in cache
    cache.put("c", 3)
    assert "a" not in cache, "'a' survived an eviction after only `'a' in cache`; contains must not count as a use"
    assert cache.get("b") == 2 and cache.get("c") == 3


def test_an_entry_expires_exactly_when_its_ttl_has_elapsed(solution: ModuleType) -> None:
    """An entry written at t with TTL 5 is live at t + 4.5 and gone at exactly t + 5 (now - t == ttl)."""
    clock = FakeClock(100.0)
    cache = solution.LRUCache(4, ttl=5, clock=clock)
    cache.put("k", "v")
    clock.now = 104.5
    assert cache.get("k") == "v", "the entry vanished before its TTL elapsed (written at 100, read at 104.5, ttl 5)"
    clock.now = 105.0
    got = cache.get("k")
    assert got is None, (
        f"get('k') at clock 105 returned {got!r} for an entry written at 100 with ttl 5; it expires at exactly "
        "now - written == ttl: did you compare with > instead of >=?"
    )
    assert "k" not in cache and len(cache) == 0, "the expired entry is still counted"


def test_per_entry_ttl_overrides_the_default(solution: ModuleType) -> None:
    """put(key, value, ttl) overrides the cache's default TTL; math.inf never expires."""
    clock = FakeClock(0.0)
    cache = solution.LRUCache(8, ttl=10, clock=clock)
    cache.put("short", 1, 2)
    cache.put("default", 2)
    cache.put("forever", 3, math.inf)
    clock.now = 2.0
    assert "short" not in cache, "an entry put with ttl=2 is still there after 2 seconds"
    assert "default" in cache, "an entry with the default ttl=10 vanished after 2 seconds"
    clock.now = 1e9
    assert "default" not in cache, "an entry with the default ttl=10 is still there much later"
    assert cache.get("forever") == 3, "an entry put with ttl=math.inf expired"


def test_rewriting_a_key_restarts_its_ttl_but_reading_it_does_not(solution: ModuleType) -> None:
    """TTL counts from the last put of a key; get does not extend it."""
    clock = FakeClock(0.0)
    cache = solution.LRUCache(4, ttl=3, clock=clock)
    cache.put("read", 1)
    cache.put("rewritten", 1)
    clock.now = 2.0
    assert cache.get("read") == 1
    cache.put("rewritten", 2)
    clock.now = 3.0
    assert cache.get("read") is None, "get() extended the entry's life; TTL counts from the last put only"
    assert cache.get("rewritten") == 2, "an entry rewritten at 2 with ttl 3 was gone at 3; put must restart the TTL"


def test_expired_entries_do_not_take_up_capacity(solution: ModuleType) -> None:
    """A put into a full cache drops expired entries before it evicts a live one."""
    clock = FakeClock(0.0)
    cache = solution.LRUCache(3, clock=clock)
    cache.put("old", 1)  # the least recently used, never expires
    cache.put("brief", 2, 1)  # expires at 1
    cache.put("new", 3)
    clock.now = 1.0
    cache.put("newer", 4)
    present = [k for k in ("old", "brief", "new", "newer") if k in cache]
    assert present == ["old", "new", "newer"], (
        f"keys present are {present}; expected ['old', 'new', 'newer']: the expired entry must not count "
        "towards maxsize, so nothing live is evicted"
    )


def test_delete_reports_whether_a_live_entry_was_removed(solution: ModuleType) -> None:
    """delete returns True for a live entry, False for an absent or expired one, and removes it."""
    clock = FakeClock(0.0)
    cache = solution.LRUCache(4, ttl=1, clock=clock)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.delete("a") is True, "delete of a live key must return True"
    assert "a" not in cache and len(cache) == 1
    assert cache.delete("a") is False, "delete of an absent key must return False"
    clock.now = 5.0
    assert cache.delete("b") is False, "delete of an expired key must return False (it was already gone)"


def test_clear_empties_the_cache(solution: ModuleType) -> None:
    """clear() removes every entry, and the cache works normally afterwards."""
    cache = solution.LRUCache(3)
    for i in range(5):
        cache.put(i, i)
    cache.clear()
    assert len(cache) == 0 and all(i not in cache for i in range(5)), "entries survived clear()"
    for i in range(4):
        cache.put(i, -i)
    assert [i for i in range(4) if i in cache] == [1, 2, 3], "after clear() the cache must evict as usual"


def test_values_are_returned_as_stored(solution: ModuleType) -> None:
    """The cache stores any object, including None and falsy values, and returns the very same object."""
    cache = solution.LRUCache(8)
    items: list[Any] = [None, 0, "", [], Val(1)]
    for i, item in enumerate(items):
        cache.put(i, item)
    sentinel = object()
    for i, item in enumerate(items):
        got = cache.get(i, sentinel)
        assert got is item, f"get({i}) returned {got!r}; expected the stored {item!r} itself"
    assert 0 in cache, "a key whose value is None must still be `in` the cache"


@pytest.mark.parametrize("maxsize", [0, -1])
def test_maxsize_below_one_is_rejected(solution: ModuleType, maxsize: int) -> None:
    """LRUCache(maxsize) with maxsize < 1 raises ValueError."""
    with pytest.raises(ValueError):
        solution.LRUCache(maxsize)


@pytest.mark.parametrize("ttl", [0, -1.0, math.nan])
def test_ttl_must_be_positive(solution: ModuleType, ttl: float) -> None:
    """A TTL of zero, a negative TTL or NaN raises ValueError, in the constructor and in put."""
    with pytest.raises(ValueError):
        solution.LRUCache(4, ttl=ttl)
    cache = solution.LRUCache(4)
    with pytest.raises(ValueError):
        cache.put("k", "v", ttl)
    assert "k" not in cache, "a rejected put must not store anything"


def test_default_clock_is_monotonic_time(solution: ModuleType) -> None:
    """Without a clock argument, TTLs are measured with time.monotonic()."""
    cache = solution.LRUCache(4, ttl=0.05)
    cache.put("k", "v")
    assert cache.get("k") == "v"
    time.sleep(0.1)
    assert "k" not in cache, "an entry with ttl=0.05 is still there after 0.1 s of real time"


def test_memory_stays_bounded_when_keys_are_rewritten(solution: ModuleType) -> None:
    """Rewriting a few keys 100 000 times with a long TTL leaves memory O(maxsize), not O(number of puts).

    Did you keep an expiry record per put (a heap, a list) and never drop the stale ones?
    """
    clock = FakeClock(0.0)
    cache = solution.LRUCache(16, ttl=1e9, clock=clock)
    tracemalloc.start()
    try:
        for i in range(1_000):
            cache.put(i % 16, i)
        base = tracemalloc.get_traced_memory()[0]
        for i in range(100_000):
            cache.put(i % 16, i)
            clock.now += 1e-3
        grown = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert grown < 1_000_000, (
        f"memory grew by {grown / 1e6:.1f} MB over 100 000 rewrites of 16 keys; it must stay O(maxsize): drop or "
        "compact expiry records that no longer belong to a live entry"
    )
    assert len(cache) == 16


def test_does_not_delegate_to_existing_caches(source: Source) -> None:
    """The cache is written by hand: no functools.lru_cache/cache and no cachetools."""
    why = "this exercise asks you to build the cache yourself"
    found = source.violations(
        {
            "functools.lru_cache": why,
            "functools.cache": why,
            "functools._lru_cache_wrapper": why,
            "cachetools": why,
        }
    )
    assert not found, "\n".join(found)


@pytest.mark.time_limit(60)
def test_cache_agrees_with_a_simple_model(solution: ModuleType) -> None:
    """Random put/get/delete/contains/clear/len sequences with a fake clock match a simple model of the spec."""

    class Machine(CacheMachine):
        module = solution

    run_state_machine_as_test(Machine, settings=settings(max_examples=300, stateful_step_count=50, phases=NO_EXPLAIN))
