"""Hidden grader for exercise 26: invalid input is rejected at its first bad byte, whatever the piece boundaries."""

from __future__ import annotations

from types import ModuleType

from _chunked_oracle import MAX_LINE, analyse
from _chunked_support import Message, Run, describe, feed, messages, piece_of, splits
from hypothesis import given, settings
from hypothesis import strategies as st

# (input, offset of the first bad byte, what is wrong with it)
BAD_FRAMING = [
    (b"1\nx\r\n", 1, "a bare LF ends the chunk-size line"),
    (b"1\rx\r\n", 2, "CR not followed by LF in the chunk-size line"),
    (b"1\r\nx\n0\r\n\r\n", 4, "a bare LF after the chunk data"),
    (b"1\r\nxy\r\n", 4, "chunk data longer than its size (no CRLF after it)"),
    (b"3\r\nab\r\n0\r\n\r\n", 6, "chunk data shorter than its size (the CRLF is taken as data)"),
    (b"1\r\nx\r\r", 5, "CR CR after the chunk data"),
    (b"1\r\nx\r\n0\n", 7, "a bare LF after the last chunk"),
    (b"0\r\n\n", 3, "a bare LF as the final line"),
    (b"0\r\n\r\r", 4, "CR CR as the final line"),
    (b"0\r\na: b\n", 7, "a bare LF after a trailer"),
    (b"0\r\na: b\rc", 8, "CR inside a trailer value"),
]
BAD_GRAMMAR = [
    (b"x\r\n", 0, "not a hex digit"),
    (b"\r\n", 0, "no chunk size at all"),
    (b"-1\r\n", 0, "a negative size"),
    (b"0x10\r\n", 1, "a 0x prefix"),
    (b" 1\r\n", 0, "whitespace before the size"),
    (b"1 \r\n", 2, "whitespace before the CRLF"),
    (b"1;\r\n", 2, "an empty extension name"),
    (b"1;a \r\n", 4, "whitespace after an extension name, then CRLF"),
    (b"1;a b\r\n", 4, "two names without ';'"),
    (b"1;a=\r\n", 4, "an empty extension value"),
    (b"1;a=b;\r\n", 6, "a trailing ';'"),
    (b"1;a=b c\r\n", 6, "two values"),
    (b"1;a@b\r\n", 3, "'@' is not a token character"),
    (b'1;a="x\x01"\r\n', 6, "a control byte inside a quoted string"),
    (b'1;a="x"y\r\n', 7, "bytes right after a quoted string"),
    (b'1;a="\\\x01"\r\n', 6, "a control byte after a backslash"),
    (b'1;a="x\r\n', 6, "an unterminated quoted string"),
    (b"1\r\nx\r\n0\r\n a: b\r\n\r\n", 9, "a trailer line starting with whitespace (obs-fold)"),
    (b"0\r\na : b\r\n\r\n", 4, "whitespace between a field name and ':'"),
    (b"0\r\n: b\r\n\r\n", 3, "an empty field name"),
    (b"0\r\na\r\n\r\n", 4, "a trailer line without ':'"),
    (b"0\r\na: b\x7f\r\n\r\n", 7, "DEL in a field value"),
    (b"0\r\na: b\x00\r\n\r\n", 7, "NUL in a field value"),
    (b"0\r\n\xff: b\r\n\r\n", 3, "a non-token byte in a field name"),
]


def _check_error(solution: ModuleType, wire: bytes, pieces: list[bytes], offset: int, what: str) -> Run:
    run = feed(solution, pieces, eof=True)
    err = run.error
    shown = f"{wire!r} ({what}) sent as {len(pieces)} piece(s)"
    assert err is not None, f"{shown} raised no ChunkedDecodeError; it decoded to {describe(run.events or [])}"
    assert type(err) is solution.ChunkedDecodeError, (
        f"{shown} raised {type(err).__name__}: {err}; expected ChunkedDecodeError itself (IncompleteMessage is only "
        f"for input that ends too early; the byte at offset {offset} is wrong)"
    )
    assert type(err.offset) is int and err.offset == offset, (
        f"{shown}: ChunkedDecodeError.offset is {err.offset!r}; expected {offset} (the byte "
        f"{wire[offset : offset + 1]!r}, the first one no valid message could contain)"
    )
    assert f"byte {offset}" in str(err), f"the message {str(err)!r} should name the offset as 'byte {offset}'"
    bad_piece = piece_of(pieces, offset)
    assert run.stopped_at == bad_piece, (
        f"{shown}: the error was raised by send() number {run.stopped_at}, but the bad byte came in number "
        f"{bad_piece}; raise as soon as the bad byte arrives (don't wait for the end of the line)"
    )
    want = analyse(wire).expected_after(offset)
    assert run.events == want, (
        f"{shown}: before raising, the decoder emitted {describe(run.events or [])}; expected {describe(want)}"
    )
    return run


def test_bad_crlf_is_rejected_at_the_offending_byte(solution: ModuleType) -> None:
    """Every line and every chunk's data ends with exactly CR LF: a bare LF, a lone CR or stray data is an error."""
    for wire, offset, what in BAD_FRAMING:
        _check_error(solution, wire, [wire], offset, what)
        _check_error(solution, wire, [wire[i : i + 1] for i in range(len(wire))], offset, what)


def test_grammar_errors_are_rejected_at_the_offending_byte(solution: ModuleType) -> None:
    """Sizes, extensions and trailer lines that break the grammar raise at the first byte that breaks it."""
    for wire, offset, what in BAD_GRAMMAR:
        _check_error(solution, wire, [wire], offset, what)
        _check_error(solution, wire, [wire[i : i + 1] for i in range(len(wire))], offset, what)


