"""Known-bad: the original pipeline, unchanged (with a working hotspots): correct, and fails on speed."""

from __future__ import annotations

import cProfile
import ipaddress
import logging
import pstats
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

logger = logging.getLogger(__name__)

LINE = r"(\S+) (\S+) sshd\[([0-9]+)\]: (.*)"
TIMESTAMP = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"
FAILED = r"Failed password for (invalid user )?(\S+) from (\S+) port ([0-9]+) ssh2"
ACCEPTED = r"Accepted (?:password|publickey) for (\S+) from (\S+) port ([0-9]+) ssh2"
BREAKIN_FAILURES = 5
BREAKIN_WINDOW = timedelta(minutes=10)


# ------------------------------------------------------------------------------------------------ profiling


@dataclass(frozen=True)
class Hotspot:
    """One profiled function: where it is, how often it ran, its own time and its time including callees."""

    function: str
    filename: str
    lineno: int
    calls: int
    own_time: float
    total_time: float


def hotspots(func: Callable[..., object], /, *args: Any, top: int = 10, **kwargs: Any) -> list[Hotspot]:
    """Run func(*args, **kwargs) once under cProfile; the `top` functions by own time, largest first.

    The profiler is switched off again whatever happens; an exception from `func` propagates unchanged.
    """
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        func(*args, **kwargs)
    finally:
        profiler.disable()
    # Stats.stats maps (filename, line, function) to (primitive calls, all calls, own time, cumulative, callers).
    found = [
        Hotspot(name, filename, line, calls, own, cumulative)
        for (filename, line, name), (_, calls, own, cumulative, _) in pstats.Stats(profiler).stats.items()  # type: ignore[attr-defined]
    ]
    found.sort(key=lambda spot: spot.own_time, reverse=True)
    return found[:top]


# ------------------------------------------------------------------------------------- the original pipeline


@dataclass
class Event:
    when: datetime
    kind: str  # "failed" or "accepted"
    user: str
    ip: str
    invalid_user: bool


def parse_line(line: str) -> Event | str:
    """The login attempt on this line, or "other" (an sshd line that is no login attempt), or "malformed"."""
    match = re.fullmatch(LINE, line.rstrip("\n"))
    if match is None:
        return "malformed"
    stamp, host, pid, message = match.groups()
    if re.fullmatch(TIMESTAMP, stamp) is None:
        return "malformed"
    try:
        when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return "malformed"
    failed = re.fullmatch(FAILED, message)
    accepted = re.fullmatch(ACCEPTED, message)
    if failed is not None:
        invalid, user, ip, port = failed.groups()
        event = Event(when, "failed", user, ip, invalid is not None)
    elif accepted is not None:
        user, ip, port = accepted.groups()
        event = Event(when, "accepted", user, ip, False)
    else:
        return "other"
    try:
        ipaddress.ip_address(event.ip)
    except ValueError:
        return "malformed"
    logger.debug(f"parsed {event} from host {host} (pid {pid}, port {port})")
    return event


def _distinct(values: list[str]) -> int:
    seen: list[str] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return len(seen)


def _rank_attackers(failures: list[Event]) -> list[tuple[str, int]]:
    """(ip, failures) for every IP with a failed login: most failures first, then by IP."""
    attackers: list[str] = []
    for event in failures:
        if event.ip not in attackers:
            attackers.append(event.ip)
    counted = [(ip, len([e for e in failures if e.ip == ip])) for ip in attackers]
    return sorted(counted, key=lambda item: (-item[1], item[0]))


def _find_breakins(events: list[Event]) -> list[list[str]]:
    """Accepted logins preceded, earlier in the log, by ≥ 5 failures from the same IP in the 10 minutes before."""
    breakins = []
    for index, event in enumerate(events):
        if event.kind != "accepted":
            continue
        failures = 0
        for earlier in events[:index]:
            if (
                event.when - earlier.when <= BREAKIN_WINDOW
                and earlier.when <= event.when
                and earlier.kind == "failed"
                and earlier.ip == event.ip
            ):
                failures += 1
        if failures >= BREAKIN_FAILURES:
            breakins.append([event.ip, event.user, event.when.isoformat() + "Z"])
    return breakins


def summarize(lines: Iterable[str], *, top: int = 5) -> dict[str, Any]:
    """The report on an auth log given as lines of text (see README.md for every field)."""
    events: list[Event] = []
    counts = {"lines": 0, "malformed": 0, "other": 0}
    for line in lines:
        counts["lines"] += 1
        parsed = parse_line(line)
        if isinstance(parsed, str):
            counts[parsed] += 1
        else:
            events.append(parsed)
    failures = [e for e in events if e.kind == "failed"]
    per_hour: dict[str, int] = {}
    for event in failures:
        hour = event.when.isoformat(timespec="hours")
        per_hour[hour] = per_hour.get(hour, 0) + 1
    ranked = _rank_attackers(failures)
    return {
        "lines": counts["lines"],
        "malformed": counts["malformed"],
        "other": counts["other"],
        "failed": len(failures),
        "accepted": len(events) - len(failures),
        "distinct_users": _distinct([e.user for e in events]),
        "invalid_users": _distinct([e.user for e in failures if e.invalid_user]),
        "top_attackers": [[ip, n] for ip, n in ranked[:top]],
        "failures_per_hour": per_hour,
        "breakins": _find_breakins(events),
    }


# ------------------------------------------------------------------------- try it: python log_pipeline.py


def _synthetic_log(n: int, seed: int = 0) -> list[str]:
    """A made-up auth log of `n` lines: brute-force attempts from many IPs, some logins, some noise."""
    import random

    rng = random.Random(seed)
    attackers = [f"203.0.{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(max(1, n // 50))]
    users = ["root", "admin", "ubuntu", "test", "oracle", "deploy", "alice", "bob"]
    start = datetime(2024, 3, 1)
    lines = []
    for i in range(n):
        stamp = (start + timedelta(seconds=3 * i - rng.randrange(0, 20))).strftime("%Y-%m-%dT%H:%M:%SZ")
        ip, user, port = rng.choice(attackers), rng.choice(users), rng.randrange(1024, 65536)
        roll = rng.random()
        if roll < 0.6:
            invalid = "" if user in users[:6] else "invalid user "
            message = f"Failed password for {invalid}{user} from {ip} port {port} ssh2"
        elif roll < 0.8:
            message = f"Accepted publickey for {user} from {ip} port {port} ssh2"
        else:
            message = f"Connection closed by {ip} port {port} [preauth]"
        lines.append(f"{stamp} web1 sshd[{rng.randrange(100, 65000)}]: {message}\n")
    return lines


if __name__ == "__main__":
    log = _synthetic_log(5000)
    print(summarize(log))
    for spot in hotspots(summarize, log, top=8):
        print(f"{spot.own_time:8.3f} s own {spot.total_time:8.3f} s total {spot.calls:8d} calls  {spot.function}")
