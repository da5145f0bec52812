"""Known-good: per-pattern matchers with a route cache (topic -> subscribers), one Condition per queue.

Written from the README alone, deliberately unlike the reference: no trie. Each pattern is matched by a small
recursive function; the list of subscribers for a topic is cached and the whole cache is dropped whenever the
set of subscriptions changes. Queues use a single Condition with notify_all, and coroutines wait on futures.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, Self

Policy = Literal["block", "drop-oldest"]


class Closed(Exception):
    """The subscription was closed (unsubscribed) and holds no more messages."""


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    payload: object


def _words(text: str, wildcards: bool) -> list[str]:
    if not isinstance(text, str) or text == "":
        raise ValueError(f"invalid {'pattern' if wildcards else 'topic'}: {text!r}")
    parts = text.split(".")
    for w in parts:
        if w == "":
            raise ValueError(f"empty word in {text!r}")
        if wildcards and w in ("*", "#"):
            continue
        if "*" in w or "#" in w:
            raise ValueError(f"misplaced wildcard in {text!r}")
    return parts


def _match(p: list[str], t: list[str], i: int = 0, j: int = 0) -> bool:
    while i < len(p):
        if p[i] == "#":
            return any(_match(p, t, i + 1, k) for k in range(j, len(t) + 1))
        if j >= len(t) or (p[i] != "*" and p[i] != t[j]):
            return False
        i, j = i + 1, j + 1
    return j == len(t)


def topic_matches(pattern: str, topic: str) -> bool:
    return _match(_words(pattern, True), _words(topic, False))


class Subscription:
    def __init__(self, broker: Broker, pattern: str, maxsize: int, policy: Policy) -> None:
        self.pattern, self.maxsize, self.policy = pattern, maxsize, policy
        self._words = _words(pattern, True)
        self._broker = broker
        self._q: deque[Message] = deque()
        self._cv = threading.Condition()
        self._futures: list[asyncio.Future[None]] = []
        self._dropped = 0
        self._closed = False

    @property
    def dropped(self) -> int:
        return self._dropped

    @property
    def closed(self) -> bool:
        return self._closed

    def _changed(self) -> None:
        """Something changed (a message in or out, or closed): wake every waiter. Condition held."""
        self._cv.notify_all()
        futures, self._futures = self._futures, []
        for f in futures:
            with contextlib.suppress(RuntimeError):
                f.get_loop().call_soon_threadsafe(lambda f=f: f.done() or f.set_result(None))

    def _try_put(self, m: Message) -> bool | None:
        """True: queued; False: closed; None: full under "block" (wait and retry). Condition held."""
        if self._closed:
            return False
        if len(self._q) >= self.maxsize:
            if self.policy == "block":
                return None
            self._q.popleft()
            self._dropped += 1
        self._q.append(m)
        self._changed()
        return True

    def _put(self, m: Message) -> bool:
        with self._cv:
            while (done := self._try_put(m)) is None:
                self._cv.wait()
            return done

    async def _aput(self, m: Message) -> bool:
        while True:
            with self._cv:
                done = self._try_put(m)
                if done is not None:
                    return done
                fut = asyncio.get_running_loop().create_future()
                self._futures.append(fut)
            await fut

    def _try_get(self) -> Message | None:
        if self._q:
            m = self._q.popleft()
            self._changed()
            return m
        if self._closed:
            raise Closed(self.pattern)
        return None

    def get(self, timeout: float | None = None) -> Message:
        end = None if timeout is None else time.monotonic() + timeout
        with self._cv:
            while (m := self._try_get()) is None:
                left = None if end is None else end - time.monotonic()
                if left is not None and left <= 0:
                    raise TimeoutError(self.pattern)
                self._cv.wait(left)
            return m

    async def aget(self) -> Message:
        while True:
            with self._cv:
                m = self._try_get()
                if m is not None:
                    return m
                fut = asyncio.get_running_loop().create_future()
                self._futures.append(fut)
            await fut

    def __iter__(self) -> Iterator[Message]:
        while True:
            try:
                yield self.get()
            except Closed:
                break

    def __aiter__(self) -> AsyncIterator[Message]:
        return self

    async def __anext__(self) -> Message:
        try:
            return await self.aget()
        except Closed:
            raise StopAsyncIteration from None

    def close(self) -> None:
        self._broker._drop(self)
        with self._cv:
            self._closed = True
            self._changed()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class Broker:
    def __init__(self) -> None:
        self._subs: list[Subscription] = []
        self._routes: dict[str, list[Subscription]] = {}
        self._lock = threading.Lock()

    def subscribe(self, pattern: str, *, maxsize: int = 1000, policy: Policy = "block") -> Subscription:
        if not isinstance(maxsize, int) or isinstance(maxsize, bool) or maxsize < 1:
            raise ValueError("maxsize must be a positive int")
        if policy not in ("block", "drop-oldest"):
            raise ValueError(f"unknown policy {policy!r}")
        sub = Subscription(self, pattern, maxsize, policy)
        with self._lock:
            self._subs.append(sub)
            self._routes.clear()
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        sub.close()

    def _drop(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)
                self._routes.clear()

    def _targets(self, topic: str) -> list[Subscription]:
        with self._lock:
            found = self._routes.get(topic)
            if found is None:
                words = _words(topic, False)
                found = self._routes[topic] = [s for s in self._subs if _match(s._words, words)]
            return found

    def publish(self, topic: str, payload: object = None) -> int:
        m = Message(topic, payload)
        return sum(s._put(m) for s in self._targets(topic))

    async def apublish(self, topic: str, payload: object = None) -> int:
        m = Message(topic, payload)
        count = 0
        for s in self._targets(topic):
            count += await s._aput(m)
        return count
