"""Hidden grader for exercise 27: checkout, return, limits, timeouts, health checks, expiry and close."""

from __future__ import annotations

import sqlite3
import time
from types import ModuleType

import pytest
from _pool_support import Factory, FakeClock, Worker, healthy, stats, wait_for_waiters, wait_until


def test_invalid_sizes_and_limits_are_rejected(solution: ModuleType) -> None:
    """max_size < 1, min_size < 0, min_size > max_size, a negative timeout or max_idle <= 0 raise ValueError."""
    factory = Factory(max_live=10)
    for kwargs in (
        {"max_size": 0},
        {"min_size": -1},
        {"min_size": 3, "max_size": 2},
        {"timeout": -1.0},
        {"max_idle": 0.0},
    ):
        with pytest.raises(ValueError):
            solution.ConnectionPool(factory, **kwargs)
    assert factory.calls == 0, "a rejected pool opened connections"


def test_min_size_connections_are_opened_up_front(solution: ModuleType) -> None:
    """The constructor opens min_size connections; further ones are opened only when needed."""
    factory = Factory(max_live=5)
    pool = solution.ConnectionPool(factory, min_size=2, max_size=5)
    assert factory.calls == 2, f"the constructor called the factory {factory.calls} times; expected min_size = 2"
    assert stats(pool) == (2, 2, 0, 0), f"stats() = {stats(pool)}; expected (size 2, idle 2, in_use 0, waiting 0)"
    held = [pool.acquire() for _ in range(3)]
    assert factory.calls == 3, f"3 checkouts with 2 idle connections called the factory {factory.calls - 2} times"
    assert stats(pool) == (3, 0, 3, 0), f"stats() = {stats(pool)}; expected (3, 0, 3, 0)"
    for conn in held:
        pool.release(conn)
    pool.close()


def test_released_connections_are_reused_most_recent_first(solution: ModuleType) -> None:
    """A released connection is reused instead of opening another; the most recently released one comes first."""
    factory = Factory(max_live=3)
    pool = solution.ConnectionPool(factory, max_size=3)
    a, b = pool.acquire(), pool.acquire()
    assert a is not b, "two checkouts returned the same connection"
    pool.release(a)
    pool.release(b)
    assert stats(pool) == (2, 2, 0, 0), f"stats() after releasing both = {stats(pool)}; expected (2, 2, 0, 0)"
    got = pool.acquire()
    assert got is b, f"acquire() returned {got!r}; expected {b!r}, the most recently released (LIFO)"
    got2 = pool.acquire()
    assert got2 is a and factory.calls == 2, (
        f"expected {a!r} next and no new connection; factory calls = {factory.calls}"
    )
    pool.release(got)
    pool.release(got2)
    pool.close()


def test_never_more_than_max_size_connections(solution: ModuleType) -> None:
    """With max_size connections checked out, acquire(timeout=0) raises PoolTimeout at once and opens nothing."""
    factory = Factory(max_live=3)
    pool = solution.ConnectionPool(factory, max_size=3, timeout=5)
    held = [pool.acquire() for _ in range(3)]
    start = time.monotonic()
    with pytest.raises(solution.PoolTimeout):
        pool.acquire(timeout=0)
    assert time.monotonic() - start < 1.0, "acquire(timeout=0) waited; timeout=0 means don't wait"
    assert factory.calls == 3 and not factory.violations, f"the factory was called {factory.calls} times, max_size 3"
    for conn in held:
        pool.release(conn)
    pool.close()


def test_a_checkout_timeout_raises_a_clear_pool_timeout(solution: ModuleType) -> None:
    """acquire() waits up to the timeout, then raises PoolTimeout(timeout, max_size); the default is the pool's."""
    factory = Factory(max_live=2)
    pool = solution.ConnectionPool(factory, max_size=2, timeout=0.2)
    held = [pool.acquire(), pool.acquire()]
    for timeout, call in ((0.3, lambda: pool.acquire(timeout=0.3)), (0.2, pool.acquire)):
        start = time.monotonic()
        with pytest.raises(solution.PoolTimeout) as info:
            call()
        elapsed = time.monotonic() - start
        err = info.value
        assert elapsed >= timeout - 0.02, f"PoolTimeout after {elapsed:.3f} s; the timeout was {timeout} s"
        assert elapsed < timeout + 5, f"PoolTimeout only after {elapsed:.3f} s; the timeout was {timeout} s"
        assert (err.timeout, err.max_size) == (timeout, 2), (
            f"PoolTimeout(timeout={err.timeout!r}, max_size={err.max_size!r}); expected ({timeout}, 2)"
        )
        assert isinstance(err, solution.PoolError), "PoolTimeout must be a PoolError"
    assert stats(pool)[3] == 0, f"a timed-out caller is still counted as waiting: stats() = {stats(pool)}"
    for conn in held:
        pool.release(conn)
    pool.close()


