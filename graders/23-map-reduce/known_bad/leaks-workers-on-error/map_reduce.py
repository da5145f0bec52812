"""Known-bad: shuts the pool down only on success: after an error the workers stay alive."""

from __future__ import annotations

import multiprocessing
import pickle
import re
import zlib
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

Mapper = Callable[[Any, Any], Iterable[tuple[Hashable, Any]]]
Combiner = Callable[[Any, list[Any]], Iterable[Any]]
Reducer = Callable[[Any, list[Any]], Any]
Groups = dict[Hashable, list[Any]]

SPLITS_PER_WORKER = 4  # more splits than workers: a slow split doesn't leave the other workers idle


@dataclass(frozen=True)
class Job:
    """What to run: `mapper(key, value)` yields (key, value) pairs, `combiner(key, values)` shrinks one map task's
    values for a key (optional), `reducer(key, values)` makes the key's result. All must be picklable."""

    mapper: Mapper
    reducer: Reducer
    combiner: Combiner | None = None


@dataclass(frozen=True)
class JobStats:
    """Record counts of one run."""

    map_inputs: int  # input records mapped
    map_outputs: int  # (key, value) pairs the mapper emitted
    shuffled: int  # (key, value) pairs sent through the shuffle, after combining
    reduce_keys: int  # distinct keys reduced (the size of the output)
    map_tasks: int
    partitions: int


@dataclass(frozen=True)
class JobResult:
    output: dict[Any, Any]
    stats: JobStats


class JobError(Exception):
    """A mapper, combiner or reducer raised, or a worker process died.

    `phase` is "map" or "reduce"; `key` is the input record's key (map) or the intermediate key (reduce) being
    processed, or None when a worker died without saying. `__cause__` is the original exception, rebuilt in the
    parent (or a RuntimeError describing it when it could not be sent back).
    """

    def __init__(self, phase: str, key: object, message: str) -> None:
        super().__init__(message)
        self.phase = phase
        self.key = key

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.phase, self.key, str(self)))


@dataclass(frozen=True)
class _Failure:
    """A worker-side failure, sent back as a value: exceptions don't always survive pickling."""

    phase: str
    key: object
    text: str  # "ValueError: message"
    exception: bytes | None  # the pickled exception, when it pickles


def _failure(phase: str, key: object, exc: Exception) -> _Failure:
    text = f"{type(exc).__name__}: {exc}"
    try:
        payload = pickle.dumps(exc)
        pickle.loads(payload)  # some exceptions pickle but can't be rebuilt (a required __init__ argument)
    except Exception:
        return _Failure(phase, key, text, None)
    return _Failure(phase, key, text, payload)


def partition_of(key: Hashable, partitions: int) -> int:
    """A partition for `key` that every process agrees on.

    `hash()` of a str is salted per interpreter (PYTHONHASHSEED), so a spawned worker would disagree with its
    siblings; CRC-32 of the key's pickle is the same everywhere (for the str/int/tuple keys jobs use).
    """
    return zlib.crc32(pickle.dumps(key, protocol=4)) % partitions


# ---- worker side ---------------------------------------------------------------------------------------------


def _map_task(job: Job, split: list[tuple[Any, Any]], partitions: int) -> tuple[list[Groups], int] | _Failure:
    """Map one split, combine per key, and bucket the groups by partition; returns (buckets, pairs emitted)."""
    groups: Groups = {}
    emitted = 0
    for key, value in split:
        try:
            for out_key, out_value in job.mapper(key, value):
                groups.setdefault(out_key, []).append(out_value)
                emitted += 1
        except Exception as exc:
            return _failure("map", key, exc)
    buckets: list[Groups] = [{} for _ in range(partitions)]
    for out_key, values in groups.items():
        if job.combiner is not None:
            try:
                values = list(job.combiner(out_key, values))
            except Exception as exc:
                return _failure("map", out_key, exc)
        buckets[partition_of(out_key, partitions)][out_key] = values
    return buckets, emitted


def _reduce_task(job: Job, buckets: list[Groups]) -> dict[Any, Any] | _Failure:
    """Merge one partition's buckets (one per map task) by key and reduce each key."""
    merged: Groups = {}
    for bucket in buckets:
        for key, values in bucket.items():
            merged.setdefault(key, []).extend(values)
    output: dict[Any, Any] = {}
    for key, values in merged.items():
        try:
            output[key] = job.reducer(key, values)
        except Exception as exc:
            return _failure("reduce", key, exc)
    return output


