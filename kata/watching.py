"""`kata watch`: re-run a check whenever one of the exercise's files is saved, debounced.

watchdog delivers OS events (inotify, FSEvents, …); where they don't arrive (network drives, some containers)
`--poll` or a failed observer start falls back to watchdog's polling observer, and a once-a-second comparison of
the files' (mtime, size) catches saves whose events never arrive.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

DEBOUNCE_S = 0.3
STAT_POLL_S = 1.0


def _signature(folder: Path, names: set[str]) -> tuple[tuple[str, float, int], ...]:
    found = []
    for name in sorted(names):
        try:
            st = (folder / name).stat()
            found.append((name, st.st_mtime, st.st_size))
        except OSError:
            found.append((name, 0.0, -1))
    return tuple(found)


class _Changes(FileSystemEventHandler):
    def __init__(self, names: set[str]) -> None:
        self.names = names
        self.changed = threading.Event()

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [event.src_path, getattr(event, "dest_path", "")]
        if event.event_type in ("modified", "created", "moved", "closed") and any(
            Path(str(p)).name in self.names for p in paths if p
        ):
            self.changed.set()


def _observer(folder: Path, handler: _Changes, poll: bool) -> BaseObserver:
    for factory in ([] if poll else [Observer]) + [PollingObserver]:
        observer = factory(timeout=0.5) if factory is PollingObserver else factory()
        try:
            observer.schedule(handler, str(folder), recursive=False)
            observer.start()
            return observer
        except OSError:
            continue
    raise OSError("no file watcher could start")


def watch_files(
    folder: Path, names: set[str], on_change: Callable[[], bool], *, poll: bool = False, max_checks: int = 0
) -> int:
    """Check once, then again after each burst of saves. Returns the number of checks run."""
    handler = _Changes(names)
    observer = _observer(folder, handler, poll)
    checks = 0
    try:
        while True:
            on_change()
            checks += 1
            if max_checks and checks >= max_checks:
                return checks
            seen = _signature(folder, names)
            while not handler.changed.wait(STAT_POLL_S):
                if _signature(folder, names) != seen:
                    handler.changed.set()
            # Editors save in bursts (write, rename, chmod): wait for the burst to settle.
            while handler.changed.wait(DEBOUNCE_S):
                handler.changed.clear()
    except KeyboardInterrupt:
        return checks
    finally:
        observer.stop()
        observer.join(timeout=2)