@pytest.mark.time_limit(30)
def test_waiters_are_served_in_arrival_order(solution: ModuleType) -> None:
    """Threads blocked in acquire() get connections in the order they started waiting (FIFO)."""
    factory = Factory(max_live=1)
    pool = solution.ConnectionPool(factory, max_size=1, timeout=20)
    held = pool.acquire()
    order: list[int] = []

    def take_turn(i: int) -> None:
        conn = pool.acquire()
        order.append(i)
        pool.release(conn)

    workers = []
    for i in range(5):
        worker = Worker(lambda i=i: take_turn(i))
        worker.start()
        workers.append(worker)
        wait_for_waiters(pool, i + 1)
    pool.release(held)
    for worker in workers:
        worker.finish()
    errors = [w.error for w in workers if w.error is not None]
    assert not errors, f"waiting threads raised {errors[0]!r}"
    assert order == [0, 1, 2, 3, 4], f"waiters were served in the order {order}; expected [0, 1, 2, 3, 4] (FIFO)"
    assert factory.calls == 1, "the one connection should have been handed from waiter to waiter"
    pool.close()


@pytest.mark.time_limit(30)
def test_a_newcomer_never_overtakes_a_waiting_thread(solution: ModuleType) -> None:
    """A connection released while a thread waits belongs to that thread: acquire(timeout=0) right after fails."""
    factory = Factory(max_live=1)
    pool = solution.ConnectionPool(factory, max_size=1, timeout=20)
    for round_no in range(5):
        held = pool.acquire()
        done = Worker(lambda: pool.acquire())
        done.start()
        wait_for_waiters(pool, 1)
        pool.release(held)
        try:
            stolen = pool.acquire(timeout=0)
        except solution.PoolTimeout:
            stolen = None
        if stolen is not None:
            pool.release(stolen)  # let the waiting thread finish before reporting
        done.finish()
        assert stolen is None, (
            f"round {round_no}: right after release(), acquire(timeout=0) got {stolen!r} although a thread had "
            "been waiting for it; hand a released connection straight to the longest-waiting thread"
        )
        assert done.error is None and done.result is held, (
            f"round {round_no}: the waiting thread got {done.result!r} / {done.error!r}; expected {held!r}"
        )
        pool.release(done.result)
    pool.close()


@pytest.mark.time_limit(30)
def test_a_timed_out_waiter_leaves_the_queue(solution: ModuleType) -> None:
    """A waiter that times out gets PoolTimeout and leaves; the next release goes to the thread still waiting."""
    factory = Factory(max_live=1)
    pool = solution.ConnectionPool(factory, max_size=1, timeout=20)
    held = pool.acquire()
    quick = Worker(lambda: pool.acquire(timeout=1.0))
    quick.start()
    wait_for_waiters(pool, 1)
    patient = Worker(lambda: pool.acquire(timeout=20))
    patient.start()
    wait_until(
        lambda: stats(pool)[3] == 2 or (not quick.is_alive() and stats(pool)[3] == 1),
        "the second thread to start waiting",
    )
    quick.finish()
    assert type(quick.error) is solution.PoolTimeout, f"the 1 s waiter ended with {quick.result!r} / {quick.error!r}"
    wait_for_waiters(pool, 1)
    pool.release(held)
    patient.finish()
    assert patient.error is None and patient.result is held, (
        f"after the first waiter timed out, release() did not reach the second: it got {patient.result!r} / "
        f"{patient.error!r} (was the connection handed to the thread that had already given up?)"
    )
    pool.release(held)
    assert stats(pool) == (1, 1, 0, 0), f"stats() = {stats(pool)}; expected (1, 1, 0, 0)"
    pool.close()


def test_connections_go_back_when_the_with_block_raises(solution: ModuleType) -> None:
    """`with pool.connection() as c:` gives c back on exit, even when the block raises (the error propagates)."""
    factory = Factory(max_live=2)
    pool = solution.ConnectionPool(factory, max_size=2, health_check=healthy)
    boom = KeyError("raised inside the block")
    with pytest.raises(KeyError) as info, pool.connection() as conn:
        first = conn
        raise boom
    assert info.value is boom, "the block's exception must propagate unchanged"
    assert stats(pool) == (1, 1, 0, 0), f"after the block raised, stats() = {stats(pool)}; expected (1, 1, 0, 0)"
    with pool.connection() as conn:
        assert conn is first, "the healthy connection was not reused after the block raised"
        assert stats(pool)[2] == 1
    assert stats(pool) == (1, 1, 0, 0), f"after a normal exit, stats() = {stats(pool)}; expected (1, 1, 0, 0)"
    pool.close()


