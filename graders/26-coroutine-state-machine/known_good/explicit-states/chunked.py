"""Known-good: one generator running an explicit byte-level state machine (a state name and a transition per byte).

Written from the README alone. The generator only yields between pieces; inside a piece a loop walks the bytes,
dispatching on `state`. Payload is sliced out of the piece in one go.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

MAX_LINE_LENGTH = 4096

Extensions = tuple[tuple[bytes, bytes | None], ...]
Trailers = tuple[tuple[bytes, bytes], ...]


class ChunkedDecodeError(ValueError):
    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(f"{reason} at byte {offset}")
        self.reason = reason
        self.offset = offset


class IncompleteMessage(ChunkedDecodeError):
    pass


@dataclass(frozen=True)
class ChunkHeader:
    size: int
    extensions: Extensions


@dataclass(frozen=True)
class Data:
    data: bytes


@dataclass(frozen=True)
class EndOfMessage:
    extensions: Extensions
    trailers: Trailers


Event = ChunkHeader | Data | EndOfMessage

P = ParamSpec("P")
Y = TypeVar("Y")
S = TypeVar("S")
R = TypeVar("R")


def primed(genfunc: Callable[P, Generator[Y, S, R]]) -> Callable[P, Generator[Y, S, R]]:
    @functools.wraps(genfunc)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Generator[Y, S, R]:
        gen = genfunc(*args, **kwargs)
        next(gen)
        return gen

    return wrapper


WS = b" \t"
HEX = b"0123456789abcdefABCDEF"
TCHAR = b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
VISIBLE = bytes(range(0x21, 0x7F)) + bytes(range(0x80, 0x100))
QDTEXT = bytes(c for c in VISIBLE + WS if c not in b'"\\')
CR, LF = 13, 10
OUTSIDE_LINES = {"LINE_LF", "DATA", "DATA_CR", "DATA_LF", "TRAILER_LF", "END_LF"}


@primed
def chunked_decoder(on_event: Callable[[Event], object]) -> Generator[None, bytes, bytes]:
    state = "SIZE_START"
    offset = 0  # stream offset of piece[0]
    line_start = 0
    size = remaining = 0
    name = bytearray()
    value = bytearray()
    exts: list[tuple[bytes, bytes | None]] = []
    last_exts: Extensions = ()
    trailers: list[tuple[bytes, bytes]] = []
    piece = b""
    while True:
        offset += len(piece)
        piece = yield
        if not piece:
            raise IncompleteMessage("input ended early", offset)
        i = 0
        n = len(piece)
        while i < n:
            if state == "DATA":
                take = min(remaining, n - i)
                on_event(Data(piece[i : i + take]))
                i += take
                remaining -= take
                if remaining == 0:
                    state = "DATA_CR"
                continue
            c = piece[i]
            where = offset + i
            if state not in OUTSIDE_LINES and c != CR and where - line_start >= MAX_LINE_LENGTH:
                raise ChunkedDecodeError("line too long", where)
            ok = True
            if state == "SIZE_START":
                if c in HEX:
                    size = int(chr(c), 16)
                    state = "SIZE"
                else:
                    ok = False
            elif state == "SIZE":
                if c in HEX:
                    size = size * 16 + int(chr(c), 16)
                elif c in WS:
                    state = "BWS_BEFORE_SEMI"
                elif c == ord(";"):
                    state = "BWS_AFTER_SEMI"
                elif c == CR:
                    state = "LINE_LF"
                else:
                    ok = False
            elif state == "BWS_BEFORE_SEMI":
                if c == ord(";"):
                    state = "BWS_AFTER_SEMI"
                else:
                    ok = c in WS
            elif state == "BWS_AFTER_SEMI":
                if c in TCHAR:
                    name = bytearray([c])
                    state = "EXT_NAME"
                else:
                    ok = c in WS
            elif state in ("EXT_NAME", "BWS_AFTER_NAME"):
                if c in TCHAR and state == "EXT_NAME":
                    name.append(c)
                elif c in WS:
                    state = "BWS_AFTER_NAME"
                elif c == ord("="):
                    state = "BWS_AFTER_EQ"
                elif c == ord(";"):
                    exts.append((bytes(name), None))
                    state = "BWS_AFTER_SEMI"
                elif c == CR and state == "EXT_NAME":
                    exts.append((bytes(name), None))
                    state = "LINE_LF"
                else:
                    ok = False
            elif state == "BWS_AFTER_EQ":
                if c in TCHAR:
                    value = bytearray([c])
                    state = "TOKEN_VALUE"
                elif c == ord('"'):
                    value = bytearray()
                    state = "QUOTED"
                else:
                    ok = c in WS
            elif state == "TOKEN_VALUE":
                if c in TCHAR:
                    value.append(c)
                elif c in WS or c in b";\r":
                    exts.append((bytes(name), bytes(value)))
                    state = "BWS_BEFORE_SEMI" if c in WS else ("BWS_AFTER_SEMI" if c == ord(";") else "LINE_LF")
                else:
                    ok = False
            elif state == "QUOTED":
                if c == ord('"'):
                    exts.append((bytes(name), bytes(value)))
                    state = "AFTER_QUOTED"
                elif c == ord("\\"):
                    state = "QUOTED_ESCAPE"
                elif c in QDTEXT:
                    value.append(c)
                else:
                    ok = False
            elif state == "QUOTED_ESCAPE":
                ok = c in VISIBLE or c in WS
                value.append(c)
                state = "QUOTED"
            elif state == "AFTER_QUOTED":
                if c in WS:
                    state = "BWS_BEFORE_SEMI"
                elif c == ord(";"):
                    state = "BWS_AFTER_SEMI"
                elif c == CR:
                    state = "LINE_LF"
                else:
                    ok = False
            elif state == "LINE_LF":
                ok = c == LF
                if ok and size:
                    on_event(ChunkHeader(size, tuple(exts)))
                    exts = []
                    remaining = size
                    state = "DATA"
                elif ok:
                    last_exts = tuple(exts)
                    line_start = where + 1
                    state = "TRAILER_START"
            elif state == "DATA_CR":
                ok = c == CR
                state = "DATA_LF"
            elif state == "DATA_LF":
                ok = c == LF
                line_start = where + 1
                state = "SIZE_START"
            elif state == "TRAILER_START":
                if c == CR:
                    state = "END_LF"
                elif c in TCHAR:
                    name = bytearray([c])
                    state = "FIELD_NAME"
                else:
                    ok = False
            elif state == "FIELD_NAME":
                if c in TCHAR:
                    name.append(c)
                elif c == ord(":"):
                    value = bytearray()
                    state = "FIELD_VALUE"
                else:
                    ok = False
            elif state == "FIELD_VALUE":
                if c == CR:
                    state = "TRAILER_LF"
                elif c in VISIBLE or c in WS:
                    value.append(c)
                else:
                    ok = False
            elif state == "TRAILER_LF":
                ok = c == LF
                trailers.append((bytes(name).lower(), bytes(value).strip(WS)))
                line_start = where + 1
                state = "TRAILER_START"
            elif state == "END_LF":
                if c != LF:
                    raise ChunkedDecodeError("expected LF", where)
                on_event(EndOfMessage(last_exts, tuple(trailers)))
                return piece[i + 1 :]
            if not ok:
                raise ChunkedDecodeError(f"unexpected byte {c!r} in state {state}", where)
            i += 1


def decode_chunked(pieces: Iterable[bytes]) -> tuple[bytes, Trailers, bytes]:
    parts: list[bytes] = []
    end: list[EndOfMessage] = []

    def sink(event: Event) -> None:
        if isinstance(event, Data):
            parts.append(event.data)
        elif isinstance(event, EndOfMessage):
            end.append(event)

    decoder = chunked_decoder(sink)
    it = iter(pieces)
    for piece in it:
        if not piece:
            continue
        try:
            decoder.send(piece)
        except StopIteration as stop:
            return b"".join(parts), end[0].trailers, stop.value + b"".join(it)
    decoder.send(b"")  # the message has not ended: this raises IncompleteMessage
    raise AssertionError("unreachable")
