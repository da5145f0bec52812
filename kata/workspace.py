"""The learner's workspace: a plain folder they own, one sub-folder per started exercise.

Nothing of the learner's is ever overwritten: `start` only adds missing files, and `reset` copies the current
files into `.kata/backups/` before restoring the stub.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from kata.catalog import Exercise
from kata.errors import WorkspaceError
from kata.progress import Progress

ENV = "KATA_WORKSPACE"
DEFAULT = Path("~/kata-workspace")


def locate(flag: Path | None = None) -> Path:
    """The workspace path: --workspace, then $KATA_WORKSPACE, then ~/kata-workspace."""
    chosen = flag or (Path(os.environ[ENV]) if os.environ.get(ENV) else DEFAULT)
    return chosen.expanduser().resolve()


@dataclass(frozen=True)
class StartResult:
    folder: Path
    created: tuple[str, ...]
    kept: tuple[str, ...]


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def state_dir(self) -> Path:
        return self.root / ".kata"

    def exists(self) -> bool:
        return self.root.is_dir()

    def require(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise WorkspaceError(f"{self.root} is a file, not a folder; pass --workspace with a folder path.")
        if not self.exists():
            raise WorkspaceError(
                f"There is no workspace at {self.root} yet; run `kata start 1` to create it, "
                f"or point --workspace / ${ENV} at yours."
            )

    def progress(self) -> Progress:
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"Can't write to {self.state_dir} ({exc.strerror}); check its permissions.") from exc
        return Progress(self.state_dir / "progress.db")

    def folder(self, exercise: Exercise) -> Path:
        return self.root / exercise.folder

    def is_started(self, exercise: Exercise) -> bool:
        return self.folder(exercise).is_dir()

    def start(self, exercise: Exercise) -> StartResult:
        """Copy the stub files and README.md in; files that already exist are kept untouched."""
        target = self.folder(exercise)
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"Can't create {target} ({exc.strerror}); choose another --workspace.") from exc
        created, kept = [], []
        for name in (*exercise.files, "README.md"):
            dest = target / name
            if dest.exists() or dest.is_symlink():
                kept.append(name)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(exercise.exercise_dir / name, dest)
            created.append(name)
        return StartResult(target, tuple(created), tuple(kept))

    def reset(self, exercise: Exercise) -> Path | None:
        """Back up the learner's files, then restore the stub; returns the backup folder (None if nothing to keep)."""
        target = self.folder(exercise)
        present = [n for n in exercise.files if (target / n).exists()]
        backup = None
        if present:
            backup = self.state_dir / "backups" / f"{exercise.folder}-{time.strftime('%Y%m%d-%H%M%S')}"
            suffix = 1
            while backup.exists():
                backup = backup.with_name(f"{backup.name.rsplit('.', 1)[0]}.{suffix}")
                suffix += 1
            for name in present:
                (backup / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(target / name, backup / name, follow_symlinks=False)
        target.mkdir(parents=True, exist_ok=True)
        for name in exercise.files:
            dest = target / name
            if dest.is_symlink():
                dest.unlink()
            shutil.copyfile(exercise.exercise_dir / name, dest)
        if not (target / "README.md").exists():
            shutil.copyfile(exercise.exercise_dir / "README.md", target / "README.md")
        return backup

    def exercise_at(self, path: Path) -> str | None:
        """The exercise folder name that `path` lies in, if it is inside this workspace."""
        try:
            rel = path.resolve().relative_to(self.root)
        except ValueError:
            return None
        return rel.parts[0] if rel.parts and rel.parts[0][:2].isdigit() else None
