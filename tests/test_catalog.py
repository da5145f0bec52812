"""The real curriculum on disk is consistent, and every way of naming an exercise resolves."""

from __future__ import annotations

import pytest

from kata import catalog
from kata.errors import UnknownExercise

EXERCISES = catalog.load_all()


def test_the_curriculum_loads_and_ids_are_unique() -> None:
    assert EXERCISES, "at least one exercise ships"
    assert len({e.id for e in EXERCISES}) == len(EXERCISES)
    assert len({e.slug for e in EXERCISES}) == len(EXERCISES)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.folder)
def test_every_exercise_is_complete(exercise: catalog.Exercise) -> None:
    assert 1 <= exercise.level <= 8 and exercise.topic == catalog.LEVELS[exercise.level]
    assert len(exercise.hints) >= 3, "a hint ladder has at least three levels"
    assert exercise.principles
    for name in exercise.files:
        assert (exercise.exercise_dir / name).is_file()
        assert (exercise.reference_dir / name).is_file()
    assert (exercise.exercise_dir / "README.md").is_file()
    assert (exercise.reference_dir / "NOTES.md").is_file()
    assert list(exercise.grader_dir.glob("test_*.py"))
    assert exercise.variants("known_bad"), "every exercise keeps at least one known-bad solution"
    assert exercise.variants("known_good"), "every exercise keeps a known-good alternative"
    for variant in exercise.variants("known_bad") + exercise.variants("known_good"):
        assert {p.name for p in variant.iterdir() if p.is_file()} >= set(exercise.files), variant


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.folder)
def test_every_form_of_the_id_resolves(exercise: catalog.Exercise) -> None:
    for ref in (str(exercise.id), f"{exercise.id:02d}", exercise.slug, exercise.folder, exercise.slug.upper()):
        assert catalog.resolve(ref) == exercise


@pytest.mark.parametrize("ref", ["0", "81", "abc", "", "-3", "22-nonsense-slug"])
def test_bad_references_raise_a_usage_error(ref: str) -> None:
    with pytest.raises(UnknownExercise) as info:
        catalog.resolve(ref)
    assert info.value.exit_code == 2 and "kata list" in info.value.message
