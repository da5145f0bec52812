"""Known-good: an iterator class reading prefixes with int.from_bytes, a chunked bytearray translate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_CODES = {"B": 1, "H": 2, "I": 4, "L": 4, "Q": 8}
_ORDERS = {"": "native", "@": "native", "=": "native", "<": "little", ">": "big", "!": "big"}


class TruncatedRecordError(ValueError):
    def __init__(self, offset: int, needed: int, available: int) -> None:
        super().__init__(
            f"truncated record at offset {offset}: it needs {needed} bytes but only {available} remain in the buffer"
        )
        self.offset = offset
        self.needed = needed
        self.available = available


def _parse_format(fmt: Any) -> tuple[int, str]:
    if not isinstance(fmt, str) or len(fmt) not in (1, 2) or fmt[-1] not in _CODES or fmt[:-1] not in _ORDERS:
        raise ValueError(f"bad length_format {fmt!r}")
    order = _ORDERS[fmt[:-1]]
    if order == "native":
        import sys

        order = sys.byteorder
    return _CODES[fmt[-1]], order


class _Records:
    def __init__(self, buffer: Any, fmt: str) -> None:
        self.size, self.order = _parse_format(fmt)
        self.view: memoryview | None = memoryview(buffer).cast("B")
        self.pos = 0

    def __iter__(self) -> _Records:
        return self

    def __next__(self) -> memoryview:
        view = self.view
        if view is None:
            raise StopIteration
        end = len(view)
        pos = self.pos
        if pos >= end:
            self._finish()
            raise StopIteration
        if end - pos < self.size:
            self._finish()
            raise TruncatedRecordError(pos, self.size, end - pos)
        n = int.from_bytes(view[pos : pos + self.size], self.order)
        if end - pos < self.size + n:
            self._finish()
            raise TruncatedRecordError(pos, self.size + n, end - pos)
        self.pos = pos + self.size + n
        return view[pos + self.size : self.pos]

    def _finish(self) -> None:
        if self.view is not None:
            self.view.release()
            self.view = None


def iter_records(buffer: Any, *, length_format: str = ">I") -> _Records:
    return _Records(buffer, length_format)


def translate_payloads(buffer: Any, table: bytes, *, length_format: str = ">I") -> int:
    if len(table) != 256:
        raise ValueError("table must have 256 bytes")
    with memoryview(buffer) as probe:
        if probe.readonly:
            raise TypeError("read-only buffer")
    count = 0
    for _ in iter_records(buffer, length_format=length_format):
        count += 1
    scratch = bytearray(1 << 15)
    for payload in iter_records(buffer, length_format=length_format):
        done = 0
        while done < len(payload):
            piece = payload[done : done + len(scratch)]
            k = len(piece)
            scratch[:k] = piece
            piece[:] = scratch[:k].translate(table)
            piece.release()
            done += k
        payload.release()
    return count


def pack_records(payloads: Iterable[Any], *, length_format: str = ">I") -> bytearray:
    size, order = _parse_format(length_format)
    out = bytearray()
    for i, p in enumerate(payloads):
        with memoryview(p).cast("B") as v:
            if len(v) >= 1 << (8 * size):
                raise ValueError(f"payload {i} is too long for {length_format!r}")
            out += len(v).to_bytes(size, order)
            out += v
    return out
