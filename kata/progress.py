"""The learner's progress: one SQLite file in the workspace, one transaction per recorded event.

WAL mode and a busy timeout let `kata watch` and a manual `kata check` write at once; BEGIN IMMEDIATE takes the
write lock up front so two writers never deadlock; a corrupt or foreign file is moved aside, not lost.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kata.results import GradeResult, Outcome

SCHEMA_VERSION = 1
APPLICATION_ID = 0x6B617461  # "kata"
SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    exercise TEXT NOT NULL,
    at REAL NOT NULL,
    outcome TEXT NOT NULL,
    perf_checked INTEGER NOT NULL,
    passed_tests INTEGER NOT NULL,
    total_tests INTEGER NOT NULL,
    wall_s REAL NOT NULL,
    worst_ratio REAL,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_by_exercise ON attempts (exercise);
CREATE TABLE IF NOT EXISTS hints (exercise TEXT NOT NULL, level INTEGER NOT NULL, at REAL NOT NULL,
                                  PRIMARY KEY (exercise, level));
CREATE TABLE IF NOT EXISTS solutions_viewed (exercise TEXT NOT NULL, at REAL NOT NULL, forced INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class ExerciseProgress:
    exercise: str
    attempts: int
    solved: bool
    last_outcome: str | None
    hints: int
    best_ratio: float | None
    solution_viewed: bool


class Progress:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.recovered_from: Path | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            self.recovered_from = self._set_aside()
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout = 30000")
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables):
                raise sqlite3.DatabaseError("not a kata progress file")
            db.execute("PRAGMA journal_mode = WAL")
            with self._transaction(db):
                for statement in filter(str.strip, SCHEMA.split(";")):
                    db.execute(statement)
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _set_aside(self) -> Path:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        self.path.rename(aside)
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                side.rename(aside.with_name(aside.name + suffix))
        return aside

    @staticmethod
    @contextmanager
    def _transaction(db: sqlite3.Connection) -> Iterator[None]:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:  # Ctrl-C included: nothing half-written survives
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def record_attempt(self, result: GradeResult) -> None:
        passed = sum(t.status.value == "pass" for t in result.tests)
        with self._transaction(self._db):
            self._db.execute(
                "INSERT INTO attempts (exercise, at, outcome, perf_checked, passed_tests, total_tests, wall_s,"
                " worst_ratio, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    result.exercise,
                    time.time(),
                    result.outcome.value,
                    int(result.perf_checked),
                    passed,
                    len(result.tests),
                    result.resources.wall_s,
                    result.best_ratio,
                    result.message[:2000],
                ),
            )

    def reveal_hint(self, exercise: str, level: int) -> None:
        with self._transaction(self._db):
            self._db.execute("INSERT OR IGNORE INTO hints VALUES (?, ?, ?)", (exercise, level, time.time()))

    def hints_revealed(self, exercise: str) -> int:
        row = self._db.execute("SELECT count(*) FROM hints WHERE exercise = ?", (exercise,)).fetchone()
        return int(row[0])

    def record_solution_view(self, exercise: str, forced: bool) -> None:
        with self._transaction(self._db):
            self._db.execute("INSERT INTO solutions_viewed VALUES (?, ?, ?)", (exercise, time.time(), int(forced)))

    def is_solved(self, exercise: str) -> bool:
        """Solved once a check passed with its performance verdict (a `--no-perf` pass does not count)."""
        row = self._db.execute(
            "SELECT 1 FROM attempts WHERE exercise = ? AND outcome = ? AND perf_checked",
            (exercise, Outcome.PASS.value),
        ).fetchone()
        return row is not None

    def set_current(self, exercise: str) -> None:
        with self._transaction(self._db):
            self._db.execute("INSERT OR REPLACE INTO state VALUES ('current', ?)", (exercise,))

    def current(self) -> str | None:
        row = self._db.execute("SELECT value FROM state WHERE key = 'current'").fetchone()
        return str(row[0]) if row else None

    def summary(self, exercise: str) -> ExerciseProgress:
        db = self._db
        attempts = db.execute("SELECT count(*) FROM attempts WHERE exercise = ?", (exercise,)).fetchone()[0]
        last = db.execute(
            "SELECT outcome FROM attempts WHERE exercise = ? ORDER BY id DESC LIMIT 1", (exercise,)
        ).fetchone()
        best = db.execute(
            "SELECT min(worst_ratio) FROM attempts WHERE exercise = ? AND outcome = 'pass' AND perf_checked",
            (exercise,),
        ).fetchone()[0]
        viewed = db.execute("SELECT count(*) FROM solutions_viewed WHERE exercise = ?", (exercise,)).fetchone()[0]
        return ExerciseProgress(
            exercise,
            int(attempts),
            self.is_solved(exercise),
            last[0] if last else None,
            self.hints_revealed(exercise),
            best,
            bool(viewed),
        )
