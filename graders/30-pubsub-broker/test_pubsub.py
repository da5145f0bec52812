"""Hidden grader for exercise 30: a topic broker with wildcards, bounded queues, threads and asyncio.

Wildcard semantics are checked against an independent recursive matcher (`oracle_matches`), routing and queue
policies against a stateful model. The concurrency tests run real threads with a tiny switch interval and
check invariants that hold for every interleaving (per-publisher order, every message accounted for), so they
never depend on timing; the few timing bounds only separate "returns" from "hangs" and are seconds wide.
Every thread the grader starts is a daemon joined with a timeout, so a hang fails a test instead of the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from kata.testing import Perf, Source, switch_interval

_monotonic = time.monotonic  # bound before any learner code runs
HANG_S = 5.0  # a join that takes longer than this is a hang, even on a loaded machine (the reference: < 0.2 s)


def expect(condition: bool, message: str) -> None:
    """Fail the test with exactly `message` (no assertion-rewriting noise) unless `condition` holds."""
    if not condition:
        pytest.fail(message, pytrace=False)


# ------------------------------------------------------------------------------------------------ the oracle


def oracle_matches(pattern: str, topic: str) -> bool:
    """`*` is exactly one word, `#` zero or more: a direct recursive definition, memoised."""
    p, t = pattern.split("."), topic.split(".")

    @functools.cache
    def match(i: int, j: int) -> bool:
        if i == len(p):
            return j == len(t)
        if p[i] == "#":
            return match(i + 1, j) or (j < len(t) and match(i, j + 1))
        return j < len(t) and p[i] in ("*", t[j]) and match(i + 1, j + 1)

    return match(0, 0)


words = st.sampled_from(["a", "b", "c"])
topics = st.lists(words, min_size=1, max_size=6).map(".".join)
patterns = st.lists(st.sampled_from(["a", "b", "c", "*", "#"]), min_size=1, max_size=5).map(".".join)


# ------------------------------------------------------------------------------------------------ helpers


@dataclass
class Worker:
    """A daemon thread running `fn`, keeping its result or exception."""

    fn: Callable[[], Any]
    result: Any = None
    error: BaseException | None = None
    thread: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.result = self.fn()
        except BaseException as exc:  # reported by the test that joins the worker
            self.error = exc

    def join(self, timeout: float, what: str) -> Any:
        self.thread.join(timeout)
        expect(not self.thread.is_alive(), f"{what} did not return within {timeout:g} s")
        if self.error is not None:
            pytest.fail(f"{what} raised {type(self.error).__name__}: {self.error}", pytrace=False)
        return self.result


class TrackedBroker:
    """The learner's Broker, remembering every subscription made through it so teardown can close them all."""

    def __init__(self, broker: Any) -> None:
        self.broker = broker
        self.subs: list[Any] = []

    def subscribe(self, *args: Any, **kwargs: Any) -> Any:
        sub = self.broker.subscribe(*args, **kwargs)
        self.subs.append(sub)
        return sub

    def __getattr__(self, name: str) -> Any:
        return getattr(self.broker, name)


NewBroker = Callable[[], TrackedBroker]


@pytest.fixture
def new_broker(solution: ModuleType) -> Iterator[NewBroker]:
    """Fresh brokers for one test; at teardown every subscription is closed, which releases any thread still
    waiting on one (a hang in close() itself is abandoned after a second: the threads are daemons)."""
    made: list[TrackedBroker] = []

    def make() -> TrackedBroker:
        made.append(TrackedBroker(solution.Broker()))
        return made[-1]

    yield make
    for broker in made:
        for sub in broker.subs:
            Worker(sub.close).thread.join(1.0)


def plain(solution: ModuleType, message: Any) -> tuple[str, Any]:
    """A received message as a (topic, payload) tuple, after checking its type."""
    expect(
        type(message) is solution.Message,
        f"received {message!r} ({type(message).__name__}), expected a Message instance",
    )
    expect(type(message.topic) is str, f"Message.topic is {type(message.topic).__name__}, expected str")
    return message.topic, message.payload


