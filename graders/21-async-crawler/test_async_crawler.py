"""Hidden grader for exercise 21: an asyncio crawler with rate limiting, robots.txt, retries and timeouts.

Generated sites (see _crawl_site.py) run on loopback aiohttp servers in a background thread and record every
request server-side; an independent BFS oracle over the generated graph says what a correct crawl finds. Off-site
links point at a loopback "trap" server that must never see a request.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import aiohttp
import pytest
from _crawl_site import FLAKY_FAILURES, OFFSITE, Link, Node, Site, SiteServer, bfs_oracle
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from kata.testing import Perf

_monotonic = time.monotonic  # bound before any learner code runs
CRAWL_LIMIT_S = 10.0
FAST = {"rate": 500.0, "backoff": 0.01, "timeout": 3.0}  # settings for tests where speed limits are not the point


# ---- fixtures and helpers ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[SiteServer]:
    srv = SiteServer()
    try:
        yield srv
    finally:
        srv.close()


@pytest.fixture(autouse=True)
def _no_trap_hits(server: SiteServer) -> Iterator[None]:
    """No test may contact the off-site trap server."""
    server.trap_hits.clear()
    yield
    assert not server.trap_hits, (
        f"the crawler requested off-site URLs {server.trap_hits[:5]} on 127.0.0.1:{server.trap_port}; only hosts in "
        "config.hosts (by default the start URL's host:port) may be contacted"
    )


@dataclass
class Crawled:
    pages: dict[str, int]
    redirects: dict[str, str]
    failed: dict[str, str]
    seconds: float


def _str_dict(value: object, what: str, value_type: type) -> dict[str, Any]:
    assert isinstance(value, dict), f"CrawlResult.{what} is {type(value).__name__}, expected a dict"
    out: dict[str, Any] = {}
    for key, item in value.items():
        assert type(key) is str, f"CrawlResult.{what} has a key {key!r} of type {type(key).__name__}, expected str"
        assert type(item) is value_type, f"CrawlResult.{what}[{key!r}] is {item!r}, expected a {value_type.__name__}"
        out[str(key)] = item
    return out


def crawl(solution: ModuleType, start: str, **config: Any) -> Crawled:
    """Run the learner's crawl to completion (bounded in time) and copy its result into plain builtins."""
    cfg = solution.CrawlConfig(**config)

    async def bounded() -> Any:
        return await asyncio.wait_for(solution.crawl(start, cfg), CRAWL_LIMIT_S)

    began = _monotonic()
    try:
        result = asyncio.run(bounded())
    except TimeoutError:
        pytest.fail(f"crawl({start!r}) did not finish within {CRAWL_LIMIT_S:g} s", pytrace=False)
    seconds = _monotonic() - began
    return Crawled(
        _str_dict(result.pages, "pages", int),
        _str_dict(result.redirects, "redirects", str),
        _str_dict(result.failed, "failed", str),
        seconds,
    )


def diff(what: str, got: dict[str, Any], expected: dict[str, Any]) -> str:
    missing = {k: v for k, v in expected.items() if k not in got}
    extra = {k: v for k, v in got.items() if k not in expected}
    wrong = {k: (got[k], v) for k, v in expected.items() if k in got and got[k] != v}
    parts = []
    if missing:
        parts.append(f"missing {dict(list(missing.items())[:6])}")
    if extra:
        parts.append(f"unexpected {dict(list(extra.items())[:6])}")
    if wrong:
        parts.append("wrong values (got, expected) " + str(dict(list(wrong.items())[:6])))
    return f"{what}: " + "; ".join(parts)


def describe(site: Site) -> str:
    lines = []
    for i, node in enumerate(site.nodes):
        links = ", ".join(str(link.target) if isinstance(link.target, int) else "off-site" for link in node.links)
        extra = f" delay={node.delay}" if node.delay else ""
        lines.append(f"  {site.url(i)} [{node.kind}{extra}] -> {links or '-'}")
    return "the site:\n" + "\n".join(lines)


def hits(site: Site) -> dict[int, int]:
    return {i: len(times) for i, times in site.stats.hits.items()}


