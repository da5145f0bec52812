"""Drive the learner's CLI as a real subprocess: timestamped stdout lines, stdin writes, signals, teardown.

A reader thread stamps every stdout line with the grader's monotonic clock as it arrives, so cadence and
latency are measured from the outside, the way a user (or a supervising process) would see them.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

now = time.monotonic  # bound when the grader is imported, before any learner code runs

TICK = re.compile(r"tick (\d+)")


@dataclass(frozen=True)
class Line:
    """One stdout line (newline stripped) and when the grader read it."""

    at: float
    text: str


class Cli:
    """One running CLI process with pipes on stdin, stdout and stderr."""

    def __init__(self, script: Path, args: list[str]) -> None:
        self.args = args
        self.started = now()
        self.proc = subprocess.Popen(
            [sys.executable, "-I", str(script), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: teardown kills whatever it started
        )
        self.lines: list[Line] = []
        self._stderr = bytearray()
        self._closed = False  # stdout reached EOF: no more lines will come
        self._changed = threading.Condition()
        self._threads = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for t in self._threads:
            t.start()

    # ------------------------------------------------------------------------------------------------ reading

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for raw in iter(self.proc.stdout.readline, b""):
            line = Line(now(), raw.decode("utf-8", errors="replace").rstrip("\r\n"))
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def _read_stderr(self) -> None:
        stream = self.proc.stderr
        assert stream is not None
        while chunk := stream.read1(4096):
            self._stderr += chunk

    @property
    def stderr(self) -> str:
        return self._stderr.decode("utf-8", errors="replace")

    def snapshot(self) -> list[Line]:
        with self._changed:
            return list(self.lines)

    def wait_for(self, match: Callable[[str], bool], timeout: float, start: int = 0) -> int | None:
        """Index of the first line at or after `start` that matches, waiting up to `timeout` s (or until stdout
        closes); None if none."""
        deadline = now() + timeout
        with self._changed:
            while True:
                for i in range(start, len(self.lines)):
                    if match(self.lines[i].text):
                        return i
                remaining = deadline - now()
                if remaining <= 0 or self._closed:
                    return None
                self._changed.wait(min(remaining, 0.05))

    def wait_answers(self, count: int, timeout: float, start: int = 0) -> list[Line]:
        """Wait up to `timeout` s for `count` non-tick lines from `start` on; return those that came."""
        deadline = now() + timeout
        with self._changed:
            while True:
                got = [line for line in self.lines[start:] if not TICK.fullmatch(line.text)]
                remaining = deadline - now()
                if len(got) >= count or remaining <= 0 or self._closed:
                    return got
                self._changed.wait(min(remaining, 0.05))

    def answers(self, start: int = 0) -> list[Line]:
        """Every line from `start` on that is not a tick."""
        return [line for line in self.snapshot()[start:] if not TICK.fullmatch(line.text)]

    def ticks(self, start: int = 0) -> list[tuple[int, float]]:
        """(number, arrival time) of every `tick N` line from `start` on."""
        found = []
        for line in self.snapshot()[start:]:
            m = TICK.fullmatch(line.text)
            if m:
                found.append((int(m.group(1)), line.at))
        return found

    # ------------------------------------------------------------------------------------------------ writing

    def send(self, text: str) -> float:
        """Write `text` to stdin as is (add the newline yourself); returns when it was written."""
        assert self.proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        return now()

    def command(self, line: str, expect: str, timeout: float) -> tuple[Line | None, int, float]:
        """Send one command line; return the first answer starting with `expect` (or None), the index of the
        first line printed after the command was sent, and when it was sent."""
        start = len(self.snapshot())
        sent = self.send(line + "\n")
        i = self.wait_for(lambda t: t.startswith(expect), timeout, start)
        return (None if i is None else self.snapshot()[i]), start, sent

    def close_stdin(self) -> float:
        assert self.proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.close()
        return now()

    def interrupt(self) -> float:
        """Send SIGINT to the CLI process itself (what Ctrl-C does to a foreground program)."""
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGINT)
        return now()

    def wait_exit(self, timeout: float) -> int | None:
        """The exit code, or None if the process is still running after `timeout` s."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        for t in self._threads:
            t.join(timeout=2)
        return code

    def kill(self) -> None:
        """Teardown: kill the whole process group, reap it, close the pipes."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        for t in self._threads:
            t.join(timeout=2)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