def test_the_error_is_raised_by_the_send_that_delivers_the_bad_byte(solution: ModuleType) -> None:
    """A bad byte in the middle of a line is reported by the send() that brings it, before the line ends."""
    for wire, offset, what in [
        (b"12g4\r\n", 2, "'g' in the chunk size"),
        (b'1;name="va\x02lue"\r\n', 10, "a control byte in a quoted string"),
        (b"0\r\nX-Long-Name: some\x01value\r\n\r\n", 20, "a control byte in a trailer value"),
    ]:
        _check_error(solution, wire, [wire[: offset + 1], wire[offset + 1 :]], offset, what)
        _check_error(solution, wire, [wire[:offset], wire[offset:]], offset, what)


def test_lines_longer_than_the_limit_are_rejected(solution: ModuleType) -> None:
    """A chunk-size or trailer line may hold MAX_LINE_LENGTH (4096) bytes before its CRLF; one more is an error."""
    assert solution.MAX_LINE_LENGTH == MAX_LINE, f"MAX_LINE_LENGTH is {solution.MAX_LINE_LENGTH!r}; expected 4096"
    longest = b"1;" + b"a" * (MAX_LINE - 2)
    run = feed(solution, [longest + b"\r\nx\r\n0\r\n\r\n"], eof=True)
    assert run.error is None, f"a chunk-size line of exactly {MAX_LINE} bytes raised {run.error!r}"
    wire = longest + b"a\r\nx\r\n0\r\n\r\n"
    _check_error(solution, wire, [wire], MAX_LINE, "a chunk-size line one byte too long")
    _check_error(solution, wire, [wire[i : i + 1000] for i in range(0, len(wire), 1000)], MAX_LINE, "same, in pieces")
    field = b"0\r\nx:" + b"v" * (MAX_LINE - 2)
    run = feed(solution, [field + b"\r\n\r\n"], eof=True)
    assert run.error is None, f"a trailer line of exactly {MAX_LINE} bytes raised {run.error!r}"
    wire = field + b"v\r\n\r\n"
    _check_error(solution, wire, [wire], 3 + MAX_LINE, "a trailer line one byte too long")


@settings(max_examples=150)
@given(st.data())
def test_damaged_messages_fail_at_the_first_bad_byte(solution: ModuleType, data: st.DataObject) -> None:
    """A valid message with one framing byte replaced, inserted or deleted fails exactly where the oracle says."""
    msg: Message = data.draw(messages(max_chunks=3), label="message")
    wire = bytearray(msg.wire)
    at = data.draw(st.sampled_from(msg.structural), label="position")
    kind = data.draw(st.sampled_from(["replace", "insert", "delete"]), label="damage")
    if kind == "delete":
        del wire[at]
    else:
        byte = data.draw(st.sampled_from(b'\r\n \t;=:"\\\x00\x7f\x80aZ0g-'), label="byte")
        if kind == "replace":
            wire[at] = byte
        else:
            wire.insert(at, byte)
    damaged = bytes(wire)
    pieces = data.draw(splits(damaged), label="pieces")
    expected = analyse(damaged)
    if expected.error_at is not None:
        _check_error(solution, damaged, pieces, expected.error_at, "a damaged message")
        return
    run = feed(solution, pieces, eof=True)  # the damage happened to leave a valid (or just a shorter) message
    if expected.complete:
        assert run.error is None and run.events == expected.expected_after(len(damaged)), (
            f"{damaged!r} is a valid message; the decoder gave {run.error!r} / {describe(run.events or [])}"
        )
    else:
        assert type(run.error) is solution.IncompleteMessage, f"{damaged!r} is incomplete; got {run.error!r}"


@settings(max_examples=60)
@given(st.data())
def test_end_of_input_before_the_last_chunk_is_an_incomplete_message(solution: ModuleType, data: st.DataObject) -> None:
    """send(b'') before the final CRLF raises IncompleteMessage whose offset is the number of bytes received."""
    msg: Message = data.draw(messages(max_chunks=3), label="message")
    cut = data.draw(st.integers(0, len(msg.wire) - 1), label="bytes received")
    pieces = data.draw(splits(msg.wire[:cut]), label="pieces")
    run = feed(solution, pieces, eof=True)
    err = run.error
    assert err is not None, f"end of input after {cut} of {len(msg.wire)} bytes raised nothing"
    assert type(err) is solution.IncompleteMessage, (
        f"end of input after {cut} bytes raised {type(err).__name__}: {err}; expected IncompleteMessage"
    )
    assert isinstance(err, solution.ChunkedDecodeError), "IncompleteMessage must subclass ChunkedDecodeError"
    assert err.offset == cut and f"byte {cut}" in str(err), (
        f"IncompleteMessage offset {err.offset!r}, message {str(err)!r}; expected offset {cut} named as 'byte {cut}'"
    )
    assert run.stopped_at == len(pieces), "IncompleteMessage must come from the send(b'') that ends the input"
    want = analyse(msg.wire).expected_after(cut)
    assert run.events == want, f"events before end of input {describe(run.events or [])}; expected {describe(want)}"


def test_end_of_input_with_nothing_received(solution: ModuleType) -> None:
    """An empty input is an incomplete message at byte 0."""
    run = feed(solution, [], eof=True)
    assert type(run.error) is solution.IncompleteMessage and run.error.offset == 0, f"got {run.error!r}"