def assert_matches_oracle(site: Site, got: Crawled, *, max_depth: int, max_pages: int, max_retries: int) -> None:
    expected = bfs_oracle(site, max_depth=max_depth, max_pages=max_pages, max_retries=max_retries)
    context = f"\n(max_depth={max_depth}, max_pages={max_pages}, max_retries={max_retries})\n{describe(site)}"
    assert not site.stats.unexpected, (
        f"the crawler requested URLs no link points to: {site.stats.unexpected[:5]}; did you follow non-<a> "
        "elements or links inside a text/plain response, or mangle the URL?" + context
    )
    got_hits, expected_hits = hits(site), expected.hits
    for i in range(len(site.nodes)):
        if got_hits.get(i, 0) > expected_hits.get(i, 0):
            pytest.fail(
                f"the server saw {got_hits[i]} requests for {site.url(i)} ({site.nodes[i].kind}), expected "
                f"{expected_hits.get(i, 0)}; did you deduplicate on the normalised URL (marking it seen when it is "
                f"queued), and retry only 429, 5xx and timeouts, at most max_retries times?{context}",
                pytrace=False,
            )
    assert got.pages == expected.pages, diff("pages (URL -> depth)", got.pages, expected.pages) + context
    assert got.redirects == expected.redirects, diff("redirects", got.redirects, expected.redirects) + context
    assert got.failed == expected.failed, diff("failed", got.failed, expected.failed) + context
    for i in range(len(site.nodes)):
        if got_hits.get(i, 0) < expected_hits.get(i, 0):
            pytest.fail(
                f"the server saw {got_hits.get(i, 0)} request(s) for {site.url(i)} ({site.nodes[i].kind}), "
                f"expected {expected_hits[i]}; a 429 or 5xx is retried up to max_retries times{context}",
                pytrace=False,
            )


def assert_robots_first(site: Site) -> None:
    stats = site.stats
    assert len(stats.robots) == 1, f"robots.txt was requested {len(stats.robots)} times, expected exactly once"
    first = stats.times()[0]
    assert stats.robots[0] == first, "the first request to a host must be its robots.txt"


def pages_site(n: int, *, delay: float = 0.0, query: str = "") -> list[Node]:
    """A start page linking to n pages (1..n), each linking back to the start and to its neighbour."""
    start = Node(links=tuple(Link(i, variant=i) for i in range(1, n + 1)))
    return [start] + [
        Node(links=(Link(0), Link(i % n + 1, variant=i)), delay=delay, query=query) for i in range(1, n + 1)
    ]


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


# ---- normalize_url -------------------------------------------------------------------------------------------

RFC_BASE = "http://a/b/c/d;p?q"


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("g", RFC_BASE, "http://a/b/c/g"),
        ("./g", RFC_BASE, "http://a/b/c/g"),
        ("g/", RFC_BASE, "http://a/b/c/g/"),
        ("/g", RFC_BASE, "http://a/g"),
        ("//g", RFC_BASE, "http://g/"),
        ("?y", RFC_BASE, "http://a/b/c/d;p?y"),
        ("g?y", RFC_BASE, "http://a/b/c/g?y"),
        ("#s", RFC_BASE, "http://a/b/c/d;p?q"),
        ("g;x?y#s", RFC_BASE, "http://a/b/c/g;x?y"),
        ("", RFC_BASE, "http://a/b/c/d;p?q"),
        (".", RFC_BASE, "http://a/b/c/"),
        ("..", RFC_BASE, "http://a/b/"),
        ("../g", RFC_BASE, "http://a/b/g"),
        ("../../../g", RFC_BASE, "http://a/g"),
        ("g;x=1/../y", RFC_BASE, "http://a/b/c/y"),
        ("HTTP://Example.COM:80", None, "http://example.com/"),
        ("https://Example.com:443/A/./B/../C?", None, "https://example.com/A/C"),
        ("https://example.com:80/", None, "https://example.com:80/"),
        ("http://example.com:8080/a/b/../../../c", None, "http://example.com:8080/c"),
        ("http://example.com/p?b=2&a=1&&c=3#frag", None, "http://example.com/p?a=1&b=2&c=3"),
        ("http://example.com/p?x=2&a=&x=1", None, "http://example.com/p?a=&x=2&x=1"),
        ("http://user:pw@Example.com/", None, "http://example.com/"),
        ("http://example.com/a%2Fb/%7Euser/", None, "http://example.com/a%2Fb/%7Euser/"),
        ("http://127.0.0.1:8000/n/1/..", None, "http://127.0.0.1:8000/n/"),
    ],
)
def test_normalize_url_examples(solution: ModuleType, url: str, base: str | None, expected: str) -> None:
    """normalize_url resolves relative URLs (RFC 3986 §5.4 examples) and applies every rule in the README."""
    got = solution.normalize_url(url, base) if base is not None else solution.normalize_url(url)
    assert type(got) is str and got == expected, (
        f"normalize_url({url!r}{f', base={base!r}' if base else ''}) returned {got!r}, expected {expected!r}"
    )


