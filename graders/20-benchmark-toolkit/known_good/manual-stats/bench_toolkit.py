"""Known-good: hand-written quartiles, Profile.getstats() instead of pstats, a segment-cache report."""

from __future__ import annotations

import cProfile
import gc
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Row = tuple[str, int, int, int, int, int]


@dataclass(frozen=True)
class Measurement:
    loops: int
    samples: tuple[float, ...]
    best: float
    median: float
    q1: float
    q3: float
    iqr: float
    mad: float
    outliers: int


def _median(xs: list[float]) -> float:
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def _quartile(sorted_xs: list[float], q: int) -> float:
    # the "inclusive" method: linear interpolation at position q * (n - 1) / 4
    pos = q * (len(sorted_xs) - 1)
    j, delta = divmod(pos, 4)
    if delta == 0:
        return sorted_xs[j]
    return sorted_xs[j] + (sorted_xs[j + 1] - sorted_xs[j]) * delta / 4


def measure(
    func: Callable[[], object],
    *,
    repeat: int = 7,
    min_time: float = 0.2,
    clock: Callable[[], float] = time.perf_counter,
) -> Measurement:
    if repeat < 3 or min_time <= 0:
        raise ValueError("repeat must be >= 3 and min_time > 0")

    def timed(n: int) -> float:
        enabled = gc.isenabled()
        gc.disable()
        try:
            t0 = clock()
            for _ in range(n):
                func()
            return clock() - t0
        finally:
            if enabled:
                gc.enable()

    loops = 0
    for k in range(20):
        for f in (1, 2, 5):
            loops = f * 10**k
            if timed(loops) >= min_time:
                break
        else:
            continue
        break
    samples = [timed(loops) / loops for _ in range(repeat)]
    s = sorted(samples)
    q1, q3 = _quartile(s, 1), _quartile(s, 3)
    med = _median(samples)
    iqr = q3 - q1
    return Measurement(
        loops=loops,
        samples=tuple(samples),
        best=s[0],
        median=med,
        q1=q1,
        q3=q3,
        iqr=iqr,
        mad=_median([abs(x - med) for x in samples]),
        outliers=len([x for x in samples if not q1 - 1.5 * iqr <= x <= q3 + 1.5 * iqr]),
    )


@dataclass(frozen=True)
class Hotspot:
    function: str
    filename: str
    lineno: int
    calls: int
    own_time: float
    total_time: float


def hotspots(func: Callable[..., object], /, *args: Any, top: int = 10, **kwargs: Any) -> list[Hotspot]:
    prof = cProfile.Profile()
    prof.enable()
    try:
        func(*args, **kwargs)
    finally:
        prof.disable()
    out = []
    for entry in prof.getstats():
        code = entry.code
        if isinstance(code, str):
            if "_lsprof.Profiler" in code:
                continue
            out.append(Hotspot(code, "~", 0, entry.callcount, entry.inlinetime, entry.totaltime))
        else:
            out.append(
                Hotspot(
                    code.co_name,
                    code.co_filename,
                    code.co_firstlineno,
                    entry.callcount,
                    entry.inlinetime,
                    entry.totaltime,
                )
            )
    return sorted(out, key=lambda h: -h.own_time)[:top]


def slow_endpoint_report(lines: list[str], top: int = 10) -> list[Row]:
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
    for candidate in sorted(set(values)):
        if sum(1 for v in values if v <= candidate) * 100 >= p * len(values):
            return candidate
    raise ValueError("no values")


_seg_cache: dict[str, str] = {}


def _segment(seg: str) -> str:
    got = _seg_cache.get(seg)
    if got is None:
        got = "/:id" if seg and seg.isascii() and seg.isdigit() else "/" + seg
        if len(_seg_cache) < 100_000:
            _seg_cache[seg] = got
    return got


def fast_endpoint_report(lines: list[str], top: int = 10) -> list[Row]:
    lat: defaultdict[str, list[int]] = defaultdict(list)
    err: defaultdict[str, int] = defaultdict(int)
    for line in lines:
        f = line.split()
        name = f[2] + " " + "".join(map(_segment, f[3].split("/")[1:]))
        lat[name].append(int(f[5][:-2]))
        if int(f[4]) >= 500:
            err[name] += 1
    rows = []
    for name, vals in lat.items():
        vals.sort()
        m = len(vals)
        rows.append((name, m, err[name], *(vals[-(-p * m // 100) - 1] for p in (50, 95, 99))))
    rows.sort(key=lambda r: (-r[1], r[0]))
    return rows[:top]