def drain(solution: ModuleType, sub: Any) -> list[tuple[str, Any]]:
    """Everything queued right now, read with get(timeout=0)."""
    got = []
    while True:
        try:
            got.append(plain(solution, sub.get(timeout=0)))
        except (TimeoutError, solution.Closed):
            return got
        expect(len(got) < 100_000, "get(timeout=0) never ran out of messages")


def run_async(make: Callable[[], Awaitable[Any]], what: str, timeout: float = HANG_S) -> Any:
    """Run a coroutine on a fresh event loop in a daemon thread, so a blocked loop fails instead of hanging."""
    return Worker(lambda: asyncio.run(make())).join(timeout, what)  # type: ignore[arg-type]


def in_order(received: list[tuple[str, Any]]) -> str | None:
    """None if each publisher's sequence numbers arrive increasing, else a description of the first violation."""
    last: dict[Any, int] = {}
    for _topic, (publisher, seq) in received:
        if seq <= last.get(publisher, -1):
            return f"publisher {publisher}'s message {seq} arrived after its message {last[publisher]}"
        last[publisher] = seq
    return None


# ------------------------------------------------------------------------------------------------ wildcards


EXAMPLES = [
    ("a.*", "a.b", True),
    ("a.*", "a", False),
    ("a.*", "a.b.c", False),
    ("a.#", "a", True),
    ("a.#", "a.b", True),
    ("a.#", "a.b.c.d", True),
    ("a.#", "b.a", False),
    ("#", "x", True),
    ("#", "x.y.z", True),
    ("a.#.c", "a.c", True),
    ("a.#.c", "a.b.b.c", True),
    ("a.#.c", "a.b", False),
    ("#.c", "c", True),
    ("*.c", "c", False),
    ("a.*.#", "a", False),
    ("a.*.#", "a.b.c.d", True),
    ("#.#", "a", True),
    ("a.b", "a.b", True),
    ("a.b", "a.bb", False),
]


def test_wildcards_follow_the_documented_examples(solution: ModuleType) -> None:
    """`*` matches exactly one word, `#` zero or more words, anywhere in the pattern."""
    for pattern, topic, want in EXAMPLES:
        got = solution.topic_matches(pattern, topic)
        hint = " `#` matches zero or more words, `*` exactly one: did you treat them alike?" if "#" in pattern else ""
        expect(got is want, f"topic_matches({pattern!r}, {topic!r}) returned {got!r}, expected {want}.{hint}")


@settings(max_examples=300)
@given(patterns, topics)
def test_topic_matches_agrees_with_an_oracle(solution: ModuleType, pattern: str, topic: str) -> None:
    """topic_matches(pattern, topic) agrees with a direct recursive definition of the wildcards."""
    want = oracle_matches(pattern, topic)
    got = solution.topic_matches(pattern, topic)
    expect(got is want, f"topic_matches({pattern!r}, {topic!r}) returned {got!r}, expected {want}")


def test_invalid_topics_patterns_and_options_raise_value_error(solution: ModuleType) -> None:
    """Empty words, wildcards inside words or in topics, maxsize < 1 and unknown policies raise ValueError."""
    broker = solution.Broker()
    calls: list[tuple[str, Callable[[], object]]] = []
    for pattern in ["", "a..b", ".a", "a.", "a*", "a.b#", "#a", "**"]:
        calls.append((f"subscribe({pattern!r})", functools.partial(broker.subscribe, pattern)))
    for topic in ["", "a..b", ".a", "a.", "a.*", "#", "a.b#"]:
        calls.append((f"publish({topic!r}, 1)", functools.partial(broker.publish, topic, 1)))
    for bad in [{"maxsize": 0}, {"maxsize": -3}, {"policy": "drop-newest"}, {"policy": "BLOCK"}]:
        calls.append((f"subscribe('a', {bad})", functools.partial(broker.subscribe, "a", **bad)))
    calls.append(("topic_matches('a..b', 'a')", functools.partial(solution.topic_matches, "a..b", "a")))
    calls.append(("topic_matches('a', 'a.*')", functools.partial(solution.topic_matches, "a", "a.*")))
    for what, call in calls:
        try:
            call()
        except ValueError:
            continue
        except Exception as exc:
            pytest.fail(f"{what} raised {type(exc).__name__}: {exc}; expected ValueError", pytrace=False)
        pytest.fail(f"{what} returned normally; expected ValueError", pytrace=False)


