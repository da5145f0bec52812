"""Run one grader process and stay in control of it: wall clock, memory of the whole tree, output, escapees.

The child runs in a new session; kata makes itself a child subreaper (Linux) so daemons that call setsid are
re-parented to kata instead of init, and can be found and killed when the run ends.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

POLL_S = 0.05
HEAD_BYTES = 8_000
TAIL_BYTES = 16_000
PR_SET_CHILD_SUBREAPER = 36


def _become_subreaper() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


@dataclass
class RunOutcome:
    returncode: int | None = None
    timed_out: bool = False
    memory_exceeded: bool = False
    interrupted: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)
    forged: int = 0
    output_head: bytes = b""
    output_tail: bytes = b""
    output_bytes: int = 0
    peak_rss: int = 0
    wall_s: float = 0.0
    leftovers: int = 0

    @property
    def signal_name(self) -> str:
        if self.returncode is None or self.returncode >= 0:
            return ""
        try:
            return signal.Signals(-self.returncode).name
        except ValueError:
            return f"signal {-self.returncode}"

    @property
    def output(self) -> str:
        """The captured output, the middle cut out (and said so) when there was too much."""
        head = self.output_head.decode(errors="replace")
        if self.output_bytes <= HEAD_BYTES + TAIL_BYTES:
            return head + self.output_tail.decode(errors="replace")
        cut = self.output_bytes - len(self.output_head) - len(self.output_tail)
        return (
            f"{head}\n… [{cut:,} bytes of output truncated; {self.output_bytes:,} bytes in all] …\n"
            + self.output_tail.decode(errors="replace")
        )

    @property
    def output_truncated(self) -> bool:
        return self.output_bytes > HEAD_BYTES + TAIL_BYTES


class _OutputDrain(threading.Thread):
    """Reads the child's stdout+stderr to the end, keeping only a head and a tail."""

    def __init__(self, fd: int, outcome: RunOutcome) -> None:
        super().__init__(daemon=True)
        self.fd, self.outcome = fd, outcome

    def run(self) -> None:
        out = self.outcome
        tail = bytearray()
        while chunk := os.read(self.fd, 65536):
            out.output_bytes += len(chunk)
            if len(out.output_head) < HEAD_BYTES:
                room = HEAD_BYTES - len(out.output_head)
                out.output_head += chunk[:room]
                chunk = chunk[room:]
            tail += chunk
            if len(tail) > TAIL_BYTES:
                del tail[:-TAIL_BYTES]
        out.output_tail = bytes(tail)
        os.close(self.fd)


class _EventReader(threading.Thread):
    """Reads JSON event lines; a line without this run's token counts as a forgery attempt."""

    def __init__(self, fd: int, token: str, outcome: RunOutcome) -> None:
        super().__init__(daemon=True)
        self.fd, self.token, self.outcome = fd, token, outcome

    def run(self) -> None:
        with os.fdopen(self.fd, "rb") as stream:
            for line in stream:
                try:
                    event = json.loads(line)
                except ValueError:
                    self.outcome.forged += 1
                    continue
                if not isinstance(event, dict) or event.pop("token", None) != self.token:
                    self.outcome.forged += 1
                    continue
                self.outcome.events.append(event)


def _tree(root: psutil.Process) -> list[psutil.Process]:
    try:
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _rss(procs: list[psutil.Process]) -> int:
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def _kill_everything(pgid: int, known: dict[int, float], started: float) -> int:
    """Kill the process group, every descendant seen, and every orphan re-parented to us since `started`."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    victims: list[psutil.Process] = []
    for pid, created in known.items():
        try:
            p = psutil.Process(pid)
            if abs(p.create_time() - created) < 0.01:
                victims.append(p)
        except psutil.Error:
            pass
    with contextlib.suppress(psutil.Error):
        victims += [c for c in psutil.Process().children(recursive=True) if c.create_time() >= started - 0.5]
    alive = []
    for p in {v.pid: v for v in victims}.values():
        try:
            if p.status() != psutil.STATUS_ZOMBIE:
                alive.append(p)
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(victims, timeout=3)
    return len(alive)


def run(cmd: list[str], *, env: dict[str, str], cwd: Path, token: str, timeout_s: float, memory_mb: int) -> RunOutcome:
    """Run `cmd` under supervision. The child gets the event pipe's write end as $KATA_EVENT_FD."""
    _become_subreaper()
    outcome = RunOutcome()
    event_r, event_w = os.pipe()
    out_r, out_w = os.pipe()
    env = {**env, "KATA_EVENT_FD": str(event_w)}
    started_wall = time.time()
    t0 = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=out_w,
        stderr=out_w,
        pass_fds=(event_w,),
        start_new_session=True,
    )
    os.close(event_w)
    os.close(out_w)
    drain, reader = _OutputDrain(out_r, outcome), _EventReader(event_r, token, outcome)
    drain.start()
    reader.start()
    known: dict[int, float] = {}
    limit = memory_mb * 1024 * 1024
    try:
        root = psutil.Process(proc.pid)
        while proc.poll() is None:
            procs = _tree(root)
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    known.setdefault(p.pid, p.create_time())
            rss = _rss(procs)
            outcome.peak_rss = max(outcome.peak_rss, rss)
            if rss > limit:
                outcome.memory_exceeded = True
                break
            if time.monotonic() - t0 > timeout_s:
                outcome.timed_out = True
                break
            time.sleep(POLL_S)
    except KeyboardInterrupt:
        outcome.interrupted = True
    finally:
        outcome.leftovers = _kill_everything(proc.pid, known, started_wall)
        outcome.returncode = proc.wait()
        outcome.wall_s = time.monotonic() - t0
        drain.join(timeout=5)
        reader.join(timeout=5)
    return outcome