@pytest.mark.parametrize(
    "url", ["mailto:someone@example.com", "javascript:void(0)", "ftp://example.com/f", "/relative/only", "http://"]
)
def test_normalize_url_returns_none_for_non_http_urls(solution: ModuleType, url: str) -> None:
    """Non-http(s) schemes, relative URLs without a base and URLs without a host have no normal form (None)."""
    got = solution.normalize_url(url)
    assert got is None, f"normalize_url({url!r}) returned {got!r}, expected None"


def _remove_dots(segments: list[str]) -> list[str]:
    out: list[str] = []
    for seg in segments:
        if seg == "..":
            if out:
                out.pop()
        elif seg != ".":
            out.append(seg)
    return out


@settings(max_examples=100)
@given(
    scheme=st.sampled_from(["http", "HTTP", "Http", "https", "HTTPS"]),
    host=st.sampled_from(["example.com", "Example.COM", "127.0.0.1", "sub.EXAMPLE.org", "a-b.example"]),
    port=st.sampled_from([None, "default", "other", 8080]),
    segments=st.lists(st.sampled_from(["a", "B", "..", ".", "index.html", "x;y", "%7E"]), max_size=6),
    trailing=st.booleans(),
    query=st.lists(
        st.tuples(st.sampled_from(["a", "b", "Z", "id", "a"]), st.sampled_from(["", "=", "=1", "=x%20y", "=2"])),
        max_size=5,
    ),
    empty_pieces=st.booleans(),
    fragment=st.sampled_from([None, "", "top", "a?b=c"]),
)
def test_normalize_url_follows_the_rules(
    solution: ModuleType,
    scheme: str,
    host: str,
    port: int | str | None,
    segments: list[str],
    trailing: bool,
    query: list[tuple[str, str]],
    empty_pieces: bool,
    fragment: str | None,
) -> None:
    """normalize_url lowercases scheme and host, drops default ports and fragments, removes dot segments, sorts
    query parameters by name (stably) and drops empty ones."""
    default = 80 if scheme.lower() == "http" else 443
    port_number = {"default": default, "other": 443 if default == 80 else 80}.get(str(port), port)
    netloc = host + (f":{port_number}" if port_number is not None else "")
    path = "/" + "/".join(segments) + ("/" if trailing and segments else "")
    pieces = [name + value for name, value in query]
    raw_query = ("&&" if empty_pieces else "&").join(pieces) + ("&" if empty_pieces and pieces else "")
    url = (
        f"{scheme}://{netloc}{path}"
        + (f"?{raw_query}" if query else "")
        + (f"#{fragment}" if fragment is not None else "")
    )
    # The oracle, rule by rule.
    want_netloc = host.lower() + (f":{port_number}" if port_number not in (None, default) else "")
    last = segments[-1] if segments else ""
    kept = _remove_dots(segments)
    want_path = "/" + "/".join(kept)
    if kept and (trailing or last in (".", "..")):
        want_path += "/"
    want_query = "&".join(sorted(pieces, key=lambda p: p.split("=", 1)[0]))
    expected = f"{scheme.lower()}://{want_netloc}{want_path}" + (f"?{want_query}" if want_query else "")
    got = solution.normalize_url(url)
    assert got == expected, f"normalize_url({url!r}) returned {got!r}, expected {expected!r}"


# ---- crawling: what is found ---------------------------------------------------------------------------------


