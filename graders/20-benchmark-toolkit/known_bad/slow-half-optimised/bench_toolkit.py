"""Known-bad: a dict for the lookup and a precompiled regex, but the quadratic percentile stays.
"""

from __future__ import annotations

import cProfile
import gc
import pstats
import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

_PROFILER_DISABLE = "<method 'disable' of '_lsprof.Profiler' objects>"

Row = tuple[str, int, int, int, int, int]  # endpoint, requests, server errors, p50, p95, p99


# ------------------------------------------------------------------------------------------------------ measure


@dataclass(frozen=True)
class Measurement:
    """Timing of one callable: `loops` calls per sample, and per-call seconds for each sample."""

    loops: int
    samples: tuple[float, ...]
    best: float
    median: float
    q1: float
    q3: float
    iqr: float
    mad: float
    outliers: int


@contextmanager
def _gc_disabled() -> Iterator[None]:
    """Keep the collector out of the timed runs (as timeit does), restoring its previous state."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run(func: Callable[[], object], loops: int, clock: Callable[[], float]) -> float:
    """Seconds taken by `loops` calls of func: exactly two clock reads."""
    with _gc_disabled():
        start = clock()
        for _ in range(loops):
            func()
        return clock() - start


def _autorange(func: Callable[[], object], min_time: float, clock: Callable[[], float]) -> int:
    """The first count in 1, 2, 5, 10, 20, 50, ... whose run takes at least min_time (timeit.Timer.autorange)."""
    base = 1
    while True:
        for factor in (1, 2, 5):
            loops = base * factor
            if _run(func, loops, clock) >= min_time:
                return loops
        base *= 10


def summarise(samples: tuple[float, ...], loops: int) -> Measurement:
    """Robust statistics of per-call samples: median, quartiles, MAD, and outliers beyond Tukey's fences."""
    median = statistics.median(samples)
    q1, _, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    iqr = q3 - q1
    low, high = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    return Measurement(
        loops=loops,
        samples=samples,
        best=min(samples),
        median=median,
        q1=q1,
        q3=q3,
        iqr=iqr,
        mad=statistics.median(abs(s - median) for s in samples),
        outliers=sum(1 for s in samples if s < low or s > high),
    )


def measure(
    func: Callable[[], object],
    *,
    repeat: int = 7,
    min_time: float = 0.2,
    clock: Callable[[], float] = time.perf_counter,
) -> Measurement:
    """Calibrate like timeit's autorange, take `repeat` samples of that many calls, and summarise them.

    ValueError if repeat < 3 or min_time <= 0. Exceptions from func propagate (the gc state is restored).
    """
    if repeat < 3:
        raise ValueError(f"repeat must be at least 3 (quartiles need samples), got {repeat}")
    if not min_time > 0:
        raise ValueError(f"min_time must be positive, got {min_time}")
    loops = _autorange(func, min_time, clock)
    samples = tuple(_run(func, loops, clock) / loops for _ in range(repeat))
    return summarise(samples, loops)


# ----------------------------------------------------------------------------------------------------- hotspots


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
    """Profile func(*args, **kwargs) with cProfile; the `top` functions by own time, largest first."""
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    profiler = cProfile.Profile()
    profiler.runcall(func, *args, **kwargs)  # enables, calls, and disables even if func raises
    stats: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    found = [
        Hotspot(name, filename, lineno, calls, own, total)
        for (filename, lineno, name), (_, calls, own, total, _) in stats.items()
        if name != _PROFILER_DISABLE
    ]
    found.sort(key=lambda h: h.own_time, reverse=True)
    return found[:top]


# ------------------------------------------------------------------------------------------ the critical path


def slow_endpoint_report(lines: list[str], top: int = 10) -> list[Row]:
    """Per endpoint: (endpoint, requests, server errors, p50, p95, p99 latency in ms), busiest first.

    Each line is "<timestamp> <user> <method> <path> <status> <latency>ms". The endpoint is the method and the
    path with every all-digit segment replaced by ":id" ("GET /users/:id/orders"). This is the original: keep
    it unchanged, it is the specification of fast_endpoint_report.
    """
    names: list[str] = []
    latencies: list[list[int]] = []
    errors: list[int] = []
    for line in lines:
        fields = line.split()
        method, path, status, latency = fields[2], fields[3], fields[4], fields[5]
        name = method + " " + _normalise(path)
        if name not in names:
            names.append(name)
            latencies.append([])
            errors.append(0)
        i = names.index(name)
        latencies[i].append(int(latency[:-2]))
        if int(status) >= 500:
            errors[i] += 1
    rows = []
    for i, name in enumerate(names):
        values = latencies[i]
        rows.append(
            (name, len(values), errors[i], _percentile(values, 50), _percentile(values, 95), _percentile(values, 99))
        )
    rows.sort(key=lambda r: (-r[1], r[0]))
    return rows[:top]


def _normalise(path: str) -> str:
    out = ""
    for segment in path.split("/")[1:]:
        if re.fullmatch(r"[0-9]+", segment):
            out += "/:id"
        else:
            out += "/" + segment
    return out


def _percentile(values: list[int], p: int) -> int:
    """The smallest value v such that at least p% of the values are <= v (the nearest-rank percentile)."""
    for candidate in sorted(set(values)):
        if sum(1 for v in values if v <= candidate) * 100 >= p * len(values):
            return candidate
    raise ValueError("no values")


# An all-digit segment: "/" + ASCII digits, up to the next "/" or the end. r"[0-9]" and not r"\d": the original
# matches ASCII digits only, and str.isdigit() or \d would also accept "²" or "٣".
_ID_SEGMENT = re.compile(r"/[0-9]+(?=/|\Z)")


def _fast_normalise(path: str) -> str:
    # The original drops whatever precedes the first "/" (split("/")[1:]), then rewrites numeric segments.
    start = path.find("/")
    return "" if start < 0 else _ID_SEGMENT.sub("/:id", path[start:] if start else path)


def fast_endpoint_report(lines: list[str], top: int = 10) -> list[Row]:
    """Exactly slow_endpoint_report's result, in linear time.

    The profile of the original shows where the time goes: the percentiles count the values once per candidate
    (O(m²) per endpoint, three times), the regex module is looked up per path segment, and the endpoint lookup
    scans a list (`in`, then `index`). Here one sort per endpoint gives all three percentiles, one precompiled
    regex rewrites a path, and a dict finds the endpoint.
    """
    latencies: dict[str, list[int]] = {}
    errors: dict[str, int] = {}
    for line in lines:
        fields = line.split()
        name = fields[2] + " " + _fast_normalise(fields[3])
        values = latencies.get(name)
        if values is None:
            values = latencies[name] = []
            errors[name] = 0
        values.append(int(fields[5][:-2]))
        if int(fields[4]) >= 500:
            errors[name] += 1
    rows = []
    for name, values in latencies.items():
        m = len(values)
        rows.append(
            (name, m, errors[name], _percentile(values, 50), _percentile(values, 95), _percentile(values, 99))
        )
    rows.sort(key=lambda r: (-r[1], r[0]))
    return rows[:top]
