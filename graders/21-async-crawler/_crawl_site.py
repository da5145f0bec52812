"""Test sites for the exercise 21 grader: a generated link graph served by aiohttp, and a BFS oracle over it.

A site is a list of nodes. Node 0 is the start page. Each node has a kind that decides how the server answers:

    page       200 text/html with <a href> links (after `delay` seconds)
    text       200 text/plain whose body *looks* like links (a crawler must not follow them)
    missing    404
    flaky      503 for the first request, then a page
    throttled  429 with Retry-After for the first request, then a page
    broken     500 every time
    redirect   `status` with a Location header pointing at its only link
    private    a page under /private/, which robots.txt disallows (requesting it is a violation)

Paths: /n/<i> for most nodes, /r/<i> for redirects, /private/<i> for private pages; a node may also have a
canonical query (e.g. "a=1&b=2") that its links spell in different orders. Links are spelled many ways
(absolute, relative, `..`, fragments, upper-case scheme, reordered queries), all normalising to one URL.

The server runs in its own thread and event loop and records every request with a server-side timestamp, so the
grader can check rates, concurrency and duplicate fetches from the server's point of view.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

ROBOTS = """\
# A group for another crawler, which must not apply to ours
User-agent: BadBot
Disallow: /n/

User-agent: *
Disallow: /private/
"""
FLAKY_FAILURES = 1
OFFSITE = (  # hrefs that are never on-site; {trap} is a loopback port where a recording server listens
    "http://127.0.0.1:{trap}/n/1",
    "//127.0.0.1:{trap}/n/2",
    "mailto:someone@example.com",
    "javascript:void(0)",
    "ftp://127.0.0.1:{trap}/file.txt",
    "HTTP://127.0.0.1:{trap}/",
)
PAGE_KINDS = ("page", "flaky", "throttled", "private")  # kinds served as HTML with links


@dataclass(frozen=True)
class Link:
    """A link to node `target` (an int) or to off-site href template `target` (a str), spelled by `variant`."""

    target: int | str
    variant: int = 0


@dataclass(frozen=True)
class Node:
    kind: str = "page"
    links: tuple[Link, ...] = ()
    query: str = ""
    delay: float = 0.0
    status: int = 301  # redirects only
    retry_after: str = "0"  # throttled only

    def path(self, index: int) -> str:
        prefix = {"redirect": "r", "private": "private"}.get(self.kind, "n")
        return f"/{prefix}/{index}"


@dataclass
class Stats:
    """What the server saw, recorded on the server's event loop."""

    requests: list[tuple[float, str, str]] = field(default_factory=list)  # (monotonic time, path, query)
    user_agents: set[str] = field(default_factory=set)
    hits: dict[int, list[float]] = field(default_factory=dict)  # node -> request times
    unexpected: list[str] = field(default_factory=list)  # requests for URLs no link ever spelled
    robots: list[float] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0

    def times(self) -> list[float]:
        return sorted(t for t, _, _ in self.requests)


class Site:
    """One generated site; `port` is known once the server has started it."""

    def __init__(self, nodes: list[Node], trap: int, *, robots: str | None = ROBOTS) -> None:
        self.nodes = nodes
        self.trap = trap
        self.robots = robots
        self.port = 0
        self.stats = Stats()
        self._attempts: dict[int, int] = {}

    # ---- URLs --------------------------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, index: int) -> str:
        """The normal form of node `index`'s URL."""
        node = self.nodes[index]
        return self.origin + node.path(index) + (f"?{node.query}" if node.query else "")

    def offsite_url(self, template: str) -> str:
        return template.format(trap=self.trap)

    def href(self, link: Link, from_index: int) -> str:
        """How a page spells `link` (every spelling of a node normalises to `url(target)`)."""
        if isinstance(link.target, str):
            return self.offsite_url(link.target)
        node = self.nodes[link.target]
        path = node.path(link.target)
        pieces = node.query.split("&") if node.query else []
        query = "?" + "&".join(pieces) if pieces else ""
        reordered = "?" + "&".join([*reversed(pieces), ""]) if pieces else ""  # reversed, trailing empty piece
        here = self.nodes[from_index].path(from_index)
        same_dir = here.rsplit("/", 1)[0] == path.rsplit("/", 1)[0]
        spellings = [
            f"{self.origin}{path}{query}",
            f"{path}{reordered}",
            f"..{path}{query}",  # from /n/<i>: ../n/<j> (and "../" past the root stays at the root)
            f"{path}{query}#section-{link.target}",
            f"HTTP://127.0.0.1:{self.port}{path}{reordered}",
            f"{self.origin}/x/y/../..{path}{query}",
            (f"./{path.rsplit('/', 1)[1]}{query}" if same_dir else f"/./{path.lstrip('/')}{query}"),
            f"{self.origin}{path}{reordered}#",
        ]
        return spellings[link.variant % len(spellings)]

    # ---- serving -----------------------------------------------------------------------------------------

    def body(self, index: int) -> str:
        node = self.nodes[index]
        anchors = "\n".join(
            f'<li><a class="l" href="{self.href(link, index)}">link {n}</a></li>' for n, link in enumerate(node.links)
        )
        return (
            f"<!doctype html><html><head><title>node {index}</title>"
            '<link rel="stylesheet" href="/n/99999.css"></head><body>'
            f'<h1 id="top">Node {index}</h1><a name="anchor-without-href">no href</a>'
            f'<ul>\n{anchors}\n</ul><p><a href="#top">back to top</a></p></body></html>'
        )

    def _node_for(self, path: str, query: str) -> int | None:
        parts = path.split("/")
        if len(parts) != 3 or not parts[2].isdigit():
            return None
        index = int(parts[2])
        if index >= len(self.nodes) or self.nodes[index].path(index) != path:
            return None
        pieces = sorted(p for p in query.split("&") if p)
        if pieces != sorted(p for p in self.nodes[index].query.split("&") if p):
            return None
        return index

    async def handle(self, request: web.Request) -> web.StreamResponse:
        stats = self.stats
        now = time.monotonic()
        stats.requests.append((now, request.path, request.query_string))
        stats.user_agents.add(request.headers.get("User-Agent", ""))
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            if request.path == "/robots.txt":
                stats.robots.append(now)
                if self.robots is None:
                    raise web.HTTPNotFound()
                return web.Response(text=self.robots, content_type="text/plain")
            index = self._node_for(request.path, request.query_string)
            if index is None:
                stats.unexpected.append(request.path_qs)
                raise web.HTTPNotFound()
            stats.hits.setdefault(index, []).append(now)
            return await self._answer(index)
        finally:
            stats.in_flight -= 1

    async def _answer(self, index: int) -> web.StreamResponse:
        node = self.nodes[index]
        attempt = self._attempts[index] = self._attempts.get(index, 0) + 1
        if node.delay:
            await asyncio.sleep(node.delay)
        if node.kind == "missing":
            raise web.HTTPNotFound()
        if node.kind == "broken":
            return web.Response(status=500, text="broken")
        if node.kind == "flaky" and attempt <= FLAKY_FAILURES:
            return web.Response(status=503, text="try again")
        if node.kind == "throttled" and attempt == 1:
            return web.Response(status=429, text="slow down", headers={"Retry-After": node.retry_after})
        if node.kind == "redirect":
            location = self.href(node.links[0], index)
            return web.Response(status=node.status, headers={"Location": location})
        if node.kind == "text":
            fake = " ".join(f'<a href="{self.href(link, index)}">' for link in node.links)
            return web.Response(text=f"not HTML, do not parse: {fake}", content_type="text/plain")
        return web.Response(text=self.body(index), content_type="text/html")