def test_each_url_is_fetched_once_however_it_is_spelled(solution: ModuleType, server: SiteServer) -> None:
    """Every node is linked from every page in 8 spellings (absolute, relative, `..`, fragments, reordered query):
    the server sees each URL requested exactly once."""
    n = 5
    every_link = tuple(Link(target, variant) for variant in range(8) for target in range(n))
    queries = ["", "a=1&b=2", "", "id=7&lang=en&x=", ""]
    site = Site([Node(links=every_link, query=queries[i]) for i in range(n)], server.trap_port)
    with server.serve(site):
        got = crawl(solution, site.url(0), max_depth=3, **FAST)
    repeats = {site.url(i): c for i, c in hits(site).items() if c > 1}
    assert not repeats, (
        f"URLs requested more than once: {repeats}; did you deduplicate on normalize_url(href, base=page_url) "
        "before fetching?"
    )
    assert_matches_oracle(site, got, max_depth=3, max_pages=100, max_retries=2)


def test_depth_is_the_shortest_link_distance(solution: ModuleType, server: SiteServer) -> None:
    """A page reachable quickly by a long path and slowly by a short one gets the short path's depth, so
    max_depth keeps it (the crawl goes level by level)."""
    nodes = [
        Node(links=(Link(1), Link(2))),
        Node(links=(Link(4),), delay=0.3),  # depth 1, slow: its link makes 4 depth 2, but arrives late
        Node(links=(Link(3),)),  # depth 1, fast: 0 -> 2 -> 3 -> 4 reaches 4 first, at depth 3
        Node(links=(Link(4),)),
        Node(links=(Link(5),)),
        Node(links=(Link(6),)),  # depth 3 via 1 -> 4 -> 5, so with max_depth=3 it is crawled
        Node(),
    ]
    site = Site(nodes, server.trap_port)
    with server.serve(site):
        got = crawl(solution, site.url(0), max_depth=3, concurrency=4, **FAST)
    assert_matches_oracle(site, got, max_depth=3, max_pages=100, max_retries=2)


@pytest.mark.parametrize(("max_depth", "max_pages"), [(0, 100), (1, 100), (3, 5), (3, 1), (3, 8)])
def test_max_depth_and_max_pages_keep_the_first_urls_in_bfs_order(
    solution: ModuleType, server: SiteServer, max_depth: int, max_pages: int
) -> None:
    """max_depth stops at the start page's distance; max_pages keeps the first URLs in BFS (discovery) order."""
    nodes = [
        Node(links=(Link(3), Link(1), Link(2))),
        Node(links=(Link(5), Link(4)), delay=0.05),
        Node(links=(Link(6), Link(1))),
        Node(links=(Link(7),), delay=0.02),
        Node(links=(Link(8),)),
        Node(links=(Link(0),)),
        Node(links=(Link(9),)),
        Node(),
        Node(links=(Link(9),)),
        Node(),
    ]
    site = Site(nodes, server.trap_port)
    with server.serve(site):
        got = crawl(solution, site.url(0), max_depth=max_depth, max_pages=max_pages, concurrency=3, **FAST)
    assert_matches_oracle(site, got, max_depth=max_depth, max_pages=max_pages, max_retries=2)


def test_redirects_are_recorded_and_their_targets_crawled(solution: ModuleType, server: SiteServer) -> None:
    """3xx responses are not followed automatically: each goes into `redirects` and its target is crawled one
    level deeper (chains, loops and off-site targets included)."""
    nodes = [
        Node(links=(Link(1), Link(3), Link(4), Link(6))),
        Node("redirect", (Link(2, 1),), status=301),
        Node(links=(Link(1),)),
        Node("redirect", (Link(OFFSITE[0]),), status=302),
        Node("redirect", (Link(5, 0),), status=307),
        Node("redirect", (Link(4, 2),), status=308),  # 4 -> 5 -> 4: a loop
        Node("redirect", (Link(7, 6),), status=303, query="a=1&b=2"),
        Node(),
    ]
    site = Site(nodes, server.trap_port)
    with server.serve(site):
        got = crawl(solution, site.url(0), max_depth=3, **FAST)
    assert_matches_oracle(site, got, max_depth=3, max_pages=100, max_retries=2)