# ---- parent side ---------------------------------------------------------------------------------------------


def _splits(records: list[tuple[Any, Any]], count: int) -> Iterator[list[tuple[Any, Any]]]:
    """`count` contiguous, nearly equal slices of `records` (none empty)."""
    size, extra = divmod(len(records), count)
    start = 0
    for i in range(count):
        end = start + size + (i < extra)
        yield records[start:end]
        start = end


def _raise(failure: _Failure) -> None:
    cause: BaseException
    try:
        cause = pickle.loads(failure.exception) if failure.exception is not None else RuntimeError(failure.text)
    except Exception:
        cause = RuntimeError(failure.text)
    where = "input" if failure.phase == "map" else "key"
    message = f"{failure.phase} failed for {where} {failure.key!r}: {failure.text}"
    raise JobError(failure.phase, failure.key, message) from cause


def _results(futures: list[Future[Any]], phase: str) -> Iterator[Any]:
    """Each future's value in order; a failure or a dead worker ends the job."""
    for future in futures:
        try:
            value = future.result()
        except BrokenProcessPool as exc:
            raise JobError(phase, None, f"a worker process died during the {phase} phase") from exc
        except Exception as exc:  # e.g. a result that could not be pickled
            raise JobError(phase, None, f"{phase} task failed: {type(exc).__name__}: {exc}") from exc
        if isinstance(value, _Failure):
            _raise(value)
        yield value


def run_job(
    job: Job, inputs: Iterable[tuple[Any, Any]], *, workers: int = 2, partitions: int | None = None
) -> JobResult:
    """Run `job` over (key, value) `inputs` on `workers` processes; the output maps each key to its result."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    partitions = workers if partitions is None else partitions
    if partitions < 1:
        raise ValueError(f"partitions must be at least 1, got {partitions}")
    records = list(inputs)
    if not records:
        return JobResult({}, JobStats(0, 0, 0, 0, 0, partitions))
    splits = list(_splits(records, min(len(records), workers * SPLITS_PER_WORKER)))
    # fork: workers inherit the caller's modules, so functions defined in any imported module unpickle there.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    try:
        map_futures = [pool.submit(_map_task, job, split, partitions) for split in splits]
        shuffle: list[list[Groups]] = [[] for _ in range(partitions)]
        emitted = shuffled = 0
        for buckets, count in _results(map_futures, "map"):
            emitted += count
            for p, bucket in enumerate(buckets):
                if bucket:
                    shuffle[p].append(bucket)
                    shuffled += sum(len(values) for values in bucket.values())
        reduce_futures = [pool.submit(_reduce_task, job, buckets) for buckets in shuffle if buckets]
        output: dict[Any, Any] = {}
        for part in _results(reduce_futures, "reduce"):
            output.update(part)
    except BaseException:
        raise  # forgot to shut the pool down here
    pool.shutdown(wait=True)
    stats = JobStats(len(records), emitted, shuffled, len(output), len(splits), partitions)
    return JobResult(output, stats)


# ---- the two classic jobs ------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The words of `text`: runs of letters, digits and underscores, lowercased."""
    return _WORD.findall(text.lower())


def count_words_mapper(doc_id: Any, text: str) -> Iterator[tuple[str, int]]:
    """(word, 1) for every word of the document."""
    for word in words(text):
        yield word, 1


def sum_reducer(word: Any, counts: list[int]) -> int:
    return sum(counts)


def sum_combiner(word: Any, counts: list[int]) -> list[int]:
    """One partial count per word and map task instead of a 1 per occurrence."""
    return [sum(counts)]


def index_mapper(doc_id: Any, text: str) -> Iterator[tuple[str, Any]]:
    """(word, doc_id) once for every distinct word of the document."""
    for word in dict.fromkeys(words(text)):  # each word once per document, in order
        yield word, doc_id


def index_reducer(word: Any, doc_ids: list[Any]) -> list[Any]:
    """The sorted, distinct ids of the documents containing the word."""
    return sorted(set(doc_ids))


def index_combiner(word: Any, doc_ids: list[Any]) -> list[Any]:
    return sorted(set(doc_ids))


WORD_COUNT = Job(mapper=count_words_mapper, reducer=sum_reducer, combiner=sum_combiner)
INVERTED_INDEX = Job(mapper=index_mapper, reducer=index_reducer, combiner=index_combiner)
