"""Exercise 02: an exception suppressor built with contextlib. Read README.md for the full spec."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Suppressed:
    """What one `with suppressing(...) as caught:` block swallowed: the exception, or None."""

    exception: BaseException | None = None


class Suppressor(Protocol):
    """What `suppressing(...)` returns: a context manager that is also a decorator."""

    def __enter__(self) -> Suppressed: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None, /
    ) -> bool | None: ...
    def __call__(self, func: F, /) -> F: ...


def suppressing(
    *exceptions: type[BaseException],
    match: str | re.Pattern[str] | None = None,
    when: Callable[[BaseException], bool] | None = None,
    log: list[BaseException] | None = None,
) -> Suppressor:
    """Swallow exceptions of the listed types (and subclasses) whose message matches `match` and for which
    `when(exc)` is true; re-raise everything else untouched.

    KeyboardInterrupt and SystemExit are swallowed only when a listed type names them (or a subclass of them).
    The block's `Suppressed` record and `log` receive every swallowed exception. Invalid arguments raise
    TypeError (re.error for a bad pattern) from this call itself. Build it with @contextlib.contextmanager.
    """
    raise NotImplementedError
