"""Known-bad: the ETag is a SHA-256 of the whole file, recomputed on every request (correct, but each
request costs O(file size) instead of O(range)).

A static-file HTTP/1.1 server with byte ranges, written on raw sockets.

Architecture: one acceptor thread waits on the listening socket (and a wake-up socket, so `stop()` never waits
for a timeout), and each accepted connection gets its own thread that reads requests off a buffered reader (so
pipelined requests are answered in order) and writes responses with `socket.sendfile` (zero-copy: file pages
go from the page cache to the socket without passing through Python, so memory stays flat for any file size).

Range semantics follow RFC 9110 §14: a syntactically invalid Range is ignored (200), a valid one with no
satisfiable range is answered 416 with `Content-Range: bytes */size`, one range gives a 206 with its slice, and
several give a 206 `multipart/byteranges` body whose length is computed before the first byte is sent.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import mimetypes
import os
import re
import secrets
import selectors
import socket
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self
from urllib.parse import unquote

MAX_LINE = 8192  # longest request line or header line we accept
MAX_HEADERS = 100
MAX_RANGES = 64  # more range-specs than this smells like a denial-of-service attempt: ignore the header
IDLE_TIMEOUT_S = 30.0  # an idle keep-alive connection is closed after this long
INLINE_LIMIT = 64 * 1024  # bodies (and multipart pieces) up to this size are copied; larger ones use sendfile
STOP_TIMEOUT_S = 5.0

_RANGE_SPEC = re.compile(r"([0-9]+)-([0-9]*)|-([0-9]+)")  # [0-9], not \d: \d also matches non-ASCII digits
_REASONS = {
    200: "OK",
    206: "Partial Content",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    416: "Range Not Satisfiable",
    431: "Request Header Fields Too Large",
    505: "HTTP Version Not Supported",
}

ByteRange = tuple[int, int]  # (first, last), both inclusive, as in Content-Range
Segment = bytes | ByteRange  # a piece of a response body: literal bytes, or a slice of the file


class BadRequest(Exception):
    """The request cannot be parsed; answer `status` and close the connection."""

    def __init__(self, status: int = 400) -> None:
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    version: str
    headers: dict[str, str]  # lower-cased names; a repeated field keeps its last value

    @property
    def keep_alive(self) -> bool:
        tokens = {t.strip().lower() for t in self.headers.get("connection", "").split(",")}
        return self.version == "HTTP/1.1" and "close" not in tokens


def parse_ranges(header: str, size: int) -> list[ByteRange] | None:
    """The satisfiable ranges of a `Range` header for a file of `size` bytes, in the order requested.

    None means the header is invalid and must be ignored (RFC 9110 §14.2); an empty list means it is valid but
    nothing in it is satisfiable (416).
    """
    unit, equals, specs = header.partition("=")
    if not equals or unit.lower() != "bytes":
        return None
    items = specs.split(",")
    if len(items) > MAX_RANGES:
        return None
    ranges: list[ByteRange] = []
    for item in items:
        match = _RANGE_SPEC.fullmatch(item.strip(" \t"))
        if match is None:
            return None
        first, last, suffix = (None if g is None or g == "" else _number(g) for g in match.groups())
        if suffix is not None:  # "-N": the last N bytes
            if suffix > 0 and size > 0:
                ranges.append((max(0, size - suffix), size - 1))
        else:
            assert first is not None
            if last is not None and last < first:
                return None
            if first < size:  # "N-" or "N-M", clipped to the end of the file
                ranges.append((first, size - 1 if last is None else min(last, size - 1)))
    return ranges


def _number(digits: str) -> int:
    # int() refuses more than 4300 digits (CVE-2020-10735); anything past 18 digits exceeds every file anyway.
    return int(digits) if len(digits) <= 18 else 10**18


def http_date(timestamp: float) -> str:
    """IMF-fixdate, e.g. 'Sun, 06 Nov 1994 08:49:37 GMT'."""
    return email.utils.formatdate(timestamp, usegmt=True)


class RangeServer:
    """Serves the regular files under `root` over HTTP/1.1 on (host, port); port 0 picks a free port."""

    def __init__(self, root: str | os.PathLike[str], host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise NotADirectoryError(f"not a directory: {root}")
        self.host = host
        self._requested_port = port
        self._listener: socket.socket | None = None
        self._port: int | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None  # stop() writes, the acceptor wakes up
        self._acceptor: threading.Thread | None = None
        self._lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._stopping = False

    # ---- lifecycle ---------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (valid after `start()`)."""
        if self._port is None:
            raise RuntimeError("the server is not started")
        return self._port

    def start(self) -> int:
        """Bind, listen, serve in background threads, and return the bound port."""
        if self._listener is not None or self._stopping:
            raise RuntimeError("start() may be called once")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self._requested_port))
            listener.listen(128)
            listener.setblocking(False)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        self._port = int(listener.getsockname()[1])
        self._wake = socket.socketpair()
        self._acceptor = threading.Thread(target=self._accept_loop, name="range-server-accept", daemon=True)
        self._acceptor.start()
        return self.port

    def stop(self) -> None:
        """Stop accepting, close every connection (idle or busy), and wait for the threads. Idempotent."""
        with self._lock:
            if self._stopping:
                return
            self._stopping = True
        if self._acceptor is not None and self._wake is not None:
            self._wake[1].send(b"x")
            self._acceptor.join(STOP_TIMEOUT_S)
        with self._lock:  # no new connection can register now: the acceptor has exited
            threads = list(self._connections.values())
            for conn in self._connections:
                _shutdown(conn)  # wakes a thread blocked in recv() or sendfile()
        for thread in threads:
            thread.join(STOP_TIMEOUT_S)
        for end in self._wake or ():
            end.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        assert self._listener is not None and self._wake is not None
        wake = self._wake[0]
        with self._listener, selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(wake, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select():
                    if key.fileobj is wake:
                        return
                    try:
                        conn, _ = self._listener.accept()
                    except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                        continue  # the client gave up between select() and accept()
                    thread = threading.Thread(target=self._serve, args=(conn,), name="range-server-conn", daemon=True)
                    with self._lock:
                        self._connections[conn] = thread
                    thread.start()

    # ---- one connection ----------------------------------------------------------------------------------

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(IDLE_TIMEOUT_S)
            # Headers and body often leave in separate writes; without NODELAY, Nagle's algorithm would hold
            # the second one back until the client's (delayed) ACK arrives: 40 ms per request on Linux.
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with conn.makefile("rb") as reader:
                while True:
                    try:
                        request = read_request(reader)
                    except BadRequest as exc:
                        self._respond_error(conn, exc.status)
                        return
                    if request is None or not self._handle(conn, request):
                        return
        except OSError:
            pass  # the client went away, the idle timeout hit, or stop() shut the socket down
        finally:
            with self._lock:
                del self._connections[conn]
                conn.close()

    def _handle(self, conn: socket.socket, request: Request) -> bool:
        """Answer one request; return whether the connection stays open."""
        keep_alive = request.keep_alive
        if "content-length" in request.headers or "transfer-encoding" in request.headers:
            keep_alive = False  # we never read request bodies, so the next request would start mid-body
        if request.method not in ("GET", "HEAD"):
            self._respond_error(conn, 405, extra={"Allow": "GET, HEAD"}, keep_alive=keep_alive)
            return keep_alive
        resolved = self._resolve(request.target)
        if isinstance(resolved, int):
            self._respond_error(conn, resolved, keep_alive=keep_alive)
            return keep_alive
        try:
            file = open(resolved, "rb")  # noqa: SIM115 - closed below, after the body is sent
        except OSError:
            self._respond_error(conn, 404, keep_alive=keep_alive)
            return keep_alive
        with file:
            info = os.fstat(file.fileno())  # of the file we opened, not of a path that may have changed since
            if not stat.S_ISREG(info.st_mode):
                self._respond_error(conn, 404, keep_alive=keep_alive)
                return keep_alive
            status, headers, body = plan_response(request, resolved, info)
            headers["Connection"] = "keep-alive" if keep_alive else "close"
            head = _head(status, headers)
            send_body(conn, file, [head] if request.method == "HEAD" else [head, *body])
        return keep_alive

    def _resolve(self, target: str) -> Path | int:
        """The file a request target names, or the error status: 400 bad target, 403 escapes root, 404."""
        path = target.partition("?")[0]
        if not path.startswith("/"):
            return 400
        try:
            decoded = unquote(path, errors="strict")
        except UnicodeDecodeError:
            return 400
        if "\x00" in decoded:
            return 400
        parts = decoded.split("/")
        if ".." in parts:
            return 403
        candidate = self.root.joinpath(*(p for p in parts if p not in ("", ".")))
        real = candidate.resolve()  # follows symlinks: a link pointing out of the root is caught below
        if not real.is_relative_to(self.root):
            return 403
        return real if real.is_file() else 404

    def _respond_error(
        self, conn: socket.socket, status: int, *, extra: dict[str, str] | None = None, keep_alive: bool = False
    ) -> None:
        body = f"{status} {_REASONS[status]}\n".encode()
        headers = {"Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(body)), **(extra or {})}
        headers["Connection"] = "keep-alive" if keep_alive else "close"
        conn.sendall(_head(status, headers) + body)


def read_request(reader: BinaryIO) -> Request | None:
    """Read one request head; None on a clean end of stream between requests."""
    line = reader.readline(MAX_LINE + 1)
    while line in (b"\r\n", b"\n"):  # RFC 9112 §2.2: ignore empty lines before a request line
        line = reader.readline(MAX_LINE + 1)
    if not line:
        return None
    if len(line) > MAX_LINE or not line.endswith(b"\n"):
        raise BadRequest(400)
    words = line.decode("latin-1").split()
    if len(words) != 3:
        raise BadRequest(400)
    method, target, version = words
    if version not in ("HTTP/1.0", "HTTP/1.1"):
        raise BadRequest(505 if version.startswith("HTTP/") else 400)
    headers: dict[str, str] = {}
    while True:
        line = reader.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE or len(headers) > MAX_HEADERS:
            raise BadRequest(431)
        if not line.endswith(b"\n"):
            raise BadRequest(400)  # the stream ended inside the head
        if line in (b"\r\n", b"\n"):
            return Request(method, target, version, headers)
        name, colon, value = line.decode("latin-1").partition(":")
        if not colon or not name or name != name.strip():
            raise BadRequest(400)  # no whitespace is allowed before the colon (RFC 9112 §5.1)
        headers[name.lower()] = value.strip(" \t\r\n")


def plan_response(request: Request, path: Path, info: os.stat_result) -> tuple[int, dict[str, str], list[Segment]]:
    """Status, headers and body segments for a GET of `path` (a HEAD sends the same head without the body)."""
    size = info.st_size
    digest = hashlib.sha256()
    with open(path, "rb") as whole:
        while chunk := whole.read(1 << 16):
            digest.update(chunk)
    etag = f'"{digest.hexdigest()}"'
    last_modified = http_date(info.st_mtime)
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    headers = {
        "Date": http_date(time.time()),
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Last-Modified": last_modified,
    }
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    ranges = None
    if range_header is not None and (if_range is None or if_range in (etag, last_modified)):
        ranges = parse_ranges(range_header, size)  # If-Range matches only our strong ETag or exact date
    if ranges is None:
        headers |= {"Content-Type": content_type, "Content-Length": str(size)}
        return 200, headers, [(0, size - 1)] if size else []
    if not ranges:
        headers |= {"Content-Range": f"bytes */{size}", "Content-Length": "0"}
        return 416, headers, []
    if len(ranges) == 1:
        first, last = ranges[0]
        headers |= {
            "Content-Type": content_type,
            "Content-Range": f"bytes {first}-{last}/{size}",
            "Content-Length": str(last - first + 1),
        }
        return 206, headers, [ranges[0]]
    boundary = secrets.token_hex(16)
    body: list[Segment] = []
    for first, last in ranges:
        part_head = f"--{boundary}\r\nContent-Type: {content_type}\r\nContent-Range: bytes {first}-{last}/{size}"
        body += [f"{part_head}\r\n\r\n".encode("latin-1"), (first, last), b"\r\n"]
    body.append(f"--{boundary}--\r\n".encode("latin-1"))
    length = sum(len(s) if isinstance(s, bytes) else s[1] - s[0] + 1 for s in body)
    headers |= {"Content-Type": f"multipart/byteranges; boundary={boundary}", "Content-Length": str(length)}
    return 206, headers, body


def send_body(conn: socket.socket, file: BinaryIO, segments: list[Segment]) -> None:
    """Write the segments in order: small pieces are batched into one send, large file slices use sendfile."""
    pending = bytearray()
    for segment in segments:
        if isinstance(segment, bytes):
            pending += segment
            continue
        first, last = segment
        count = last - first + 1
        if count <= INLINE_LIMIT:
            file.seek(first)
            pending += file.read(count)
            continue
        if pending:
            conn.sendall(pending)
            pending.clear()
        conn.sendfile(file, first, count)
    if pending:
        conn.sendall(pending)


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS[status]}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode("latin-1")


def _shutdown(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):  # the peer may have closed it already
        conn.shutdown(socket.SHUT_RDWR)
