"""Start the learner's broker and workers as real processes on 127.0.0.1, and talk to the broker as a client.

The client speaks the README's protocol (JSON lines over TCP) with plain blocking sockets: it is the grader's
own, independent of the learner's code. Every process is started in its own session, with its output going to
a log file, and `Cluster.close()` kills them all (SIGCONT first, for any the test stopped).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

HOST = "127.0.0.1"
SCRIPT = "task_queue.py"
TASKS = Path(__file__).resolve().parent / "_qtasks.py"
now = time.monotonic  # bound before any learner code runs


class Client:
    """One connection to the broker; each request waits for its one response line."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.file = self.sock.makefile("rwb")

    def send(self, request: dict[str, Any] | bytes) -> None:
        line = request if isinstance(request, bytes) else json.dumps(request).encode()
        self.file.write(line + b"\n")
        self.file.flush()

    def receive(self, timeout: float) -> dict[str, Any]:
        self.sock.settimeout(timeout)
        try:
            line = self.file.readline()
        except TimeoutError:
            pytest.fail(f"the broker sent no response line within {timeout:g} s", pytrace=False)
        if not line:
            pytest.fail("the broker closed the connection instead of answering", pytrace=False)
        try:
            response = json.loads(line)
        except ValueError:
            pytest.fail(f"the broker answered {line[:200]!r}, which is not a JSON line", pytrace=False)
        if not isinstance(response, dict) or type(response.get("ok")) is not bool:
            pytest.fail(f"the broker answered {response!r}: expected an object with a boolean `ok`", pytrace=False)
        return response

    def call(self, request: dict[str, Any] | bytes, timeout: float = 10.0) -> dict[str, Any]:
        self.send(request)
        return self.receive(timeout)

    def submit_all(self, tasks: list[dict[str, Any]]) -> None:
        """Submit many tasks pipelined (all requests first, then all responses); each must be accepted."""
        self.file.write(b"".join(json.dumps({"op": "submit", **t}).encode() + b"\n" for t in tasks))
        self.file.flush()
        for task in tasks:
            response = self.receive(10.0)
            if response.get("ok") is not True:
                pytest.fail(f"submitting {task} was refused: {response}", pytrace=False)

    def result(self, task_id: str, wait: float) -> dict[str, Any]:
        response = self.call({"op": "result", "id": task_id, "wait": wait}, timeout=wait + 10.0)
        if response.get("ok") is not True:
            pytest.fail(f"`result` for {task_id!r} was refused: {response}", pytrace=False)
        return response

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()
            self.sock.close()


class Cluster:
    """A broker and its workers, run from the learner's staged `task_queue.py`."""

    def __init__(self, solution_dir: Path, logs: Path, port: int) -> None:
        self.script = solution_dir / SCRIPT
        self.logs = logs
        self.port = port
        self.procs: list[subprocess.Popen[bytes]] = []
        self.clients: list[Client] = []

    def spawn(self, *args: str, name: str) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 (the child keeps it)
        proc = subprocess.Popen(
            [sys.executable, "-I", str(self.script), *args],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.logs,
        )
        log.close()
        self.procs.append(proc)
        return proc

    def start_broker(self, visibility_timeout: float, max_attempts: int) -> None:
        self.broker = self.spawn(
            "broker",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--visibility-timeout",
            str(visibility_timeout),
            "--max-attempts",
            str(max_attempts),
            name="broker",
        )
        deadline = now() + 15.0
        while now() < deadline:
            if self.broker.poll() is not None:
                pytest.fail(f"the broker exited with code {self.broker.returncode}{self.tail('broker')}", pytrace=False)
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), timeout=0.5):
                return
            time.sleep(0.05)
        pytest.fail(f"the broker did not accept connections on {HOST}:{self.port} within 15 s", pytrace=False)

    def start_worker(self) -> subprocess.Popen[bytes]:
        n = sum(1 for p in self.logs.glob("worker-*.log"))
        return self.spawn("worker", "--host", HOST, "--port", str(self.port), "--tasks", str(TASKS), name=f"worker-{n}")

    def client(self) -> Client:
        c = Client(self.port)
        self.clients.append(c)
        return c

    def tail(self, name: str, limit: int = 800) -> str:
        path = self.logs / f"{name}.log"
        text = path.read_text(errors="replace").strip() if path.exists() else ""
        return f"\n  {name} output:\n    " + text[-limit:].replace("\n", "\n    ") if text else ""

    def wait_results(self, client: Client, ids: list[str], deadline: float) -> dict[str, dict[str, Any]]:
        """Final results for `ids` (as far as they arrive before `deadline`); pending ones are left out."""
        found: dict[str, dict[str, Any]] = {}
        for task_id in ids:
            response = client.result(task_id, max(0.0, deadline - now()))
            if response.get("status") != "pending":
                found[task_id] = response
        return found

    def close(self) -> None:
        for c in self.clients:
            c.close()
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGCONT)
                os.killpg(proc.pid, signal.SIGKILL)
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
