"""The exercise records, loaded from `exercises/*/exercise.toml`; every path is derived by convention."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kata.errors import KataError, UnknownExercise

FORMAT_VERSION = 1
TOTAL_EXERCISES = 80
LEVELS: dict[int, str] = {
    1: "Advanced Language Features",
    2: "Performance Optimization",
    3: "Concurrency & Parallelism",
    4: "Systems Programming",
    5: "Web & Networking",
    6: "Testing & Debugging",
    7: "Specialized Domains",
    8: "Architectures & Patterns",
}
_FOLDER = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$")


def content_root() -> Path:
    """Where exercises/, reference/ and graders/ live: inside the wheel, or the source checkout."""
    packaged = Path(__file__).resolve().parent / "_content"
    if (packaged / "exercises").is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 60.0
    memory_mb: int = 2048
    cores: int = 1  # free cores the grader's benchmarks need (a parallel speed-up needs 2)


@dataclass(frozen=True)
class Exercise:
    id: int
    slug: str
    title: str
    level: int
    topic: str
    files: tuple[str, ...]
    hints: tuple[str, ...]
    principles: tuple[str, ...]
    limits: Limits
    root: Path

    @property
    def folder(self) -> str:
        return f"{self.id:02d}-{self.slug}"

    @property
    def exercise_dir(self) -> Path:
        return self.root / "exercises" / self.folder

    @property
    def reference_dir(self) -> Path:
        return self.root / "reference" / self.folder

    @property
    def grader_dir(self) -> Path:
        return self.root / "graders" / self.folder

    @property
    def module(self) -> str:
        """The module the grader's `solution` fixture imports: the first declared file."""
        return Path(self.files[0]).stem

    @property
    def level_name(self) -> str:
        return LEVELS.get(self.level, f"Level {self.level}")

    def variants(self, kind: str) -> list[Path]:
        """The known_bad/ or known_good/ solution folders kept beside the grader."""
        base = self.grader_dir / kind
        return sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []


def _load(path: Path, root: Path) -> Exercise:
    match = _FOLDER.match(path.parent.name)
    if not match:
        raise KataError(f"{path.parent} is not named NN-slug; rename it (for example 22-lru-cache).")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KataError(f"{path} is not valid TOML ({exc}); fix the file.") from exc
    if data.get("format") != FORMAT_VERSION:
        raise KataError(f"{path} has format {data.get('format')!r}; this kata reads format {FORMAT_VERSION}.")
    limits = data.get("limits", {})
    exercise = Exercise(
        id=int(match.group(1)),
        slug=match.group(2),
        title=str(data["title"]),
        level=int(data["level"]),
        topic=str(data.get("topic", LEVELS.get(int(data["level"]), ""))),
        files=tuple(data["files"]),
        hints=tuple(str(h).strip() for h in data.get("hints", ())),
        principles=tuple(data.get("principles", ())),
        limits=Limits(
            timeout_s=float(limits.get("timeout", Limits.timeout_s)),
            memory_mb=int(limits.get("memory_mb", Limits.memory_mb)),
            cores=int(limits.get("cores", Limits.cores)),
        ),
        root=root,
    )
    if not exercise.files:
        raise KataError(f"{path} declares no files; list the learner's files under `files`.")
    return exercise


@cache
def load_all(root: Path | None = None) -> tuple[Exercise, ...]:
    base = root or content_root()
    found = [_load(p, base) for p in sorted((base / "exercises").glob("*/exercise.toml"))]
    return tuple(sorted(found, key=lambda e: e.id))


def resolve(ref: str, exercises: tuple[Exercise, ...] | None = None) -> Exercise:
    """Find an exercise by `22`, `lru-cache` or `22-lru-cache`."""
    pool = exercises if exercises is not None else load_all()
    text = ref.strip().lower()
    number = text.split("-", 1)[0]
    for exercise in pool:
        if text in (str(exercise.id), f"{exercise.id:02d}", exercise.slug, exercise.folder):
            return exercise
    if number.isdigit():
        n = int(number)
        if not 1 <= n <= TOTAL_EXERCISES:
            raise UnknownExercise(
                f"There is no exercise {n}: ids run from 1 to {TOTAL_EXERCISES}; run `kata list` to see them."
            )
        if text == number:
            raise UnknownExercise(
                f"Exercise {n} is not written yet in this version of kata; run `kata list` to see the available ones."
            )
    raise UnknownExercise(f"No exercise matches {ref!r}; use an id like 22, a slug like lru-cache, or run `kata list`.")