TRAP_HITS = web.AppKey("trap_hits", list[str])


async def _trap_handler(request: web.Request) -> web.StreamResponse:
    request.app[TRAP_HITS].append(request.path_qs)
    raise web.HTTPNotFound()


class SiteServer:
    """Serves sites from a background thread with its own event loop (the crawler runs in the test's loop)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="crawl-sites", daemon=True)
        self._thread.start()
        self.trap_hits: list[str] = []
        trap_app = web.Application()
        trap_app[TRAP_HITS] = self.trap_hits
        trap_app.router.add_route("*", "/{tail:.*}", _trap_handler)
        self._trap_runner, self.trap_port = self._call(self._start(trap_app))

    def _call(self, coro: Any, timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    @staticmethod
    async def _start(app: web.Application) -> tuple[web.AppRunner, int]:
        runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = int(server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        return runner, port

    @contextlib.contextmanager
    def serve(self, *sites: Site) -> Iterator[None]:
        """Serve `sites` (each on its own ephemeral port) for the duration of the block."""
        runners: list[web.AppRunner] = []
        try:
            for site in sites:
                app = web.Application()
                app.router.add_route("*", "/{tail:.*}", site.handle)
                runner, site.port = self._call(self._start(app))
                runners.append(runner)
            yield
        finally:
            for runner in runners:
                self._call(runner.cleanup())

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._call(self._trap_runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self.loop.close()


# ---- the oracle ----------------------------------------------------------------------------------------------


@dataclass
class Expected:
    pages: dict[str, int] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    hits: dict[int, int] = field(default_factory=dict)  # node -> requests the server should see


def bfs_oracle(site: Site, *, max_depth: int, max_pages: int, max_retries: int) -> Expected:
    """What a correct crawl from node 0 finds: level by level, in discovery order, first `max_pages` URLs."""
    expected = Expected()
    seen = {0}
    frontier = [0]
    budget = max_pages
    for depth in range(max_depth + 1):
        frontier = [i for i in frontier if site.nodes[i].kind != "private"][:budget]
        if not frontier:
            break
        budget -= len(frontier)
        next_frontier: list[int] = []
        for index in frontier:
            node, url = site.nodes[index], site.url(index)
            targets: list[int] = []
            if node.kind == "missing":
                expected.failed[url] = "HTTP 404"
                expected.hits[index] = 1
            elif node.kind == "broken":
                expected.failed[url] = "HTTP 500"
                expected.hits[index] = max_retries + 1
            elif node.kind == "redirect":
                link = node.links[0]
                expected.hits[index] = 1
                if isinstance(link.target, int):
                    expected.redirects[url] = site.url(link.target)
                    targets = [link.target]
                else:
                    expected.redirects[url] = site.offsite_url(link.target).replace("HTTP://", "http://")
            else:
                expected.pages[url] = depth
                expected.hits[index] = {"flaky": FLAKY_FAILURES + 1, "throttled": 2}.get(node.kind, 1)
                if node.kind != "text":
                    targets = [link.target for link in node.links if isinstance(link.target, int)]
            for target in targets:
                if target not in seen:
                    seen.add(target)
                    next_frontier.append(target)
        frontier = next_frontier
    return expected
