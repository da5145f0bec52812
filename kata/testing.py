"""Fixtures and helpers for graders (loaded into the grader process as a pytest plugin).

A grader reaches the learner's code only through `solution` (the module imported from the staged files), so the
same grader judges the reference (`kata verify`), known-good and known-bad solutions. `reference` is the
reference module, for side-by-side benchmarks through `perf`.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import importlib.util
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from kata import perf as _perf
from kata.plugin import SETTINGS, Settings, TestTimeLimit
from kata.results import PerfResult


class SolutionImportError(Exception):
    """The learner's module could not be imported; the message says why and where."""


def load_module(directory: Path, name: str, alias: str) -> ModuleType:
    """Import `name` from `directory` as `alias`, letting it import its siblings, without leaking either name."""
    path = directory / f"{name}.py"
    if not path.is_file():
        raise SolutionImportError(f"{path.name} is missing; create it (run `kata reset` to restore the stub).")
    siblings = {p.stem for p in directory.glob("*.py")}
    saved = {n: sys.modules.pop(n) for n in list(sys.modules) if n in siblings}
    sys.path.insert(0, str(directory))
    try:
        spec = importlib.util.spec_from_file_location(alias, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[alias] = module
        spec.loader.exec_module(module)
        return module
    except SyntaxError as exc:
        raise SolutionImportError(f"{path.name} has a syntax error at line {exc.lineno}: {exc.msg}") from None
    except TestTimeLimit:
        raise SolutionImportError(
            f"importing {path.name} did not finish within the time limit; "
            "look for an infinite loop or blocking call at module level"
        ) from None
    except SystemExit as exc:
        raise SolutionImportError(
            f"importing {path.name} called sys.exit({exc.code!r}); remove module-level exits"
        ) from None
    except BaseException as exc:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(str(directory))]
        where = f" (line {frames[-1].lineno})" if frames else ""
        raise SolutionImportError(f"importing {path.name} raised {type(exc).__name__}{where}: {exc}") from None
    finally:
        sys.path.remove(str(directory))
        for n in siblings:
            sys.modules.pop(n, None)
        sys.modules.update(saved)


def _settings(request: pytest.FixtureRequest) -> Settings:
    return request.config.stash[SETTINGS]


@pytest.fixture(scope="session")
def solution(request: pytest.FixtureRequest) -> ModuleType:
    """The learner's module (the exercise's first declared file)."""
    settings = _settings(request)
    return load_module(settings.solution_dir, settings.module, f"kata_solution_{settings.module}")


@pytest.fixture(scope="session")
def reference(request: pytest.FixtureRequest) -> ModuleType:
    """The reference module, loaded from its own copy, for side-by-side benchmarks."""
    settings = _settings(request)
    if settings.reference_dir is None:
        pytest.fail("this run has no reference to compare against", pytrace=False)
    return load_module(settings.reference_dir, settings.module, f"kata_reference_{settings.module}")


@pytest.fixture(scope="session")
def solution_dir(request: pytest.FixtureRequest) -> Path:
    """The folder holding the staged learner files (for exercises that build or run them themselves)."""
    return _settings(request).solution_dir


@pytest.fixture(scope="session")
def reference_dir(request: pytest.FixtureRequest) -> Path:
    """The folder holding a copy of the reference files (for benchmarks that build or run them)."""
    directory = _settings(request).reference_dir
    if directory is None:
        pytest.fail("this run has no reference to compare against", pytrace=False)
    return directory


@dataclass(frozen=True)
class Source:
    """The learner's source file, parsed, for constraint checks that name the offending line."""

    path: Path
    text: str
    tree: ast.Module

    def violations(self, forbidden: dict[str, str]) -> list[str]:
        """Lines that import or reach any dotted name in `forbidden` (name -> why it is not allowed)."""
        found: list[str] = []
        aliases: dict[str, str] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
                    found += self._hits(node, a.name, forbidden)
            elif isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    aliases[a.asname or a.name] = full
                    found += self._hits(node, full, forbidden)
        for node in ast.walk(self.tree):
            dotted = _dotted(node)
            if dotted:
                head, _, rest = dotted.partition(".")
                resolved = aliases.get(head, head) + (f".{rest}" if rest else "")
                bare_builtin = dotted in forbidden and hasattr(builtins, dotted)  # exec, eval, compile, …
                if head in aliases or bare_builtin:  # a module is reached only through an import
                    found += self._hits(node, resolved, forbidden)
        return sorted(set(found), key=lambda s: int(s.split(":")[0].split()[1]))

    def _hits(self, node: ast.AST, name: str, forbidden: dict[str, str]) -> list[str]:
        line = getattr(node, "lineno", 0)
        code = self.text.splitlines()[line - 1].strip() if line else ""
        return [
            f"line {line}: `{code}` uses {bad}: {why}"
            for bad, why in forbidden.items()
            if name == bad or name.startswith(bad + ".")
        ]


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    if isinstance(node, ast.Name):
        return node.id
    return ""


