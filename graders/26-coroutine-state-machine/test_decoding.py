"""Hidden grader for exercise 26: valid chunked bodies decode to the same events whatever the piece boundaries."""

from __future__ import annotations

from types import ModuleType

from _chunked_oracle import analyse
from _chunked_support import Message, describe, feed, h11_decode, messages, splits
from hypothesis import given, settings
from hypothesis import strategies as st

# RFC 9112's example body, with chunk extensions (a quoted string with escapes), leading zeros, an uppercase
# size, a payload that contains CRLFs, and trailers with surrounding whitespace.
RICH = (
    b"4\r\nWiki\r\n"
    b'5;name=value ; q = "a \\"quoted\\" \\\\ string"\r\npedia\r\n'
    b"E\r\n in\r\n\r\nchunks.\r\n"
    b"00a;flag\r\n0123456789\r\n"
    b'0;last="1"\r\n'
    b"Expires: Wed, 21 Oct 2015 07:28:00 GMT \r\n"
    b"X-Empty:\r\n"
    b"\r\n"
)
RICH_EVENTS = [
    ("chunk", 4, ()),
    ("data", b"Wiki"),
    ("chunk", 5, ((b"name", b"value"), (b"q", b'a "quoted" \\ string'))),
    ("data", b"pedia"),
    ("chunk", 14, ()),
    ("data", b" in\r\n\r\nchunks."),
    ("chunk", 10, ((b"flag", None),)),
    ("data", b"0123456789"),
    ("end", ((b"last", b"1"),), ((b"expires", b"Wed, 21 Oct 2015 07:28:00 GMT"), (b"x-empty", b""))),
]


def test_a_whole_message_in_one_piece_decodes(solution: ModuleType) -> None:
    """The RFC's example body, sent in one piece, gives its chunks, payload, extensions and trailers."""
    run = feed(solution, [RICH])
    assert run.error is None, f"decoding a valid message raised {run.error!r}"
    assert run.events == RICH_EVENTS, f"got events {describe(run.events or [])}\nexpected {describe(RICH_EVENTS)}"
    assert run.stopped_at == 0, "the message ended in the first piece, but send() did not raise StopIteration"
    assert type(run.rest) is bytes and run.rest == b"", (
        f"StopIteration.value is {run.rest!r}; expected b'' (nothing followed the message)"
    )


def test_every_single_cut_gives_the_same_events(solution: ModuleType) -> None:
    """Cut the message in two at every position: the events, once joined, are always the same."""
    for cut in range(1, len(RICH)):
        run = feed(solution, [RICH[:cut], RICH[cut:]])
        assert run.error is None, f"cut after byte {cut} ({RICH[:cut][-12:]!r} | …): raised {run.error!r}"
        assert run.events == RICH_EVENTS, (
            f"cut after byte {cut} ({RICH[:cut][-12:]!r} | {RICH[cut:][:12]!r}): got {describe(run.events or [])}"
            "\ndid you assume a whole line (or a CRLF) arrives in one piece?"
        )


def test_one_byte_at_a_time_gives_the_same_events(solution: ModuleType) -> None:
    """Fed one byte per send(), the decoder emits each event as soon as the byte completing it arrives."""
    pieces = [RICH[i : i + 1] for i in range(len(RICH))]
    run = feed(solution, pieces)
    expected = analyse(RICH)
    for i, got in enumerate(run.after):
        want = expected.expected_after(i + 1)
        assert got == want, (
            f"after the first {i + 1} bytes (…{RICH[max(0, i - 11) : i + 1]!r}) the events were {describe(got)}"
            f"\nexpected {describe(want)}\n(payload is handed over as it arrives; a chunk header as soon as its "
            "line's LF arrives)"
        )
    assert run.events == RICH_EVENTS and run.stopped_at == len(RICH) - 1


@settings(max_examples=100)
@given(st.data())
def test_any_split_of_a_valid_message_gives_the_same_events(solution: ModuleType, data: st.DataObject) -> None:
    """Random valid messages cut at random points decode to exactly the events they were built from."""
    msg: Message = data.draw(messages(), label="message")
    pieces = data.draw(splits(msg.wire), label="pieces")
    run = feed(solution, pieces)
    assert run.error is None, f"a valid message raised {run.error!r}"
    assert run.events == list(msg.events), f"got {describe(run.events or [])}\nexpected {describe(list(msg.events))}"
    assert run.stopped_at == len(pieces) - 1, (
        f"the message ended in piece {len(pieces) - 1}, but StopIteration came at piece {run.stopped_at}"
    )


@settings(max_examples=80)
@given(st.data())
def test_payload_and_headers_are_emitted_as_soon_as_they_arrive(solution: ModuleType, data: st.DataObject) -> None:
    """After every send(), all payload received so far has been emitted, and every header whose LF has arrived."""
    msg: Message = data.draw(messages(), label="message")
    pieces = data.draw(splits(msg.wire), label="pieces")
    expected = analyse(msg.wire)
    run = feed(solution, pieces)
    received = 0
    for i, got in enumerate(run.after):
        received += len(pieces[i])
        want = expected.expected_after(received)
        assert got == want, (
            f"after {received} bytes (pieces {pieces[: i + 1]!r}) the events were {describe(got)}\nexpected "
            f"{describe(want)}\ndid you hold payload back until its chunk was complete?"
        )


