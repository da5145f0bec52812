"""Every renderer in one place: pure functions from values to rich renderables. The only module importing rich."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.progress import Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from kata.catalog import LEVELS, Exercise
from kata.progress import ExerciseProgress
from kata.results import GradeResult, Outcome, PerfResult, TestStatus

MARKS = {
    TestStatus.PASS: ("✓", "green"),
    TestStatus.FAIL: ("✗", "red"),
    TestStatus.ERROR: ("✗", "red"),
    TestStatus.SKIPPED: ("–", "yellow"),
}
VERDICT = {
    Outcome.PASS: ("PASS", "bold green"),
    Outcome.FAIL: ("FAIL", "bold red"),
    Outcome.ERROR: ("ERROR", "bold magenta"),
}


def make_console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False)


def status_spinner(console: Console, text: str) -> Progress:
    """A transient spinner with elapsed time, for anything slow."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def exercise_list(
    exercises: Sequence[Exercise], states: dict[str, ExerciseProgress], current: str | None, total: int
) -> RenderableType:
    parts: list[RenderableType] = []
    for level, name in LEVELS.items():
        rows = [e for e in exercises if e.level == level]
        if not rows:
            continue
        table = Table(title=f"Level {level} · {name}", title_justify="left", expand=False, show_edge=False)
        table.add_column("id", justify="right")
        table.add_column("exercise")
        table.add_column("status")
        for e in rows:
            state = states.get(e.folder)
            table.add_row(f"{e.id}", f"{e.slug}  [dim]{e.title}[/dim]", _status(state, e.folder == current))
        parts += [table, Text("")]
    parts.append(Text(f"{len(exercises)} of {total} exercises available. Start one with `kata start ID`.", style="dim"))
    return Group(*parts)


def _status(state: ExerciseProgress | None, current: bool) -> str:
    mark = " [cyan]← current[/cyan]" if current else ""
    if state is None:
        return "[dim]not started[/dim]" + mark
    if state.solved:
        return "[green]solved ✓[/green]" + mark
    if state.attempts:
        return f"[yellow]in progress[/yellow] ({state.attempts} checks)" + mark
    return "[yellow]started[/yellow]" + mark


def started(exercise: Exercise, folder: Path, created: Sequence[str], kept: Sequence[str]) -> RenderableType:
    lines = [f"[bold]{exercise.id} · {exercise.title}[/bold]", f"Workspace folder: [cyan]{folder}[/cyan]"]
    if created:
        lines.append("Created: " + ", ".join(created))
    if kept:
        lines.append("[yellow]Kept your existing " + ", ".join(kept) + " (nothing was overwritten)[/yellow]")
    lines.append(f"Read {folder / 'README.md'}, edit {', '.join(exercise.files)}, then run `kata check`.")
    return Text.from_markup("\n".join(lines))


def _markdown(text: str) -> RenderableType:
    from rich.markdown import Markdown  # heavy (markdown-it): imported only where Markdown is rendered

    return Markdown(text)


def _code(text: str) -> RenderableType:
    from rich.syntax import Syntax  # heavy (pygments): imported only for `kata solution`

    return Syntax(text, "python", line_numbers=True)


def spec(exercise: Exercise, readme: str) -> RenderableType:
    return Group(Text(f"Level {exercise.level} · {exercise.level_name}", style="dim"), _markdown(readme))


def _seconds(s: float) -> str:
    if s == float("inf"):
        return "—"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s * 1e9:.3g} ns"


def perf_table(perf: Iterable[PerfResult]) -> Table:
    table = Table(title="Performance (measured side by side in this run)", title_justify="left")
    for col in ("benchmark", "yours", "compared with", "ratio", "limit", ""):
        table.add_column(col, justify="right" if col in ("yours", "compared with", "ratio", "limit") else "left")
    for p in perf:
        if p.kind == "ratio":
            ratio, limit, other = (
                f"{p.ratio:.2f}×",
                f"≤ {p.threshold:g}×",
                f"reference {_seconds(p.reference_s)}",
            )
        else:
            ratio, limit, other = (
                f"{p.ratio:.1f}× faster",
                f"≥ {p.threshold:g}×",
                f"baseline {_seconds(p.reference_s)}",
            )
        yours, mark = _seconds(p.learner_s), "[green]✓[/green]" if p.passed else "[red]✗[/red]"
        if p.inconclusive:
            ratio, mark = "—", "[yellow]?[/yellow]"
            if not p.pairs:  # the grader skipped the measurement: no times to show
                yours, other = "—", "not measured"
        table.add_row(p.name, yours, other, ratio, limit, f"{mark} {p.note}".strip())
    return table


