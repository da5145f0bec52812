"""Hidden grader for exercise 26: payload is handed over in slices, not byte by byte."""

from __future__ import annotations

from types import ModuleType

import pytest

from kata.testing import Perf

CHUNK = 16 * 1024
PIECE = 4 * 1024
BODY = bytes(range(256)) * 4096  # 1 MiB
WIRE = (
    b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (BODY[i : i + CHUNK] for i in range(0, len(BODY), CHUNK)))
    + b"0\r\n\r\n"
)
PIECES = [WIRE[i : i + PIECE] for i in range(0, len(WIRE), PIECE)]


def _decode(module: ModuleType) -> int:
    """Drive a decoder over PIECES; return the payload size (the grader's sink is the same for both sides)."""
    received: list[object] = []
    decoder = module.chunked_decoder(received.append)
    try:
        for piece in PIECES:
            decoder.send(piece)
    except StopIteration:
        pass
    return len(received)


@pytest.mark.perf
def test_decoding_a_large_body_speed_against_the_reference(
    solution: ModuleType, reference: ModuleType, perf: Perf
) -> None:
    """A 1 MiB body (16 KiB chunks, sent as 4 KiB pieces) decodes within 3× of the reference (CPU time)."""
    got = solution.decode_chunked(PIECES)
    assert type(got) is tuple and len(got) == 3 and type(got[0]) is bytes and got[0] == BODY, (
        "decode_chunked returned the wrong body"
    )
    perf.compare(
        "chunked_decoder: 1 MiB body, 16 KiB chunks, 4 KiB pieces",
        lambda: _decode(solution),
        lambda: _decode(reference),
        max_ratio=3.0,
    )