@settings(max_examples=60)
@given(st.data())
def test_bytes_after_the_message_are_returned_by_stop_iteration(solution: ModuleType, data: st.DataObject) -> None:
    """The generator returns the unread rest of the piece that completed the message: StopIteration.value."""
    msg: Message = data.draw(messages(max_chunks=3), label="message")
    after = data.draw(st.binary(min_size=1, max_size=20), label="bytes after the message")
    stream = msg.wire + after
    pieces = data.draw(splits(stream), label="pieces")
    run = feed(solution, pieces)
    assert run.error is None, f"a valid message followed by more bytes raised {run.error!r}"
    assert run.events == list(msg.events), f"got {describe(run.events or [])}"
    end_piece = next(i for i in range(len(pieces)) if sum(map(len, pieces[: i + 1])) >= len(msg.wire))
    unread = b"".join(pieces[: end_piece + 1])[len(msg.wire) :]
    assert run.stopped_at == end_piece, f"StopIteration came at piece {run.stopped_at}; expected {end_piece}"
    assert type(run.rest) is bytes and run.rest == unread, (
        f"StopIteration.value is {run.rest!r}; expected {unread!r} (the rest of the piece holding the final CRLF)"
    )


@settings(max_examples=80)
@given(st.data())
def test_decoding_agrees_with_h11(solution: ModuleType, data: st.DataObject) -> None:
    """decode_chunked gives the same body and trailers as h11 (the HTTP/1.1 library under httpx)."""
    msg: Message = data.draw(messages(h11_safe=True), label="message")
    pieces = data.draw(splits(msg.wire), label="pieces")
    want_body, want_trailers = h11_decode(msg.wire)
    got = solution.decode_chunked(iter(pieces))
    assert type(got) is tuple and len(got) == 3, f"decode_chunked returned {got!r}; expected (body, trailers, rest)"
    body, trailers, rest = got
    assert type(body) is bytes and body == want_body, f"body {body!r}; h11 decoded {want_body!r}"
    assert type(trailers) is tuple and want_trailers == tuple(trailers), (
        f"trailers {trailers!r}; h11 decoded {want_trailers!r}"
    )
    assert type(rest) is bytes and rest == b"", f"rest is {rest!r}; expected b''"


def test_decode_chunked_skips_empty_pieces_and_keeps_what_follows(solution: ModuleType) -> None:
    """decode_chunked ignores empty pieces and returns every byte after the message as `rest`."""
    pieces = [b"", b"3\r\nab", b"", b"c\r\n0\r\nA: 1\r", b"\n\r\nGET / HTTP/1.1", b"", b"\r\n"]
    got = solution.decode_chunked(pieces)
    want = (b"abc", ((b"a", b"1"),), b"GET / HTTP/1.1\r\n")
    assert type(got) is tuple and [type(x) for x in got] == [bytes, tuple, bytes], (
        f"decode_chunked returned {got!r}; expected a tuple (body: bytes, trailers: tuple, rest: bytes)"
    )
    assert want == got, f"decode_chunked({pieces!r}) returned {got!r}; expected {want!r}"


def test_size_digits_and_extensions_follow_the_grammar(solution: ModuleType) -> None:
    """Hex sizes in either case, leading zeros, and every form of chunk extension decode as specified."""
    cases = [
        (b"A\r\n0123456789\r\n0\r\n\r\n", ("chunk", 10, ())),
        (b"000000000000000000000001\r\nx\r\n0\r\n\r\n", ("chunk", 1, ())),
        (b"1;a\r\nx\r\n0\r\n\r\n", ("chunk", 1, ((b"a", None),))),
        (b"1 ; a = b ;c\r\nx\r\n0\r\n\r\n", ("chunk", 1, ((b"a", b"b"), (b"c", None)))),
        (b'1;a=""\r\nx\r\n0\r\n\r\n', ("chunk", 1, ((b"a", b""),))),
        (b'1;A="x;y=z"\r\nx\r\n0\r\n\r\n', ("chunk", 1, ((b"A", b"x;y=z"),))),
        (b'1;a="\\q\\\\\t\x80"\r\nx\r\n0\r\n\r\n', ("chunk", 1, ((b"a", b"q\\\t\x80"),))),
        (b"1;a;a;a=1\r\nx\r\n0\r\n\r\n", ("chunk", 1, ((b"a", None), (b"a", None), (b"a", b"1")))),
    ]
    for wire, header in cases:
        for pieces in ([wire], [wire[i : i + 1] for i in range(len(wire))]):
            run = feed(solution, pieces)
            assert run.error is None, f"{wire!r} raised {run.error!r}"
            assert run.events and run.events[0] == header, (
                f"{wire!r} gave {describe(run.events or [])}; expected it to start with {header!r}"
            )


def test_trailers_are_lowercased_and_trimmed(solution: ModuleType) -> None:
    """Trailer names come back lowercased, values without surrounding spaces/tabs, inner whitespace kept."""
    wire = b"0\r\nX-Sum: \t a  b\tc \t\r\nX-SUM:d\r\nEmpty: \r\nObs: caf\xc3\xa9\r\n\r\n"
    run = feed(solution, [wire])
    want = ("end", (), ((b"x-sum", b"a  b\tc"), (b"x-sum", b"d"), (b"empty", b""), (b"obs", b"caf\xc3\xa9")))
    assert run.events == [want], f"got {describe(run.events or [])}; expected [{want!r}]"
