"""Exercise 23: a multiprocessing map-reduce framework. See README.md for the rules."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

Mapper = Callable[[Any, Any], Iterable[tuple[Hashable, Any]]]
Combiner = Callable[[Any, list[Any]], Iterable[Any]]
Reducer = Callable[[Any, list[Any]], Any]


@dataclass(frozen=True)
class Job:
    """What to run: a mapper, a reducer and an optional combiner (all picklable, e.g. module-level functions)."""

    mapper: Mapper
    reducer: Reducer
    combiner: Combiner | None = None


@dataclass(frozen=True)
class JobStats:
    """Record counts of one run (see the README)."""

    map_inputs: int
    map_outputs: int
    shuffled: int
    reduce_keys: int
    map_tasks: int
    partitions: int


@dataclass(frozen=True)
class JobResult:
    output: dict[Any, Any]
    stats: JobStats


class JobError(Exception):
    """A mapper, combiner or reducer raised, or a worker process died."""

    def __init__(self, phase: str, key: object, message: str) -> None:
        super().__init__(message)
        self.phase = phase  # "map" or "reduce"
        self.key = key  # the input's key (map), the intermediate key (reduce), or None


def run_job(
    job: Job, inputs: Iterable[tuple[Any, Any]], *, workers: int = 2, partitions: int | None = None
) -> JobResult:
    """Run `job` over (key, value) `inputs` on `workers` worker processes."""
    raise NotImplementedError


def words(text: str) -> list[str]:
    """The words of `text`: runs of letters, digits and underscores, lowercased."""
    raise NotImplementedError


def count_words_mapper(doc_id: Any, text: str) -> Iterator[tuple[str, int]]:
    raise NotImplementedError


def sum_reducer(word: Any, counts: list[int]) -> int:
    raise NotImplementedError


def sum_combiner(word: Any, counts: list[int]) -> list[int]:
    raise NotImplementedError


def index_mapper(doc_id: Any, text: str) -> Iterator[tuple[str, Any]]:
    raise NotImplementedError


def index_reducer(word: Any, doc_ids: list[Any]) -> list[Any]:
    raise NotImplementedError


def index_combiner(word: Any, doc_ids: list[Any]) -> list[Any]:
    raise NotImplementedError


WORD_COUNT = Job(mapper=count_words_mapper, reducer=sum_reducer, combiner=sum_combiner)
INVERTED_INDEX = Job(mapper=index_mapper, reducer=index_reducer, combiner=index_combiner)