def test_links_are_taken_only_from_a_href_in_html(solution: ModuleType, server: SiteServer) -> None:
    """Only <a href> in text/html responses are links: a text/plain body and <link href> are not followed."""
    nodes = [Node(links=(Link(1),)), Node("text", (Link(2), Link(3))), Node(), Node()]
    site = Site(nodes, server.trap_port)
    with server.serve(site):
        got = crawl(solution, site.url(0), max_depth=3, **FAST)
    assert_matches_oracle(site, got, max_depth=3, max_pages=100, max_retries=2)


def test_off_site_links_are_never_contacted(solution: ModuleType, server: SiteServer) -> None:
    """Links to other hosts (another port, protocol-relative, mailto:, javascript:, ftp:) are skipped."""
    offsite = tuple(Link(href, 0) for href in OFFSITE)
    site = Site([Node(links=(*offsite, Link(1))), Node(links=offsite)], server.trap_port)
    with server.serve(site):
        got = crawl(solution, site.url(0), max_depth=3, **FAST)
    assert_matches_oracle(site, got, max_depth=3, max_pages=100, max_retries=2)
    # (the autouse fixture checks that the trap server saw nothing)


def test_start_url_must_be_http(solution: ModuleType) -> None:
    """crawl() rejects a start URL that has no normal form with ValueError."""
    with pytest.raises(ValueError):
        crawl(solution, "mailto:someone@example.com")


# ---- robots.txt ----------------------------------------------------------------------------------------------


def test_robots_txt_is_fetched_first_once_and_obeyed(solution: ModuleType, server: SiteServer) -> None:
    """robots.txt is the first request to the host, is fetched once, and its Disallow rules for `*` are obeyed
    (the group for another user agent is not)."""
    nodes = [Node(links=(Link(1), Link(2), Link(3))), Node("private", (Link(4),)), Node(links=(Link(3),)), Node()]
    nodes.append(Node())
    site = Site(nodes, server.trap_port)
    with server.serve(site):
        got = crawl(solution, site.url(0), max_depth=3, concurrency=4, **FAST)
    private = [path for _, path, _ in site.stats.requests if path.startswith("/private/")]
    assert not private, f"robots.txt disallows /private/ but the crawler requested {private}"
    assert_robots_first(site)
    assert_matches_oracle(site, got, max_depth=3, max_pages=100, max_retries=2)


def test_robots_group_for_the_crawlers_own_user_agent(solution: ModuleType, server: SiteServer) -> None:
    """With a group for our user agent, that group applies (not `*`), and every request carries the User-Agent."""
    robots = "User-agent: kata-test-bot\nDisallow: /n/3\n\nUser-agent: *\nDisallow: /n/\n"
    nodes = [Node(links=(Link(1), Link(2), Link(3))), Node(), Node(), Node()]
    site = Site(nodes, server.trap_port, robots=robots)
    with server.serve(site):
        got = crawl(solution, site.url(0), max_depth=2, user_agent="kata-test-bot/2.0", **FAST)
    assert site.stats.user_agents == {"kata-test-bot/2.0"}, (
        f"requests carried User-Agent {sorted(site.stats.user_agents)}; send config.user_agent on every request"
    )
    expected = {site.url(i): d for i, d in [(0, 0), (1, 1), (2, 1)]}
    assert got.pages == expected, diff("pages", got.pages, expected)


def test_missing_robots_txt_allows_everything(solution: ModuleType, server: SiteServer) -> None:
    """A robots.txt that answers 404 means no rules: /private/ pages are crawled too."""
    site = Site([Node(links=(Link(1),)), Node("private", (Link(2),)), Node()], server.trap_port, robots=None)
    with server.serve(site):
        got = crawl(solution, site.url(0), max_depth=3, **FAST)
    expected = {site.url(0): 0, site.url(1): 1, site.url(2): 2}
    assert got.pages == expected, diff("pages", got.pages, expected)


# ---- politeness: rate, concurrency ---------------------------------------------------------------------------