@pytest.fixture(scope="session")
def source(request: pytest.FixtureRequest) -> Source:
    settings = _settings(request)
    path = settings.solution_dir / f"{settings.module}.py"
    text = path.read_text(encoding="utf-8")
    return Source(path, text, ast.parse(text))


class Perf:
    """Side-by-side benchmarks; a failing comparison fails the test with the measured figures."""

    def __init__(self, nodeid: str) -> None:
        self.nodeid = nodeid

    def compare(
        self,
        name: str,
        learner: Callable[[], object],
        reference: Callable[[], object],
        *,
        max_ratio: float,
        clock: str = "cpu",
        **options: float,
    ) -> PerfResult:
        _perf.set_current_test(self.nodeid)
        result = _perf.compare(name, learner, reference, max_ratio=max_ratio, clock=clock, **options)  # type: ignore[arg-type]
        _judge(result)
        return result

    def speedup(
        self,
        name: str,
        fast: Callable[[], object],
        baseline: Callable[[], object],
        *,
        min_speedup: float,
        clock: str = "cpu",
        **options: float,
    ) -> PerfResult:
        _perf.set_current_test(self.nodeid)
        result = _perf.speedup(name, fast, baseline, min_speedup=min_speedup, clock=clock, **options)  # type: ignore[arg-type]
        _judge(result)
        return result

    def inconclusive(self, name: str, why: str, *, min_speedup: float) -> PerfResult:
        """Record that speed-up benchmark `name` could not be judged here (`why`): kata reports "inconclusive,
        rerun", never a pass or a fail. For graders that detect a busy machine themselves (see `cpu_capacity`)."""
        _perf.set_current_test(self.nodeid)
        result = PerfResult(name, 0.0, 0.0, 0.0, min_speedup, False, "wall", 0, "speedup", f"inconclusive: {why}")
        _perf.record(result)
        return result


cpu_capacity = _perf.cpu_capacity


def _fmt(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _how_measured(result: PerfResult) -> str:
    if result.pairs == 1:
        return "your first call alone settled it"
    return f"median of {result.pairs} interleaved pairs"


def _judge(result: PerfResult) -> None:
    if result.passed:
        return
    if result.kind == "ratio":
        if result.ratio == float("inf"):
            pytest.fail(
                f"{result.name}: {result.note}; the limit is {result.threshold:g}× the reference",
                pytrace=False,
            )
        pytest.fail(
            f"{result.name}: yours took {_fmt(result.learner_s)} per call, the reference "
            f"{_fmt(result.reference_s)} ({result.ratio:.1f}× slower; the limit is {result.threshold:g}×, "
            f"{_how_measured(result)})",
            pytrace=False,
        )
    pytest.fail(
        f"{result.name}: yours took {_fmt(result.learner_s)} per call, the slow baseline "
        f"{_fmt(result.reference_s)} (a {result.ratio:.1f}× speed-up; at least {result.threshold:g}× is required)",
        pytrace=False,
    )


@pytest.fixture
def perf(request: pytest.FixtureRequest) -> Perf:
    return Perf(request.node.nodeid)


def free_port(host: str = "127.0.0.1") -> int:
    """An ephemeral loopback port that was free a moment ago."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float = 5.0) -> None:
    """Block until something accepts connections on (host, port), or fail the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.2):
            return
        time.sleep(0.02)
    pytest.fail(f"nothing accepted connections on {host}:{port} within {timeout:g} s", pytrace=False)


@contextlib.contextmanager
def switch_interval(seconds: float) -> Iterator[None]:
    """Make the interpreter switch threads very often, so unsafe interleavings actually happen."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)
