"""Exercise 48: a static-file HTTP/1.1 server with Range requests. Read README.md for the full spec."""

from __future__ import annotations

import os
from types import TracebackType
from typing import Self


class RangeServer:
    """Serves the regular files under `root` over HTTP/1.1 on (host, port), written on sockets or asyncio streams.

    GET and HEAD; keep-alive and pipelining; single, suffix, open-ended and multiple byte ranges
    (multipart/byteranges); 416 for unsatisfiable ranges; If-Range with a strong ETag or Last-Modified;
    nothing outside `root` is ever served.
    """

    def __init__(self, root: str | os.PathLike[str], host: str = "127.0.0.1", port: int = 0) -> None:
        """Remember the configuration; raise NotADirectoryError if `root` is not an existing directory.

        Nothing is bound yet. `port=0` lets the operating system pick a free port at `start()`.
        """
        raise NotImplementedError

    @property
    def port(self) -> int:
        """The bound port, once `start()` has returned."""
        raise NotImplementedError

    def start(self) -> int:
        """Bind and listen, serve in the background (a thread, or an event loop in its own thread), return the port.

        Returns only once the socket is listening, so a client may connect immediately.
        """
        raise NotImplementedError

    def stop(self) -> None:
        """Stop accepting, close every connection (idle keep-alive ones included), wait for the background work.

        Returns within a few seconds; calling it again does nothing.
        """
        raise NotImplementedError

    def __enter__(self) -> Self:
        """`start()` and return the server."""
        raise NotImplementedError

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """`stop()`."""
        raise NotImplementedError
