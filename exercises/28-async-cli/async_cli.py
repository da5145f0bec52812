"""Exercise 28: an interactive asyncio CLI that never blocks its event loop. Read README.md for the full spec.

Run it as `python async_cli.py --tick 0.5` and type commands (`add 5`, `status`, `sleep 2`); Ctrl-D ends the
input, Ctrl-C interrupts. Keep the `if __name__ == "__main__"` block: the grader runs this file as a program.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


async def run(interval: float) -> int:
    """Run the CLI with a ticker every `interval` seconds until EOF (exit code 0) or SIGINT (130).

    Reads commands from stdin without blocking the event loop, prints every line to stdout flushed, and
    returns the exit code.
    """
    raise NotImplementedError


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `[--tick SECONDS]` (bad usage: message on stderr, exit code 2) and run the CLI; return its exit code."""
    raise NotImplementedError


if __name__ == "__main__":
    sys.exit(main())
