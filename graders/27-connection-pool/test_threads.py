"""Hidden grader for exercise 27: many threads sharing one pool.

Races only show when a thread is switched out in the middle of the pool's bookkeeping, so the stress test makes
that happen: 50 threads released together by a barrier, the interpreter asked to switch threads every
microsecond, and, because CPython switches only at calls and backward jumps, a trace function that releases the
GIL every few lines of the pool's own module (see `Interleaver`). The factory takes a few milliseconds to
connect and the pool is small (5), so threads fight over it. Each thread checks out and returns connections in
every supported way, and breaks some of them. The grader tracks which thread holds which connection and how many
are open, and checks the pool's books after every round.
"""

from __future__ import annotations

import random
import threading
from functools import partial
from types import ModuleType
from typing import Any

import pytest
from _pool_support import Factory, FakeClock, Interleaver, Worker, healthy, stats

from kata.testing import switch_interval

THREADS = 50
MAX_SIZE = 5
OPS_PER_THREAD = 15
ROUNDS = 2


class Broken(Exception):
    """Raised by a thread after it broke its connection inside a `with` block."""


class Holders:
    """Which thread holds which connection (by identity): two holders at once is the bug this test hunts."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held: dict[int, int] = {}
        self.errors: list[str] = []

    def claim(self, conn: Any, tid: int) -> None:
        with self.lock:
            other = self.held.get(id(conn))
            if other is not None:
                self.errors.append(f"thread {tid} got {conn!r} while thread {other} still held it")
            self.held[id(conn)] = tid
            if getattr(conn, "closed_by_close", False):
                self.errors.append(f"thread {tid} got {conn!r}, which had been closed")

    def unclaim(self, conn: Any) -> None:
        with self.lock:
            self.held.pop(id(conn), None)


def _hammer(pool: Any, holders: Holders, tid: int, barrier: threading.Barrier) -> None:
    rng = random.Random(tid)
    barrier.wait(timeout=30)
    for _ in range(OPS_PER_THREAD):
        roll = rng.random()
        try:
            if roll < 0.1:  # the connection breaks inside the block
                with pool.connection() as conn:
                    holders.claim(conn, tid)
                    holders.unclaim(conn)
                    conn.close()
                    raise Broken
            elif roll < 0.2:  # the caller notices the connection is broken and discards it
                conn = pool.acquire()
                holders.claim(conn, tid)
                holders.unclaim(conn)
                pool.discard(conn)
            elif roll < 0.5:
                conn = pool.acquire()
                holders.claim(conn, tid)
                try:
                    conn.execute("select 1")
                finally:
                    holders.unclaim(conn)
                    pool.release(conn)
            else:
                with pool.connection() as conn:
                    holders.claim(conn, tid)
                    try:
                        conn.execute("select 1")
                    finally:
                        holders.unclaim(conn)
        except Broken:
            pass
        except BaseException as exc:
            with holders.lock:
                holders.errors.append(f"thread {tid} got {type(exc).__name__}: {exc}")
            return  # one report per thread is enough


def _check_books(solution: ModuleType, pool: Any, factory: Factory, where: str) -> None:
    size, idle, in_use, waiting = stats(pool)
    assert (in_use, waiting) == (0, 0) and size == idle, (
        f"{where}, with every connection returned, stats() = (size {size}, idle {idle}, in_use {in_use}, waiting "
        f"{waiting}); expected size == idle, in_use 0, waiting 0"
    )
    assert size <= MAX_SIZE, f"{where}, stats().size is {size}; max_size is {MAX_SIZE}"
    assert factory.live == size, (
        f"{where}, {factory.live} connections are open but the pool counts {size}: connections leaked (or the "
        "count is off)"
    )
    conns = [pool.acquire(timeout=5) for _ in range(MAX_SIZE)]
    assert len({id(c) for c in conns}) == MAX_SIZE and all(c.works() for c in conns), (
        f"{where}, {MAX_SIZE} checkouts did not give {MAX_SIZE} distinct working connections"
    )
    with pytest.raises(solution.PoolTimeout):
        pool.acquire(timeout=0)
    for conn in conns:
        pool.release(conn)


@pytest.mark.time_limit(90)
def test_fifty_threads_share_the_pool_safely(solution: ModuleType) -> None:
    """50 threads checking out, returning, breaking and discarding connections never exceed max_size or share one."""
    for round_no in range(1, ROUNDS + 1):
        where = f"after round {round_no} of {THREADS} threads"
        factory = Factory(max_live=MAX_SIZE, delay=0.002)
        pool = solution.ConnectionPool(
            factory,
            min_size=1,
            max_size=MAX_SIZE,
            timeout=30,
            max_idle=3600,
            health_check=healthy,
            clock=FakeClock(),  # max_idle is set so expiry checks run, but nothing expires
        )
        holders = Holders()
        barrier = threading.Barrier(THREADS)
        workers = [Worker(partial(_hammer, pool, holders, t, barrier), name=f"hammer-{t}") for t in range(THREADS)]
        with switch_interval(1e-6), Interleaver(solution.__file__):
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.finish(timeout=60)
        problems = holders.errors + factory.violations
        assert not problems, (
            f"in round {round_no}, {len(problems)} things went wrong while {THREADS} threads shared the pool (is "
            "all of the pool's bookkeeping done under one lock?):\n" + "\n".join(problems[:5])
        )
        _check_books(solution, pool, factory, where)
        pool.close()
        assert factory.live == 0, f"{where}, close() left {factory.live} connections open"


@pytest.mark.time_limit(30)
def test_slow_connects_happen_in_parallel(solution: ModuleType) -> None:
    """Four threads checking out of an empty pool at once open their four connections at the same time."""
    meet = threading.Barrier(4, timeout=5)
    factory = Factory(max_live=4, barrier=meet)
    pool = solution.ConnectionPool(factory, max_size=4, timeout=20)
    go = threading.Barrier(4, timeout=10)

    def checkout() -> Any:
        go.wait()
        return pool.acquire()

    workers = [Worker(checkout) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.finish(timeout=20)
    errors = [w.error for w in workers if w.error is not None]
    assert not errors, (
        f"with a factory whose four calls must overlap, acquire() raised {errors[0]!r}: the connects ran one at a "
        "time. Do you hold the pool's lock while calling the factory? Reserve a slot under the lock, connect after."
    )
    assert len({id(w.result) for w in workers}) == 4
    for worker in workers:
        pool.release(worker.result)
    pool.close()
