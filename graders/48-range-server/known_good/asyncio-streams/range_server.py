"""Known-good: asyncio streams in an event loop thread, chunked reads instead of sendfile, written from the README.

Each connection is a task reading request heads with `readuntil`; bodies go out in 256 KiB chunks with
`drain()` for back-pressure. `stop()` closes the listener and cancels the connection tasks from the loop's thread.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
import re
import secrets
import threading
import time
from email.utils import formatdate
from types import TracebackType
from typing import Self
from urllib.parse import unquote

CHUNK = 256 * 1024
RANGE_HEADER = re.compile(r"bytes=(.*)", re.IGNORECASE | re.DOTALL)
RANGE_SPEC = re.compile(r"[ \t]*(?:(?P<first>[0-9]+)-(?P<last>[0-9]*)|-(?P<suffix>[0-9]+))[ \t]*")
STATUS = {
    200: "OK",
    206: "Partial Content",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    416: "Range Not Satisfiable",
}


def number(digits: str) -> int:
    return int(digits) if len(digits) <= 19 else 1 << 64  # int() refuses over 4300 digits; past 19, any is "huge"


def ranges_for(value: str, size: int) -> list[tuple[int, int]] | None:
    whole = RANGE_HEADER.fullmatch(value)
    if whole is None:
        return None
    out = []
    for element in whole.group(1).split(","):
        m = RANGE_SPEC.fullmatch(element)
        if m is None:
            return None
        if m["suffix"] is not None:
            n = min(number(m["suffix"]), size)
            if n > 0:
                out.append((size - n, size - 1))
            continue
        first = number(m["first"])
        last = number(m["last"]) if m["last"] else None
        if last is not None and last < first:
            return None
        if first < size:
            out.append((first, min(size - 1, last if last is not None else size - 1)))
    return out


class RangeServer:
    def __init__(self, root: str | os.PathLike[str], host: str = "127.0.0.1", port: int = 0) -> None:
        if not os.path.isdir(root):
            raise NotADirectoryError(str(root))
        self._root = os.path.realpath(root)
        self._host, self._want_port = host, port
        self._port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = False

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("not started")
        return self._port

    def start(self) -> int:
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        async def open_server() -> None:
            try:
                self._server = await asyncio.start_server(self._connection, self._host, self._want_port)
                self._port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:
                failure.append(exc)
            finally:
                ready.set()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._loop.create_task(open_server())
            self._loop.run_forever()
            self._loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self.stop()
            raise failure[0]
        return self.port

    def stop(self) -> None:
        if self._stopped or self._loop is None:
            self._stopped = True
            return
        self._stopped = True

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        assert self._thread is not None
        self._thread.join(5)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while await self._one_request(reader, writer):
                pass
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _one_request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not re.fullmatch(r"HTTP/1\.[01]", parts[2]):
            await self._simple(writer, 400, close=True)
            return False
        method, target, version = parts
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        close = version == "HTTP/1.0" or "close" in headers.get("connection", "").lower()
        close = close or "content-length" in headers or "transfer-encoding" in headers
        if method not in ("GET", "HEAD"):
            await self._simple(writer, 405, close, {"Allow": "GET, HEAD"})
            return not close
        found = self._lookup(target)
        if isinstance(found, int):
            await self._simple(writer, found, close)
            return not close
        await self._send_file(writer, found, method == "HEAD", headers, close)
        return not close

    def _lookup(self, target: str) -> str | int:
        raw = target.split("?")[0]
        if not raw.startswith("/"):
            return 400
        try:
            path = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return 400
        if ".." in path.split("/") or "\0" in path:
            return 403
        full = os.path.realpath(os.path.join(self._root, path.lstrip("/")))
        if os.path.commonpath([full, self._root]) != self._root:
            return 403
        return full if os.path.isfile(full) else 404

    async def _simple(
        self, writer: asyncio.StreamWriter, status: int, close: bool, extra: dict[str, str] | None = None
    ) -> None:
        body = f"{status} {STATUS[status]}\n".encode()
        fields = {"Content-Length": str(len(body)), "Connection": "close" if close else "keep-alive", **(extra or {})}
        writer.write(self._head(status, fields) + body)
        await writer.drain()

    @staticmethod
    def _head(status: int, fields: dict[str, str]) -> bytes:
        text = f"HTTP/1.1 {status} {STATUS[status]}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
        return (text + "\r\n").encode("latin-1")

    async def _send_file(
        self, writer: asyncio.StreamWriter, path: str, head_only: bool, headers: dict[str, str], close: bool
    ) -> None:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            size = st.st_size
            etag = f'"{st.st_mtime_ns:x}.{size:x}.{st.st_ino:x}"'
            modified = formatdate(st.st_mtime, usegmt=True)
            ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
            fields = {
                "Date": formatdate(time.time(), usegmt=True),
                "ETag": etag,
                "Last-Modified": modified,
                "Accept-Ranges": "bytes",
                "Connection": "close" if close else "keep-alive",
            }
            spans: list[tuple[int, int]] | None = None
            if "range" in headers and headers.get("if-range", etag) in (etag, modified):
                spans = ranges_for(headers["range"], size)
            pieces: list[bytes | tuple[int, int]]
            if spans is None:
                status, pieces = 200, [(0, size)]
                fields["Content-Type"] = ctype
            elif not spans:
                status, pieces = 416, []
                fields["Content-Range"] = f"bytes */{size}"
            elif len(spans) == 1:
                status, pieces = 206, [(spans[0][0], spans[0][1] + 1)]
                fields["Content-Type"] = ctype
                fields["Content-Range"] = f"bytes {spans[0][0]}-{spans[0][1]}/{size}"
            else:
                status, pieces = 206, []
                mark = secrets.token_urlsafe(12)
                for a, b in spans:
                    part = f"--{mark}\r\nContent-Type: {ctype}\r\nContent-Range: bytes {a}-{b}/{size}\r\n\r\n"
                    pieces += [part.encode(), (a, b + 1), b"\r\n"]
                pieces.append(f"--{mark}--\r\n".encode())
                fields["Content-Type"] = f"multipart/byteranges; boundary={mark}"
            total = sum(len(p) if isinstance(p, bytes) else p[1] - p[0] for p in pieces)
            fields["Content-Length"] = str(total)
            writer.write(self._head(status, fields))
            if not head_only:
                for piece in pieces:
                    if isinstance(piece, bytes):
                        writer.write(piece)
                        continue
                    f.seek(piece[0])
                    left = piece[1] - piece[0]
                    while left:
                        chunk = f.read(min(CHUNK, left))
                        if not chunk:
                            raise OSError("file shrank while sending")
                        writer.write(chunk)
                        left -= len(chunk)
                        await writer.drain()
            await writer.drain()
