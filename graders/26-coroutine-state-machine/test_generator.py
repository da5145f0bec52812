"""Hidden grader for exercise 26: the decoder behaves as a generator should (priming, close, throw, finishing)."""

from __future__ import annotations

import inspect
from collections.abc import Generator
from types import ModuleType
from typing import Any

import pytest
from _chunked_oracle import analyse
from _chunked_support import describe, normalise, start

MESSAGE = b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nChecksum: abc\r\n\r\n"
# Where to stop feeding before closing or throwing: inside the size line, the extension, the data, the CRLF
# after the data, the last chunk, a trailer, and the final CRLF.
CUTS = [1, 5, 12, 15, 16, 28, 34, len(MESSAGE) - 1]


class Boom(ValueError):
    """Thrown into the decoder: a ValueError, like the ones int() raises, to catch over-eager `except`s."""


def test_primed_starts_a_generator_at_its_first_yield(solution: ModuleType) -> None:
    """@primed returns a function whose generator has already run to its first yield, ready for send()."""
    log: list[str] = []

    def echo(prefix: str, *, suffix: str = "") -> Generator[str, str, None]:
        """Echo what is sent, decorated."""
        log.append("started")
        received = yield "ready"
        while True:
            received = yield prefix + received + suffix

    primed_echo = solution.primed(echo)
    assert getattr(primed_echo, "__name__", None) == "echo" and primed_echo.__doc__ == echo.__doc__, (
        "the decorated function lost its __name__/__doc__; did you use functools.wraps?"
    )
    assert log == [], "@primed ran the generator when decorating; it must run it each time the function is called"
    gen = primed_echo("<", suffix=">")
    assert inspect.isgenerator(gen), f"the primed function returned {type(gen).__name__}, expected the generator"
    assert inspect.getgeneratorstate(gen) == inspect.GEN_SUSPENDED and log == ["started"], (
        "the generator was not advanced to its first yield"
    )
    assert gen.send("x") == "<x>", "the primed generator did not receive the first value sent, or lost arguments"
    gen.close()


def _close(decoder: Generator[None, bytes, bytes], after: str) -> object:
    try:
        return decoder.close()
    except BaseException as exc:
        pytest.fail(
            f"close() {after} raised {type(exc).__name__}: {exc}; close() abandons the message quietly (end of "
            "input is send(b'')). Did you catch GeneratorExit, or turn it into an error?",
            pytrace=False,
        )


def test_chunked_decoder_is_a_primed_generator(solution: ModuleType) -> None:
    """chunked_decoder(on_event) returns a generator already waiting for input, having emitted nothing."""
    raw: list[Any] = []
    decoder = start(solution, raw)
    assert raw == [], f"a fresh decoder emitted {raw!r} before any input"
    _close(decoder, "before any input")


@pytest.mark.parametrize("cut", CUTS)
def test_close_mid_message_abandons_it_quietly(solution: ModuleType, cut: int) -> None:
    """close() in the middle of a message returns None, emits nothing, and leaves the generator finished."""
    raw: list[Any] = []
    decoder = start(solution, raw)
    decoder.send(MESSAGE[:cut])
    before = normalise(solution, raw)
    result = _close(decoder, f"after {cut} bytes")
    assert result is None, f"close() returned {result!r}"
    assert normalise(solution, raw) == before, "close() emitted events; it must just stop"
    assert inspect.getgeneratorstate(decoder) == inspect.GEN_CLOSED, "after close() the generator is not closed"
    with pytest.raises(StopIteration):
        decoder.send(MESSAGE[cut:])


@pytest.mark.parametrize("cut", CUTS)
def test_an_exception_thrown_in_propagates_unchanged(solution: ModuleType, cut: int) -> None:
    """throw(exc) mid-message raises that same exception out of the decoder, which is then finished."""
    raw: list[Any] = []
    decoder = start(solution, raw)
    decoder.send(MESSAGE[:cut])
    before = normalise(solution, raw)
    thrown = Boom("thrown in by the caller")
    with pytest.raises(BaseException) as info:
        decoder.throw(thrown)
    assert info.value is thrown, (
        f"throw(Boom(...)) after {cut} bytes raised {type(info.value).__name__}: {info.value}; expected the "
        "thrown exception itself. Did an `except ValueError` (or broader) around a yield catch it?"
    )
    assert normalise(solution, raw) == before, "throw() made the decoder emit events"
    assert inspect.getgeneratorstate(decoder) == inspect.GEN_CLOSED, "after throw() the generator is not finished"


def test_a_decode_error_finishes_the_generator(solution: ModuleType) -> None:
    """After raising ChunkedDecodeError or IncompleteMessage, the decoder is finished: send() raises StopIteration."""
    for pieces in ([b"1;a\rX"], [b"1;a\r\nx", b""]):
        raw: list[Any] = []
        decoder = start(solution, raw)
        with pytest.raises(solution.ChunkedDecodeError):
            for piece in pieces:
                decoder.send(piece)
        assert inspect.getgeneratorstate(decoder) == inspect.GEN_CLOSED, (
            f"after an error for {pieces!r} the generator is still {inspect.getgeneratorstate(decoder)}; let the "
            "exception propagate out of the generator instead of catching it and yielding again"
        )
        with pytest.raises(StopIteration):
            decoder.send(b"0\r\n\r\n")


def test_a_finished_message_finishes_the_generator(solution: ModuleType) -> None:
    """Once the message is complete the generator is done: close() is a no-op and send() raises StopIteration."""
    raw: list[Any] = []
    decoder = start(solution, raw)
    with pytest.raises(StopIteration):
        decoder.send(MESSAGE)
    want = analyse(MESSAGE).expected_after(len(MESSAGE))
    assert normalise(solution, raw) == want, f"got {describe(normalise(solution, raw))}"
    assert decoder.close() is None
    with pytest.raises(StopIteration):
        decoder.send(b"more")
