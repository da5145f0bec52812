"""Known-bad: deduplicates on the joined href (fragment removed) instead of the normalised URL,
so `?b=2&a=1`, `/x/../n/1` and `HTTP://` spellings of one page are fetched again."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import aiohttp

DEFAULT_PORTS = {"http": 80, "https": 443}
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class CrawlConfig:
    """How far, how fast and how persistently to crawl."""

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
    """What the crawl found, keyed by normalised URL."""

    pages: dict[str, int] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def normalize_url(url: str, base: str | None = None) -> str | None:
    """The normal form of an http(s) URL (resolved against `base` first), or None for anything else."""
    if base is not None:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname  # already lower-cased, user info and brackets removed
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if ":" in host:  # an IPv6 literal keeps its brackets in a URL
        host = f"[{host}]"
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = _remove_dot_segments(parts.path) or "/"
    pieces = [piece for piece in parts.query.split("&") if piece]
    pieces.sort(key=lambda piece: piece.partition("=")[0])  # stable: repeated names keep their order
    return urlunsplit((scheme, netloc, path, "&".join(pieces), ""))


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4 for an absolute path: drop `.` segments, let `..` remove the segment before it."""
    segments = path.split("/")
    output: list[str] = []
    for segment in segments:
        if segment == "..":
            if len(output) > 1:  # output[0] is the empty segment before the leading "/"
                output.pop()
        elif segment != ".":
            output.append(segment)
    if segments[-1] in (".", ".."):  # "/a/b/.." is the directory "/a/", not the file "/a"
        output.append("")
    return "/".join(output)


