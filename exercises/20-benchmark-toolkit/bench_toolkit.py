"""Exercise 20: benchmark and optimise a critical path. Read README.md for the full spec.

The two result types and the original `slow_endpoint_report` are given; write `measure`, `hotspots` and
`fast_endpoint_report`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Row = tuple[str, int, int, int, int, int]  # endpoint, requests, server errors, p50, p95, p99


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
    raise NotImplementedError


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
    raise NotImplementedError


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


def fast_endpoint_report(lines: list[str], top: int = 10) -> list[Row]:
    """Exactly slow_endpoint_report(lines, top), at least 5x faster."""
    raise NotImplementedError