@settings(max_examples=100)
@given(st.lists(patterns, min_size=1, max_size=8), st.lists(topics, min_size=1, max_size=10))
def test_publish_reaches_exactly_the_matching_subscriptions(
    solution: ModuleType, subscribed: list[str], published: list[str]
) -> None:
    """Each subscription receives exactly the published messages whose topic matches its pattern, in order."""
    broker = solution.Broker()
    subs = [broker.subscribe(p, maxsize=100, policy="drop-oldest") for p in subscribed]
    for i, topic in enumerate(published):
        want = sum(oracle_matches(p, topic) for p in subscribed)
        got = broker.publish(topic, i)
        expect(got == want, f"subscribed {subscribed}: publish({topic!r}) returned {got!r}, expected {want}")
    for pattern, sub in zip(subscribed, subs, strict=True):
        want = [(t, i) for i, t in enumerate(published) if oracle_matches(pattern, t)]
        got = drain(solution, sub)
        expect(got == want, f"published {published}: the subscription to {pattern!r} got {got}, expected {want}")


def test_broker_follows_a_model_of_subscribe_publish_get_and_close(solution: ModuleType) -> None:
    """Random sequences of subscribe / publish / get / close behave like a simple model of bounded queues."""

    @dataclass
    class Model:
        sub: Any
        pattern: str
        maxsize: int
        policy: str
        queue: deque[tuple[str, int]] = field(default_factory=deque)
        dropped: int = 0
        closed: bool = False

    class BrokerMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.broker = solution.Broker()
            self.models: list[Model] = []
            self.counter = 0

        @rule(pattern=patterns, maxsize=st.integers(1, 3), policy=st.sampled_from(["block", "drop-oldest"]))
        def subscribe(self, pattern: str, maxsize: int, policy: str) -> None:
            sub = self.broker.subscribe(pattern, maxsize=maxsize, policy=policy)
            self.models.append(Model(sub, pattern, maxsize, policy))

        @rule(topic=topics)
        def publish(self, topic: str) -> None:
            targets = [m for m in self.models if not m.closed and oracle_matches(m.pattern, topic)]
            if any(m.policy == "block" and len(m.queue) >= m.maxsize for m in targets):
                return  # it would wait for a reader that this single thread can't be
            self.counter += 1
            got = self.broker.publish(topic, self.counter)
            expect(
                got == len(targets),
                f"publish({topic!r}) returned {got!r}, expected {len(targets)} (open subscriptions: "
                f"{[m.pattern for m in self.models if not m.closed]})",
            )
            for m in targets:
                if len(m.queue) >= m.maxsize:
                    m.queue.popleft()
                    m.dropped += 1
                m.queue.append((topic, self.counter))

        @precondition(lambda self: self.models)
        @rule(index=st.integers(0, 50))
        def get(self, index: int) -> None:
            m = self.models[index % len(self.models)]
            try:
                got: object = plain(solution, m.sub.get(timeout=0))
            except TimeoutError:
                got = "TimeoutError"
            except solution.Closed:
                got = "Closed"
            want = m.queue.popleft() if m.queue else ("Closed" if m.closed else "TimeoutError")
            expect(
                got == want,
                f"get(timeout=0) on the subscription to {m.pattern!r} ({m.policy}, maxsize {m.maxsize}"
                f"{', closed' if m.closed else ''}) gave {got!r}, expected {want!r}",
            )

        @precondition(lambda self: self.models)
        @rule(index=st.integers(0, 50))
        def close(self, index: int) -> None:
            m = self.models[index % len(self.models)]
            m.sub.close()
            m.closed = True

        @invariant()
        def dropped_counts_agree(self) -> None:
            for m in self.models:
                expect(
                    m.sub.dropped == m.dropped,
                    f"the subscription to {m.pattern!r} ({m.policy}, maxsize {m.maxsize}) reports dropped="
                    f"{m.sub.dropped!r}, expected {m.dropped}",
                )
                expect(m.sub.closed is m.closed, f"closed is {m.sub.closed!r} for {m.pattern!r}, expected {m.closed}")

    run_state_machine_as_test(BrokerMachine, settings=settings(max_examples=60, stateful_step_count=25))


