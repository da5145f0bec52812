"""Known-bad: publish() hands deliveries to a thread pool and returns at once: "block" no longer makes the publisher wait, and one publisher's messages can arrive out of order."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import contextlib
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal, Self

Policy = Literal["block", "drop-oldest"]
POLICIES: tuple[Policy, ...] = ("block", "drop-oldest")
ONE = "*"  # exactly one word
ANY = "#"  # zero or more words


class Closed(Exception):
    """The subscription was closed (unsubscribed) and holds no more messages."""


@dataclass(frozen=True, slots=True)
class Message:
    """One published message as a subscriber receives it."""

    topic: str
    payload: object


def split_topic(topic: str) -> tuple[str, ...]:
    """The words of a topic; ValueError unless it is one or more non-empty words without wildcards."""
    if not isinstance(topic, str):
        raise TypeError(f"a topic is a str, not {type(topic).__name__}")
    words = tuple(topic.split("."))
    for word in words:
        if not word or ONE in word or ANY in word:
            raise ValueError(f"invalid topic {topic!r}: words must be non-empty and contain no '*' or '#'")
    return words


def split_pattern(pattern: str) -> tuple[str, ...]:
    """The words of a pattern; ValueError unless every word is non-empty and `*`/`#` stand alone."""
    if not isinstance(pattern, str):
        raise TypeError(f"a pattern is a str, not {type(pattern).__name__}")
    words = tuple(pattern.split("."))
    for word in words:
        if not word or (word not in (ONE, ANY) and (ONE in word or ANY in word)):
            raise ValueError(f"invalid pattern {pattern!r}: '*' and '#' must be whole words, words non-empty")
    return words


def topic_matches(pattern: str, topic: str) -> bool:
    """True if `topic` matches `pattern` (`*` is exactly one word, `#` zero or more)."""
    want, words = split_pattern(pattern), split_topic(topic)
    # Simulate the pattern as an automaton: the set of pattern positions reachable after each topic word.
    states = _skip_hashes({0}, want)
    for word in words:
        step = set()
        for i in states:
            if i < len(want):
                if want[i] == ANY:
                    step.add(i)  # '#' swallows this word and stays
                elif want[i] in (ONE, word):
                    step.add(i + 1)
        states = _skip_hashes(step, want)
        if not states:
            return False
    return len(want) in states


def _skip_hashes(states: set[int], want: tuple[str, ...]) -> set[int]:
    """Add the position after every '#' reachable from `states`: a '#' may match zero words."""
    todo = list(states)
    while todo:
        i = todo.pop()
        if i < len(want) and want[i] == ANY and i + 1 not in states:
            states.add(i + 1)
            todo.append(i + 1)
    return states


def _trie_keys(pattern: str) -> tuple[str, ...]:
    """The pattern's words as trie keys: `#.#` matches what `#` matches, so runs of '#' become one."""
    keys: list[str] = []
    for word in split_pattern(pattern):
        if not (word == ANY and keys and keys[-1] == ANY):
            keys.append(word)
    return tuple(keys)


@dataclass(eq=False, slots=True)
class _Node:
    """A trie node: the subscriptions whose pattern ends here, and the next word of longer patterns."""

    children: dict[str, _Node] = field(default_factory=dict)
    subs: dict[Subscription, None] = field(default_factory=dict)  # an insertion-ordered set


def _collect(node: _Node, words: tuple[str, ...], i: int, found: dict[Subscription, None]) -> None:
    """Add to `found` the subscriptions of every pattern below `node` that matches `words[i:]`."""
    if i == len(words):
        found.update(node.subs)
    else:
        exact = node.children.get(words[i])
        if exact is not None:
            _collect(exact, words, i + 1, found)
        one = node.children.get(ONE)
        if one is not None:
            _collect(one, words, i + 1, found)
    rest = node.children.get(ANY)
    if rest is not None:
        for j in range(i, len(words) + 1):  # '#' swallows words[i:j]
            _collect(rest, words, j, found)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _wake_all(waiters: list[asyncio.Future[None]]) -> None:
    """Complete every waiting future, each on its own loop's thread (safe to call from any thread)."""
    for waiter in waiters:
        with contextlib.suppress(RuntimeError):  # its loop is closed: nobody is waiting any more
            waiter.get_loop().call_soon_threadsafe(_wake, waiter)
    waiters.clear()


