"""Grader helpers for exercise 26: message generators, a driver that records what a decoder did, h11 as a peer."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import h11
from _chunked_oracle import FIELD, QDTEXT, TCHAR, VCHAR_OBS, NEvent
from hypothesis import strategies as st

# ---------------------------------------------------------------------------------------------------------------
# Valid messages, built together with the events they must decode to (the generator is its own oracle).


@dataclass(frozen=True)
class Message:
    wire: bytes
    events: tuple[NEvent, ...]
    body: bytes
    trailers: tuple[tuple[bytes, bytes], ...]
    structural: tuple[int, ...]  # offsets of bytes that are not chunk data (where a mutation breaks the framing)

    def __repr__(self) -> str:  # hypothesis prints this for a failing example: the bytes are what matters
        return f"Message({self.wire!r})"


def _chars(allowed: frozenset[int]) -> st.SearchStrategy[int]:
    return st.sampled_from(sorted(allowed))


TOKENS = st.lists(_chars(TCHAR), min_size=1, max_size=6).map(bytes)
BWS = st.sampled_from([b"", b"", b"", b" ", b"\t", b" \t "])
QUOTABLE = sorted(QDTEXT | {ord('"'), ord("\\")})


@st.composite
def quoted_strings(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """(wire form with quotes and backslashes, the value it stands for)."""
    chars = draw(st.lists(st.tuples(st.sampled_from(QUOTABLE), st.integers(0, 5)), max_size=6))
    wire = bytearray(b'"')
    for c, roll in chars:
        if c in b'"\\' or roll == 0:  # '"' and '\' must be escaped; anything else may be
            wire.append(ord("\\"))
        wire.append(c)
    wire.append(ord('"'))
    return bytes(wire), bytes(c for c, _ in chars)


@st.composite
def extension_lists(draw: st.DrawFn, *, h11_safe: bool) -> tuple[bytes, tuple[tuple[bytes, bytes | None], ...]]:
    wire = bytearray()
    parsed: list[tuple[bytes, bytes | None]] = []
    for i in range(draw(st.integers(0, 3))):
        name = draw(TOKENS)
        wire += b"" if (h11_safe and i == 0) else draw(BWS)  # h11 wants ';' right after the size
        wire += b";" + draw(BWS) + name
        kind = draw(st.sampled_from(["none", "token", "quoted"]))
        if kind == "none":
            parsed.append((name, None))
            continue
        wire += draw(BWS) + b"=" + draw(BWS)
        if kind == "token":
            value = draw(TOKENS)
            wire += value
        else:
            quoted, value = draw(quoted_strings())
            wire += quoted
        parsed.append((name, value))
    return bytes(wire), tuple(parsed)


def _size_line(draw: st.DrawFn, size: int) -> bytes:
    digits = format(size, draw(st.sampled_from("xX")))
    return b"0" * draw(st.integers(0, 2)) + digits.encode()


PAYLOADS = st.one_of(
    st.binary(min_size=1, max_size=24),
    st.sampled_from([b"\r\n", b"\n", b"0\r\n\r\n", b"5\r\nhello\r\n", b"\r"]),  # payload that looks like framing
)
OWS = st.sampled_from([b"", b"", b" ", b"\t", b"  "])


@st.composite
def trailer_lines(draw: st.DrawFn) -> tuple[bytes, tuple[bytes, bytes]]:
    name = draw(TOKENS)
    words = draw(st.lists(st.lists(_chars(VCHAR_OBS), min_size=1, max_size=5).map(bytes), max_size=3))
    value = b""
    for word in words:
        value += (draw(st.sampled_from([b" ", b"\t", b"  "])) if value else b"") + word
    assert all(c in FIELD for c in value)
    return name + b":" + draw(OWS) + value + draw(OWS) + b"\r\n", (name.lower(), value)


@st.composite
def messages(draw: st.DrawFn, *, h11_safe: bool = False, max_chunks: int = 5) -> Message:
    wire = bytearray()
    events: list[NEvent] = []
    structural: list[int] = []

    def frame(part: bytes) -> None:
        structural.extend(range(len(wire), len(wire) + len(part)))
        wire.extend(part)

    body = bytearray()
    for _ in range(draw(st.integers(0, max_chunks))):
        payload = draw(PAYLOADS)
        ext_wire, extensions = draw(extension_lists(h11_safe=h11_safe))
        frame(_size_line(draw, len(payload)) + ext_wire + b"\r\n")
        wire.extend(payload)
        frame(b"\r\n")
        events += [("chunk", len(payload), extensions), ("data", payload)]
        body += payload
    ext_wire, extensions = draw(extension_lists(h11_safe=h11_safe))
    frame(b"0" * draw(st.integers(1, 3)) + ext_wire + b"\r\n")
    trailers = draw(st.lists(trailer_lines(), max_size=3))
    for line, _ in trailers:
        frame(line)
    frame(b"\r\n")
    parsed = tuple(t for _, t in trailers)
    events.append(("end", extensions, parsed))
    return Message(bytes(wire), tuple(events), bytes(body), parsed, tuple(structural))


@st.composite
def splits(draw: st.DrawFn, data: bytes) -> list[bytes]:
    """`data` cut into non-empty pieces at random points (sometimes every byte, sometimes not at all)."""
    if len(data) <= 1:
        return [data] if data else []
    mode = draw(st.sampled_from(["random", "random", "random", "bytes", "whole"]))
    if mode == "bytes":
        return [data[i : i + 1] for i in range(len(data))]
    if mode == "whole":
        return [data]
    cuts = sorted(draw(st.sets(st.integers(1, len(data) - 1), max_size=min(12, len(data) - 1))))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


# ---------------------------------------------------------------------------------------------------------------
# Driving a learner's decoder and reading its events defensively.


def _extensions(value: Any, where: str) -> tuple[tuple[bytes, bytes | None], ...]:
    assert type(value) is tuple, f"{where}.extensions is a {type(value).__name__}, expected a tuple of pairs"
    for item in value:
        ok = type(item) is tuple and len(item) == 2 and type(item[0]) is bytes
        assert ok and (item[1] is None or type(item[1]) is bytes), (
            f"{where}.extensions holds {item!r}; expected (name: bytes, value: bytes | None) tuples"
        )
    return tuple((bytes(n), None if v is None else bytes(v)) for n, v in value)


def _trailers(value: Any) -> tuple[tuple[bytes, bytes], ...]:
    assert type(value) is tuple, f"EndOfMessage.trailers is a {type(value).__name__}, expected a tuple of pairs"
    for item in value:
        ok = type(item) is tuple and len(item) == 2 and type(item[0]) is bytes and type(item[1]) is bytes
        assert ok, f"EndOfMessage.trailers holds {item!r}; expected (name: bytes, value: bytes) tuples"
    return tuple((bytes(n), bytes(v)) for n, v in value)


def normalise(solution: ModuleType, raw: list[Any]) -> list[NEvent]:
    """The learner's events as plain tuples, consecutive Data events of one chunk joined."""
    out: list[NEvent] = []
    for event in raw:
        kind = type(event)
        if kind is solution.Data:
            data = event.data
            assert type(data) is bytes, f"Data.data is a {type(data).__name__}, expected bytes"
            assert data, "a Data event carried no bytes; emit Data only when there is payload to hand over"
            if out and out[-1][0] == "data":
                out[-1] = ("data", out[-1][1] + data)  # type: ignore[operator]
            else:
                out.append(("data", data))
        elif kind is solution.ChunkHeader:
            size = event.size
            assert type(size) is int, f"ChunkHeader.size is a {type(size).__name__}, expected int"
            out.append(("chunk", size, _extensions(event.extensions, "ChunkHeader")))
        elif kind is solution.EndOfMessage:
            out.append(("end", _extensions(event.extensions, "EndOfMessage"), _trailers(event.trailers)))
        else:
            raise AssertionError(f"on_event got {event!r}; expected ChunkHeader, Data or EndOfMessage instances")
    return out