RATE = 10.0
# Server-side arrival times shift by a few ms of scheduling delay (more on a loaded machine), so a window of
# requests i..j must span (j - i) / rate minus this much. A limiter that allows any burst is still far off.
JITTER = 0.5 / RATE


def rate_violation(times: list[float], rate: float) -> str | None:
    """The worst window of requests that started faster than `rate` allows (beyond JITTER), described."""
    worst: tuple[float, int, int] | None = None
    for i, j in itertools.combinations(range(len(times)), 2):
        deficit = (j - i) / rate - JITTER - (times[j] - times[i])
        if deficit > 0 and (worst is None or deficit > worst[0]):
            worst = (deficit, i, j)
    if worst is None:
        return None
    _, i, j = worst
    return (
        f"requests {i + 1} to {j + 1} started within {(times[j] - times[i]) * 1000:.0f} ms; at rate={rate:g}/s "
        f"they need at least {(j - i) * 1000 / rate:.0f} ms (the grader allows {JITTER * 1000:.0f} ms of jitter)"
    )


def test_requests_to_a_host_are_spaced_by_the_rate(solution: ModuleType, server: SiteServer) -> None:
    """With rate=10, requests to one host (robots.txt included) start at least 1/10 s apart, server-side."""
    site = Site(pages_site(8), server.trap_port)
    with server.serve(site):
        crawl(solution, site.url(0), max_depth=2, concurrency=8, rate=RATE, backoff=0.01)
    times = site.stats.times()
    assert len(times) == 10, f"expected 10 requests (robots.txt + 9 pages), the server saw {len(times)}"
    problem = rate_violation(times, RATE)
    assert problem is None, (
        f"{problem}; did you throttle every request to the host (robots.txt and retries included) with no "
        "bursts, and wait for the rate slot *after* acquiring the concurrency slot?"
    )


def test_the_rate_limit_is_per_host(solution: ModuleType, server: SiteServer) -> None:
    """Two hosts are throttled separately: each keeps its spacing, but their requests interleave freely."""
    site_b = Site(pages_site(5), server.trap_port)
    site_a = Site([], server.trap_port)
    with server.serve(site_a, site_b):
        links = [Link(i) for i in range(1, 6)] + [Link(f"http://{site_b.netloc}/n/{i}") for i in range(1, 6)]
        site_a.nodes = [Node(links=tuple(links)), *pages_site(5)[1:]]
        got = crawl(
            solution,
            site_a.url(0),
            max_depth=1,
            concurrency=10,
            rate=RATE,
            backoff=0.01,
            hosts=frozenset({site_a.netloc, site_b.netloc}),
        )
    assert len(got.pages) == 11, f"expected 11 pages over both hosts, got {len(got.pages)}: {sorted(got.pages)}"
    for name, site in (("A", site_a), ("B", site_b)):
        problem = rate_violation(site.stats.times(), RATE)
        assert problem is None, f"host {name}: {problem}"
    merged = sorted(site_a.stats.times() + site_b.stats.times())
    assert min(gaps(merged)) < 0.5 / RATE, (
        "requests to two different hosts were never closer than half the per-host interval; the rate limit is "
        "per host, so host B need not wait for host A's slots"
    )


def test_the_concurrency_cap_is_held(solution: ModuleType, server: SiteServer) -> None:
    """With concurrency=4 and 16 slow pages at one level, the server never sees more than 4 requests in flight."""
    site = Site(pages_site(16, delay=0.1), server.trap_port)
    with server.serve(site):
        got = crawl(solution, site.url(0), max_depth=1, concurrency=4, rate=1000.0, backoff=0.01)
    seen = site.stats.max_in_flight
    assert seen <= 4, (
        f"the server saw {seen} requests in flight at once with concurrency=4; is one Semaphore (or connection "
        "limit) shared by every request, robots.txt and retries included?"
    )
    assert len(got.pages) == 17, f"expected 17 pages, got {len(got.pages)}"


# ---- retries and timeouts ------------------------------------------------------------------------------------


