"""Exercise 19: zero-copy length-prefixed records. Read README.md for the full spec."""

from __future__ import annotations

import array
import mmap
from collections.abc import Iterable, Iterator
from typing import Any, TypeAlias

ReadableBuffer: TypeAlias = "bytes | bytearray | memoryview | mmap.mmap | array.array[Any]"


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


def iter_records(buffer: ReadableBuffer, *, length_format: str = ">I") -> Iterator[memoryview]:
    """Yield each record's payload as a memoryview slice of `buffer` (format "B", shares its memory).

    Lazy: it yields every complete record in order, then raises TruncatedRecordError if the buffer ends inside a
    record. Any C-contiguous buffer works and is read as bytes (an array("H") included). The views are read-only
    exactly when the buffer is. ValueError for a bad `length_format`.
    """
    raise NotImplementedError


def translate_payloads(buffer: ReadableBuffer, table: bytes, *, length_format: str = ">I") -> int:
    """Map every payload byte b to table[b], in place; length prefixes are left alone. Returns the record count.

    The framing is checked first, so a truncated buffer raises TruncatedRecordError unchanged. TypeError for a
    read-only buffer, ValueError for a table that is not 256 bytes or a bad `length_format`.
    """
    raise NotImplementedError


def pack_records(payloads: Iterable[ReadableBuffer], *, length_format: str = ">I") -> bytearray:
    """Frame `payloads` into one new bytearray: prefix, payload, prefix, payload, ...

    The result is allocated once at its final size. ValueError if a payload is too long for the prefix.
    """
    raise NotImplementedError