class _LinkParser(HTMLParser):
    """Collects the href of every <a> element, in document order (entities already unescaped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href is not None:
                self.hrefs.append(href)


def extract_links(html: str) -> list[str]:
    """The href values of the <a> elements in `html`, in document order."""
    parser = _LinkParser()
    parser.feed(html)
    parser.close()
    return parser.hrefs


class _Throttle:
    """Spaces the starts of requests to one host at least `interval` seconds apart (no bursts).

    Each caller reserves the next free slot and sleeps until it. Reading and advancing `_next` happens without an
    `await` in between, so no lock is needed on a single event loop.
    """

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = 0.0

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        slot = max(now, self._next)
        self._next = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)


@dataclass(frozen=True)
class _Response:
    status: int
    location: str | None
    body: str | None  # the text of an HTML page, None for anything else


class _Crawler:
    def __init__(self, config: CrawlConfig, session: aiohttp.ClientSession) -> None:
        self.config = config
        self.session = session
        self.semaphore = asyncio.Semaphore(config.concurrency)
        self.throttles: dict[str, _Throttle] = {}
        self.robots: dict[str, RobotFileParser] = {}
        self.result = CrawlResult()

    async def run(self, start: str, hosts: frozenset[str]) -> CrawlResult:
        seen = {start}
        frontier = [start]
        budget = self.config.max_pages
        for depth in range(self.config.max_depth + 1):
            frontier = await self._allowed(frontier)
            frontier = frontier[:budget]
            if not frontier:
                break
            budget -= len(frontier)
            outcomes = await asyncio.gather(*(self._fetch(url) for url in frontier))
            next_frontier: list[str] = []
            for url, outcome in zip(frontier, outcomes, strict=True):
                for raw in self._record(url, depth, outcome):
                    link = normalize_url(raw)
                    if link is not None and urlsplit(link).netloc in hosts and raw not in seen:
                        seen.add(raw)
                        next_frontier.append(link)
            frontier = next_frontier
        return self.result

    def _record(self, url: str, depth: int, outcome: _Response | str) -> list[str]:
        """Store one URL's outcome; return the normalised links it leads to, in document order."""
        if isinstance(outcome, str):
            self.result.failed[url] = outcome
            return []
        if outcome.status in REDIRECT_STATUSES and outcome.location is not None:
            target = normalize_url(outcome.location, base=url)
            if target is None:
                self.result.failed[url] = f"HTTP {outcome.status}"
                return []
            self.result.redirects[url] = target
            return [target]
        if not 200 <= outcome.status < 300:
            self.result.failed[url] = f"HTTP {outcome.status}"
            return []
        self.result.pages[url] = depth
        if outcome.body is None:
            return []
        return [urldefrag(urljoin(url, href))[0] for href in extract_links(outcome.body)]

    async def _allowed(self, urls: list[str]) -> list[str]:
        """`urls` without those robots.txt disallows (fetching robots.txt for hosts met for the first time)."""
        new_hosts = {urlsplit(url).netloc for url in urls} - self.robots.keys()
        origins = {urlsplit(url).netloc: url for url in urls}
        parsers = await asyncio.gather(*(self._fetch_robots(origins[host]) for host in new_hosts))
        self.robots.update(zip(new_hosts, parsers, strict=True))
        agent = self.config.user_agent
        return [url for url in urls if self.robots[urlsplit(url).netloc].can_fetch(agent, url)]

    async def _fetch_robots(self, url: str) -> RobotFileParser:
        parser = RobotFileParser()
        outcome = await self._fetch(urljoin(url, "/robots.txt"), text_types=("text/plain", "text/html"))
        if isinstance(outcome, str) or outcome.status >= 500:
            parser.disallow_all = True  # RFC 9309 §2.3.1.4: an unreachable robots.txt means "crawl nothing"
        elif 200 <= outcome.status < 300:
            parser.parse((outcome.body or "").splitlines())
        else:
            parser.allow_all = True  # 3xx, 4xx: there are no rules
        return parser

    async def _fetch(self, url: str, text_types: tuple[str, ...] = ("text/html",)) -> _Response | str:
        """GET `url` with the politeness rules and retries; a str is the reason it finally failed."""
        config = self.config
        host = urlsplit(url).netloc
        throttle = self.throttles.setdefault(host, _Throttle(config.rate))
        timeout = aiohttp.ClientTimeout(total=config.timeout)
        reason = ""
        for attempt in range(config.max_retries + 1):
            retry_after = 0.0
            try:
                async with self.semaphore:
                    await throttle.wait()
                    async with self.session.get(url, allow_redirects=False, timeout=timeout) as response:
                        status = response.status
                        if status == 429 or status >= 500:
                            reason = f"HTTP {status}"
                            retry_after = _retry_after(response.headers.get("Retry-After"))
                        else:
                            body = None
                            if 200 <= status < 300 and response.content_type in text_types:
                                body = await response.text(errors="replace")
                            return _Response(status, response.headers.get("Location"), body)
            except TimeoutError:
                reason = "timeout"
            except aiohttp.ClientError as exc:
                reason = f"error: {type(exc).__name__}"
            if attempt < config.max_retries:
                # Sleep outside the semaphore: a waiting retry must not hold a slot others could use.
                await asyncio.sleep(max(config.backoff * 2**attempt, retry_after))
        return reason


def _retry_after(value: str | None) -> float:
    """Seconds from a Retry-After header in its delay-seconds form; 0 when absent or not a number."""
    if value is None:
        return 0.0
    try:
        return max(0.0, float(value))
    except ValueError:
        return 0.0


async def crawl(start_url: str, config: CrawlConfig | None = None) -> CrawlResult:
    """Crawl from `start_url` breadth-first within `config`'s limits; see the README for the exact rules."""
    config = config or CrawlConfig()
    start = normalize_url(start_url)
    if start is None:
        raise ValueError(f"not an http(s) URL: {start_url!r}")
    hosts = config.hosts if config.hosts is not None else frozenset({urlsplit(start).netloc})
    headers = {"User-Agent": config.user_agent}
    connector = aiohttp.TCPConnector(limit=config.concurrency)
    async with aiohttp.ClientSession(headers=headers, connector=connector) as session:
        return await _Crawler(config, session).run(start, hosts)