class Subscription:
    """A bounded queue of the messages that matched `pattern`; read it with `get`, `aget` or iteration."""

    def __init__(self, broker: Broker, pattern: str, maxsize: int, policy: Policy) -> None:
        self.pattern = pattern
        self.maxsize = maxsize
        self.policy: Policy = policy
        self._broker = broker
        self._items: deque[Message] = deque()
        self._lock = threading.Lock()
        self._not_empty = threading.Condition(self._lock)
        self._not_full = threading.Condition(self._lock)
        self._thread_getters = 0
        self._thread_putters = 0
        self._async_getters: list[asyncio.Future[None]] = []
        self._async_putters: list[asyncio.Future[None]] = []
        self._dropped = 0
        self._closed = False

    def __repr__(self) -> str:
        return f"<Subscription {self.pattern!r} {self.policy} {len(self._items)}/{self.maxsize}>"

    @property
    def dropped(self) -> int:
        """How many messages "drop-oldest" has discarded so far."""
        return self._dropped

    @property
    def closed(self) -> bool:
        return self._closed

    # ------------------------------------------------------------------------------------ producer side

    def _append(self, message: Message) -> None:
        """Queue `message` (dropping the oldest one if that policy says so) and wake a reader. Lock held."""
        if len(self._items) >= self.maxsize:  # only reachable under "drop-oldest"
            self._items.popleft()
            self._dropped += 1
        self._items.append(message)
        if self._thread_getters:
            self._not_empty.notify()
        if self._async_getters:
            _wake_all(self._async_getters)

    def _must_wait(self) -> bool:
        return self.policy == "block" and len(self._items) >= self.maxsize and not self._closed

    def _offer(self, message: Message) -> bool:
        """Deliver from a thread, waiting for space under "block"; False if the subscription closed first."""
        with self._lock:
            while self._must_wait():
                self._thread_putters += 1
                try:
                    self._not_full.wait()
                finally:
                    self._thread_putters -= 1
            if self._closed:
                return False
            self._append(message)
            return True

    async def _aoffer(self, message: Message) -> bool:
        """Deliver from a coroutine, awaiting space under "block" without blocking the event loop."""
        loop = asyncio.get_running_loop()
        while True:
            with self._lock:
                if not self._must_wait():
                    if self._closed:
                        return False
                    self._append(message)
                    return True
                waiter = loop.create_future()
                self._async_putters.append(waiter)
            try:
                await waiter
            finally:
                with self._lock, contextlib.suppress(ValueError):
                    self._async_putters.remove(waiter)

    # ------------------------------------------------------------------------------------ consumer side

    def _take(self) -> Message:
        """Pop the oldest message and wake the writers waiting for space. Lock held, queue not empty."""
        message = self._items.popleft()
        if self._thread_putters:
            self._not_full.notify()
        if self._async_putters:
            _wake_all(self._async_putters)
        return message

    def get(self, timeout: float | None = None) -> Message:
        """The next message, waiting up to `timeout` seconds (None: forever).

        Raises TimeoutError when the time is up, and Closed once the subscription is closed and empty.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while not self._items:
                if self._closed:
                    raise Closed(f"subscription {self.pattern!r} is closed")
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(f"no message for {self.pattern!r} within {timeout} s")
                self._thread_getters += 1
                try:
                    self._not_empty.wait(remaining)
                finally:
                    self._thread_getters -= 1
            return self._take()

    async def aget(self) -> Message:
        """The next message, awaited without blocking the event loop; Closed once closed and empty.

        Cancelling it never loses a message: a message is taken only by a call that then returns it.
        """
        loop = asyncio.get_running_loop()
        while True:
            with self._lock:
                if self._items:
                    return self._take()
                if self._closed:
                    raise Closed(f"subscription {self.pattern!r} is closed")
                waiter = loop.create_future()
                self._async_getters.append(waiter)
            try:
                await waiter
            finally:
                with self._lock, contextlib.suppress(ValueError):
                    self._async_getters.remove(waiter)

    def __iter__(self) -> Iterator[Message]:
        """Yield messages until the subscription is closed and drained."""
        while True:
            try:
                yield self.get()
            except Closed:
                return

    def __aiter__(self) -> AsyncIterator[Message]:
        return self

    async def __anext__(self) -> Message:
        try:
            return await self.aget()
        except Closed:
            raise StopAsyncIteration from None

    # ------------------------------------------------------------------------------------ lifetime

    def close(self) -> None:
        """Unsubscribe: no new messages arrive; queued ones can still be read; every waiter wakes up."""
        self._broker._remove(self)
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._not_empty.notify_all()
            self._not_full.notify_all()
            _wake_all(self._async_getters)
            _wake_all(self._async_putters)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


_DISPATCH = ThreadPoolExecutor(max_workers=4)


class Broker:
    """Routes published messages to the subscriptions whose pattern matches the topic."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards the trie only; never held while waiting for a queue
        self._root = _Node()

    def subscribe(self, pattern: str, *, maxsize: int = 1000, policy: Policy = "block") -> Subscription:
        """A new subscription to `pattern` with a queue of `maxsize` messages and a full-queue `policy`."""
        keys = _trie_keys(pattern)
        if type(maxsize) is not int or maxsize < 1:
            raise ValueError(f"maxsize must be an int ≥ 1, got {maxsize!r}")
        if policy not in POLICIES:
            raise ValueError(f"policy must be one of {POLICIES}, got {policy!r}")
        sub = Subscription(self, pattern, maxsize, policy)
        with self._lock:
            node = self._root
            for word in keys:
                node = node.children.setdefault(word, _Node())
            node.subs[sub] = None
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Same as `sub.close()`; closing twice is harmless."""
        sub.close()

    def _remove(self, sub: Subscription) -> None:
        """Take `sub` out of the trie (if it is still there), pruning the branches it leaves empty."""
        keys = _trie_keys(sub.pattern)
        with self._lock:
            path = [self._root]
            for word in keys:
                child = path[-1].children.get(word)
                if child is None:
                    return
                path.append(child)
            if sub not in path[-1].subs:
                return
            del path[-1].subs[sub]
            for word, parent, node in zip(reversed(keys), reversed(path[:-1]), reversed(path[1:]), strict=True):
                if node.subs or node.children:
                    break
                del parent.children[word]

    def _match(self, topic: str) -> list[Subscription]:
        """The subscriptions whose pattern matches `topic` (ValueError for an invalid topic)."""
        words = split_topic(topic)
        found: dict[Subscription, None] = {}
        with self._lock:
            _collect(self._root, words, 0, found)
        return list(found)

    def publish(self, topic: str, payload: object = None) -> int:
        """Deliver `payload` on `topic` to every matching subscription; return how many received it.

        Under "block" this waits while a matching queue is full (until there is room or it is closed).
        Messages one thread publishes reach every subscriber in the order they were published.
        """
        subs = self._match(topic)
        message = Message(topic, payload)
        for sub in subs:  # deliver in the background: publish() never waits
            _DISPATCH.submit(sub._offer, message)
        return len(subs)

    async def apublish(self, topic: str, payload: object = None) -> int:
        """`publish` for coroutines: waits for room in "block" queues without blocking the event loop."""
        subs = self._match(topic)
        message = Message(topic, payload)
        delivered = 0
        for sub in subs:
            delivered += await sub._aoffer(message)
        return delivered