def grade_result(result: GradeResult, exercise: Exercise) -> RenderableType:
    parts: list[RenderableType] = [Text(f"{exercise.id} · {exercise.title}", style="bold")]
    for t in result.tests:
        mark, style = MARKS[t.status]
        label = t.description or t.name
        if t.description and "[" in t.name:  # a parametrised case: say which one
            label += f"  [{t.name.split('[', 1)[1].rstrip(']')}]"
        parts.append(Text.assemble((f" {mark} ", style), (label, "" if t.status is TestStatus.PASS else style)))
    first = next((t for t in result.tests if t.status in (TestStatus.FAIL, TestStatus.ERROR)), None)
    if first is not None and result.outcome is Outcome.FAIL:
        body = Text(first.message or "(no message)")
        if first.output.strip():
            body.append("\n\nyour code printed:\n", style="dim")
            body.append(first.output.strip()[-1500:])
        parts.append(Panel(body, title=f"{first.name}", title_align="left", border_style="red"))
    if result.perf:
        parts.append(perf_table(result.perf))
    word, style = VERDICT[result.outcome]
    parts.append(Text.assemble((f"{word}  ", style), result.message.splitlines()[0] if result.message else ""))
    if result.outcome is Outcome.ERROR and result.message.count("\n"):
        parts.append(Text(result.message.split("\n", 1)[1]))
    if result.outcome is Outcome.ERROR and result.output_tail.strip():
        parts.append(Panel(Text(result.output_tail.strip()[-3000:]), title="output (tail)", border_style="dim"))
    r = result.resources
    parts.append(Text(f"{r.wall_s:.1f} s · peak memory {r.peak_rss_mb:.0f} MiB", style="dim"))
    parts.append(Text(_next_step(result), style="cyan"))
    return Group(*parts)


def _next_step(result: GradeResult) -> str:
    if result.outcome is Outcome.PASS:
        if not result.perf_checked:
            return "Run `kata check` without --no-perf to have the speed measured; that counts as solved."
        return "Solved. `kata solution` shows the reference and its notes; `kata next` starts the next exercise."
    return "Stuck? `kata hint` reveals the next hint; `kata watch` re-checks on every save."


def hints(exercise: Exercise, revealed: int, newly: bool) -> RenderableType:
    if not exercise.hints:
        return Text("This exercise has no hints.")
    parts: list[RenderableType] = []
    for level in range(1, revealed + 1):
        style = "yellow" if newly and level == revealed else "dim"
        parts.append(
            Panel(
                _markdown(exercise.hints[level - 1]),
                title=f"hint {level}/{len(exercise.hints)}",
                title_align="left",
                border_style=style,
            )
        )
    if revealed >= len(exercise.hints):
        parts.append(Text("That was the last hint; after a pass, `kata solution` shows the reference.", style="dim"))
    else:
        parts.append(Text(f"Run `kata hint` again for hint {revealed + 1}.", style="dim"))
    return Group(*parts)


def progress_view(exercises: Sequence[Exercise], states: dict[str, ExerciseProgress]) -> RenderableType:
    table = Table(title="Your progress", title_justify="left")
    for col in ("level", "", "solved", "checks", "hints", "best ratio"):
        table.add_column(col)
    for level, name in LEVELS.items():
        rows = [e for e in exercises if e.level == level]
        if not rows:
            continue
        got = [states[e.folder] for e in rows if e.folder in states]
        solved = sum(s.solved for s in got)
        bar = "█" * round(10 * solved / len(rows)) + "░" * (10 - round(10 * solved / len(rows)))
        ratios = [s.best_ratio for s in got if s.best_ratio is not None]
        table.add_row(
            f"{level} {name}",
            bar,
            f"{solved}/{len(rows)}",
            str(sum(s.attempts for s in got)),
            str(sum(s.hints for s in got)),
            f"{min(ratios):.2f}×" if ratios else "—",
        )
    solved_all = sum(s.solved for s in states.values())
    return Group(table, Text(f"{solved_all} of {len(exercises)} available exercises solved.", style="bold"))


@dataclass(frozen=True)
class FileView:
    name: str
    text: str


def solution_view(
    exercise: Exercise, reference: Sequence[FileView], learner: Sequence[FileView], notes: str, forced: bool
) -> RenderableType:
    parts: list[RenderableType] = []
    if forced:
        parts.append(Text("Shown before a pass (--force); this is recorded in your progress.", style="yellow"))
    for ref in reference:
        mine = next((f for f in learner if f.name == ref.name), None)
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(ratio=1)
        grid.add_column(ratio=1)
        grid.add_row(
            Panel(
                _code(mine.text if mine else "(missing)"),
                title=f"yours: {ref.name}",
            ),
            Panel(_code(ref.text), title=f"reference: {ref.name}"),
        )
        parts.append(grid)
    if notes:
        parts.append(Panel(_markdown(notes), title="reference notes", title_align="left"))
    return Group(*parts)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def doctor(checks: Sequence[Check]) -> RenderableType:
    table = Table(title="kata doctor", title_justify="left")
    for col in ("", "check", "found", "fix"):
        table.add_column(col)
    for c in checks:
        table.add_row("[green]✓[/green]" if c.ok else "[red]✗[/red]", c.name, c.detail, c.fix)
    bad = sum(not c.ok for c in checks)
    return Group(
        table,
        Text(
            "Everything works." if not bad else f"{bad} problem(s): see the fix column.",
            style="green" if not bad else "red",
        ),
    )


@dataclass(frozen=True)
class VerifyRow:
    exercise: str
    variant: str
    expected: str
    got: Outcome
    ok: bool
    seconds: float
    message: str


def verify_report(rows: Sequence[VerifyRow]) -> RenderableType:
    table = Table(title="kata verify", title_justify="left")
    for col in ("exercise", "solution", "expected", "got", "s", "detail"):
        table.add_column(col)
    for r in rows:
        mark = "[green]✓[/green]" if r.ok else "[red]✗[/red]"
        table.add_row(
            r.exercise,
            r.variant,
            r.expected,
            f"{mark} {r.got.value}",
            f"{r.seconds:.1f}",
            r.message.splitlines()[0][:90] if r.message else "",
        )
    bad = sum(not r.ok for r in rows)
    return Group(table, Text(f"{len(rows) - bad}/{len(rows)} as expected.", style="green" if not bad else "red"))