def test_unsubscribe_and_context_manager_stop_delivery_but_keep_queued_messages(
    solution: ModuleType, new_broker: NewBroker
) -> None:
    """After close()/unsubscribe() queued messages can still be read, then Closed; nothing new arrives."""
    broker = new_broker()
    sub = broker.subscribe("news.#")
    for i in range(3):
        broker.publish("news.eu", i)
    broker.unsubscribe(sub)
    broker.unsubscribe(sub)  # harmless twice
    got = broker.publish("news.eu", 99)
    expect(got == 0, f"publish after the only subscriber unsubscribed returned {got!r}, expected 0")
    received = [plain(solution, m) for m in sub]
    expect(received == [("news.eu", i) for i in range(3)], f"iterating the closed subscription gave {received}")
    with pytest.raises(solution.Closed):
        sub.get(timeout=1)
    with broker.subscribe("x") as scoped:
        expect(broker.publish("x", 1) == 1, "publish to a subscription inside its `with` block should return 1")
    expect(scoped.closed is True, "leaving the `with` block should close the subscription")
    expect(broker.publish("x", 2) == 0, "publish after the `with` block closed the subscription should return 0")


def test_get_with_a_timeout_raises_timeout_error(solution: ModuleType, new_broker: NewBroker) -> None:
    """get(timeout=0) returns at once; get(timeout=0.2) on an empty queue raises TimeoutError after ~0.2 s."""
    sub = new_broker().subscribe("a")
    t0 = _monotonic()
    with pytest.raises(TimeoutError):
        sub.get(timeout=0)
    with pytest.raises(TimeoutError):
        sub.get(timeout=0.2)
    elapsed = _monotonic() - t0
    expect(0.15 <= elapsed <= HANG_S, f"get(timeout=0) then get(timeout=0.2) took {elapsed:.2f} s, expected ~0.2 s")


# ------------------------------------------------------------------------------------------------ threads


