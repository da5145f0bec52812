"""Known-bad: assumes every line arrives whole in one piece (no CRLF in this piece = error).

Incremental HTTP/1.1 chunked transfer decoding, written as a coroutine.

The decoder is a generator fed with `send()`. Inside, it is an ordinary recursive-descent parser for the
chunked body grammar of RFC 9112 §7.1 that reads one byte at a time with `c = yield from inp.peek()`. When the
current piece of input runs out, that call suspends the whole stack of parsing generators at a bare `yield`
until the caller sends the next piece, so the parser is written as if all the input were already there.

There is no state enum: which rule the parser is in is its position in the code, and everything else (the
chunk size, how much of the chunk is left, the name it is halfway through) is a local variable. Bytes are
checked the moment they arrive, so an error names the first byte that cannot belong to a valid message,
whatever the piece boundaries were.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

__all__ = [
    "MAX_LINE_LENGTH",
    "ChunkHeader",
    "ChunkedDecodeError",
    "Data",
    "EndOfMessage",
    "Event",
    "Extensions",
    "IncompleteMessage",
    "Trailers",
    "chunked_decoder",
    "decode_chunked",
    "primed",
]

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
T = TypeVar("T")

# What every parsing step is: a generator that is sent bytes and eventually returns a T.
_Step = Generator[None, bytes, T]


def primed(genfunc: Callable[P, Generator[Y, S, R]]) -> Callable[P, Generator[Y, S, R]]:
    """Decorate a generator function so that calling it returns a generator already advanced to its first yield.

    A fresh generator can't be sent a value (`TypeError: can't send non-None value to a just-started
    generator`); priming runs it up to the `yield` where it waits for its first input.
    """

    @functools.wraps(genfunc)
    def start(*args: P.args, **kwargs: P.kwargs) -> Generator[Y, S, R]:
        generator = genfunc(*args, **kwargs)
        next(generator)
        return generator

    return start


CR, LF, SP, HTAB = ord("\r"), ord("\n"), ord(" "), ord("\t")
SEMICOLON, EQUALS, COLON, DQUOTE, BACKSLASH = ord(";"), ord("="), ord(":"), ord('"'), ord("\\")

_HEX_VALUE = {c: int(chr(c), 16) for c in b"0123456789abcdefABCDEF"}
_WHITESPACE = frozenset((SP, HTAB))
_TCHAR = frozenset(b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_VCHAR = frozenset(range(0x21, 0x7F))
_OBS_TEXT = frozenset(range(0x80, 0x100))
# Inside a quoted string: any visible byte but '"' and '\', plus whitespace; after a '\': any of those, '"' and '\'.
_QDTEXT = (_VCHAR | _OBS_TEXT | _WHITESPACE) - {DQUOTE, BACKSLASH}
_QUOTED_PAIR = _VCHAR | _OBS_TEXT | _WHITESPACE
_FIELD_VALUE = _VCHAR | _OBS_TEXT | _WHITESPACE


class _Input:
    """The piece of input being parsed, the read position in it, and where the current line started.

    Positions are offsets into the whole stream: `base` is the offset of the current piece's first byte.
    Pieces are never joined: a parsing step reads through the current piece and suspends when it runs out.
    """

    __slots__ = ("base", "line_start", "piece", "pos")

    def __init__(self) -> None:
        self.piece = b""
        self.pos = 0
        self.base = 0
        self.line_start = 0

    @property
    def offset(self) -> int:
        return self.base + self.pos

    def error(self, reason: str) -> ChunkedDecodeError:
        """An error at the byte under the read position (the one the parser has just peeked at)."""
        return ChunkedDecodeError(reason, self.offset)

    def refill(self) -> _Step[None]:
        """Suspend until the caller sends the next piece; an empty piece means the input has ended."""
        piece = yield
        if not piece:
            raise IncompleteMessage("the input ended before the message did", self.offset)
        self.base += len(self.piece)
        self.piece, self.pos = piece, 0

    def peek(self) -> _Step[int]:
        """The next byte, without consuming it (suspending for more input if this piece is used up)."""
        while self.pos == len(self.piece):
            yield from self.refill()
        return self.piece[self.pos]

    def line_byte(self) -> _Step[int]:
        """`peek`, for a byte inside a line: past MAX_LINE_LENGTH bytes only the line's CR is acceptable."""
        c = yield from self.peek()
        if c != CR and self.offset - self.line_start >= MAX_LINE_LENGTH:
            raise self.error(f"line longer than {MAX_LINE_LENGTH} bytes")
        return c

    def take(self, limit: int) -> _Step[bytes]:
        """Up to `limit` (> 0) bytes: whatever the current piece has, or the start of the next one."""
        while self.pos == len(self.piece):
            yield from self.refill()
        start = self.pos
        self.pos = min(start + limit, len(self.piece))
        if start == 0 and self.pos == len(self.piece):
            return self.piece  # the whole piece: bytes are immutable, so no copy is needed
        return self.piece[start : self.pos]

    def rest(self) -> bytes:
        """The unread part of the current piece."""
        return self.piece[self.pos :]


@primed
def chunked_decoder(on_event: Callable[[Event], object]) -> Generator[None, bytes, bytes]:
    """Decode one chunked body from the pieces sent in; return the bytes of the last piece that follow it.

    Send non-empty `bytes` pieces; send `b""` for end of input. `on_event` gets each event as soon as the byte
    that completes it arrives. Invalid input raises `ChunkedDecodeError` from the `send` that delivers the first
    bad byte; end of input before the final CRLF raises `IncompleteMessage`. When the message is complete the
    generator returns, so that `send` raises `StopIteration` whose `value` is the unread rest of the piece.
    """
    inp = _Input()
    while True:
        size, extensions = yield from _chunk_line(inp)
        if size == 0:
            break
        on_event(ChunkHeader(size, extensions))
        remaining = size
        while remaining:
            data = yield from inp.take(remaining)
            remaining -= len(data)
            on_event(Data(data))
        yield from _crlf(inp, "after the chunk data")
    trailers = yield from _trailer_section(inp)
    on_event(EndOfMessage(extensions, trailers))
    return inp.rest()


def decode_chunked(pieces: Iterable[bytes]) -> tuple[bytes, Trailers, bytes]:
    """Decode a chunked body arriving as `pieces`; return (body, trailers, the bytes after the message).

    Empty pieces are skipped. Raises `IncompleteMessage` if the pieces run out before the message ends.
    """
    body = bytearray()
    trailers: Trailers = ()

    def collect(event: Event) -> None:
        nonlocal trailers
        if isinstance(event, Data):
            body.extend(event.data)
        elif isinstance(event, EndOfMessage):
            trailers = event.trailers

    remaining = iter(pieces)
    with contextlib.closing(chunked_decoder(collect)) as decoder:
        try:
            for piece in remaining:
                if piece:
                    decoder.send(piece)
            decoder.send(b"")  # end of input before the end of the message: raises IncompleteMessage
        except StopIteration as finished:
            rest: bytes = finished.value
            return bytes(body), trailers, rest + b"".join(remaining)
    raise AssertionError("unreachable: at end of input a decoder raises or has already returned")


# The grammar, one generator per rule. Each step starts at the first byte of its rule and leaves the read
# position just past the rule. Bytes are consumed with `inp.pos += 1` only after they have been checked, so an
# error raised with `inp.error` always names the offending byte.


def _chunk_line(inp: _Input) -> _Step[tuple[int, Extensions]]:
    """chunk-size *( BWS ";" BWS ext-name [ BWS "=" BWS ext-value ] ) CRLF"""
    inp.line_start = inp.offset
    yield from _require_whole_line(inp)
    c = yield from inp.line_byte()
    if c not in _HEX_VALUE:
        raise inp.error("expected a hexadecimal chunk size")
    size = 0
    while c in _HEX_VALUE:
        size = size * 16 + _HEX_VALUE[c]
        inp.pos += 1
        c = yield from inp.line_byte()

    extensions: list[tuple[bytes, bytes | None]] = []
    c, spaced = yield from _whitespace(inp)
    while c != CR or spaced:  # whitespace (BWS) is allowed before ';' or '=', never before the CRLF
        if c != SEMICOLON:
            raise inp.error("whitespace must be followed by ';'" if spaced else "expected ';' or CRLF")
        inp.pos += 1
        yield from _whitespace(inp)
        name = yield from _token(inp, "a chunk extension name")
        value: bytes | None = None
        c, spaced = yield from _whitespace(inp)
        if c == EQUALS:
            inp.pos += 1
            c, _ = yield from _whitespace(inp)
            if c == DQUOTE:
                value = yield from _quoted_string(inp)
            else:
                value = yield from _token(inp, "a chunk extension value")
            c, spaced = yield from _whitespace(inp)
        extensions.append((name, value))
    yield from _crlf(inp, "to end the chunk-size line")
    return size, tuple(extensions)


def _trailer_section(inp: _Input) -> _Step[Trailers]:
    """*( field-name ":" OWS field-value OWS CRLF ) CRLF; names lowercased, values without surrounding OWS."""
    trailers: list[tuple[bytes, bytes]] = []
    while True:
        inp.line_start = inp.offset
        yield from _require_whole_line(inp)
        c = yield from inp.line_byte()
        if c == CR:
            yield from _crlf(inp, "to end the message")
            return tuple(trailers)
        if c in _WHITESPACE:
            raise inp.error("a line folded onto the previous trailer (obs-fold) is not allowed")
        name = yield from _token(inp, "a trailer field name")
        c = yield from inp.line_byte()
        if c != COLON:
            raise inp.error("expected ':' right after the trailer field name")
        inp.pos += 1
        value = bytearray()
        c = yield from inp.line_byte()
        while c != CR:
            if c not in _FIELD_VALUE:
                raise inp.error(f"byte {c:#04x} is not allowed in a trailer field value")
            value.append(c)
            inp.pos += 1
            c = yield from inp.line_byte()
        yield from _crlf(inp, "to end the trailer line")
        trailers.append((name.lower(), bytes(value).strip(b" \t")))


def _require_whole_line(inp: _Input) -> _Step[None]:
    """A line must be complete in the piece that starts it."""
    yield from inp.peek()
    if inp.piece.find(b"\r\n", inp.pos) < 0:
        raise ChunkedDecodeError("line without CRLF", inp.base + len(inp.piece))


def _crlf(inp: _Input, where: str) -> _Step[None]:
    c = yield from inp.peek()
    if c != CR:
        raise inp.error(f"expected CRLF {where}")
    inp.pos += 1
    c = yield from inp.peek()
    if c != LF:
        raise inp.error(f"expected LF after CR {where}")
    inp.pos += 1


def _whitespace(inp: _Input) -> _Step[tuple[int, bool]]:
    """Skip SP/HTAB; return the next byte (not consumed) and whether anything was skipped."""
    skipped = False
    c = yield from inp.line_byte()
    while c in _WHITESPACE:
        skipped = True
        inp.pos += 1
        c = yield from inp.line_byte()
    return c, skipped


def _token(inp: _Input, what: str) -> _Step[bytes]:
    """1*tchar"""
    c = yield from inp.line_byte()
    if c not in _TCHAR:
        raise inp.error(f"expected {what} (a token)")
    token = bytearray()
    while c in _TCHAR:
        token.append(c)
        inp.pos += 1
        c = yield from inp.line_byte()
    return bytes(token)


def _quoted_string(inp: _Input) -> _Step[bytes]:
    """DQUOTE *( qdtext / "\\" escaped-byte ) DQUOTE, returned without the quotes and backslashes."""
    inp.pos += 1  # the opening quote, already checked by the caller
    value = bytearray()
    while True:
        c = yield from inp.line_byte()
        if c == DQUOTE:
            inp.pos += 1
            return bytes(value)
        if c == BACKSLASH:
            inp.pos += 1
            c = yield from inp.line_byte()
            if c not in _QUOTED_PAIR:
                raise inp.error(f"byte {c:#04x} can't be escaped in a quoted string")
        elif c not in _QDTEXT:
            raise inp.error(f"byte {c:#04x} is not allowed in a quoted string")
        value.append(c)
        inp.pos += 1
