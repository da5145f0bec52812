"""The `kata` command line: one short function per command, and the one error boundary."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from kata import __version__, catalog, ui
from kata.catalog import Exercise
from kata.errors import ExitCode, KataError
from kata.progress import Progress
from kata.results import GradeResult, Outcome
from kata.workspace import Workspace, locate

P = ParamSpec("P")
T = TypeVar("T")

app = typer.Typer(
    name="kata",
    help="Practise advanced Python: start an exercise, write code, and let a hidden grader judge it.\n\n"
    "A first session: `kata start 1`, edit the file it prints, `kata check`, `kata hint` when stuck.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
out = ui.make_console()
err = ui.make_console(stderr=True)


class State:
    workspace_flag: Path | None = None
    debug: bool = False


STATE = State()
ExerciseArg = Annotated[
    str | None,
    typer.Argument(
        help="Exercise id, slug or folder: 22, lru-cache, 22-lru-cache. "
        "Default: the folder you are in, else the current one."
    ),
]


def guarded(func: Callable[P, T]) -> Callable[P, T]:
    """Turn expected errors into one sentence and an exit code; never show a traceback (unless --debug)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except KataError as exc:
            if STATE.debug:
                raise
            err.print(f"[red]error:[/red] {exc.message}")
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            err.print("[yellow]interrupted[/yellow]; nothing was recorded for the interrupted check.")
            raise typer.Exit(130) from None
        except Exception as exc:
            if STATE.debug:
                raise
            err.print(
                f"[red]internal error:[/red] {type(exc).__name__}: {exc}. "
                "Run again with --debug and report the traceback."
            )
            raise typer.Exit(int(ExitCode.GRADER_ERROR)) from None

    return wrapper


def command(*args: Any, **kwargs: Any) -> Callable[[Callable[P, T]], Callable[P, T]]:
    def register(func: Callable[P, T]) -> Callable[P, T]:
        app.command(*args, **kwargs)(guarded(func))
        return func

    return register


def _print_version(value: bool) -> None:
    if value:
        out.print(f"kata {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Workspace folder (default: $KATA_WORKSPACE, else ~/kata-workspace).",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show Python tracebacks for errors.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", help="Print kata's version and exit.", callback=_print_version, is_eager=True),
    ] = False,
) -> None:
    STATE.workspace_flag, STATE.debug = workspace, debug


def _workspace() -> Workspace:
    return Workspace(locate(STATE.workspace_flag))


def _pick(ws: Workspace, ref: str | None) -> Exercise:
    if ref is not None:
        return catalog.resolve(ref)
    here = ws.exercise_at(Path.cwd())
    if here:
        return catalog.resolve(here)
    ws.require()
    with _progress(ws) as progress:
        current = progress.current()
    if current is None:
        raise KataError("No exercise is current yet; run `kata start ID` (for example `kata start 1`).")
    return catalog.resolve(current)


def _progress(ws: Workspace) -> Progress:
    """Open the progress store, saying so when a damaged one had to be set aside."""
    progress = ws.progress()
    if progress.recovered_from is not None:
        err.print(
            f"[yellow]warning:[/yellow] {progress.path} was damaged or not kata's; it is kept as "
            f"{progress.recovered_from} and a fresh progress file was started."
        )
    return progress


def _started(ws: Workspace, exercise: Exercise) -> None:
    ws.require()
    if not ws.is_started(exercise):
        raise KataError(f"You haven't started exercise {exercise.id} yet; run `kata start {exercise.id}`.")


def _states(ws: Workspace) -> tuple[dict[str, Any], str | None]:
    if not ws.exists():
        return {}, None
    with _progress(ws) as progress:
        states = {
            e.folder: progress.summary(e.folder)
            for e in catalog.load_all()
            if ws.is_started(e) or progress.summary(e.folder).attempts
        }
        return states, progress.current()


@command("list")
def list_() -> None:
    """Show the curriculum by level, with your status on each exercise."""
    states, current = _states(_workspace())
    out.print(ui.exercise_list(catalog.load_all(), states, current, catalog.TOTAL_EXERCISES))


