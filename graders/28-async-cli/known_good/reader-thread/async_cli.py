"""Known-good: a daemon thread reads stdin and hands lines to the loop; a stop event races the input queue.

Written from the README alone, deliberately unlike the reference: no pipe transport and no TaskGroup. The
thread is a daemon, so one blocked in readline() never holds up the exit, and jobs are tracked in a plain set.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import signal
import sys
import threading
from collections.abc import Sequence

EOF = None


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid interval {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"invalid interval {text!r}")
    return value


def reader_thread(loop: asyncio.AbstractEventLoop, inbox: asyncio.Queue[str | None]) -> None:
    try:
        for line in sys.stdin:
            loop.call_soon_threadsafe(inbox.put_nowait, line)
        loop.call_soon_threadsafe(inbox.put_nowait, EOF)
    except RuntimeError:  # loop already closed
        pass


async def run(interval: float) -> int:
    loop = asyncio.get_running_loop()
    interrupted = asyncio.Event()
    loop.add_signal_handler(signal.SIGINT, interrupted.set)
    inbox: asyncio.Queue[str | None] = asyncio.Queue()
    threading.Thread(target=reader_thread, args=(loop, inbox), daemon=True).start()

    ticks = 0
    total = 0
    job_ids = iter(range(1, 10**9))
    jobs: set[asyncio.Task[None]] = set()

    async def ticker() -> None:
        nonlocal ticks
        t0 = loop.time()
        while True:
            delay = t0 + (ticks + 1) * interval - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            ticks += 1
            say(f"tick {ticks}")

    async def sleeper(job: int, seconds: float) -> None:
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            say(f"job {job} cancelled")
            raise
        say(f"job {job} done")

    def dispatch(line: str) -> None:
        nonlocal total
        parts = line.split()
        if not parts:
            return
        match parts:
            case ["add", n]:
                try:
                    total += int(n)
                except ValueError:
                    say(f"error: not an integer: {n}")
                    return
                say(f"total {total}")
            case ["status"]:
                say(f"status ticks={ticks} total={total} pending={len(jobs)}")
            case ["sleep", s]:
                try:
                    seconds = float(s)
                except ValueError:
                    say(f"error: not a number: {s}")
                    return
                if not 0 <= seconds <= 3600:  # False for nan too
                    say("error: seconds out of range")
                    return
                job = next(job_ids)
                say(f"job {job} started")
                task = loop.create_task(sleeper(job, seconds))
                jobs.add(task)
                task.add_done_callback(jobs.discard)
            case _:
                say(f"error: cannot parse {line.strip()!r}")

    tick_task = loop.create_task(ticker())
    stop_wait = loop.create_task(interrupted.wait())
    try:
        while True:
            get = loop.create_task(inbox.get())
            done, _ = await asyncio.wait({get, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
            if stop_wait in done:
                get.cancel()
                break
            line = get.result()
            if line is EOF:
                # Drain: wait for the jobs, unless SIGINT arrives meanwhile.
                while jobs and not interrupted.is_set():
                    await asyncio.wait({*jobs, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
                break
            dispatch(line)
        if interrupted.is_set():
            for task in jobs:
                task.cancel()
            await asyncio.gather(*jobs, return_exceptions=True)
    finally:
        tick_task.cancel()
        stop_wait.cancel()
        await asyncio.gather(tick_task, stop_wait, return_exceptions=True)
        loop.remove_signal_handler(signal.SIGINT)
    if interrupted.is_set():
        say("interrupted")
        return 130
    say("bye")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="async_cli.py")
    parser.add_argument("--tick", type=positive, default=1.0)
    options = parser.parse_args(argv)
    return asyncio.run(run(options.tick))


if __name__ == "__main__":
    sys.exit(main())
