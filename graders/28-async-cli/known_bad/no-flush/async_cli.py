"""Known-bad: print() without flush: stdout is a pipe, so answers sit in a buffer until exit."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import signal
import sys
from collections.abc import Sequence


def emit(line: str) -> None:
    print(line)  # block-buffered when stdout is a pipe


class Session:
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.ticks = 0
        self.total = 0
        self.next_job = 1
        self.jobs: set[asyncio.Task[None]] = set()

    async def tick_forever(self) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        while True:
            await asyncio.sleep(max(0.0, start + (self.ticks + 1) * self.interval - loop.time()))
            self.ticks += 1
            emit(f"tick {self.ticks}")

    async def handle(self, line: str, group: asyncio.TaskGroup) -> None:
        words = line.split()
        if not words:
            return
        cmd, args = words[0], words[1:]
        if cmd == "add" and len(args) == 1:
            try:
                self.total += int(args[0])
            except ValueError:
                emit("error: bad integer")
                return
            emit(f"total {self.total}")
        elif cmd == "status" and not args:
            emit(f"status ticks={self.ticks} total={self.total} pending={len(self.jobs)}")
        elif cmd == "sleep" and len(args) == 1:
            try:
                seconds = float(args[0])
            except ValueError:
                emit("error: bad number")
                return
            if not (math.isfinite(seconds) and 0 <= seconds <= 3600):
                emit("error: out of range")
                return
            job, self.next_job = self.next_job, self.next_job + 1
            emit(f"job {job} started")
            task = group.create_task(self.job(job, seconds))
            self.jobs.add(task)
            task.add_done_callback(self.jobs.discard)
        else:
            emit(f"error: bad command {line!r}")

    async def job(self, job: int, seconds: float) -> None:
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            emit(f"job {job} cancelled")
            raise
        emit(f"job {job} done")


async def lines():
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while raw := await reader.readline():
        yield raw.decode()


async def run(interval: float) -> int:
    loop = asyncio.get_running_loop()
    main_task = asyncio.current_task()
    assert main_task is not None
    loop.add_signal_handler(signal.SIGINT, main_task.cancel)
    session = Session(interval)
    ticker = asyncio.create_task(session.tick_forever())
    try:
        async with asyncio.TaskGroup() as group:
            async for line in lines():
                await session.handle(line, group)
    except asyncio.CancelledError:
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker
        emit("interrupted")
        return 130
    ticker.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await ticker
    emit("bye")
    return 0


def _interval(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(text)
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tick", type=_interval, default=1.0)
    args = parser.parse_args(argv)
    return asyncio.run(run(args.tick))


if __name__ == "__main__":
    sys.exit(main())
