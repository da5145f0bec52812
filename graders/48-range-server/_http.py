"""Grader helpers for exercise 48: a strict raw-socket HTTP/1.1 client and a multipart/byteranges parser.

httpx and curl are the real clients; this one exists for what they won't do: send `..` paths verbatim,
pipeline requests, read HEAD responses byte-exactly, and check framing (Content-Length, connection close).
"""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass

TIMEOUT_S = 5.0


class ProtocolError(AssertionError):
    """The server's bytes are not valid HTTP/1.1 (an AssertionError, so the test fails with this message)."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class RawClient:
    """One TCP connection to 127.0.0.1:port; requests written verbatim, responses framed by Content-Length."""

    def __init__(self, port: int, timeout: float = TIMEOUT_S) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = bytearray()

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.sock.close()

    def send(self, method: str, target: str, headers: dict[str, str] | None = None, version: str = "HTTP/1.1") -> None:
        lines = [f"{method} {target} {version}", "Host: 127.0.0.1"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))

    def request(
        self, method: str, target: str, headers: dict[str, str] | None = None, version: str = "HTTP/1.1"
    ) -> Response:
        self.send(method, target, headers, version)
        return self.read_response(head_only=method == "HEAD")

    def _fill(self) -> bool:
        chunk = self.sock.recv(1 << 16)
        self.buffer += chunk
        return bool(chunk)

    def read_response(self, head_only: bool = False) -> Response:
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            if len(self.buffer) > 1 << 16:
                raise ProtocolError("the response head is over 64 KiB without a blank line ending it")
            if not self._fill():
                raise ProtocolError(
                    "the server closed the connection before a complete response head"
                    + (f" (got {bytes(self.buffer[:200])!r})" if self.buffer else "")
                )
        head = bytes(self.buffer[:end]).decode("latin-1")
        del self.buffer[: end + 4]
        status_line, *header_lines = head.split("\r\n")
        match = re.fullmatch(r"HTTP/1\.[01] ([0-9]{3})(?: .*)?", status_line)
        if match is None:
            raise ProtocolError(f"bad status line {status_line!r}; expected e.g. 'HTTP/1.1 206 Partial Content'")
        headers: dict[str, str] = {}
        for line in header_lines:
            name, colon, value = line.partition(":")
            if not colon:
                raise ProtocolError(f"bad header line {line!r} in the response")
            headers[name.strip().lower()] = value.strip()
        status = int(match.group(1))
        if head_only or status in (204, 304):
            return Response(status, headers, b"")
        length_text = headers.get("content-length")
        if length_text is None or not length_text.isdigit():
            raise ProtocolError(f"a {status} response without a valid Content-Length header (got {length_text!r})")
        length = int(length_text)
        while len(self.buffer) < length:
            if not self._fill():
                raise ProtocolError(
                    f"the server closed the connection after {len(self.buffer)} of the {length} body bytes "
                    "its Content-Length announced"
                )
        body = bytes(self.buffer[:length])
        del self.buffer[:length]
        return Response(status, headers, body)

    def closed_by_server(self, within: float = 2.0) -> bool:
        """Whether the server closes the connection within `within` seconds (no more bytes arrive first)."""
        deadline = time.monotonic() + within
        self.sock.settimeout(0.1)
        try:
            while time.monotonic() < deadline:
                try:
                    chunk = self.sock.recv(1 << 16)
                except TimeoutError:
                    continue
                except ConnectionResetError:
                    return True
                if not chunk:
                    return True
                self.buffer += chunk
            return False
        finally:
            self.sock.settimeout(TIMEOUT_S)


def get(port: int, target: str, headers: dict[str, str] | None = None, method: str = "GET") -> Response:
    """One request on a fresh connection."""
    with RawClient(port) as client:
        return client.request(method, target, headers)


_BOUNDARY = re.compile(r'multipart/byteranges\s*;\s*boundary=(?:"([^"]+)"|([^\s;"]+))\s*', re.IGNORECASE)
_CONTENT_RANGE = re.compile(r"bytes ([0-9]+)-([0-9]+)/([0-9]+)")


def parse_byteranges(content_type: str, body: bytes) -> list[tuple[dict[str, str], bytes]]:
    """The parts of a multipart/byteranges body (RFC 9110 §14.6, RFC 2046 §5.1.1), strictly.

    Each part's data length comes from its own Content-Range, so boundary-like bytes inside file data can't
    confuse the parser, and a part whose data is too long or too short is reported as such.
    """
    match = _BOUNDARY.fullmatch(content_type)
    if match is None:
        raise ProtocolError(f"Content-Type {content_type!r} is not 'multipart/byteranges; boundary=...'")
    delimiter = b"--" + (match.group(1) or match.group(2)).encode("latin-1")
    if body.startswith(delimiter):
        pos = 0
    elif (found := body.find(b"\r\n" + delimiter)) >= 0:
        pos = found + 2  # after a preamble, which must end with CRLF
    else:
        raise ProtocolError(f"the multipart body does not contain the boundary delimiter {delimiter!r}")
    parts: list[tuple[dict[str, str], bytes]] = []
    while True:
        pos += len(delimiter)
        if body.startswith(b"--", pos):
            return parts  # the close delimiter; an epilogue may follow
        if not body.startswith(b"\r\n", pos):
            raise ProtocolError(f"part {len(parts) + 1}: the boundary line is not followed by CRLF")
        end = body.find(b"\r\n\r\n", pos + 2)
        if end < 0:
            raise ProtocolError(f"part {len(parts) + 1}: its headers never end with a blank line")
        headers: dict[str, str] = {}
        for line in body[pos + 2 : end].decode("latin-1").split("\r\n"):
            name, colon, value = line.partition(":")
            if not colon:
                raise ProtocolError(f"part {len(parts) + 1}: bad header line {line!r}")
            headers[name.strip().lower()] = value.strip()
        content_range = _CONTENT_RANGE.fullmatch(headers.get("content-range", ""))
        if content_range is None:
            raise ProtocolError(
                f"part {len(parts) + 1}: Content-Range {headers.get('content-range')!r} is not 'bytes first-last/size'"
            )
        first, last = int(content_range.group(1)), int(content_range.group(2))
        data_start = end + 4
        data_end = data_start + last - first + 1
        if not body.startswith(b"\r\n" + delimiter, data_end):
            raise ProtocolError(
                f"part {len(parts) + 1} (Content-Range {headers['content-range']}): the {last - first + 1} data bytes "
                f"are not followed by CRLF and the boundary; is the part's data longer or shorter than its range?"
            )
        parts.append((headers, body[data_start:data_end]))
        pos = data_end + 2
