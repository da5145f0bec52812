"""Hidden grader for exercise 19: zero-copy length-prefixed records."""

from __future__ import annotations

import array
import gc
import mmap
import struct
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from kata.testing import Perf

FORMATS = [">I", "<H", "!Q", "B", "<I", "=H", ">Q"]
MB = 2**20
# Shrink failures, but skip the explain phase: on a failing solution it re-runs the test for many seconds.
NO_EXPLAIN = (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink)


# ----------------------------------------------------------------------------------------------------- oracles


def oracle_encode(payloads: list[bytes], fmt: str) -> bytes:
    return b"".join(struct.pack(fmt, len(p)) + p for p in payloads)


def oracle_parse(data: bytes, fmt: str) -> tuple[list[bytes], tuple[int, int, int] | None]:
    """The payloads by plain bytes slicing, and (offset, needed, available) of a truncated last record."""
    size = struct.calcsize(fmt)
    out: list[bytes] = []
    pos = 0
    while pos < len(data):
        if len(data) - pos < size:
            return out, (pos, size, len(data) - pos)
        (n,) = struct.unpack(fmt, data[pos : pos + size])
        if len(data) - pos < size + n:
            return out, (pos, size + n, len(data) - pos)
        out.append(data[pos + size : pos + size + n])
        pos += size + n
    return out, None


def oracle_translate(data: bytes, table: bytes, fmt: str) -> bytes:
    size = struct.calcsize(fmt)
    out = bytearray()
    pos = 0
    while pos < len(data):
        (n,) = struct.unpack(fmt, data[pos : pos + size])
        out += data[pos : pos + size] + data[pos + size : pos + size + n].translate(table)
        pos += size + n
    return bytes(out)


@st.composite
def framed(draw: st.DrawFn) -> tuple[str, list[bytes]]:
    fmt = draw(st.sampled_from(FORMATS))
    limit = min(300, (1 << (8 * struct.calcsize(fmt))) - 1)
    return fmt, draw(st.lists(st.binary(max_size=limit), max_size=25))


# ----------------------------------------------------------------------------------------------------- helpers


def collect(records: Iterator[memoryview]) -> tuple[list[memoryview], BaseException | None]:
    """Every record the iterator yields, and the exception it ended with (None if it ended normally)."""
    got: list[memoryview] = []
    try:
        for r in records:
            got.append(r)
    except Exception as exc:
        return got, exc
    return got, None


def as_bytes(views: list[memoryview], what: str) -> list[bytes]:
    out = []
    for i, v in enumerate(views):
        assert type(v) is memoryview, f"{what}: record {i} is a {type(v).__name__}, expected a memoryview"
        assert v.format == "B" and v.ndim == 1, (
            f"{what}: record {i} has format {v.format!r} and ndim {v.ndim}; expected a 1-D byte view (format 'B'). "
            "Did you cast the buffer with memoryview(buffer).cast('B')?"
        )
        out.append(v.tobytes())
    return out


def make_buffer(kind: str, data: bytes) -> Any:
    if kind == "bytes":
        return bytes(data)
    if kind == "bytearray":
        return bytearray(data)
    if kind == "memoryview":
        return memoryview(bytes(data))
    raise AssertionError(kind)


def big_buffer() -> bytearray:
    """100 MB: payloads of 30, 25 and 20 MB, then ~25 000 payloads of about 1 KB (bytes 0..250 repeating)."""
    size = 100 * MB
    buf = bytearray(size)
    pos = 0
    for n in (30 * MB, 25 * MB, 20 * MB):
        struct.pack_into(">I", buf, pos, n)
        pos += 4 + n
    while size - pos > 4 + 1100:
        n = 1000 + pos % 97
        struct.pack_into(">I", buf, pos, n)
        pos += 4 + n
    struct.pack_into(">I", buf, pos, size - pos - 4)
    return buf


