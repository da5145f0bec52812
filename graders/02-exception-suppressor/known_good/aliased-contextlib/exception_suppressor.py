"""Known-good: contextlib imported under an alias, the rules checked one by one via the exception's MRO,
and sys.exc_info() instead of `except ... as`."""

from __future__ import annotations

import contextlib as ctx
import re
import sys
from dataclasses import dataclass
from typing import Any

STOPPERS = (KeyboardInterrupt, SystemExit)


@dataclass
class Suppressed:
    exception: BaseException | None = None


def _catches(listed: type[BaseException], exc: BaseException) -> bool:
    if listed not in type(exc).__mro__:
        return False
    stopper = any(s in type(exc).__mro__ for s in STOPPERS)
    return not stopper or any(s in listed.__mro__ for s in STOPPERS)


@ctx.contextmanager
def _block(types: tuple[type[BaseException], ...], regex: Any, when: Any, log: Any) -> Any:
    record = Suppressed()
    try:
        yield record
    except BaseException:
        exc = sys.exc_info()[1]
        assert exc is not None
        ok = any(_catches(t, exc) for t in types)
        if ok and regex is not None:
            ok = regex.search(str(exc)) is not None
        if ok and when is not None:
            ok = bool(when(exc))
        if not ok:
            raise
        record.exception = exc
        if log is not None:
            log.append(exc)


def suppressing(*exceptions: Any, match: Any = None, when: Any = None, log: Any = None) -> Any:
    if len(exceptions) == 0:
        raise TypeError("name at least one exception class")
    bad = [e for e in exceptions if not isinstance(e, type) or BaseException not in e.__mro__]
    if bad:
        raise TypeError(f"not exception classes: {bad!r}")
    regex = re.compile(match) if isinstance(match, str) else match
    return _block(tuple(exceptions), regex, when, log)