def test_429_waits_for_retry_after(solution: ModuleType, server: SiteServer) -> None:
    """A 429 with `Retry-After: 1` is retried no sooner than 1 s later, and the page is then crawled."""
    nodes = [Node(links=(Link(1), Link(2))), Node("throttled", (Link(2),), retry_after="1"), Node()]
    site = Site(nodes, server.trap_port)
    with server.serve(site):
        got = crawl(solution, site.url(0), max_depth=2, max_retries=2, **FAST)
    times = site.stats.hits.get(1, [])
    assert len(times) == 2, f"the 429 page was requested {len(times)} times, expected 2 (the 429, then the retry)"
    waited = times[1] - times[0]
    assert waited >= 1 - JITTER, (
        f"the retry came {waited:.2f} s after a 429 with Retry-After: 1; wait at least Retry-After seconds"
    )
    assert_matches_oracle(site, got, max_depth=2, max_pages=100, max_retries=2)


def test_server_errors_are_retried_with_exponential_backoff(solution: ModuleType, server: SiteServer) -> None:
    """A page answering 500 is tried max_retries + 1 times, waiting backoff·2^k before retry k + 1; it ends in
    `failed` as "HTTP 500"; a 503 that recovers is a page; a 404 is not retried."""
    nodes = [Node(links=(Link(1), Link(2), Link(3))), Node("broken"), Node("flaky"), Node("missing")]
    site = Site(nodes, server.trap_port)
    backoff = 0.06
    with server.serve(site):
        got = crawl(solution, site.url(0), max_depth=1, max_retries=3, backoff=backoff, rate=500.0, timeout=3.0)
    times = site.stats.hits.get(1, [])
    assert len(times) == 4, f"the always-500 page was requested {len(times)} times with max_retries=3, expected 4"
    for k, waited in enumerate(gaps(times)):
        want = backoff * 2**k
        assert waited >= want - JITTER / 2, (
            f"retry {k + 1} came {waited * 1000:.0f} ms after the previous attempt; expected at least "
            f"{want * 1000:.0f} ms (backoff·2^{k})"
        )
    assert len(site.stats.hits.get(2, [])) == FLAKY_FAILURES + 1
    assert_matches_oracle(site, got, max_depth=1, max_pages=100, max_retries=3)


@pytest.mark.time_limit(15)
def test_a_hanging_page_times_out_and_the_crawl_goes_on(solution: ModuleType, server: SiteServer) -> None:
    """A page that takes 5 s with timeout=0.3 fails as "timeout" after its retries; the rest is crawled in time."""
    nodes = [Node(links=(Link(1), Link(2))), Node(delay=5.0), Node(links=(Link(3),)), Node()]
    site = Site(nodes, server.trap_port)
    with server.serve(site):
        got = crawl(solution, site.url(0), max_depth=2, max_retries=1, timeout=0.3, backoff=0.05, rate=500.0)
    assert got.failed == {site.url(1): "timeout"}, diff("failed", got.failed, {site.url(1): "timeout"})
    assert len(site.stats.hits.get(1, [])) == 2, "the hanging page should be tried twice (max_retries=1)"
    expected = {site.url(0): 0, site.url(2): 1, site.url(3): 2}
    assert got.pages == expected, diff("pages", got.pages, expected)
    assert got.seconds < 3.0, f"the crawl took {got.seconds:.1f} s; each attempt must give up after `timeout`"


# ---- generated sites ----------------------------------------------------------------------------------------

KINDS = ["page", "page", "page", "text", "missing", "flaky", "throttled", "broken", "redirect", "private"]


@st.composite
def generated_sites(draw: st.DrawFn) -> list[Node]:
    n = draw(st.integers(2, 12))
    kinds = ["page"] + [draw(st.sampled_from(KINDS)) for _ in range(n - 1)]
    targets = st.integers(0, n - 1) | st.sampled_from(OFFSITE)
    links = st.builds(Link, targets, st.integers(0, 7))
    nodes = []
    for kind in kinds:
        query = draw(st.sampled_from(["", "", "", "a=1&b=2", "id=7&lang=en&x="]))
        delay = draw(st.sampled_from([0.0, 0.0, 0.01, 0.03]))
        if kind == "redirect":
            target = draw(st.integers(0, n - 1) | st.just(OFFSITE[0]))
            node = Node(
                kind, (Link(target, draw(st.integers(0, 7))),), query, status=draw(st.sampled_from([301, 302, 307]))
            )
        else:
            node = Node(kind, tuple(draw(st.lists(links, max_size=5))), query, delay)
        nodes.append(node)
    return nodes