def oracle_spans(buf: bytearray) -> Iterator[tuple[int, int]]:
    pos = 0
    with memoryview(buf) as view:
        while pos < len(buf):
            (n,) = struct.unpack_from(">I", view, pos)
            yield pos + 4, pos + 4 + n
            pos += 4 + n


def traced_peak(action: Callable[[], object]) -> tuple[object, int]:
    """Run `action` under tracemalloc; return its result and the peak of extra traced memory, in bytes."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = action()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return result, peak


# ------------------------------------------------------------------------------------------------ iter_records


@settings(max_examples=150, phases=NO_EXPLAIN)
@given(case=framed(), kind=st.sampled_from(["bytes", "bytearray", "memoryview"]))
def test_records_equal_a_bytes_slicing_oracle(solution: ModuleType, case: tuple[str, list[bytes]], kind: str) -> None:
    """iter_records yields exactly the payloads a plain bytes-slicing parser finds, for every prefix format."""
    fmt, payloads = case
    data = oracle_encode(payloads, fmt)
    got, exc = collect(solution.iter_records(make_buffer(kind, data), length_format=fmt))
    assert exc is None, f"a valid {len(data)}-byte {kind} buffer ({fmt}) raised {type(exc).__name__}: {exc}"
    assert as_bytes(got, f"{kind}, {fmt}") == payloads, f"{kind}, {fmt}: wrong payloads"


@settings(max_examples=150, phases=NO_EXPLAIN)
@given(case=framed(), cut=st.integers(min_value=1), kind=st.sampled_from(["bytes", "bytearray"]))
def test_truncated_input_yields_complete_records_then_raises(
    solution: ModuleType, case: tuple[str, list[bytes]], cut: int, kind: str
) -> None:
    """A cut buffer yields every complete record, then raises TruncatedRecordError(offset, needed, available)."""
    fmt, payloads = case
    data = oracle_encode(payloads, fmt)
    data = data[: len(data) - cut % (len(data) + 1)]
    expected, error = oracle_parse(data, fmt)
    got, exc = collect(solution.iter_records(make_buffer(kind, data), length_format=fmt))
    assert as_bytes(got, fmt) == expected, f"{fmt}: the complete records before the cut are wrong"
    if error is None:
        assert exc is None, f"{fmt}: a buffer that ends on a record boundary raised {exc!r}"
        return
    assert isinstance(exc, solution.TruncatedRecordError), (
        f"{fmt}: a buffer cut inside a record ended with {exc!r}; expected TruncatedRecordError "
        "(did you stop silently, or let struct.error escape?)"
    )
    assert isinstance(exc, ValueError), "TruncatedRecordError must be a ValueError"
    got_fields = (exc.offset, exc.needed, exc.available)
    assert got_fields == error, f"{fmt}: (offset, needed, available) = {got_fields}, expected {error}"


def test_records_share_memory_with_the_buffer(solution: ModuleType) -> None:
    """The views are windows onto the buffer: writes show through both ways; no payload was copied."""
    buf = bytearray(oracle_encode([b"abc", b"", b"hello"], ">I"))
    views = list(solution.iter_records(buf))
    assert [v.tobytes() for v in views] == [b"abc", b"", b"hello"]
    buf[4] = ord("A")
    assert views[0].tobytes() == b"Abc", (
        "after buf[4] = ord('A') the first record still reads b'abc': it is a copy. Slice a memoryview of the "
        "buffer, not the buffer itself (bytes/bytearray slices copy)"
    )
    assert not views[2].readonly, "the views of a bytearray must be writable"
    views[2][0] = ord("J")
    assert bytes(buf).endswith(b"Jello"), "writing through a view did not change the buffer"


def test_views_of_read_only_buffers_are_read_only(solution: ModuleType) -> None:
    """Views of bytes (or a read-only memoryview) are read-only; views of a bytearray are not."""
    data = oracle_encode([b"xyz"], ">I")
    for buf in (data, memoryview(data)):
        (view,) = solution.iter_records(buf)
        assert view.readonly, f"a view of a read-only {type(buf).__name__} must be read-only"


def test_any_buffer_is_read_as_bytes(solution: ModuleType) -> None:
    """array('H'), a memoryview cast to 'I' and an mmap are parsed byte by byte, like bytes."""
    payloads = [b"ab", b"", b"\x00\x01\x02\x03\x04\x05"]
    data = oracle_encode(payloads, ">H")  # 14 bytes: even, and a multiple of neither 4 nor 8
    data += b"\x00\x00"  # one more empty record: 16 bytes, so a cast to "I" is possible
    expected = [*payloads, b""]
    arr = array.array("H")
    arr.frombytes(data)
    got = as_bytes(list(solution.iter_records(arr, length_format=">H")), "array('H')")
    assert got == expected, f"array('H') buffer: got {got}; lengths are in bytes, not in 2-byte items (cast('B'))"
    ints = memoryview(bytearray(data)).cast("I")
    got = as_bytes(list(solution.iter_records(ints, length_format=">H")), "memoryview cast to 'I'")
    assert got == expected, f"memoryview cast to 'I': got {got}"
    mm = mmap.mmap(-1, len(data))
    try:
        mm.write(data)
        views = list(solution.iter_records(mm, length_format=">H"))
        assert as_bytes(views, "mmap") == expected, "mmap buffer: wrong payloads"
        del views
        gc.collect()
    finally:
        try:
            mm.close()
        except BufferError:
            pytest.fail("mmap.close() failed after iterating: your code still holds a view of it (release it)")


def test_empty_buffer_and_empty_payloads(solution: ModuleType) -> None:
    """An empty buffer has no records; zero-length payloads are records too."""
    assert list(solution.iter_records(b"")) == [], "an empty buffer must yield nothing"
    got = as_bytes(list(solution.iter_records(b"\x00" * 12)), "three empty records")
    assert got == [b"", b"", b""], f"12 zero bytes with '>I' are three empty records; got {got}"


def test_iteration_is_lazy(solution: ModuleType) -> None:
    """The first record comes out before the truncated tail is reached; the error comes after."""
    data = oracle_encode([b"first", b"second"], ">I")[:-1]
    it = solution.iter_records(data)
    first = next(it)
    assert bytes(first) == b"first", f"first record {bytes(first)!r}"
    with pytest.raises(solution.TruncatedRecordError):
        next(it)


@pytest.mark.parametrize("fmt", ["i", ">h", "2I", "d", "", ">", "x", "I I", ">I4s"])
def test_bad_length_format_raises_value_error_at_the_call(solution: ModuleType, fmt: str) -> None:
    """A length_format that is not one unsigned integer code raises ValueError when iter_records is called."""
    try:
        solution.iter_records(b"", length_format=fmt)
    except ValueError:
        return
    except Exception as exc:
        pytest.fail(
            f"iter_records(length_format={fmt!r}) raised {type(exc).__name__}, expected ValueError", pytrace=False
        )
    pytest.fail(
        f"iter_records(length_format={fmt!r}) did not raise at the call; check the format before returning the "
        "iterator (a generator function runs nothing until the first next())",
        pytrace=False,
    )


# ------------------------------------------------------------------------------------------- translate_payloads

TABLE = bytes((b * 7 + 3) % 256 for b in range(256))


@settings(max_examples=120, phases=NO_EXPLAIN)
@given(case=framed(), mapping=st.binary(min_size=256, max_size=256), use_mmap=st.booleans())
def test_translate_matches_an_oracle(
    solution: ModuleType, case: tuple[str, list[bytes]], mapping: bytes, use_mmap: bool
) -> None:
    """translate_payloads rewrites every payload through the table, in place, and leaves the prefixes alone."""
    fmt, payloads = case
    data = oracle_encode(payloads, fmt)
    expected = oracle_translate(data, mapping, fmt)
    if use_mmap and data:
        mm = mmap.mmap(-1, len(data))
        try:
            mm.write(data)
            count = solution.translate_payloads(mm, mapping, length_format=fmt)
            got = mm[:]
        finally:
            gc.collect()
            mm.close()
    else:
        buf = bytearray(data)
        count = solution.translate_payloads(buf, mapping, length_format=fmt)
        got = bytes(buf)
    assert type(count) is int and count == len(payloads), f"returned {count!r}, expected {len(payloads)} records"
    assert got == expected, f"{fmt}: the translated buffer differs from the oracle (were the prefixes translated?)"


def test_translate_leaves_a_truncated_buffer_unchanged(solution: ModuleType) -> None:
    """A truncated buffer raises TruncatedRecordError before a single byte is translated."""
    data = oracle_encode([b"aaaa", b"bbbb", b"cccc"], ">I")[:-2]
    buf = bytearray(data)
    with pytest.raises(solution.TruncatedRecordError):
        solution.translate_payloads(buf, TABLE)
    assert bytes(buf) == data, "the buffer changed before the truncation was found; validate the framing first"


def test_translate_rejects_read_only_buffers_and_bad_tables(solution: ModuleType) -> None:
    """A read-only buffer raises TypeError; a table that is not 256 bytes raises ValueError; nothing changes."""
    data = oracle_encode([b"abc"], ">I")
    for ro in (data, memoryview(data)):
        with pytest.raises(TypeError):
            solution.translate_payloads(ro, TABLE)
    buf = bytearray(data)
    for bad in (b"", TABLE[:255], TABLE + b"x"):
        with pytest.raises(ValueError):
            solution.translate_payloads(buf, bad)
    assert bytes(buf) == data, "a rejected call changed the buffer"


# ------------------------------------------------------------------------------------------------ pack_records


@settings(max_examples=100, phases=NO_EXPLAIN)
@given(case=framed())
def test_pack_records_matches_an_oracle_and_round_trips(solution: ModuleType, case: tuple[str, list[bytes]]) -> None:
    """pack_records frames payloads exactly like the oracle, returns a bytearray, and iter_records reads it back."""
    fmt, payloads = case
    sources: list[Any] = [bytearray(p) if i % 2 else p for i, p in enumerate(payloads)]
    got = solution.pack_records(iter(sources), length_format=fmt)
    assert type(got) is bytearray, f"pack_records returned {type(got).__name__}, expected bytearray"
    assert bytes(got) == oracle_encode(payloads, fmt), f"{fmt}: wrong framing"
    assert as_bytes(list(solution.iter_records(got, length_format=fmt)), fmt) == payloads


def test_pack_records_rejects_a_payload_too_long_for_its_prefix(solution: ModuleType) -> None:
    """With a 'B' prefix a 256-byte payload raises ValueError (255 is the largest length it holds)."""
    assert bytes(solution.pack_records([b"x" * 255], length_format="B")) == b"\xff" + b"x" * 255
    with pytest.raises(ValueError):
        solution.pack_records([b"ok", b"x" * 256], length_format="B")
    with pytest.raises(ValueError):
        solution.pack_records([b"x" * 65536], length_format="<H")


# ------------------------------------------------------------------------------------------------- memory


@pytest.fixture(scope="module")
def hundred_mb() -> Iterator[bytearray]:
    buf = big_buffer()
    yield buf
    del buf
    gc.collect()


@pytest.mark.time_limit(30)
def test_iterating_100_mb_allocates_under_5_mb(solution: ModuleType, hundred_mb: bytearray) -> None:
    """Checksumming every record of a 100 MB buffer (payloads up to 30 MB) allocates less than 5 MB at its peak."""
    expected_crc = 0
    expected_count = 0
    with memoryview(hundred_mb) as view:
        for start, stop in oracle_spans(hundred_mb):
            expected_crc = zlib.crc32(view[start:stop], expected_crc)
            expected_count += 1

    def walk() -> tuple[int, int]:
        count = crc = 0
        for record in solution.iter_records(hundred_mb):
            count += 1
            crc = zlib.crc32(record, crc)
        return count, crc

    result, peak = traced_peak(walk)
    assert result == (expected_count, expected_crc), (
        f"(records, crc32) = {result}, expected {(expected_count, expected_crc)}"
    )
    assert peak < 5 * MB, (
        f"iterating allocated {peak / MB:.1f} MB at its peak (limit 5 MB): a payload was copied. Slicing bytes or a "
        "bytearray copies; slice a memoryview of the buffer instead"
    )


@pytest.mark.time_limit(30)
def test_translating_100_mb_in_place_allocates_under_5_mb(solution: ModuleType, hundred_mb: bytearray) -> None:
    """translate_payloads on the 100 MB buffer allocates less than 5 MB at its peak, and translates every payload."""
    spans = [(0, 0)]
    for span in oracle_spans(hundred_mb):  # spot checks: the first and last few records and the big ones
        if len(spans) < 6 or span[1] - span[0] > MB:
            spans.append(span)
    last = list(oracle_spans(hundred_mb))[-3:]
    checks = [*spans[1:], *last]
    before = {
        s: bytes(hundred_mb[s[0] : min(s[1], s[0] + 4096)]) + bytes(hundred_mb[max(s[0], s[1] - 64) : s[1]])
        for s in checks
    }
    prefixes = [bytes(hundred_mb[s[0] - 4 : s[0]]) for s in checks]
    count, peak = traced_peak(lambda: solution.translate_payloads(hundred_mb, TABLE))
    assert count == len(list(oracle_spans(hundred_mb))), f"returned {count}, not the number of records"
    for s, prefix in zip(checks, prefixes, strict=True):
        after = bytes(hundred_mb[s[0] : min(s[1], s[0] + 4096)]) + bytes(hundred_mb[max(s[0], s[1] - 64) : s[1]])
        assert after == before[s].translate(TABLE), f"the payload at offset {s[0]} was not translated correctly"
        assert bytes(hundred_mb[s[0] - 4 : s[0]]) == prefix, f"the length prefix at offset {s[0] - 4} changed"
    assert peak < 5 * MB, (
        f"translating allocated {peak / MB:.1f} MB at its peak (limit 5 MB). Translate in bounded chunks, not a "
        "whole payload at once, and don't build a list with an entry per record"
    )


# --------------------------------------------------------------------------------------------------------- perf


@pytest.mark.perf
def test_iteration_speed_against_the_reference(solution: ModuleType, reference: ModuleType, perf: Perf) -> None:
    """iter_records over 8 MB of 200-byte records stays within 5× of the reference (CPU time)."""
    data = bytes(oracle_encode([bytes(200)] * (8 * MB // 204), ">I"))

    def run(module: ModuleType) -> Callable[[], int]:
        return lambda: sum(r.nbytes for r in module.iter_records(data))

    # 5×: an iterator class with int.from_bytes is a fine answer and runs ~2× the reference's per-record cost.
    perf.compare("iter_records(8 MB of 200-byte records)", run(solution), run(reference), max_ratio=5.0)


@pytest.mark.perf
def test_translate_speed_against_the_reference(solution: ModuleType, reference: ModuleType, perf: Perf) -> None:
    """translate_payloads over 32 MB of 64 KB records stays within 3× of the reference (CPU time)."""
    mine = bytearray(oracle_encode([bytes(range(256)) * 256] * (32 * MB // (65536 + 4)), ">I"))
    theirs = bytearray(mine)
    perf.compare(
        "translate_payloads(32 MB of 64 KB records)",
        lambda: solution.translate_payloads(mine, TABLE),
        lambda: reference.translate_payloads(theirs, TABLE),
        max_ratio=3.0,
    )
