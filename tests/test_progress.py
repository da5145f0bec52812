"""The progress store survives corruption, concurrent writers and Ctrl-C."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from kata.progress import Progress
from kata.results import GradeResult, Outcome, PerfResult


def result(outcome: Outcome = Outcome.PASS, perf_checked: bool = True) -> GradeResult:
    perf = (PerfResult("x", 0.002, 0.001, 2.0, 3.0, True),)
    return GradeResult("01-probe", outcome, "m", perf=perf, perf_checked=perf_checked)


def test_a_pass_with_perf_counts_as_solved_and_no_perf_does_not(tmp_path: Path) -> None:
    store = Progress(tmp_path / "p.db")
    store.record_attempt(result(perf_checked=False))
    assert not store.is_solved("01-probe")
    store.record_attempt(result())
    assert store.is_solved("01-probe")
    summary = store.summary("01-probe")
    assert summary.attempts == 2 and summary.best_ratio == 2.0


def test_a_corrupt_file_is_kept_aside_and_a_fresh_one_started(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    path.write_bytes(b"this is not sqlite" * 500)
    store = Progress(path)
    assert store.recovered_from is not None and store.recovered_from.read_bytes().startswith(b"this is not")
    store.record_attempt(result())
    assert store.is_solved("01-probe")


def test_a_foreign_sqlite_database_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE invoices (id INTEGER)")
    store = Progress(path)
    assert store.recovered_from is not None
    with sqlite3.connect(store.recovered_from) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("invoices",)]


def _writer(path: str, n: int) -> None:
    store = Progress(Path(path))
    for _ in range(n):
        store.record_attempt(result(Outcome.FAIL))
        store.reveal_hint("01-probe", 1)
    store.close()


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    Progress(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), 100)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert Progress(path).summary("01-probe").attempts == 300


def test_ctrl_c_inside_a_transaction_rolls_it_back(tmp_path: Path) -> None:
    store = Progress(tmp_path / "p.db")
    store.record_attempt(result())
    with pytest.raises(KeyboardInterrupt), store._transaction(store._db):
        store._db.execute("INSERT INTO hints VALUES ('01-probe', 1, 0)")
        raise KeyboardInterrupt
    assert store.hints_revealed("01-probe") == 0
    assert store.summary("01-probe").attempts == 1
