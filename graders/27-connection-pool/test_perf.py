"""Hidden grader for exercise 27: a pooled checkout is far cheaper than opening a connection each time."""

from __future__ import annotations

from types import ModuleType

import pytest
from _pool_support import Factory, healthy

from kata.testing import Perf

CONNECT_DELAY = 0.003  # a fast local database; over a network, connecting takes 10-100x longer


@pytest.mark.perf
def test_pooled_checkout_is_at_least_ten_times_faster_than_connecting(solution: ModuleType, perf: Perf) -> None:
    """Check out + query + return from a warm pool runs at least 10× faster than connect + query + close."""
    factory = Factory(max_live=100, delay=CONNECT_DELAY)  # the baseline opens its own too
    pool = solution.ConnectionPool(factory, min_size=2, max_size=4, health_check=healthy)

    def pooled() -> None:
        with pool.connection() as conn:
            conn.execute("select 1").fetchone()

    def connect_each_time() -> None:
        conn = factory()
        try:
            conn.execute("select 1").fetchone()
        finally:
            conn.close()

    try:
        perf.speedup(
            f"pooled checkout vs connecting each time ({CONNECT_DELAY * 1000:g} ms connect)",
            pooled,
            connect_each_time,
            min_speedup=10.0,
            clock="wall",
        )
    finally:
        pool.close()
