"""`kata doctor`: what works on this machine, and the fix for what doesn't."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from kata.ui import Check

PACKAGES = (
    "typer",
    "rich",
    "pytest",
    "hypothesis",
    "numpy",
    "numba",
    "cython",
    "pandas",
    "aiohttp",
    "fastapi",
    "httpx",
    "paramiko",
    "watchdog",
    "psutil",
)


def _python() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check("Python ≥ 3.11", ok, sys.version.split()[0], "" if ok else "install Python 3.11 or newer")


def _package(name: str) -> Check:
    try:
        return Check(f"package {name}", True, importlib.metadata.version(name))
    except importlib.metadata.PackageNotFoundError:
        return Check(f"package {name}", False, "missing", "reinstall kata: pip install --force-reinstall kata")


def _compiler() -> Check:
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        return Check(
            "C compiler (Cython exercises)",
            False,
            "none on PATH",
            "install one: apt install build-essential / xcode-select --install",
        )
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "probe.c"
        src.write_text("int kata_probe(void) { return 42; }\n")
        try:
            run = subprocess.run(
                [cc, "-c", str(src), "-o", str(Path(tmp) / "probe.o")], capture_output=True, timeout=60
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return Check("C compiler (Cython exercises)", False, f"{cc}: {exc}", "check the compiler install")
    ok = run.returncode == 0
    return Check("C compiler (Cython exercises)", ok, cc, "" if ok else run.stderr.decode(errors="replace")[:200])


def _loopback(family: socket.AddressFamily, host: str) -> Check:
    name = f"loopback {host}"
    try:
        with socket.socket(family, socket.SOCK_STREAM) as server:
            server.bind((host, 0))
            server.listen(1)
            port = server.getsockname()[1]
            with socket.create_connection((host, port), timeout=2):
                pass
        return Check(name, True, "bind + connect work")
    except OSError as exc:
        fix = "networking exercises need loopback; enable it (e.g. `ip link set lo up`)"
        if family == socket.AF_INET6:
            fix = "IPv6 loopback is optional; exercises fall back to 127.0.0.1"
        return Check(name, False, exc.strerror or str(exc), fix)


def _workspace(path: Path) -> Check:
    probe = path if path.exists() else path.parent

    ok = probe.is_dir() and os.access(probe, os.W_OK)
    return Check("workspace", ok, str(path), "" if ok else "pass --workspace with a folder you can write to")


def run_checks(workspace: Path) -> list[Check]:
    checks = [
        _python(),
        *(_package(p) for p in PACKAGES),
        _compiler(),
        _loopback(socket.AF_INET, "127.0.0.1"),
        _loopback(socket.AF_INET6, "::1"),
        Check("SQLite", True, sqlite3.sqlite_version),
        _workspace(workspace),
    ]
    curl = shutil.which("curl")
    checks.append(Check("curl (optional peer)", True, curl or "absent: graders use httpx alone"))
    return checks
