"""Exercise 21: an asyncio web crawler with rate limiting. See README.md for the rules."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CrawlConfig:
    """How far, how fast and how persistently to crawl (every field is described in the README)."""

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
    raise NotImplementedError


async def crawl(start_url: str, config: CrawlConfig | None = None) -> CrawlResult:
    """Crawl from `start_url` breadth-first within `config`'s limits."""
    raise NotImplementedError