def test_per_publisher_order_holds_with_concurrent_publishers(solution: ModuleType, new_broker: NewBroker) -> None:
    """4 threads publish at once: every subscriber sees each publisher's messages in publish order, none lost."""
    broker = new_broker()
    all_sub = broker.subscribe("#", maxsize=8)
    odd_sub = broker.subscribe("p.*.odd", maxsize=3)
    lossy = broker.subscribe("p.#", maxsize=4, policy="drop-oldest")
    n, per = 4, 250
    start = threading.Barrier(n + 1)

    def publisher(k: int) -> None:
        start.wait()
        for seq in range(per):
            broker.publish(f"p.{k}.{'odd' if seq % 2 else 'even'}", (k, seq))

    def consumer(sub: Any) -> list[Any]:
        return [plain(solution, m) for m in sub]

    with switch_interval(1e-6):
        consumers = [Worker(functools.partial(consumer, s)) for s in (all_sub, odd_sub)]
        publishers = [Worker(functools.partial(publisher, k)) for k in range(n)]
        start.wait()
        for w in publishers:
            w.join(HANG_S, "a publisher thread (4 publishing, 2 consumers reading)")
        for s in (all_sub, odd_sub, lossy):
            s.close()
        got_all = consumers[0].join(HANG_S, "a consumer iterating a subscription after close()")
        got_odd = consumers[1].join(HANG_S, "a consumer iterating a subscription after close()")
    got_lossy = drain(solution, lossy)
    for name, got, want in (("'#'", got_all, n * per), ("'p.*.odd'", got_odd, n * per // 2)):
        expect(
            len(got) == want,
            f"the {name} subscriber (block) received {len(got)} messages, expected {want}: publish() must have "
            'delivered to every matching subscriber (waiting for room under "block") when it returns',
        )
        problem = in_order(got)
        expect(problem is None, f"the {name} subscriber: {problem}; one publisher's messages must stay in order")
    problem = in_order(got_lossy)
    expect(problem is None, f"the drop-oldest subscriber: {problem}; dropping must not reorder what is kept")
    expect(
        len(got_lossy) + lossy.dropped == n * per,
        f"the drop-oldest subscriber kept {len(got_lossy)} and dropped {lossy.dropped} of {n * per} messages",
    )


def test_a_slow_drop_oldest_subscriber_does_not_stall_the_others(solution: ModuleType, new_broker: NewBroker) -> None:
    """A drop-oldest subscriber nobody reads keeps only the newest messages; the others get everything."""
    broker = new_broker()
    slow = broker.subscribe("metrics.#", maxsize=8, policy="drop-oldest")
    fast = broker.subscribe("metrics.*", maxsize=64)
    total = 5000
    reader = Worker(lambda: [plain(solution, fast.get(timeout=HANG_S)) for _ in range(total)])
    publisher = Worker(lambda: [broker.publish("metrics.cpu", i) for i in range(total)])
    publisher.join(
        HANG_S,
        "publishing 5000 messages while a drop-oldest subscriber with maxsize 8 is never read (drop-oldest must "
        "never make the publisher wait)",
    )
    got = reader.join(HANG_S, "the fast subscriber's reader")
    expect(got == [("metrics.cpu", i) for i in range(total)], "the fast subscriber did not get all 5000 in order")
    kept = drain(solution, slow)
    want = [("metrics.cpu", i) for i in range(total - 8, total)]
    expect(
        kept == want,
        f"the full drop-oldest queue kept payloads {[p for _, p in kept]}, expected the newest 8 "
        f"({total - 8}…{total - 1}): drop the oldest queued message, not the new one",
    )
    expect(slow.dropped == total - 8, f"dropped is {slow.dropped!r}, expected {total - 8}")


def test_block_policy_makes_the_publisher_wait_and_loses_nothing(solution: ModuleType, new_broker: NewBroker) -> None:
    """Under "block" a full queue makes publish() wait until a reader makes room; every message arrives."""
    broker = new_broker()
    sub = broker.subscribe("jobs", maxsize=2)
    publisher = Worker(lambda: [broker.publish("jobs", i) for i in range(10)])
    time.sleep(0.3)
    expect(
        publisher.thread.is_alive(),
        '10 messages into a "block" queue of maxsize 2 that nobody reads: publish() returned instead of waiting',
    )
    got = [plain(solution, sub.get(timeout=HANG_S)) for _ in range(10)]
    counts = publisher.join(HANG_S, "the publisher, after a reader emptied the queue")
    expect(got == [("jobs", i) for i in range(10)], f"the reader got {got}, expected payloads 0…9 in order")
    expect(counts == [1] * 10, f"publish() returned {counts}, expected 1 for each message")
    expect(sub.dropped == 0, f'a "block" subscription reports dropped={sub.dropped!r}, expected 0')


def test_a_blocked_publisher_does_not_hold_up_the_rest_of_the_broker(
    solution: ModuleType, new_broker: NewBroker
) -> None:
    """While one publish() waits on a full queue, other topics, subscribe() and unsubscribe() still work."""
    broker = new_broker()
    full = broker.subscribe("a.#", maxsize=1)
    stuck = Worker(lambda: [broker.publish("a.x", i) for i in range(2)])
    time.sleep(0.2)
    expect(stuck.thread.is_alive(), 'the second publish into a full "block" queue should wait')
    other = Worker(lambda: (broker.subscribe("b.*"), broker.publish("b.y", "hello")))
    other.join(
        3.0,
        "subscribe() and publish() on an unrelated topic while another publish() waits on a full queue (are you "
        "holding the broker's lock while you wait?)",
    )
    sub_b, count = other.result
    expect(count == 1, f"publish('b.y') returned {count!r}, expected 1")
    expect(plain(solution, sub_b.get(timeout=1)) == ("b.y", "hello"), "the 'b.*' subscriber got the wrong message")
    closer = Worker(full.close)
    closer.join(3.0, "close() on the full subscription a publisher is waiting on")
    counts = stuck.join(3.0, "the waiting publish(), after its subscription was closed")
    expect(counts == [1, 0], f"publish() returned {counts}; the second one, cut short by close(), should return 0")


def test_close_wakes_threads_waiting_in_get(solution: ModuleType, new_broker: NewBroker) -> None:
    """A thread blocked in get() raises Closed promptly when another thread closes the subscription."""
    sub = new_broker().subscribe("a")
    waiter = Worker(lambda: sub.get())
    time.sleep(0.2)
    expect(waiter.thread.is_alive(), "get() on an empty queue returned instead of waiting")
    sub.close()
    waiter.thread.join(3.0)
    expect(not waiter.thread.is_alive(), "get() was still waiting 3 s after close(): wake the waiters in close()")
    expect(
        isinstance(waiter.error, solution.Closed),
        f"get() woken by close() should raise Closed, it gave {waiter.error or waiter.result!r}",
    )


def test_concurrent_drop_oldest_accounts_for_every_message(solution: ModuleType, new_broker: NewBroker) -> None:
    """With 4 publishers and a reader racing on a tiny drop-oldest queue, kept + read + dropped = published."""
    broker = new_broker()
    sub = broker.subscribe("t", maxsize=1, policy="drop-oldest")
    n, per = 4, 1500
    start = threading.Barrier(n + 1)
    done = threading.Event()

    def publisher(k: int) -> None:
        start.wait()
        for seq in range(per):
            broker.publish("t", (k, seq))

    def reader() -> list[Any]:
        got = []
        start.wait()
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                got.append(plain(solution, sub.get(timeout=0.001)))
        return got

    with switch_interval(1e-6):
        consumer = Worker(reader)
        publishers = [Worker(functools.partial(publisher, k)) for k in range(n)]
        for w in publishers:
            w.join(HANG_S, "a publisher racing a reader on a drop-oldest queue")
        done.set()
        read = consumer.join(HANG_S, "the reader")
    kept = drain(solution, sub)
    accounted = len(read) + len(kept) + sub.dropped
    expect(
        accounted == n * per,
        f"read {len(read)} + still queued {len(kept)} + dropped {sub.dropped} = {accounted}, expected {n * per}: "
        "are the queue and the dropped counter updated under one lock?",
    )
    problem = in_order(read + kept)
    expect(problem is None, f"{problem}: per-publisher order must survive drops")


# ------------------------------------------------------------------------------------------------ asyncio


def test_aget_waits_without_blocking_the_event_loop(solution: ModuleType, new_broker: NewBroker) -> None:
    """`await sub.aget()` lets other coroutines run while it waits for a message from another thread."""
    broker = new_broker()
    sub = broker.subscribe("ev.*")

    async def scenario() -> tuple[int, Any]:
        beats = 0

        async def heartbeat() -> None:
            nonlocal beats
            while True:
                await asyncio.sleep(0.01)
                beats += 1

        beat = asyncio.create_task(heartbeat())
        await asyncio.sleep(0.05)
        timer = threading.Timer(0.3, broker.publish, ("ev.click", 7))
        timer.start()
        try:
            before = beats
            message = await asyncio.wait_for(sub.aget(), HANG_S / 2)
            return beats - before, plain(solution, message)
        finally:
            timer.cancel()
            beat.cancel()

    beats, got = run_async(scenario, "a coroutine awaiting aget() for a message published 0.3 s later")
    expect(got == ("ev.click", 7), f"aget() returned {got}, expected ('ev.click', 7)")
    expect(
        beats >= 5,
        f"a 10 ms heartbeat ran only {beats} times while aget() waited ~0.3 s: aget() blocked the event loop "
        "(did you call the blocking get() inside it?)",
    )


def test_apublish_waits_for_room_without_blocking_the_event_loop(solution: ModuleType, new_broker: NewBroker) -> None:
    """`await broker.apublish()` on a full "block" queue waits, while a coroutine on the same loop reads."""
    broker = new_broker()
    sub = broker.subscribe("q", maxsize=1)

    async def scenario() -> list[Any]:
        first = await broker.apublish("q", 1)
        pending = asyncio.create_task(broker.apublish("q", 2))
        await asyncio.sleep(0.1)
        waited = not pending.done()
        got = [plain(solution, await asyncio.wait_for(sub.aget(), 2))]
        second = await asyncio.wait_for(pending, 2)
        got.append(plain(solution, await asyncio.wait_for(sub.aget(), 2)))
        return [first, waited, second, got]

    first, waited, second, got = run_async(
        scenario, "apublish() into a full queue with a reader on the same event loop (did apublish block the loop?)"
    )
    expect(waited, 'apublish() into a full "block" queue completed at once instead of waiting for room')
    expect((first, second) == (1, 1), f"apublish() returned {first!r} and {second!r}, expected 1 and 1")
    expect(got == [("q", 1), ("q", 2)], f"aget() returned {got}, expected payloads 1 then 2")


def test_async_for_reads_messages_from_threads_in_order_until_closed(
    solution: ModuleType, new_broker: NewBroker
) -> None:
    """`async for` receives every message 3 publisher threads send (in per-publisher order) and ends on close."""
    broker = new_broker()
    sub = broker.subscribe("feed.#", maxsize=4)
    n, per = 3, 300

    def publisher(k: int) -> None:
        for seq in range(per):
            broker.publish(f"feed.{k}", (k, seq))

    async def scenario() -> list[Any]:
        threads = [Worker(functools.partial(publisher, k)) for k in range(n)]
        closer = Worker(lambda: ([w.thread.join(HANG_S) for w in threads], sub.close()))
        got = [plain(solution, m) async for m in sub]
        closer.thread.join(HANG_S)
        return got

    got = run_async(scenario, "`async for` over a subscription fed by 3 threads and then closed")
    expect(len(got) == n * per, f"`async for` received {len(got)} messages, expected {n * per}")
    problem = in_order(got)
    expect(problem is None, f"`async for`: {problem}")


def test_cancelling_aget_loses_no_message(solution: ModuleType, new_broker: NewBroker) -> None:
    """A message published just as a waiting aget() is cancelled stays in the queue for the next reader."""
    broker = new_broker()
    sub = broker.subscribe("m", maxsize=100, policy="drop-oldest")

    async def scenario() -> list[Any]:
        lost = []
        for i in range(20):
            task = asyncio.create_task(sub.aget())
            await asyncio.sleep(0)  # the task is now waiting
            broker.publish("m", i)
            task.cancel()
            try:
                got = await task
            except asyncio.CancelledError:
                try:
                    got = sub.get(timeout=0)
                except TimeoutError:
                    lost.append(i)
                    continue
            if plain(solution, got) != ("m", i):
                lost.append(i)
        return lost

    lost = run_async(scenario, "publishing while cancelling waiting aget() calls")
    expect(
        not lost,
        f"messages {lost} vanished: each was published while an aget() waited, the aget() was cancelled, and the "
        "message was neither returned by it nor left in the queue. Don't hand a message to a waiter that may "
        "still be cancelled; let the woken waiter take it from the queue itself.",
    )


def test_does_not_build_on_a_ready_made_queue(source: Source) -> None:
    """The shared thread/asyncio queue is built here: queue.Queue, asyncio.Queue and multiprocessing are not allowed."""
    why = "build the queue that threads and coroutines share yourself (a deque, a lock, conditions, futures)"
    found = source.violations(
        {
            "queue.Queue": why,
            "queue.SimpleQueue": why,
            "queue.LifoQueue": why,
            "queue.PriorityQueue": why,
            "asyncio.Queue": why,
            "asyncio.queues": why,
            "asyncio.LifoQueue": why,
            "asyncio.PriorityQueue": why,
            "multiprocessing": why,
        }
    )
    expect(not found, "\n".join(found))


# ------------------------------------------------------------------------------------------------ performance

SERVICES = 75
ROUNDS = 10  # the 200-topic stream is published this many times per timed call
SUFFIXES = ["orders.created", "orders.deleted", "users.created", "payments.audit", "payments.eu.audit"]


def build_broker(module: ModuleType) -> Any:
    """302 subscriptions: 4 per service (exact, `*`, trailing `#`, inner `#`) and 2 global wildcards."""
    broker = module.Broker()
    for s in range(SERVICES):
        for pattern in (f"svc{s}.orders.created", f"svc{s}.*.created", f"svc{s}.orders.#", f"svc{s}.#.audit"):
            broker.subscribe(pattern, maxsize=4, policy="drop-oldest")
    broker.subscribe("#.audit", maxsize=4, policy="drop-oldest")
    broker.subscribe("*.payments.*", maxsize=4, policy="drop-oldest")
    return broker


@pytest.mark.perf
@pytest.mark.time_limit(45)
def test_publish_throughput_is_within_3x_of_the_reference(
    solution: ModuleType, reference: ModuleType, perf: Perf
) -> None:
    """Publishing 2000 messages across 302 wildcard subscriptions stays within 3× of the reference (CPU time)."""
    rng = random.Random(30)
    stream = [f"svc{rng.randrange(SERVICES)}.{rng.choice(SUFFIXES)}" for _ in range(200)]
    every = _all_patterns()
    check = build_broker(solution)
    for topic in stream[:20]:  # a quick sanity check that the benchmark measures a working broker
        want = sum(oracle_matches(p, topic) for p in every)
        got = check.publish(topic, None)
        expect(got == want, f"in the benchmark's broker publish({topic!r}) reached {got!r} subscriptions, not {want}")
    learner_broker, reference_broker = build_broker(solution), build_broker(reference)

    def workload(broker: Any) -> int:
        # 2000 publishes, ~10 ms for the reference. Each call must last several scheduler ticks: right after the
        # harness's CPU-budget timer (ITIMER_VIRTUAL) the process CPU clock is tick-granular, and a ~1 ms call
        # can read as 0 ns, which makes the harness's calibration ask for a million calls.
        delivered = 0
        for _ in range(ROUNDS):
            for i, topic in enumerate(stream):
                delivered += broker.publish(topic, i)
        return delivered

    perf.compare(
        "publish 2000 messages to 302 subscriptions",
        lambda: workload(learner_broker),
        lambda: workload(reference_broker),
        max_ratio=3.0,
        clock="cpu",
    )


def _all_patterns() -> list[str]:
    found = []
    for s in range(SERVICES):
        found += [f"svc{s}.orders.created", f"svc{s}.*.created", f"svc{s}.orders.#", f"svc{s}.#.audit"]
    return [*found, "#.audit", "*.payments.*"]