def test_a_broken_idle_connection_is_replaced_at_checkout(solution: ModuleType) -> None:
    """An idle connection that fails the health check is closed and replaced by a new one at checkout."""
    factory = Factory(max_live=1)
    calls: list[object] = []

    def check(conn: object) -> bool:
        calls.append(conn)
        return healthy(conn)

    pool = solution.ConnectionPool(factory, max_size=1, health_check=check)
    conn = pool.acquire()
    assert calls == [], "the health check ran on a connection fresh from the factory; check idle ones only"
    conn.close()  # the server went away while the connection was checked out
    pool.release(conn)
    replacement = pool.acquire()
    assert calls == [conn], f"the health check ran on {calls}; expected once, on the idle connection {conn!r}"
    assert replacement is not conn and replacement.works(), (
        f"acquire() returned {replacement!r}, which is broken; a connection failing the health check must be "
        "discarded and replaced"
    )
    assert factory.calls == 2 and factory.live == 1 and not factory.violations, (
        f"factory calls {factory.calls}, open connections {factory.live}; expected 2 and 1"
    )
    pool.release(replacement)
    pool.close()


def test_a_health_check_that_raises_means_broken(solution: ModuleType) -> None:
    """A health check that raises counts as a failed check: the connection is closed and replaced."""
    factory = Factory(max_live=1)

    def check(conn: object) -> bool:
        raise sqlite3.OperationalError("server has gone away")

    pool = solution.ConnectionPool(factory, max_size=1, health_check=check)
    first = pool.acquire()
    pool.release(first)
    second = pool.acquire()
    assert second is not first and first.closed_by_close, (
        "a connection whose health check raised was handed out again (or not closed)"
    )
    pool.release(second)
    pool.close()


def test_a_connection_broken_inside_the_with_block_is_discarded(solution: ModuleType) -> None:
    """If the block raises and the connection then fails the health check, it is closed and its slot freed."""
    factory = Factory(max_live=1)
    pool = solution.ConnectionPool(factory, max_size=1, health_check=healthy)
    with pytest.raises(sqlite3.ProgrammingError), pool.connection() as conn:
        conn.close()
        conn.execute("select 1")
    assert stats(pool) == (0, 0, 0, 0), (
        f"after a block broke its connection, stats() = {stats(pool)}; expected (0, 0, 0, 0): discard it"
    )
    with pool.connection() as fresh:
        assert fresh is not conn and fresh.works(), "the next checkout got the broken connection"
    no_check = solution.ConnectionPool(Factory(max_live=1), max_size=1)
    with pytest.raises(ZeroDivisionError), no_check.connection() as conn:
        _ = 1 / 0
    assert stats(no_check) == (1, 1, 0, 0), "without a health check, a connection must go back after an exception"
    pool.close()
    no_check.close()


@pytest.mark.time_limit(30)
def test_discard_frees_the_slot_for_a_waiting_thread(solution: ModuleType) -> None:
    """discard(conn) closes it and lets a waiting thread open a new connection in its place."""
    factory = Factory(max_live=1)
    pool = solution.ConnectionPool(factory, max_size=1, timeout=20)
    conn = pool.acquire()
    waiter = Worker(lambda: pool.acquire())
    waiter.start()
    wait_for_waiters(pool, 1)
    pool.discard(conn)
    waiter.finish()
    assert waiter.error is None, f"the waiting thread raised {waiter.error!r}"
    assert waiter.result is not conn and conn.closed_by_close, "discard() must close the connection for good"
    assert factory.calls == 2 and factory.live == 1 and not factory.violations, (
        f"factory calls {factory.calls}, open {factory.live}: {factory.violations}"
    )
    pool.release(waiter.result)
    pool.close()


@pytest.mark.time_limit(30)
def test_a_failed_connect_passes_the_slot_on(solution: ModuleType) -> None:
    """If the factory raises, acquire() raises that error and the slot goes to the next thread (nothing leaks)."""
    factory = Factory(max_live=1)
    pool = solution.ConnectionPool(factory, max_size=1, timeout=20)
    factory.fail_next = 1
    with pytest.raises(ConnectionRefusedError) as info:
        pool.acquire()
    assert info.value is factory.error, "acquire() must let the factory's exception through"
    assert stats(pool) == (0, 0, 0, 0), f"after a failed connect stats() = {stats(pool)}; expected all zeros"
    held = pool.acquire()
    first = Worker(lambda: pool.acquire())
    first.start()
    wait_for_waiters(pool, 1)
    second = Worker(lambda: pool.acquire())
    second.start()
    wait_for_waiters(pool, 2)
    factory.fail_next = 1
    pool.discard(held)
    first.finish()
    second.finish()
    assert first.error is factory.error, f"the first waiter should get the connect error, got {first.error!r}"
    assert second.error is None and second.result.works(), (
        f"after the first waiter's connect failed, the second got {second.result!r} / {second.error!r}; the freed "
        "slot must go on to the next waiter"
    )
    pool.release(second.result)
    pool.close()


