"""Known-good: a per-level pool of `concurrency` worker tasks instead of a semaphore, a lock-and-timestamp
per-host limiter, and RFC 3986's input-buffer dot-segment algorithm; written from the README alone."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import aiohttp


@dataclass(frozen=True)
class CrawlConfig:
    max_depth: int = 2
    max_pages: int = 100
    concurrency: int = 8
    rate: float = 10.0
    timeout: float = 5.0
    max_retries: int = 2
    backoff: float = 0.1
    user_agent: str = "kata-crawler/1.0"
    hosts: frozenset[str] | None = None


@dataclass
class CrawlResult:
    pages: dict[str, int] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def _dots(path: str) -> str:
    """RFC 3986 §5.2.4, literally: move segments from the input buffer to the output buffer."""
    inp, out = path, ""
    while inp:
        if inp.startswith("../"):
            inp = inp[3:]
        elif inp.startswith(("./", "/./")):
            inp = inp[2:]
        elif inp == "/.":
            inp = "/"
        elif inp.startswith("/../"):
            inp = inp[3:]
            out = out[: out.rfind("/")] if "/" in out else ""
        elif inp == "/..":
            inp = "/"
            out = out[: out.rfind("/")] if "/" in out else ""
        elif inp in (".", ".."):
            inp = ""
        else:
            m = re.match(r"/?[^/]*", inp)
            assert m is not None
            out += m.group(0)
            inp = inp[m.end() :]
    return out


def normalize_url(url: str, base: str | None = None) -> str | None:
    full = urljoin(base, url) if base is not None else url
    try:
        sp = urlsplit(full)
        port = sp.port
    except ValueError:
        return None
    scheme = sp.scheme.lower()
    if scheme not in ("http", "https") or not sp.hostname:
        return None
    host = sp.hostname if ":" not in sp.hostname else f"[{sp.hostname}]"
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        host += f":{port}"
    path = _dots(sp.path) or "/"
    pieces = sorted([p for p in sp.query.split("&") if p], key=lambda p: p.split("=", 1)[0])
    return f"{scheme}://{host}{path}" + ("?" + "&".join(pieces) if pieces else "")


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        for name, value in attrs:
            if name == "href" and value is not None:
                self.found.append(value)
                return


class _HostLimiter:
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.lock = asyncio.Lock()
        self.last = float("-inf")

    async def __aenter__(self) -> None:
        async with self.lock:
            wait = self.last + self.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self.last = time.monotonic()

    async def __aexit__(self, *exc: object) -> None:
        return None


async def crawl(start_url: str, config: CrawlConfig | None = None) -> CrawlResult:
    cfg = config if config is not None else CrawlConfig()
    start = normalize_url(start_url)
    if start is None:
        raise ValueError(start_url)
    allowed = cfg.hosts if cfg.hosts is not None else {urlsplit(start).netloc}
    limiters: dict[str, _HostLimiter] = {}
    robots: dict[str, RobotFileParser] = {}
    result = CrawlResult()

    async with aiohttp.ClientSession(headers={"User-Agent": cfg.user_agent}) as session:

        async def get(url: str) -> tuple[int, str | None, str | None] | str:
            host = urlsplit(url).netloc
            limiter = limiters.setdefault(host, _HostLimiter(1.0 / cfg.rate))
            why = "error"
            for attempt in range(cfg.max_retries + 1):
                pause = cfg.backoff * 2**attempt
                try:
                    async with limiter:
                        pass
                    async with session.get(
                        url, allow_redirects=False, timeout=aiohttp.ClientTimeout(total=cfg.timeout)
                    ) as r:
                        if r.status == 429 or r.status >= 500:
                            why = f"HTTP {r.status}"
                            header = r.headers.get("Retry-After", "")
                            if header.strip().isdigit():
                                pause = max(pause, float(header))
                        else:
                            text = None
                            if 200 <= r.status < 300 and r.content_type in ("text/html", "text/plain"):
                                text = await r.text(errors="replace")
                                if r.content_type != "text/html" and not url.endswith("/robots.txt"):
                                    text = None
                            return r.status, r.headers.get("Location"), text
                except TimeoutError:
                    why = "timeout"
                except aiohttp.ClientError as e:
                    why = f"error: {type(e).__name__}"
                if attempt < cfg.max_retries:
                    await asyncio.sleep(pause)
            return why

        async def robots_for(url: str) -> RobotFileParser:
            host = urlsplit(url).netloc
            if host not in robots:
                parser = RobotFileParser()
                got = await get(f"{urlsplit(url).scheme}://{host}/robots.txt")
                if isinstance(got, str) or got[0] >= 500:
                    parser.disallow_all = True
                elif got[0] >= 300:
                    parser.allow_all = True
                else:
                    parser.parse((got[2] or "").splitlines())
                robots[host] = parser
            return robots[host]

        async def run_level(urls: list[str]) -> list[tuple[int, str | None, str | None] | str]:
            out: list[tuple[int, str | None, str | None] | str] = ["" for _ in urls]
            queue: asyncio.Queue[int] = asyncio.Queue()
            for i in range(len(urls)):
                queue.put_nowait(i)

            async def worker() -> None:
                while True:
                    try:
                        i = queue.get_nowait()
                    except asyncio.QueueEmpty:
                        return
                    out[i] = await get(urls[i])

            workers = [asyncio.create_task(worker()) for _ in range(min(cfg.concurrency, len(urls)))]
            try:
                await asyncio.gather(*workers)
            finally:
                for w in workers:
                    w.cancel()
            return out

        visited = {start}
        level = [start]
        left = cfg.max_pages
        depth = 0
        while level and depth <= cfg.max_depth and left > 0:
            for u in level:  # robots.txt for new hosts, one at a time (each is fetched once)
                await robots_for(u)
            level = [u for u in level if robots[urlsplit(u).netloc].can_fetch(cfg.user_agent, u)][:left]
            left -= len(level)
            outcomes = await run_level(level)
            upcoming: list[str] = []
            for url, got in zip(level, outcomes, strict=True):
                found: list[str] = []
                if isinstance(got, str):
                    result.failed[url] = got
                elif got[0] in (301, 302, 303, 307, 308) and got[1] is not None:
                    target = normalize_url(got[1], url)
                    if target is None:
                        result.failed[url] = f"HTTP {got[0]}"
                    else:
                        result.redirects[url] = target
                        found = [target]
                elif 200 <= got[0] < 300:
                    result.pages[url] = depth
                    if got[2] is not None:
                        parser = _Anchors()
                        parser.feed(got[2])
                        found = [n for n in (normalize_url(h, url) for h in parser.found) if n is not None]
                else:
                    result.failed[url] = f"HTTP {got[0]}"
                for link in found:
                    if link not in visited and urlsplit(link).netloc in allowed:
                        visited.add(link)
                        upcoming.append(link)
            level = upcoming
            depth += 1
    return result
