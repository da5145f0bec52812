"""Known-bad: the arguments are checked inside the @contextmanager generator, so errors surface only at `with`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

# Exceptions that stop a program rather than report an error: a broad base class must not swallow them.
_CONTROL_FLOW = (KeyboardInterrupt, SystemExit)


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
    TypeError (re.error for a bad pattern) from this call itself.
    """
    # A generator's body runs only at `with` time (or at each call of a decorated function), so mistakes in the
    # arguments are caught here, where the traceback points at the line that made them.
    return _suppressing(exceptions, match, when, log)  # bug: checks happen only when the generator runs


def _swallows(
    exc: BaseException,
    exceptions: tuple[type[BaseException], ...],
    pattern: re.Pattern[str] | None,
    when: Callable[[BaseException], bool] | None,
) -> bool:
    """Whether `exc` is to be suppressed. The checks run from cheapest to the user's own code."""
    catchers = [t for t in exceptions if isinstance(exc, t)]
    if isinstance(exc, _CONTROL_FLOW):
        # suppressing(BaseException) must not eat Ctrl-C or sys.exit(): only a type that names them counts.
        catchers = [t for t in catchers if issubclass(t, _CONTROL_FLOW)]
    if not catchers:
        return False
    if pattern is not None and pattern.search(str(exc)) is None:
        return False
    # `when` runs inside the generator's except block, so if it raises, Python chains the original exception
    # to the new one as its __context__ and nothing is lost.
    return when is None or bool(when(exc))


@contextmanager
def _suppressing(
    exceptions: tuple[type[BaseException], ...],
    match: str | re.Pattern[str] | None,
    when: Callable[[BaseException], bool] | None,
    log: list[BaseException] | None,
) -> Iterator[Suppressed]:
    if not exceptions:
        raise TypeError("suppressing() needs at least one exception class")
    for exc_type in exceptions:
        if not (isinstance(exc_type, type) and issubclass(exc_type, BaseException)):
            raise TypeError(f"suppressing() takes exception classes, got {exc_type!r}")
    pattern = None if match is None else re.compile(match)
    record = Suppressed()
    try:
        yield record
    except BaseException as exc:  # deliberately broad: _swallows decides, everything else is re-raised
        if not _swallows(exc, exceptions, pattern, when):
            raise  # bare raise: the same object, with its traceback, __cause__ and __context__ untouched
        record.exception = exc
        if log is not None:
            log.append(exc)
        # Returning normally from the generator tells contextmanager the exception was handled.