@pytest.mark.time_limit(30)
# Each example starts a site and crawls it (~0.1-0.3 s), so shrinking a failure could take minutes: report the
# first failing site as generated (the message describes it node by node).
@settings(max_examples=14, phases=(Phase.explicit, Phase.reuse, Phase.generate))
@given(
    nodes=generated_sites(),
    max_depth=st.integers(0, 4),
    max_pages=st.integers(1, 14),
    concurrency=st.integers(1, 5),
    max_retries=st.integers(1, 2),
)
def test_crawl_finds_exactly_what_a_bfs_finds(
    solution: ModuleType,
    server: SiteServer,
    nodes: list[Node],
    max_depth: int,
    max_pages: int,
    concurrency: int,
    max_retries: int,
) -> None:
    """On generated sites (cycles, redirects, 404/500/503/429, robots rules, off-site links) the pages, redirects
    and failures equal a BFS oracle's, and the server sees each URL exactly as often as it should."""
    site = Site(nodes, server.trap_port)
    with server.serve(site):
        got = crawl(
            solution,
            site.url(0),
            max_depth=max_depth,
            max_pages=max_pages,
            concurrency=concurrency,
            max_retries=max_retries,
            **FAST,
        )
    assert_matches_oracle(site, got, max_depth=max_depth, max_pages=max_pages, max_retries=max_retries)
    assert site.stats.max_in_flight <= concurrency, (
        f"the server saw {site.stats.max_in_flight} requests in flight at once with concurrency={concurrency}"
    )


# ---- performance ---------------------------------------------------------------------------------------------

PERF_PAGES = 20
PERF_DELAY = 0.05
HREF = re.compile(r'<a\s[^>]*href="([^"]*)"')


async def _sequential_crawl(start: str) -> set[str]:
    """The baseline: the same BFS, one request at a time (no robots, no limits)."""
    host = urlsplit(start).netloc
    seen, queue, pages = {start}, deque([start]), set()
    async with aiohttp.ClientSession() as session:
        while queue:
            url = queue.popleft()
            async with session.get(url) as response:
                html = await response.text()
            pages.add(url)
            for href in HREF.findall(html):
                link = urldefrag(urljoin(url, href))[0]
                if urlsplit(link).netloc == host and link not in seen:
                    seen.add(link)
                    queue.append(link)
    return pages


@pytest.mark.perf
@pytest.mark.time_limit(30)
def test_concurrent_crawl_is_faster_than_a_sequential_one(solution: ModuleType, server: SiteServer, perf: Perf) -> None:
    """Crawling 20 pages of 50 ms each with concurrency=20 is at least 5× faster than a sequential crawl (wall)."""
    nodes = [Node(links=tuple(Link(i) for i in range(1, PERF_PAGES + 1)))] + [
        Node(links=(Link(0), Link(i % PERF_PAGES + 1), Link((i + 7) % PERF_PAGES + 1)), delay=PERF_DELAY)
        for i in range(1, PERF_PAGES + 1)
    ]
    site = Site(nodes, server.trap_port, robots=None)
    config = solution.CrawlConfig(max_depth=3, concurrency=20, rate=5000.0, timeout=5.0)
    with server.serve(site):
        start = site.url(0)
        got = asyncio.run(asyncio.wait_for(solution.crawl(start, config), CRAWL_LIMIT_S))
        expected = {site.url(i) for i in range(PERF_PAGES + 1)}
        assert set(got.pages) == expected, diff("pages", dict.fromkeys(got.pages, 0), dict.fromkeys(expected, 0))
        perf.speedup(
            f"crawl of {PERF_PAGES} pages × {PERF_DELAY * 1000:.0f} ms vs a sequential crawl",
            lambda: asyncio.run(asyncio.wait_for(solution.crawl(start, config), CRAWL_LIMIT_S)),
            lambda: asyncio.run(_sequential_crawl(start)),
            min_speedup=5.0,
            clock="wall",
            min_pairs=3,
            max_pairs=9,
            budget_s=4.0,
        )
