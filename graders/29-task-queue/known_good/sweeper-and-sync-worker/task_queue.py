"""Known-good: an asyncio.Queue of ready tasks, a sweeper task for expired leases, and a blocking-socket worker.

Written from the README alone, deliberately unlike the reference: leases carry a deadline that a periodic
sweeper checks (no per-lease timers), ready tasks wait in an asyncio.Queue, and the worker is plain synchronous
code on a blocking socket.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import math
import socket
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any


class Broker:
    def __init__(self, visibility_timeout: float, max_attempts: int) -> None:
        self.vt = visibility_timeout
        self.max_attempts = max_attempts
        self.ready: asyncio.Queue[str] = asyncio.Queue()
        self.info: dict[str, dict[str, Any]] = {}  # id -> {"fn", "args", "attempts"}
        self.results: dict[str, dict[str, Any]] = {}
        self.leases: dict[str, tuple[int, int, float]] = {}  # id -> (attempt, connection, deadline)
        self.events: dict[str, asyncio.Event] = {}
        self.conn_ids = 0

    def give_up_or_requeue(self, task_id: str, error: str) -> None:
        info = self.info[task_id]
        if info["attempts"] >= self.max_attempts:
            self.results[task_id] = {"status": "failed", "error": error, "attempts": info["attempts"]}
            self.events[task_id].set()
        else:
            self.ready.put_nowait(task_id)

    async def sweep(self) -> None:
        while True:
            await asyncio.sleep(min(0.05, self.vt / 4))
            t = time.monotonic()
            for task_id, (_, _, deadline) in list(self.leases.items()):
                if deadline <= t:
                    del self.leases[task_id]
                    self.give_up_or_requeue(task_id, "lease expired: visibility timeout")

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.conn_ids += 1
        me = self.conn_ids
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                try:
                    req = json.loads(line)
                    assert isinstance(req, dict)
                    reply = await self.request(req, me, reader)
                except (ValueError, AssertionError):
                    reply = {"ok": False, "error": "malformed request"}
                if reply is None:  # the worker vanished while fetching; the task went back
                    break
                writer.write((json.dumps(reply) + "\n").encode())
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            for task_id, (_, owner, _) in list(self.leases.items()):
                if owner == me:
                    del self.leases[task_id]
                    self.give_up_or_requeue(task_id, "worker lost")
            writer.close()

    async def request(self, req: dict[str, Any], me: int, reader: asyncio.StreamReader) -> dict[str, Any] | None:
        op = req.get("op")
        if op == "submit":
            tid, fn, args = req.get("id"), req.get("fn"), req.get("args", [])
            if not (isinstance(tid, str) and tid and isinstance(fn, str) and fn and isinstance(args, list)):
                return {"ok": False, "error": "submit needs id, fn and a list of args"}
            if tid in self.info:
                return {"ok": False, "error": "duplicate id"}
            self.info[tid] = {"fn": fn, "args": args, "attempts": 0}
            self.events[tid] = asyncio.Event()
            self.ready.put_nowait(tid)
            return {"ok": True}
        if op == "fetch":
            tid = await self.ready.get()
            if reader.at_eof():
                self.ready.put_nowait(tid)
                return None
            info = self.info[tid]
            info["attempts"] += 1
            self.leases[tid] = (info["attempts"], me, time.monotonic() + self.vt)
            return {
                "ok": True,
                "task": {"id": tid, "fn": info["fn"], "args": info["args"], "attempt": info["attempts"]},
            }
        if op in ("ack", "nack"):
            tid = req.get("id")
            lease = self.leases.get(tid) if isinstance(tid, str) else None
            if lease is None or lease[0] != req.get("attempt") or lease[1] != me:
                return {"ok": False, "error": "no such lease"}
            del self.leases[tid]  # type: ignore[arg-type]
            assert isinstance(tid, str)
            if op == "ack":
                self.results[tid] = {"status": "done", "value": req.get("value"), "attempts": lease[0]}
                self.events[tid].set()
            else:
                self.give_up_or_requeue(tid, str(req.get("error")))
            return {"ok": True}
        if op == "result":
            tid = req.get("id")
            if tid not in self.info:
                return {"ok": False, "error": "unknown id"}
            wait = req.get("wait", 0)
            if not isinstance(wait, int | float) or wait < 0 or math.isnan(wait):
                return {"ok": False, "error": "bad wait"}
            if tid not in self.results and wait:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.events[tid].wait(), wait)
            if tid in self.results:
                return {"ok": True, "id": tid, **self.results[tid]}
            return {"ok": True, "id": tid, "status": "pending", "attempts": self.info[tid]["attempts"]}
        if op == "stats":
            statuses = [r["status"] for r in self.results.values()]
            return {
                "ok": True,
                "queued": self.ready.qsize(),
                "in_flight": len(self.leases),
                "done": statuses.count("done"),
                "failed": statuses.count("failed"),
            }
        return {"ok": False, "error": f"unknown op {op!r}"}


async def run_broker(host: str, port: int, visibility_timeout: float, max_attempts: int) -> None:
    broker = Broker(visibility_timeout, max_attempts)
    sweeper = asyncio.create_task(broker.sweep())
    server = await asyncio.start_server(broker.serve, host, port, limit=1 << 20)
    try:
        await server.serve_forever()
    finally:
        sweeper.cancel()


def load_tasks(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("user_tasks", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def run_worker(host: str, port: int, tasks: ModuleType) -> None:
    await asyncio.to_thread(work, host, port, tasks)


def work(host: str, port: int, tasks: ModuleType) -> None:
    with socket.create_connection((host, port)) as sock, sock.makefile("rwb") as f:
        while True:
            f.write(b'{"op": "fetch"}\n')
            f.flush()
            line = f.readline()
            if not line:
                return
            task = json.loads(line)["task"]
            try:
                fn = getattr(tasks, task["fn"])
                value = fn(*task["args"])
                out = {"op": "ack", "id": task["id"], "attempt": task["attempt"], "value": value}
                data = json.dumps(out)
            except Exception as exc:
                out = {"op": "nack", "id": task["id"], "attempt": task["attempt"], "error": f"{exc!r}"}
                data = json.dumps(out)
            f.write(data.encode() + b"\n")
            f.flush()
            if not f.readline():
                return


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="task_queue.py")
    sub = p.add_subparsers(dest="role", required=True)
    b = sub.add_parser("broker")
    w = sub.add_parser("worker")
    for s in (b, w):
        s.add_argument("--host", default="127.0.0.1")
        s.add_argument("--port", type=int, required=True)
    b.add_argument("--visibility-timeout", type=float, default=30.0)
    b.add_argument("--max-attempts", type=int, default=3)
    w.add_argument("--tasks", required=True)
    a = p.parse_args(argv)
    if a.role == "broker":
        if not (a.visibility_timeout > 0 and math.isfinite(a.visibility_timeout)) or a.max_attempts < 1:
            p.error("--visibility-timeout must be > 0 and --max-attempts ≥ 1")
        asyncio.run(run_broker(a.host, a.port, a.visibility_timeout, a.max_attempts))
    else:
        asyncio.run(run_worker(a.host, a.port, load_tasks(Path(a.tasks))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
