"""Known-bad: hotspots sorts by cumulative time, so the caller (not the slow function) comes first."""

from __future__ import annotations

import bisect
import cProfile
import ipaddress
import pstats
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

BREAKIN_FAILURES = 5
BREAKIN_WINDOW_S = 600

# The original's grammar, precompiled: a line, its timestamp, and the two kinds of login attempt.
_LINE = re.compile(r"(\S+) (\S+) sshd\[([0-9]+)\]: (.*)")
_TIMESTAMP = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z")
# The common case in one match: a well-formed line whose message is a failed or an accepted login. A line that
# matches this also matches the original's patterns, with the same groups; one that doesn't is classified by them.
_ATTEMPT = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z \S+ sshd\[[0-9]+\]: "
    r"(?:Failed password for (invalid user )?(\S+) from (\S+) port [0-9]+ ssh2"
    r"|Accepted (?:password|publickey) for (\S+) from (\S+) port [0-9]+ ssh2)"
)


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
    found.sort(key=lambda spot: spot.total_time, reverse=True)
    return found[:top]


# ------------------------------------------------------------------------------------------------ the pipeline


class _Validity:
    """Remembers which dates (as day numbers) and which IP addresses are valid: each is checked only once."""

    def __init__(self) -> None:
        self.days: dict[str, int | None] = {}
        self.ips: dict[str, bool] = {}

    def day(self, date: str) -> int | None:
        """The proleptic ordinal of a YYYY-MM-DD date, or None if it is no calendar date (2023-02-29)."""
        if date not in self.days:
            try:
                self.days[date] = datetime.strptime(date, "%Y-%m-%d").toordinal()
            except ValueError:
                self.days[date] = None
        return self.days[date]

    def ip(self, text: str) -> bool:
        if text not in self.ips:
            try:
                ipaddress.ip_address(text)
                self.ips[text] = True
            except ValueError:
                self.ips[text] = False
        return self.ips[text]


def _seconds(day: int, hour: str, minute: str, second: str) -> int | None:
    """Seconds since 0001-01-01 for a valid time of day (00–23, 00–59, 00–59), else None."""
    if hour > "23" or minute > "59" or second > "59":  # two ASCII digits each: string order is numeric order
        return None
    return day * 86_400 + int(hour) * 3600 + int(minute) * 60 + int(second)


def _is_malformed(line: str, valid: _Validity) -> bool:
    """For a line that is no well-formed login attempt: does the original call it malformed (else "other")?"""
    match = _LINE.fullmatch(line)
    if match is None:
        return True
    stamp = _TIMESTAMP.fullmatch(match[1])
    if stamp is None:
        return True
    day = valid.day(stamp[1])
    return day is None or _seconds(day, stamp[2], stamp[3], stamp[4]) is None


def summarize(lines: Iterable[str], *, top: int = 5) -> dict[str, Any]:
    """The report on an auth log given as lines of text (see README.md for every field)."""
    valid = _Validity()
    total = malformed = other = failed = accepted = 0
    users: set[str] = set()
    invalid_users: set[str] = set()
    failures_by_ip: Counter[str] = Counter()
    failures_per_hour: Counter[str] = Counter()
    failure_times: defaultdict[str, list[int]] = defaultdict(list)  # per IP, sorted, failures seen so far
    breakins: list[list[str]] = []
    attempt = _ATTEMPT.fullmatch
    for raw in lines:
        total += 1
        line = raw.rstrip("\n")
        match = attempt(line)
        if match is None:
            if _is_malformed(line, valid):
                malformed += 1
            else:
                other += 1
            continue
        date, hour, minute, second, invalid, failed_user, failed_ip, accepted_user, accepted_ip = match.groups()
        day = valid.day(date)
        when = None if day is None else _seconds(day, hour, minute, second)
        ip = failed_ip if failed_user is not None else accepted_ip
        if when is None or not valid.ip(ip):
            malformed += 1
            continue
        times = failure_times[ip]
        if failed_user is not None:
            failed += 1
            users.add(failed_user)
            if invalid is not None:
                invalid_users.add(failed_user)
            failures_by_ip[ip] += 1
            failures_per_hour[line[:13]] += 1  # "YYYY-MM-DDTHH"
            if not times or times[-1] <= when:
                times.append(when)  # the usual case: the log is (nearly) in time order
            else:
                bisect.insort(times, when)
        else:
            accepted += 1
            users.add(accepted_user)
            recent = bisect.bisect_right(times, when) - bisect.bisect_left(times, when - BREAKIN_WINDOW_S)
            if recent >= BREAKIN_FAILURES:
                breakins.append([ip, accepted_user, line[:20]])
    ranked = sorted(failures_by_ip.items(), key=lambda item: (-item[1], item[0]))
    return {
        "lines": total,
        "malformed": malformed,
        "other": other,
        "failed": failed,
        "accepted": accepted,
        "distinct_users": len(users),
        "invalid_users": len(invalid_users),
        "top_attackers": [[ip, count] for ip, count in ranked[:top]],
        "failures_per_hour": dict(failures_per_hour),
        "breakins": breakins,
    }