@dataclass
class Run:
    """What a decoder did with some pieces: events after each piece, and how it stopped."""

    after: list[list[NEvent]]  # normalised events after each piece that returned normally
    error: Exception | None = None  # the ChunkedDecodeError raised, if any
    stopped_at: int | None = None  # index of the piece whose send() raised (error or StopIteration)
    rest: object = None  # StopIteration.value, if the message ended
    events: list[NEvent] | None = None  # all normalised events at the end


def start(solution: ModuleType, raw: list[Any]) -> Any:
    decoder = solution.chunked_decoder(raw.append)
    assert inspect.isgenerator(decoder), (
        f"chunked_decoder(...) returned a {type(decoder).__name__}; it must return a generator (a function with "
        "`yield`, decorated with @primed)"
    )
    state = inspect.getgeneratorstate(decoder)
    assert state == inspect.GEN_SUSPENDED, (
        f"chunked_decoder(...) returned a generator in state {state}; expected {inspect.GEN_SUSPENDED} (did you "
        "prime it with @primed, so it already waits at its first yield?)"
    )
    return decoder


def feed(solution: ModuleType, pieces: list[bytes], *, eof: bool = False) -> Run:
    """Send each piece (then b"" if `eof`), recording events; stop at StopIteration or ChunkedDecodeError."""
    raw: list[Any] = []
    decoder = start(solution, raw)
    run = Run(after=[])
    sends = [*pieces, b""] if eof else list(pieces)
    for i, piece in enumerate(sends):
        try:
            decoder.send(piece)
        except StopIteration as stop:
            run.stopped_at, run.rest = i, stop.value
            break
        except solution.ChunkedDecodeError as exc:
            run.stopped_at, run.error = i, exc
            break
        run.after.append(normalise(solution, raw))
    run.events = normalise(solution, raw)
    return run


def describe(events: list[NEvent]) -> str:
    return "[" + ", ".join(repr(e) for e in events) + "]"


def piece_of(pieces: list[bytes], offset: int) -> int:
    """Index of the piece holding stream byte `offset`."""
    start = 0
    for i, piece in enumerate(pieces):
        if start <= offset < start + len(piece):
            return i
        start += len(piece)
    return len(pieces)


# ---------------------------------------------------------------------------------------------------------------
# h11, a real HTTP/1.1 implementation, decoding the same body as the peer.

RESPONSE_HEAD = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"


def h11_decode(wire: bytes) -> tuple[bytes, tuple[tuple[bytes, bytes], ...]]:
    """Body and trailers of a chunked response body, as h11 (the client side of httpx) decodes them."""
    conn = h11.Connection(our_role=h11.CLIENT)
    conn.send(h11.Request(method="GET", target="/", headers=[("Host", "example.test")]))
    conn.send(h11.EndOfMessage())
    conn.receive_data(RESPONSE_HEAD + wire)
    body = bytearray()
    while True:
        event = conn.next_event()
        if isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            return bytes(body), tuple((bytes(n), bytes(v)) for n, v in event.headers)
        elif event is h11.NEED_DATA:
            raise AssertionError("h11 needs more data: the generated message is incomplete")
