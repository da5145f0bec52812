"""Known-bad: a hand-written class with __enter__/__exit__/__call__; it behaves correctly but is not built with
contextlib, which the exercise requires."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
_CONTROL_FLOW = (KeyboardInterrupt, SystemExit)


@dataclass
class Suppressed:
    exception: BaseException | None = None


class _Suppressor:
    def __init__(self, exceptions: tuple[type[BaseException], ...], pattern: re.Pattern[str] | None,
                 when: Callable[[BaseException], bool] | None, log: list[BaseException] | None) -> None:
        self.exceptions, self.pattern, self.when, self.log = exceptions, pattern, when, log
        self._records: list[Suppressed] = []

    def __enter__(self) -> Suppressed:
        self._records.append(Suppressed())
        return self._records[-1]

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> bool:
        record = self._records.pop()
        if exc is None:
            return False
        catchers = [t for t in self.exceptions if isinstance(exc, t)]
        if isinstance(exc, _CONTROL_FLOW):
            catchers = [t for t in catchers if issubclass(t, _CONTROL_FLOW)]
        if not catchers or (self.pattern is not None and self.pattern.search(str(exc)) is None):
            return False
        if self.when is not None and not self.when(exc):
            return False
        record.exception = exc
        if self.log is not None:
            self.log.append(exc)
        return True

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)
            return None

        return inner  # type: ignore[return-value]


def suppressing(*exceptions: type[BaseException], match: str | re.Pattern[str] | None = None,
                when: Callable[[BaseException], bool] | None = None,
                log: list[BaseException] | None = None) -> _Suppressor:
    if not exceptions:
        raise TypeError("suppressing() needs at least one exception class")
    for exc_type in exceptions:
        if not (isinstance(exc_type, type) and issubclass(exc_type, BaseException)):
            raise TypeError(f"suppressing() takes exception classes, got {exc_type!r}")
    return _Suppressor(exceptions, None if match is None else re.compile(match), when, log)
