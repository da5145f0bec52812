"""An independent oracle for exercise 26: a table-free, byte-at-a-time DFA over RFC 9112 §7.1 chunked bodies.

It reads the whole input at once (no suspension, no coroutines) and records, for every event, the offset just
past the byte that completes it, so the grader knows exactly which events a decoder must have emitted after
any prefix of the input, and the offset of the first byte that cannot belong to a valid message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_LINE = 4096
CR, LF = 0x0D, 0x0A
WS = frozenset(b" \t")
HEX = frozenset(b"0123456789abcdefABCDEF")
TCHAR = frozenset(b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
VCHAR_OBS = frozenset(range(0x21, 0x7F)) | frozenset(range(0x80, 0x100))
QDTEXT = (VCHAR_OBS | WS) - {ord('"'), ord("\\")}
QPAIR = VCHAR_OBS | WS
FIELD = VCHAR_OBS | WS

# States outside a line, where the line-length limit does not apply: chunk data and the LF after a CR.
NOT_IN_LINE = frozenset({"data", "data_cr", "data_lf", "line_lf", "t_lf", "final_lf"})

# Normalised events, as the grader compares them:
#   ("chunk", size, extensions) · ("data", payload bytes of one chunk so far) · ("end", extensions, trailers)
NEvent = tuple[object, ...]


@dataclass
class Analysis:
    """What a correct decoder does with `data` (see `expected_after`)."""

    data: bytes
    chunks: list[tuple[int, int, tuple[tuple[bytes, bytes | None], ...]]] = field(default_factory=list)
    """(offset just past the chunk-size line, size, extensions) per chunk with size > 0."""
    end: tuple[int, NEvent] | None = None
    """(offset just past the final LF, the end event), if the message is complete."""
    error_at: int | None = None
    """Index of the first byte that cannot belong to a valid message, if there is one."""

    def expected_after(self, k: int) -> list[NEvent]:
        """The normalised events a decoder has emitted once it has received the first `k` bytes."""
        out: list[NEvent] = []
        for done_at, size, extensions in self.chunks:
            if done_at > k:
                break
            out.append(("chunk", size, extensions))
            got = self.data[done_at : min(done_at + size, k)]
            if got:
                out.append(("data", got))
        if self.end is not None and self.end[0] <= k:
            out.append(self.end[1])
        return out

    @property
    def complete(self) -> bool:
        return self.end is not None


def analyse(data: bytes) -> Analysis:
    result = Analysis(data)
    state = "size0"
    line_start = 0
    size = remaining = 0
    name = bytearray()
    value = bytearray()
    extensions: list[tuple[bytes, bytes | None]] = []
    trailers: list[tuple[bytes, bytes]] = []
    last_extensions: tuple[tuple[bytes, bytes | None], ...] = ()

    def finish_ext(with_value: bool) -> None:
        extensions.append((bytes(name), bytes(value) if with_value else None))

    for i, c in enumerate(data):
        if state not in NOT_IN_LINE and c != CR and i - line_start >= MAX_LINE:
            result.error_at = i
            return result
        bad = False
        if state == "size0":
            if c in HEX:
                size, state = int(chr(c), 16), "size"
            else:
                bad = True
        elif state == "size":
            if c in HEX:
                size = size * 16 + int(chr(c), 16)
            elif c in WS:
                state = "bws"
            elif c == ord(";"):
                state = "semi"
            elif c == CR:
                state = "line_lf"
            else:
                bad = True
        elif state == "bws":  # whitespace after a size or an extension: only more of it, or ';'
            if c == ord(";"):
                state = "semi"
            elif c not in WS:
                bad = True
        elif state == "semi":
            if c in TCHAR:
                name, state = bytearray([c]), "name"
            elif c not in WS:
                bad = True
        elif state in ("name", "name_ws"):
            if state == "name" and c in TCHAR:
                name.append(c)
            elif c in WS:
                state = "name_ws"
            elif c == ord("="):
                state = "eq"
            elif c == ord(";"):
                finish_ext(False)
                state = "semi"
            elif c == CR and state == "name":
                finish_ext(False)
                state = "line_lf"
            else:
                bad = True
        elif state == "eq":
            if c in TCHAR:
                value, state = bytearray([c]), "tval"
            elif c == ord('"'):
                value, state = bytearray(), "qstr"
            elif c not in WS:
                bad = True
        elif state == "tval":
            if c in TCHAR:
                value.append(c)
            elif c in WS or c == ord(";") or c == CR:
                finish_ext(True)
                state = {ord(";"): "semi", CR: "line_lf"}.get(c, "bws")
            else:
                bad = True
        elif state == "qstr":
            if c == ord('"'):
                finish_ext(True)
                state = "afterq"
            elif c == ord("\\"):
                state = "qesc"
            elif c in QDTEXT:
                value.append(c)
            else:
                bad = True
        elif state == "qesc":
            if c in QPAIR:
                value.append(c)
                state = "qstr"
            else:
                bad = True
        elif state == "afterq":
            if c in WS:
                state = "bws"
            elif c == ord(";"):
                state = "semi"
            elif c == CR:
                state = "line_lf"
            else:
                bad = True
        elif state == "line_lf":
            if c != LF:
                bad = True
            elif size == 0:
                last_extensions = tuple(extensions)
                state, line_start = "tstart", i + 1
            else:
                result.chunks.append((i + 1, size, tuple(extensions)))
                extensions = []
                remaining, state = size, "data"
        elif state == "data":
            remaining -= 1
            if remaining == 0:
                state = "data_cr"
        elif state == "data_cr":
            if c == CR:
                state = "data_lf"
            else:
                bad = True
        elif state == "data_lf":
            if c == LF:
                state, line_start = "size0", i + 1
            else:
                bad = True
        elif state == "tstart":
            if c == CR:
                state = "final_lf"
            elif c in TCHAR:
                name, state = bytearray([c]), "tname"
            else:
                bad = True
        elif state == "tname":
            if c in TCHAR:
                name.append(c)
            elif c == ord(":"):
                value, state = bytearray(), "tval_f"
            else:
                bad = True
        elif state == "tval_f":
            if c == CR:
                state = "t_lf"
            elif c in FIELD:
                value.append(c)
            else:
                bad = True
        elif state == "t_lf":
            if c == LF:
                trailers.append((bytes(name).lower(), bytes(value).strip(b" \t")))
                state, line_start = "tstart", i + 1
            else:
                bad = True
        elif state == "final_lf":
            if c == LF:
                result.end = (i + 1, ("end", last_extensions, tuple(trailers)))
                return result
            bad = True
        if bad:
            result.error_at = i
            return result
    return result