@command()
def start(
    exercise: Annotated[str, typer.Argument(help="Exercise id, slug or folder, e.g. 22 or lru-cache.")],
) -> None:
    """Scaffold an exercise (stub + README) into your workspace and make it current. Never overwrites work."""
    ex = catalog.resolve(exercise)
    _begin(ex)


def _begin(ex: Exercise) -> None:
    ws = _workspace()
    result = ws.start(ex)
    with _progress(ws) as progress:
        progress.set_current(ex.folder)
    out.print(ui.started(ex, result.folder, result.created, result.kept), soft_wrap=True)  # paths stay whole


@command()
def show(exercise: ExerciseArg = None) -> None:
    """Print an exercise's spec (its README)."""
    ws = _workspace()
    ex = _pick(ws, exercise)
    out.print(ui.spec(ex, (ex.exercise_dir / "README.md").read_text(encoding="utf-8")))


def _grade(ws: Workspace, ex: Exercise, no_perf: bool, quiet: bool) -> GradeResult:
    from kata.grading import grade  # imported here: `kata --help` and `kata list` stay fast

    with ui.status_spinner(err, "grading") as spinner:
        if not quiet:
            spinner.add_task(f"Grading {ex.folder} in a sandboxed pytest run…", total=None)
        result = grade(ex, ws.folder(ex), no_perf=no_perf)
    with _progress(ws) as progress:
        progress.record_attempt(result)
    return result


EXIT_FOR = {Outcome.PASS: ExitCode.OK, Outcome.FAIL: ExitCode.FAILED, Outcome.ERROR: ExitCode.GRADER_ERROR}


@command()
def check(
    exercise: ExerciseArg = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of the report.")] = False,
    no_perf: Annotated[
        bool, typer.Option("--no-perf", help="Skip the speed comparison (doesn't count as solved).")
    ] = False,
) -> None:
    """Grade your solution: hidden tests, then speed side by side with the reference. Exit 0 pass, 1 fail, 3 error."""
    ws = _workspace()
    ex = _pick(ws, exercise)
    _started(ws, ex)
    result = _grade(ws, ex, no_perf, quiet=as_json)
    if as_json:
        out.print_json(json.dumps(result.to_json()))
    else:
        out.print(ui.grade_result(result, ex))
    raise typer.Exit(int(EXIT_FOR[result.outcome]))


@command()
def watch(
    exercise: ExerciseArg = None,
    no_perf: Annotated[bool, typer.Option("--no-perf", help="Skip the speed comparison.")] = False,
    poll: Annotated[bool, typer.Option("--poll", help="Poll for changes instead of using OS events.")] = False,
    max_checks: Annotated[int, typer.Option(hidden=True)] = 0,
) -> None:
    """Re-check on every save of your files (Ctrl-C to stop), like rustlings' watch mode."""
    from kata.watching import watch_files

    ws = _workspace()
    ex = _pick(ws, exercise)
    _started(ws, ex)
    paths = [ws.folder(ex) / f for f in ex.files]
    out.print(f"Watching {', '.join(str(p) for p in paths)}; save to re-check, Ctrl-C to stop.", soft_wrap=True)

    def run_check() -> bool:
        result = _grade(ws, ex, no_perf, quiet=False)
        out.print(ui.grade_result(result, ex))
        return result.outcome is Outcome.PASS and result.perf_checked

    watch_files(ws.folder(ex), set(ex.files), run_check, poll=poll, max_checks=max_checks)


@command()
def hint(
    exercise: ExerciseArg = None,
    show_all: Annotated[bool, typer.Option("--all", help="Show the hints revealed so far, revealing none.")] = False,
) -> None:
    """Reveal the next hint (from a nudge to a near-answer); it is recorded in your progress."""
    ws = _workspace()
    ex = _pick(ws, exercise)
    ws.require()
    with _progress(ws) as progress:
        revealed = progress.hints_revealed(ex.folder)
        newly = not show_all and revealed < len(ex.hints)
        if newly:
            revealed += 1
            progress.reveal_hint(ex.folder, revealed)
    if show_all and not revealed:
        out.print("No hints revealed yet; run `kata hint` to see the first.")
        return
    out.print(ui.hints(ex, revealed, newly))


