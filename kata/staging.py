"""Copy exactly the exercise's declared files into a fresh run directory, refusing anything suspicious.

Only declared regular files are copied, so a conftest.py, pytest.ini, sitecustomize.py or *.pth beside them
never reaches the grader. Symlinks are refused, not followed; sizes are capped; sources are compiled first so
a syntax error is reported at once, with its line.
"""

from __future__ import annotations

import ast
import re
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from kata.catalog import Exercise

MAX_FILE_BYTES = 1_000_000
# Learner code has no business importing kata or reading its hidden content.
FORBIDDEN_IMPORTS = ("kata", "_pytest", "_hypothesis_pytestplugin")
FORBIDDEN_WORDS = ("_content/reference", "_content/graders", "kata_reference_", "KATA_EVENT_FD", "KATA_TOKEN")


@dataclass(frozen=True)
class Refusal:
    """Why the learner's files were not graded, as one instruction."""

    message: str


@dataclass(frozen=True)
class RunDirs:
    root: Path

    @property
    def solution(self) -> Path:
        return self.root / "solution"

    @property
    def reference(self) -> Path:
        return self.root / "reference"

    @property
    def grader(self) -> Path:
        return self.root / "grader"

    @property
    def home(self) -> Path:
        return self.root / "home"


def make_run_dirs(root: Path) -> RunDirs:
    dirs = RunDirs(root)
    for d in (dirs.solution, dirs.reference, dirs.grader, dirs.home):
        d.mkdir(parents=True)
    return dirs


def stage_solution(exercise: Exercise, source: Path, dest: Path, *, trusted: bool = False) -> Refusal | None:
    """Copy the declared files from `source` into `dest`; return why not, if they can't be graded."""
    for name in exercise.files:
        path = source / name
        try:
            info = path.lstat()
        except FileNotFoundError:
            return Refusal(f"{path} is missing; run `kata reset {exercise.id}` to restore the stub.")
        except OSError as exc:
            return Refusal(f"{path} can't be read ({exc.strerror}); check its permissions.")
        if stat.S_ISLNK(info.st_mode):
            return Refusal(f"{path} is a symlink; kata grades only regular files, so copy the real file there.")
        if not stat.S_ISREG(info.st_mode):
            return Refusal(f"{path} is not a regular file; put your code in a plain .py file.")
        if info.st_size > MAX_FILE_BYTES:
            return Refusal(f"{path} is {info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,}. Keep data out of it.")
        text = path.read_bytes().decode("utf-8", errors="replace")
        problem = _check_python(name, text, trusted) if name.endswith(".py") else _check_text(name, text, trusted)
        if problem:
            return problem
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    return None


def _check_python(name: str, text: str, trusted: bool) -> Refusal | None:
    try:
        tree = ast.parse(text, filename=name)
    except SyntaxError as exc:
        return Refusal(f"{name} line {exc.lineno}: syntax error: {exc.msg}. Fix it and check again.")
    if trusted:
        return None
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
        else:
            continue
        for module in modules:
            if module.split(".")[0] in FORBIDDEN_IMPORTS:
                return _import_refusal(name, node.lineno, module)
    return _forbidden_words(name, text)


_IMPORT_LINE = re.compile(r"^\s*(?:from|import|cimport)\s+([A-Za-z_][\w.]*)", re.MULTILINE)


def _check_text(name: str, text: str, trusted: bool) -> Refusal | None:
    """The same refusals for sources that aren't Python (e.g. Cython .pyx), by line."""
    if trusted:
        return None
    for match in _IMPORT_LINE.finditer(text):
        if match.group(1).split(".")[0] in FORBIDDEN_IMPORTS:
            return _import_refusal(name, text[: match.start(1)].count("\n") + 1, match.group(1))
    return _forbidden_words(name, text)


def _import_refusal(name: str, line: int, module: str) -> Refusal:
    return Refusal(
        f"{name} line {line}: importing {module} is not allowed in a solution; "
        "kata grades your code, not its own. Remove the import."
    )


def _forbidden_words(name: str, text: str) -> Refusal | None:
    for word in FORBIDDEN_WORDS:
        if word in text:
            line = text[: text.index(word)].count("\n") + 1
            return Refusal(
                f"{name} line {line}: refers to kata's hidden grading material ({word!r}); "
                "solutions must stand on their own."
            )
    return None


def copy_tree(source: Path, dest: Path, *, skip: tuple[str, ...] = ()) -> None:
    """Copy a content folder (reference or grader) without symlinks, caches, or the `skip` names."""
    shutil.copytree(
        source,
        dest,
        dirs_exist_ok=True,
        symlinks=False,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "NOTES.md", *skip),
    )