def test_release_rejects_connections_not_checked_out(solution: ModuleType) -> None:
    """Releasing twice, or releasing a stranger, raises ValueError and doesn't put anything in the pool."""
    factory = Factory(max_live=2)
    pool = solution.ConnectionPool(factory, max_size=2)
    conn = pool.acquire()
    pool.release(conn)
    with pytest.raises(ValueError):
        pool.release(conn)
    with pytest.raises(ValueError):
        pool.release(sqlite3.connect(":memory:"))
    with pytest.raises(ValueError):
        pool.discard(conn)
    assert stats(pool) == (1, 1, 0, 0), (
        f"after a double release stats() = {stats(pool)}; expected (1, 1, 0, 0): one connection, in the pool once"
    )
    a, b = pool.acquire(), pool.acquire()
    assert a is not b, "a connection released twice was handed to two callers at once"
    pool.release(a)
    pool.release(b)
    pool.close()


def test_idle_connections_expire_after_max_idle(solution: ModuleType) -> None:
    """prune() closes connections idle for max_idle or longer (by the pool's clock), oldest first, keeping min_size."""
    clock = FakeClock(1000.0)
    factory = Factory(max_live=4)
    pool = solution.ConnectionPool(factory, min_size=1, max_size=4, max_idle=60, clock=clock)
    conns = [pool.acquire() for _ in range(4)]
    for conn in conns:  # released at 1000, 1010, 1020, 1030
        pool.release(conn)
        clock.now += 10
    clock.now = 1059.5
    assert pool.prune() == 0 and factory.live == 4, "prune() closed a connection idle for less than max_idle"
    clock.now = 1065.0
    closed = pool.prune()
    assert closed == 1 and conns[0].closed_by_close, (
        f"at t=1065 prune() returned {closed!r}; expected 1: only the connection released at t=1000 is 60+ s idle"
    )
    clock.now = 1090.0
    closed = pool.prune()
    assert closed == 2 and conns[1].closed_by_close and conns[2].closed_by_close, (
        f"at t=1090 prune() returned {closed!r}; expected 2: all three are 60+ s idle, but min_size=1 keeps one "
        "(the most recently used)"
    )
    assert not conns[3].closed_by_close and stats(pool) == (1, 1, 0, 0), f"stats() = {stats(pool)}"
    assert pool.acquire() is conns[3], "the connection kept for min_size should be handed out"
    pool.close()


def test_an_expired_connection_is_never_handed_out(solution: ModuleType) -> None:
    """acquire() closes expired idle connections instead of returning them, even without a call to prune()."""
    clock = FakeClock(0.0)
    factory = Factory(max_live=1)
    pool = solution.ConnectionPool(factory, max_size=1, max_idle=5, clock=clock)
    old = pool.acquire()
    pool.release(old)
    clock.now = 4.0
    assert pool.acquire() is old, "a connection idle for 4 s (max_idle 5) should be reused"
    pool.release(old)
    clock.now = 9.0
    new = pool.acquire()
    assert new is not old and old.closed_by_close, "acquire() handed out a connection idle for max_idle or longer"
    assert factory.live == 1 and not factory.violations
    pool.release(new)
    pool.close()


@pytest.mark.time_limit(30)
def test_close_shuts_everything_down(solution: ModuleType) -> None:
    """close(): idle connections closed now, in-use ones when released, waiters and later calls get PoolClosed."""
    factory = Factory(max_live=2)
    pool = solution.ConnectionPool(factory, max_size=2, timeout=20)
    a, b = pool.acquire(), pool.acquire()
    waiter = Worker(lambda: pool.acquire())
    waiter.start()
    wait_for_waiters(pool, 1)
    pool.release(b)  # handed to the waiter
    waiter.finish()
    pool.release(waiter.result)  # now idle
    c = pool.acquire()  # a and c in use: the next caller waits
    second = Worker(lambda: pool.acquire())
    second.start()
    wait_for_waiters(pool, 1)
    pool.close()
    second.finish()
    assert type(second.error) is solution.PoolClosed, f"a waiter got {second.result!r} / {second.error!r} on close()"
    assert not a.closed_by_close and not c.closed_by_close, "close() closed a connection still in use"
    with pytest.raises(solution.PoolClosed):
        pool.acquire()
    pool.release(a)
    pool.release(c)
    assert factory.live == 0, f"{factory.live} connections still open after close() and release of all"
    pool.close()  # idempotent
    factory2 = Factory(max_live=1)
    with solution.ConnectionPool(factory2, min_size=1, max_size=1) as pool2:
        assert stats(pool2) == (1, 1, 0, 0)
    assert factory2.live == 0, "leaving `with ConnectionPool(...)` must close the pool"
