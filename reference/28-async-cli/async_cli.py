"""Reference for exercise 28: an interactive asyncio CLI that never blocks its event loop.

One event loop runs three kinds of work side by side:

- a ticker that prints `tick N` on a fixed schedule,
- a reader that turns stdin into commands without ever blocking the loop (a pipe transport, not `input()`),
- the commands themselves: `add` and `status` answer at once, `sleep` starts a job that finishes later.

EOF drains the jobs in flight and exits 0; SIGINT cancels them and exits 130. Run it as
`python async_cli.py --tick 0.5` and type commands.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import math
import os
import signal
import sys
import threading
from collections.abc import AsyncIterator, Sequence

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERRUPTED = 128 + signal.SIGINT  # 130: the shell's convention for "killed by Ctrl-C"
MAX_SLEEP_S = 3600.0


def emit(line: str) -> None:
    """Print one output line and flush it: stdout is a pipe, and a buffered answer is no answer."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Session:
    """The CLI's state and its commands. Every method runs on the event loop, so no locks are needed."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.ticks = 0
        self.total = 0
        self._next_job = 1
        self._jobs: set[asyncio.Task[None]] = set()

    async def tick_forever(self) -> None:
        """Print `tick N` at start + N·interval: scheduled from the start, so ticks don't drift.

        Sleeping `interval` after each print would add the print's own time (and every scheduling delay) to
        every period. A tick that comes due while the loop is late is printed as soon as the loop gets to it,
        so the count keeps up with the clock.
        """
        loop = asyncio.get_running_loop()
        start = loop.time()
        while True:
            await asyncio.sleep(max(0.0, start + (self.ticks + 1) * self.interval - loop.time()))
            self.ticks += 1
            emit(f"tick {self.ticks}")

    def handle(self, line: str, jobs: asyncio.TaskGroup) -> None:
        """Answer one command line; `sleep` jobs are started in `jobs` and answered later."""
        words = line.split()
        if not words:
            return
        command, args = words[0], words[1:]
        if command == "add":
            self._add(args)
        elif command == "status":
            self._status(args)
        elif command == "sleep":
            self._sleep(args, jobs)
        else:
            emit(f"error: unknown command {command!r} (try add, status, sleep)")

    def _add(self, args: list[str]) -> None:
        try:
            (amount,) = map(int, args)
        except ValueError:
            emit("error: usage: add INTEGER")
            return
        self.total += amount
        emit(f"total {self.total}")

    def _status(self, args: list[str]) -> None:
        if args:
            emit("error: usage: status")
            return
        emit(f"status ticks={self.ticks} total={self.total} pending={len(self._jobs)}")

    def _sleep(self, args: list[str], jobs: asyncio.TaskGroup) -> None:
        try:
            (seconds,) = map(float, args)
        except ValueError:
            emit("error: usage: sleep SECONDS")
            return
        if not (math.isfinite(seconds) and 0 <= seconds <= MAX_SLEEP_S):
            emit(f"error: sleep takes 0 to {MAX_SLEEP_S:g} seconds")
            return
        job, self._next_job = self._next_job, self._next_job + 1
        emit(f"job {job} started")
        task = jobs.create_task(self._run_job(job, seconds))
        self._jobs.add(task)
        task.add_done_callback(self._jobs.discard)

    async def _run_job(self, job: int, seconds: float) -> None:
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            emit(f"job {job} cancelled")
            raise
        emit(f"job {job} done")


async def stdin_lines() -> AsyncIterator[str]:
    """Yield stdin's lines (without the newline) as they arrive, without blocking the event loop.

    A pipe or terminal is watched by the loop itself (`connect_read_pipe`). A regular file can't be polled, so
    it is read by a daemon thread that hands each line to the loop; a daemon thread never holds up the exit.
    """
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    stdin = open(os.dup(sys.stdin.fileno()), "rb", buffering=0)  # noqa: SIM115 (the transport owns it)
    try:
        transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stdin)
    except ValueError:  # not a pipe, socket or character device
        threading.Thread(target=_pump, args=(stdin, reader, loop), daemon=True).start()
        transport = None
    try:
        while True:
            try:
                raw = await reader.readline()
            except ValueError:  # a line longer than the reader's limit: refuse it, keep going
                emit("error: line too long")
                continue
            if not raw:
                return
            yield raw.decode("utf-8", errors="replace").rstrip("\r\n")
    finally:
        if transport is not None:
            transport.close()
        # The pipe transport made the descriptor non-blocking, and the flag belongs to the open file that a
        # terminal shares with the shell: put it back.
        with contextlib.suppress(OSError):
            os.set_blocking(sys.stdin.fileno(), True)


def _pump(stdin: io.FileIO, reader: asyncio.StreamReader, loop: asyncio.AbstractEventLoop) -> None:
    """Thread body for a regular-file stdin: feed the reader on the loop's thread, then signal EOF."""
    with contextlib.suppress(RuntimeError):  # the loop closed first: nobody is listening any more
        for raw in iter(stdin.readline, b""):
            loop.call_soon_threadsafe(reader.feed_data, raw)
        loop.call_soon_threadsafe(reader.feed_eof)


async def run(interval: float) -> int:
    """Run the CLI until EOF (drain jobs, exit 0) or SIGINT (cancel jobs, exit 130); return the exit code."""
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    assert main is not None
    # SIGINT cancels this task: the cancellation flows down through the TaskGroup into every job.
    loop.add_signal_handler(signal.SIGINT, main.cancel)
    session = Session(interval)
    ticker = asyncio.create_task(session.tick_forever())
    try:
        async with asyncio.TaskGroup() as jobs:
            async for line in stdin_lines():
                session.handle(line, jobs)
        # EOF: leaving the TaskGroup waited for every job still running.
    except asyncio.CancelledError:
        await _stop(ticker)
        emit("interrupted")
        return EXIT_INTERRUPTED
    finally:
        loop.remove_signal_handler(signal.SIGINT)
    await _stop(ticker)
    emit("bye")
    return EXIT_OK


async def _stop(task: asyncio.Task[None]) -> None:
    """Cancel `task` and wait until it has really finished."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the CLI; bad usage prints a message to stderr and exits 2."""
    parser = argparse.ArgumentParser(description="A non-blocking asyncio CLI with a background ticker.")
    parser.add_argument("--tick", type=_interval, default=1.0, metavar="SECONDS", help="ticker interval")
    args = parser.parse_args(argv)  # exits with status 2 and a usage message on bad arguments
    return asyncio.run(run(args.tick))


if __name__ == "__main__":
    sys.exit(main())
