"""Every command through typer's test runner, against the probe exercise in a temporary content root."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kata import catalog
from kata.catalog import Exercise
from kata.cli import STATE, app
from tests.conftest import REFERENCE, make_probe

runner = CliRunner()


@pytest.fixture(autouse=True)
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Exercise:
    root = tmp_path / "content"
    exercise = make_probe(root)
    monkeypatch.setattr(catalog, "content_root", lambda: root)
    catalog.load_all.cache_clear()
    monkeypatch.setenv("KATA_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(STATE, "workspace_flag", None)
    yield exercise
    catalog.load_all.cache_clear()


def kata(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def solve(tmp_path: Path) -> None:
    (tmp_path / "ws/01-probe/probe.py").write_text(REFERENCE)


@pytest.mark.parametrize(
    "command",
    ["list", "start", "show", "check", "watch", "hint", "progress", "solution", "reset", "next", "doctor", "verify"],
)
def test_every_command_has_help(command: str) -> None:
    code, out = kata(command, "--help")
    assert code == 0 and "Usage: kata " + command in out and "Show this message" in out


def test_top_level_help_lists_commands_and_version() -> None:
    code, out = kata("--help")
    assert code == 0 and "kata start 1" in out and "verify" in out
    assert kata("--version") == (0, "kata 0.1.0\n")


def test_list_shows_levels_and_status(tmp_path: Path) -> None:
    code, out = kata("list")
    assert code == 0 and "Level 1 · Advanced Language Features" in out and "not started" in out
    kata("start", "1")
    assert "started" in kata("list")[1] and "← current" in kata("list")[1]


def test_start_scaffolds_prints_the_path_and_makes_it_current(tmp_path: Path) -> None:
    code, out = kata("start", "probe")
    folder = tmp_path / "ws/01-probe"
    assert code == 0 and str(folder) in out.replace("\n", "")
    assert (folder / "probe.py").read_text().startswith("def add")
    assert (folder / "README.md").exists()


def test_start_never_overwrites_existing_work(tmp_path: Path) -> None:
    kata("start", "1")
    mine = tmp_path / "ws/01-probe/probe.py"
    mine.write_text("# my work\n")
    code, out = kata("start", "01-probe")
    assert code == 0 and "Kept your existing probe.py" in out
    assert mine.read_text() == "# my work\n"


@pytest.mark.parametrize(
    "ref, phrase",
    [
        ("0", "ids run from 1 to 80"),
        ("81", "ids run from 1 to 80"),
        ("abc", "No exercise matches 'abc'"),
        ("50", "not written yet"),
    ],
)
def test_bad_ids_get_exit_2_and_one_sentence(ref: str, phrase: str) -> None:
    for command in ("start", "show", "check", "reset", "verify"):
        result = runner.invoke(app, [command, ref])
        assert result.exit_code == 2, (command, result.output)
        assert phrase in result.output.replace("\n", " ") and "Traceback" not in result.output


def test_check_without_a_workspace_says_how_to_start() -> None:
    code, out = kata("check", "1")
    assert code == 2 and "kata start 1" in out


def test_check_before_start_says_to_start(tmp_path: Path) -> None:
    (tmp_path / "ws").mkdir()
    code, out = kata("check", "1")
    assert code == 2 and "haven't started exercise 1" in out


@pytest.mark.slow
def test_check_stub_fails_with_exit_1_and_json(tmp_path: Path) -> None:
    kata("start", "1")
    code, out = kata("check")
    assert code == 1 and "FAIL" in out and "kata hint" in out
    code, out = kata("check", "1", "--json")
    data = json.loads(out)
    assert code == 1 and data["status"] == "fail" and data["version"] == 3
    assert {t["name"] for t in data["tests"]} >= {"test_add_small_numbers", "test_total_speed"}
    assert {"perf", "resources", "hidden"} <= set(data)


@pytest.mark.slow
def test_check_pass_records_progress_and_unlocks_the_solution(tmp_path: Path) -> None:
    kata("start", "1")
    code, out = kata("solution")
    assert code == 1 and "--force" in out
    solve(tmp_path)
    code, out = kata("check")
    assert code == 0 and "PASS" in out and "Performance" in out
    code, out = kata("solution")
    assert code == 0 and "reference: probe.py" in out and "It adds." in out
    data = json.loads(kata("progress", "--json")[1])
    assert data["solved"] == 1 and data["exercises"][0]["attempts"] == 1


@pytest.mark.slow
def test_check_syntax_error_is_exit_3_with_the_line(tmp_path: Path) -> None:
    kata("start", "1")
    (tmp_path / "ws/01-probe/probe.py").write_text("def add(:\n")
    code, out = kata("check")
    assert code == 3 and "probe.py line 1: syntax error" in out


def test_hints_are_revealed_one_level_at_a_time() -> None:
    kata("start", "1")
    assert "No hints revealed yet" in kata("hint", "--all")[1]
    assert "first nudge" in kata("hint")[1]
    out = kata("hint")[1]
    assert "second direction" in out and "hint 2/3" in out and "third" not in out
    kata("hint")
    assert "last hint" in kata("hint")[1]
    assert "third near-answer" in kata("hint", "--all")[1]
    assert json.loads(kata("progress", "--json")[1])["exercises"][0]["hints"] == 3


def test_solution_force_is_recorded() -> None:
    kata("start", "1")
    code, out = kata("solution", "--force")
    assert code == 0 and "recorded" in out and "return a + b" in out
    assert json.loads(kata("progress", "--json")[1])["exercises"][0]["solution_viewed"] is True


def test_reset_backs_up_then_restores_the_stub(tmp_path: Path) -> None:
    kata("start", "1")
    solve(tmp_path)
    code, out = kata("reset", "1")
    assert code == 0 and "backups" in out
    backups = list((tmp_path / "ws/.kata/backups").glob("01-probe-*/probe.py"))
    assert len(backups) == 1 and backups[0].read_text() == REFERENCE
    assert "NotImplementedError" in (tmp_path / "ws/01-probe/probe.py").read_text()
    kata("reset", "1")
    assert len(list((tmp_path / "ws/.kata/backups").glob("01-probe-*"))) == 2, "each reset keeps its own backup"


def test_next_starts_the_first_unsolved_exercise(tmp_path: Path) -> None:
    code, _out = kata("next")
    assert code == 0 and (tmp_path / "ws/01-probe/probe.py").exists()


def test_show_renders_the_spec() -> None:
    code, out = kata("show", "1")
    assert code == 0 and "Probe" in out and "Add two numbers." in out


def test_progress_renders_bars() -> None:
    kata("start", "1")
    code, out = kata("progress")
    assert code == 0 and "Your progress" in out and "0/1" in out


def test_doctor_reports_each_check() -> None:
    code, out = kata("doctor")
    assert "Python ≥ 3.11" in out and "package numpy" in out and "loopback 127.0.0.1" in out
    assert code in (0, 1)


@pytest.mark.slow
def test_verify_runs_reference_stub_and_known_bad() -> None:
    code, out = kata("verify", "1")
    assert code == 0, out
    assert "reference" in out and "stub" in out and "bad:slow" in out and "3/3 as expected" in out


def test_verify_needs_an_id_or_all() -> None:
    assert kata("verify")[0] == 2


@pytest.mark.slow
def test_watch_rechecks_after_a_save(tmp_path: Path) -> None:
    kata("start", "1")

    def save_later() -> None:
        time.sleep(3)
        solve(tmp_path)

    saver = threading.Thread(target=save_later)
    saver.start()
    code, out = kata("watch", "--no-perf", "--max-checks", "2")
    saver.join()
    assert code == 0 and "Watching" in out
    assert "FAIL" in out and "PASS" in out, out


def test_workspace_flag_overrides_the_environment(tmp_path: Path) -> None:
    code, _out = kata("--workspace", str(tmp_path / "other"), "start", "1")
    assert code == 0 and (tmp_path / "other/01-probe/probe.py").exists()


def test_a_damaged_progress_file_is_set_aside_with_a_warning(tmp_path: Path) -> None:
    kata("start", "1")
    db = tmp_path / "ws/.kata/progress.db"
    for side in (db, db.with_name("progress.db-wal"), db.with_name("progress.db-shm")):
        side.unlink(missing_ok=True)
    db.write_bytes(b"not a database" * 100)
    code, out = kata("progress")
    assert code == 0 and "was damaged or not kata's" in out and "fresh progress file" in out
    assert list((tmp_path / "ws/.kata").glob("progress.db.corrupt-*"))
