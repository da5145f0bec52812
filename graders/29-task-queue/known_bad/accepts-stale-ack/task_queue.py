"""Known-bad: accepts an ack for an expired lease, so a hung worker that wakes up overwrites the result."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import math
import sys
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

JSON = dict[str, Any]


@dataclass
class Task:
    """A submitted task and what the broker knows about it."""

    id: str
    fn: str
    args: list[Any]
    attempts: int = 0  # deliveries so far
    result: JSON | None = None  # the final result, once there is one
    settled: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Lease:
    """One delivery of a task to one worker connection."""

    task: Task
    attempt: int
    owner: int  # the id of the worker connection that holds it
    timer: asyncio.TimerHandle


@dataclass
class Fetcher:
    """A worker connection waiting in `fetch` for its next task."""

    owner: int
    waiter: asyncio.Future[Lease]
    reader: asyncio.StreamReader  # to notice a worker that went away while it waited


class Broker:
    """The queue, the leases and the result backend. Runs on one event loop: no locks needed."""

    def __init__(self, visibility_timeout: float, max_attempts: int) -> None:
        self.visibility_timeout = visibility_timeout
        self.max_attempts = max_attempts
        self.tasks: dict[str, Task] = {}
        self.ready: deque[Task] = deque()  # waiting for a worker
        self.leases: dict[str, Lease] = {}  # task id -> its current lease
        self.fetchers: deque[Fetcher] = deque()  # workers waiting for a task
        self._next_connection = 0

    # ------------------------------------------------------------------------------------------ queue

    def _dispatch(self) -> None:
        """Hand ready tasks to waiting workers, oldest first on both sides."""
        while self.ready and self.fetchers:
            fetcher = self.fetchers.popleft()
            owner, waiter = fetcher.owner, fetcher.waiter
            if waiter.done():
                continue
            if fetcher.reader.at_eof():  # the worker went away while it waited: don't burn an attempt on it
                waiter.set_exception(ConnectionResetError("worker disconnected while fetching"))
                continue
            task = self.ready.popleft()
            task.attempts += 1
            timer = asyncio.get_running_loop().call_later(self.visibility_timeout, self._expire, task.id, task.attempts)
            lease = self.leases[task.id] = Lease(task, task.attempts, owner, timer)
            waiter.set_result(lease)

    def _settle(self, task: Task, result: JSON) -> None:
        task.result = {"id": task.id, **result, "attempts": task.attempts}
        task.settled.set()

    def _retry_or_fail(self, task: Task, error: str) -> None:
        """A delivery ended without a result: deliver again, or record the failure after the last attempt."""
        if task.attempts >= self.max_attempts:
            self._settle(task, {"status": "failed", "error": error})
        else:
            self.ready.append(task)
            self._dispatch()

    def _end_lease(self, task_id: str, attempt: int) -> Lease | None:
        """Remove and return the current lease on `task_id` if it is `attempt`; None for a stale one."""
        lease = self.leases.get(task_id)
        if lease is None or lease.attempt != attempt:
            return None
        del self.leases[task_id]
        lease.timer.cancel()
        return lease

    def _expire(self, task_id: str, attempt: int) -> None:
        lease = self._end_lease(task_id, attempt)
        if lease is not None:
            self._retry_or_fail(lease.task, f"visibility timeout ({self.visibility_timeout:g} s) expired")

    # ------------------------------------------------------------------------------------------ requests

    def submit(self, request: JSON) -> JSON:
        task_id, fn, args = request.get("id"), request.get("fn"), request.get("args", [])
        if not isinstance(task_id, str) or not task_id:
            return _error("submit needs a non-empty string `id`")
        if not isinstance(fn, str) or not fn:
            return _error("submit needs a non-empty string `fn`")
        if not isinstance(args, list):
            return _error("`args` must be a list")
        if task_id in self.tasks:
            return _error(f"duplicate task id {task_id!r}")
        task = self.tasks[task_id] = Task(task_id, fn, args)
        self.ready.append(task)
        self._dispatch()
        return {"ok": True}

    async def fetch(self, owner: int, reader: asyncio.StreamReader) -> JSON:
        waiter: asyncio.Future[Lease] = asyncio.get_running_loop().create_future()
        self.fetchers.append(Fetcher(owner, waiter, reader))
        self._dispatch()
        lease = await waiter  # cancelled if the worker disconnects while waiting
        task = lease.task
        return {"ok": True, "task": {"id": task.id, "fn": task.fn, "args": task.args, "attempt": lease.attempt}}

    def settle(self, request: JSON, owner: int) -> JSON:
        """`ack` or `nack` from a worker: only the current lease, held by this connection, counts."""
        task_id, attempt = request.get("id"), request.get("attempt")
        if not isinstance(task_id, str) or type(attempt) is not int:
            return _error(f"{request['op']} needs `id` and `attempt`")
        lease = self.leases.get(task_id)
        if lease is None or lease.attempt != attempt or lease.owner != owner:
            task = self.tasks.get(task_id)
            if task is not None and task.attempts and request["op"] == "ack":  # a late result is still a result
                self._settle(task, {"status": "done", "value": request.get("value")})
                return {"ok": True}
            return _error(f"stale lease: task {task_id!r} attempt {attempt} is no longer yours")
        self._end_lease(task_id, attempt)
        if request["op"] == "ack":
            self._settle(lease.task, {"status": "done", "value": request.get("value")})
        else:
            self._retry_or_fail(lease.task, str(request.get("error", "task failed")))
        return {"ok": True}

    async def result(self, request: JSON) -> JSON:
        task = self.tasks.get(request.get("id"))  # type: ignore[arg-type]
        if task is None:
            return _error(f"unknown task id {request.get('id')!r}")
        wait = request.get("wait", 0)
        if not isinstance(wait, int | float) or not math.isfinite(wait) or wait < 0:
            return _error("`wait` must be a number of seconds ≥ 0")
        if task.result is None and wait > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(task.settled.wait(), wait)
        if task.result is None:
            return {"ok": True, "id": task.id, "status": "pending", "attempts": task.attempts}
        return {"ok": True, **task.result}

    def stats(self) -> JSON:
        done = sum(1 for t in self.tasks.values() if t.result and t.result["status"] == "done")
        failed = sum(1 for t in self.tasks.values() if t.result and t.result["status"] == "failed")
        return {"ok": True, "queued": len(self.ready), "in_flight": len(self.leases), "done": done, "failed": failed}

    # ------------------------------------------------------------------------------------------ connections

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one connection: requests in order, one response line each."""
        owner = self._next_connection = self._next_connection + 1
        try:
            while line := await reader.readline():
                try:
                    request = json.loads(line)
                    if not isinstance(request, dict):
                        raise ValueError("a request is a JSON object")
                except ValueError as exc:
                    response = _error(f"bad request: {exc}")
                else:
                    response = await self._answer(request, owner, reader)
                writer.write(json.dumps(response).encode() + b"\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            # A worker that goes away (crashed, killed) gives its leases back at once, without waiting for them
            # to time out. A fetch it was waiting on is cancelled with this coroutine.
            for lease in [lease for lease in self.leases.values() if lease.owner == owner]:
                self._end_lease(lease.task.id, lease.attempt)
                self._retry_or_fail(lease.task, "worker disconnected")
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(self, request: JSON, owner: int, reader: asyncio.StreamReader) -> JSON:
        op = request.get("op")
        if op == "submit":
            return self.submit(request)
        if op == "fetch":
            return await self.fetch(owner, reader)
        if op in ("ack", "nack"):
            return self.settle(request, owner)
        if op == "result":
            return await self.result(request)
        if op == "stats":
            return self.stats()
        return _error(f"unknown op {op!r}")


def _error(message: str) -> JSON:
    return {"ok": False, "error": message}


async def run_broker(host: str, port: int, visibility_timeout: float, max_attempts: int) -> None:
    broker = Broker(visibility_timeout, max_attempts)
    server = await asyncio.start_server(broker.handle, host, port, limit=2**20)
    print(f"broker listening on {host}:{port}", flush=True)
    async with server:
        await server.serve_forever()


# ---------------------------------------------------------------------------------------------- worker


def load_tasks(path: Path) -> ModuleType:
    """Import the file holding the task functions."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"can't import tasks from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _lookup(module: ModuleType, name: str) -> Callable[..., Any]:
    fn: object = getattr(module, name, None) if not name.startswith("_") else None
    if not callable(fn):
        raise LookupError(f"no task function {name!r}")
    return fn


async def run_worker(host: str, port: int, tasks: ModuleType) -> None:
    """Fetch, run, settle, repeat, until the broker closes the connection."""
    reader, writer = await asyncio.open_connection(host, port, limit=2**20)

    async def call(request: JSON) -> JSON | None:
        writer.write(json.dumps(request).encode() + b"\n")
        await writer.drain()
        line = await reader.readline()
        return json.loads(line) if line else None

    try:
        while (response := await call({"op": "fetch"})) is not None:
            task = response["task"]
            lease = {"id": task["id"], "attempt": task["attempt"]}
            try:
                fn = _lookup(tasks, task["fn"])
                # In a thread: the loop stays free to notice the broker going away.
                value = await asyncio.to_thread(fn, *task["args"])
                json.dumps(value)  # fail here, as this task's error, if the result can't be sent
                settle = {"op": "ack", **lease, "value": value}
            except Exception as exc:
                settle = {"op": "nack", **lease, "error": f"{type(exc).__name__}: {exc}"}
            if await call(settle) is None:
                break
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


# ---------------------------------------------------------------------------------------------- command line


def _positive(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A task queue: a broker and workers on loopback.")
    roles = parser.add_subparsers(dest="role", required=True)
    broker = roles.add_parser("broker", help="run the broker")
    worker = roles.add_parser("worker", help="run a worker")
    for sub in (broker, worker):
        sub.add_argument("--host", default="127.0.0.1")
        sub.add_argument("--port", type=int, required=True)
    broker.add_argument("--visibility-timeout", type=_positive, default=30.0, metavar="SECONDS")
    broker.add_argument("--max-attempts", type=_at_least_one, default=3, metavar="N")
    worker.add_argument("--tasks", type=Path, required=True, metavar="FILE.py")
    args = parser.parse_args(argv)
    try:
        if args.role == "broker":
            asyncio.run(run_broker(args.host, args.port, args.visibility_timeout, args.max_attempts))
        else:
            asyncio.run(run_worker(args.host, args.port, load_tasks(args.tasks)))
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
