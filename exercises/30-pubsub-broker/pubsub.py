"""Exercise 30: a topic broker with wildcards, bounded per-subscriber queues, threads and asyncio.

Read README.md for the full spec. `Closed`, `Message` and `Policy` are given; write the rest.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, Self

Policy = Literal["block", "drop-oldest"]


class Closed(Exception):
    """The subscription was closed (unsubscribed) and holds no more messages."""


@dataclass(frozen=True, slots=True)
class Message:
    """One published message as a subscriber receives it."""

    topic: str
    payload: object


def topic_matches(pattern: str, topic: str) -> bool:
    """True if `topic` matches `pattern` (`*` is exactly one word, `#` zero or more words).

    Raises ValueError for an invalid pattern or topic.
    """
    raise NotImplementedError


class Subscription:
    """A bounded queue of the messages whose topic matched `pattern`."""

    pattern: str
    maxsize: int
    policy: Policy

    @property
    def dropped(self) -> int:
        """How many messages "drop-oldest" has discarded so far."""
        raise NotImplementedError

    @property
    def closed(self) -> bool:
        """True once the subscription was closed."""
        raise NotImplementedError

    def get(self, timeout: float | None = None) -> Message:
        """The next message, waiting up to `timeout` seconds (None: forever).

        Raises TimeoutError when the time is up, and Closed once the subscription is closed and empty.
        """
        raise NotImplementedError

    async def aget(self) -> Message:
        """The next message, awaited without blocking the event loop; Closed once closed and empty."""
        raise NotImplementedError

    def __iter__(self) -> Iterator[Message]:
        """Yield messages until the subscription is closed and drained."""
        raise NotImplementedError

    def __aiter__(self) -> AsyncIterator[Message]:
        raise NotImplementedError

    async def __anext__(self) -> Message:
        raise NotImplementedError

    def close(self) -> None:
        """Unsubscribe: no new messages arrive, queued ones can still be read, every waiter wakes up."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        raise NotImplementedError

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        raise NotImplementedError


class Broker:
    """Routes published messages to the subscriptions whose pattern matches the topic."""

    def subscribe(self, pattern: str, *, maxsize: int = 1000, policy: Policy = "block") -> Subscription:
        """A new subscription to `pattern` with a queue of `maxsize` messages and a full-queue `policy`."""
        raise NotImplementedError

    def unsubscribe(self, sub: Subscription) -> None:
        """Same as `sub.close()`; closing twice is harmless."""
        raise NotImplementedError

    def publish(self, topic: str, payload: object = None) -> int:
        """Deliver `Message(topic, payload)` to every matching subscription; return how many received it."""
        raise NotImplementedError

    async def apublish(self, topic: str, payload: object = None) -> int:
        """`publish` for coroutines: waits for room in "block" queues without blocking the event loop."""
        raise NotImplementedError
