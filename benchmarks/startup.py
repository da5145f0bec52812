"""Start-up cost of `kata --help` and `kata list`, as a multiple of a bare `python -c pass`, measured side by side.

Run: python benchmarks/startup.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "kata --help": [sys.executable, "-m", "kata.cli", "--help"],
    "kata list": [sys.executable, "-m", "kata.cli", "list"],
}


def wall(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as ws:
        env = {**os.environ, "KATA_WORKSPACE": ws}
        for cmd in COMMANDS.values():
            wall(cmd, env)  # warm the OS file cache
        times: dict[str, list[float]] = {name: [] for name in COMMANDS}
        for _ in range(rounds):  # interleaved, so drift hits every command alike
            for name, cmd in COMMANDS.items():
                times[name].append(wall(cmd, env))
    base = statistics.median(times["python -c pass"])
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:16} median {median * 1000:7.1f} ms  = {median / base:5.1f}× bare python")


if __name__ == "__main__":
    main()
