"""Exercise 29: a task queue with a broker process, worker processes and a result backend.

Read README.md for the full spec: the command line, the JSON-lines protocol, leases and retries. The grader
runs this file as a program (`python task_queue.py broker …` / `python task_queue.py worker …`): keep the
`if __name__ == "__main__"` block.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType


async def run_broker(host: str, port: int, visibility_timeout: float, max_attempts: int) -> None:
    """Serve the broker protocol on (host, port) until killed."""
    raise NotImplementedError


async def run_worker(host: str, port: int, tasks: ModuleType) -> None:
    """Fetch tasks from the broker, run them with the functions of `tasks`, ack or nack; return when the broker
    closes the connection."""
    raise NotImplementedError


def load_tasks(path: Path) -> ModuleType:
    """Import the Python file holding the task functions."""
    raise NotImplementedError


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `broker …` / `worker …` (bad usage: message on stderr, exit code 2) and run that role."""
    raise NotImplementedError


if __name__ == "__main__":
    sys.exit(main())
