"""Known-bad: translates payloads 64 bytes at a time: zero-copy and bounded, but a Python loop iteration per
64 bytes makes it about 9x slower than 64 KB chunks (fails only on speed).
"""

from __future__ import annotations

import array
import mmap
import re
import struct
from collections.abc import Iterable, Iterator
from typing import Any, TypeAlias

ReadableBuffer: TypeAlias = "bytes | bytearray | memoryview | mmap.mmap | array.array[Any]"

_LENGTH_FORMAT = re.compile(r"[@=<>!]?[BHILQ]")
# How many payload bytes translate_payloads copies out at a time: large enough to amortise the per-call cost,
# small enough that the scratch copies (two of this size) stay far below any memory budget.
_CHUNK = 64


class TruncatedRecordError(ValueError):
    """The buffer ends inside a record: in its length prefix, or in its payload.

    `offset` is where the incomplete record starts, `needed` how many bytes it needs from there (prefix plus
    payload, or just the prefix size if the prefix itself is cut), `available` how many bytes are left.
    """

    def __init__(self, offset: int, needed: int, available: int) -> None:
        super().__init__(
            f"truncated record at offset {offset}: it needs {needed} bytes but only {available} remain in the buffer"
        )
        self.offset = offset
        self.needed = needed
        self.available = available


def _prefix(length_format: str) -> struct.Struct:
    """The length prefix as a compiled Struct; only a single unsigned integer code is a valid prefix."""
    if not isinstance(length_format, str) or not _LENGTH_FORMAT.fullmatch(length_format):
        raise ValueError(
            f"length_format must be one unsigned integer code (B, H, I, L or Q, with an optional byte order "
            f"@ = < > !), got {length_format!r}"
        )
    return struct.Struct(length_format)


def _spans(view: memoryview, prefix: struct.Struct) -> Iterator[tuple[int, int]]:
    """(start, stop) of each payload in `view` (a byte view), in order; raises TruncatedRecordError at a cut."""
    end = view.nbytes
    size = prefix.size
    pos = 0
    while pos < end:
        if end - pos < size:
            raise TruncatedRecordError(pos, size, end - pos)
        (length,) = prefix.unpack_from(view, pos)  # reads straight from the buffer, no slice
        stop = pos + size + length
        if stop > end:
            raise TruncatedRecordError(pos, size + length, end - pos)
        yield pos + size, stop
        pos = stop


def iter_records(buffer: ReadableBuffer, *, length_format: str = ">I") -> Iterator[memoryview]:
    """Yield each record's payload as a memoryview slice of `buffer` (format "B", shares its memory).

    Lazy: it yields every complete record in order, then raises TruncatedRecordError if the buffer ends inside a
    record. Any C-contiguous buffer works and is read as bytes (an array("H") included). The views are read-only
    exactly when the buffer is. ValueError for a bad `length_format`.
    """
    prefix = _prefix(length_format)  # checked now, not at the first next()
    return _iter_records(buffer, prefix)


def _iter_records(buffer: ReadableBuffer, prefix: struct.Struct) -> Iterator[memoryview]:
    # cast("B") makes every index a byte offset whatever the exporter's item size. The `with` releases this
    # function's own views when iteration ends; the slices handed out keep the memory alive on their own.
    with memoryview(buffer) as raw, raw.cast("B") as view:
        for start, stop in _spans(view, prefix):
            yield view[start:stop]


def translate_payloads(buffer: ReadableBuffer, table: bytes, *, length_format: str = ">I") -> int:
    """Map every payload byte b to table[b], in place; length prefixes are left alone. Returns the record count.

    The framing is checked first, so a truncated buffer raises TruncatedRecordError unchanged. TypeError for a
    read-only buffer, ValueError for a table that is not 256 bytes or a bad `length_format`.
    """
    prefix = _prefix(length_format)
    if len(table) != 256:
        raise ValueError(f"table must be 256 bytes (see bytes.maketrans), got {len(table)}")
    with memoryview(buffer) as raw, raw.cast("B") as view:
        if view.readonly:
            raise TypeError(f"cannot translate a read-only buffer ({type(buffer).__name__}); pass a bytearray or mmap")
        # Pass 1 validates the framing without storing anything (a list of spans would grow with the record count).
        count = sum(1 for _ in _spans(view, prefix))
        # Pass 2 rewrites each payload chunk by chunk: two scratch copies of at most _CHUNK bytes at any moment.
        for start, stop in _spans(view, prefix):
            for pos in range(start, stop, _CHUNK):
                end = min(pos + _CHUNK, stop)
                view[pos:end] = view[pos:end].tobytes().translate(table)
    return count


def pack_records(payloads: Iterable[ReadableBuffer], *, length_format: str = ">I") -> bytearray:
    """Frame `payloads` into one new bytearray: prefix, payload, prefix, payload, ...

    The result is allocated once at its final size. ValueError if a payload is too long for the prefix.
    """
    prefix = _prefix(length_format)
    limit = (1 << (8 * prefix.size)) - 1
    views = [memoryview(p).cast("B") for p in payloads]
    try:
        for index, v in enumerate(views):
            if v.nbytes > limit:
                raise ValueError(
                    f"payload {index} has {v.nbytes} bytes; a {length_format!r} prefix holds at most {limit}"
                )
        out = bytearray(sum(prefix.size + v.nbytes for v in views))
        pos = 0
        for v in views:
            prefix.pack_into(out, pos, v.nbytes)
            pos += prefix.size
            out[pos : pos + v.nbytes] = v
            pos += v.nbytes
        return out
    finally:
        for v in views:
            v.release()
