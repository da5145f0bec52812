"""Incremental HTTP/1.1 chunked transfer decoding, written as a coroutine (see README.md).

The exception and event classes are given; write `primed`, `chunked_decoder` and `decode_chunked`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

MAX_LINE_LENGTH = 4096
"""The most bytes a chunk-size line or a trailer line may hold before its CRLF."""

Extensions = tuple[tuple[bytes, bytes | None], ...]
Trailers = tuple[tuple[bytes, bytes], ...]


class ChunkedDecodeError(ValueError):
    """The input is not a valid chunked body; `offset` is the index of the first byte that cannot belong to one."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(f"{reason} at byte {offset}")
        self.reason = reason
        self.offset = offset


class IncompleteMessage(ChunkedDecodeError):
    """The input ended (an empty `send`) before the message did; `offset` is the number of bytes received."""


@dataclass(frozen=True)
class ChunkHeader:
    """A chunk-size line was received: `size` payload bytes follow (never 0: the last chunk ends the body)."""

    size: int
    extensions: Extensions


@dataclass(frozen=True)
class Data:
    """Payload bytes of the current chunk, emitted as soon as they arrive (never empty)."""

    data: bytes


@dataclass(frozen=True)
class EndOfMessage:
    """The final CRLF was received: the last chunk's extensions and the trailer fields."""

    extensions: Extensions
    trailers: Trailers


Event = ChunkHeader | Data | EndOfMessage

P = ParamSpec("P")
Y = TypeVar("Y")
S = TypeVar("S")
R = TypeVar("R")


def primed(genfunc: Callable[P, Generator[Y, S, R]]) -> Callable[P, Generator[Y, S, R]]:
    """Decorate a generator function so that calling it returns a generator already advanced to its first yield."""
    raise NotImplementedError


# Decorate with @primed once `primed` works (decorating with the stub would fail at import).
def chunked_decoder(on_event: Callable[[Event], object]) -> Generator[None, bytes, bytes]:
    """Decode one chunked body from the pieces sent in; return the bytes of the last piece that follow it.

    Send non-empty `bytes` pieces; send `b""` for end of input. `on_event` gets each event as soon as the byte
    that completes it arrives. Invalid input raises `ChunkedDecodeError` from the `send` that delivers the first
    bad byte; end of input before the final CRLF raises `IncompleteMessage`. When the message is complete the
    generator returns, so that `send` raises `StopIteration` whose `value` is the unread rest of the piece.
    """
    raise NotImplementedError


def decode_chunked(pieces: Iterable[bytes]) -> tuple[bytes, Trailers, bytes]:
    """Decode a chunked body arriving as `pieces`; return (body, trailers, the bytes after the message).

    Empty pieces are skipped. Raises `IncompleteMessage` if the pieces run out before the message ends.
    """
    raise NotImplementedError
