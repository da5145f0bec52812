"""Hidden grader for exercise 6: lookups stay O(1), timed side by side with the reference."""

from __future__ import annotations

import random
from types import ModuleType

import pytest

from kata.testing import Perf

KEY_COUNT = 5_000


def _keys() -> tuple[list[str], list[str]]:
    rng = random.Random(6)
    stored = [f"X-Header-{i}" for i in range(KEY_COUNT)]
    lookups = [rng.choice(stored).swapcase() for _ in range(40_000)]
    return stored, lookups


STORED, LOOKUPS = _keys()


def _workload(module: ModuleType) -> int:
    """Fill 5 000 headers, then 40 000 lookups, updates and membership tests in other spellings."""
    d = module.CaseInsensitiveDict()
    for i, key in enumerate(STORED):
        d[key] = i
    total = 0
    for i, key in enumerate(LOOKUPS):
        total += d[key]
        if i % 4 == 0:
            d[key] = i
        if key.lower() in d:
            total += 1
    return total


@pytest.mark.perf
@pytest.mark.time_limit(60)
def test_lookup_speed_against_the_reference(solution: ModuleType, reference: ModuleType, perf: Perf) -> None:
    """5 000 keys, then 40 000 case-insensitive lookups, assignments and `in` tests run within 3× of the reference."""
    perf.compare(
        "5 000 keys, 40 000 mixed-case lookups",
        lambda: _workload(solution),
        lambda: _workload(reference),
        max_ratio=3.0,
        clock="cpu",
    )