@command("progress")
def progress_(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Show your road so far: solved per level, checks, hints used, best speed ratio."""
    states, _ = _states(_workspace())
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "exercises": [asdict(s) for s in states.values()],
                    "solved": sum(s.solved for s in states.values()),
                    "available": len(catalog.load_all()),
                }
            )
        )
        return
    out.print(ui.progress_view(catalog.load_all(), states))


@command()
def solution(
    exercise: ExerciseArg = None,
    force: Annotated[bool, typer.Option("--force", help="Show it before you have passed (recorded).")] = False,
) -> None:
    """After a pass: the reference beside your code, with the reference's design notes."""
    ws = _workspace()
    ex = _pick(ws, exercise)
    ws.require()
    with _progress(ws) as progress:
        solved = progress.is_solved(ex.folder)
        if not solved and not force:
            raise KataError(
                f"Pass exercise {ex.id} first (`kata check`), or add --force to look now (recorded).",
                ExitCode.FAILED,
            )
        progress.record_solution_view(ex.folder, forced=not solved)
    reference = [ui.FileView(f, _read(ex.reference_dir / f)) for f in ex.files]
    mine = [ui.FileView(f, _read(ws.folder(ex) / f)) for f in ex.files]
    out.print(ui.solution_view(ex, reference, mine, _read(ex.reference_dir / "NOTES.md"), forced=not solved))


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


@command()
def reset(exercise: Annotated[str, typer.Argument(help="Exercise id, slug or folder.")]) -> None:
    """Restore the stub; your current files are first copied into the workspace's .kata/backups/."""
    ws = _workspace()
    ex = catalog.resolve(exercise)
    _started(ws, ex)
    backup = ws.reset(ex)
    where = f"; your previous files are in {backup}" if backup else ""
    out.print(f"Restored the stub of {ex.folder}{where}.")


@command("next")
def next_() -> None:
    """Start the first exercise you haven't solved yet."""
    ws = _workspace()
    states, _ = _states(ws)
    pending = [e for e in catalog.load_all() if not (e.folder in states and states[e.folder].solved)]
    if not pending:
        out.print("[green]Every available exercise is solved.[/green] `kata progress` shows the road so far.")
        return
    _begin(pending[0])


@command()
def doctor() -> None:
    """Check this machine: Python, every package, a C compiler, loopback sockets, the workspace."""
    from kata.doctor import run_checks

    checks = run_checks(locate(STATE.workspace_flag))
    out.print(ui.doctor(checks))
    if not all(c.ok for c in checks):
        raise typer.Exit(int(ExitCode.FAILED))


@command()
def verify(
    exercise: ExerciseArg = None,
    all_: Annotated[bool, typer.Option("--all", help="Verify every exercise.")] = False,
) -> None:
    """Content QA: the reference and known-good solutions pass; the stub and every known-bad fail."""
    from kata.verification import verify_exercise

    if all_ == (exercise is not None):
        raise KataError("Give one exercise (`kata verify 22`) or --all.")
    targets = catalog.load_all() if all_ else (catalog.resolve(exercise or ""),)
    rows: list[ui.VerifyRow] = []
    with ui.status_spinner(err, "verify") as spinner:
        task = spinner.add_task("verifying", total=None)
        for ex in targets:
            rows += verify_exercise(ex, on_start=lambda label: spinner.update(task, description=f"verifying {label}"))
    out.print(ui.verify_report(rows))
    if not all(r.ok for r in rows):
        raise typer.Exit(int(ExitCode.FAILED))


def main() -> None:
    app(prog_name="kata")


if __name__ == "__main__":
    main()
