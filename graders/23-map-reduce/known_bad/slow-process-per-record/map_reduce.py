"""Known-bad: correct, but forks a new process for every input record (at most `workers` at a time)
instead of reusing a pool, so process start-up dominates a job of many small records."""

from __future__ import annotations

import multiprocessing
import pickle
import re
import zlib
from collections.abc import Callable, Hashable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
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


def _child(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        conn.send(fn(*args))
    finally:
        conn.close()


def _in_processes(tasks: list[tuple[Callable[..., Any], tuple[Any, ...]]], workers: int, phase: str) -> list[Any]:
    """Run each task in a fresh forked process, at most `workers` at a time; results in task order."""
    ctx = multiprocessing.get_context("fork")
    results: list[Any] = [None] * len(tasks)
    running: dict[Connection, tuple[int, BaseProcess]] = {}
    todo = list(enumerate(tasks))[::-1]
    try:
        while todo or running:
            while todo and len(running) < workers:
                index, (fn, args) = todo.pop()
                parent_end, child_end = ctx.Pipe(duplex=False)
                process = ctx.Process(target=_child, args=(child_end, fn, args))
                process.start()
                child_end.close()
                running[parent_end] = (index, process)
            for conn in wait(list(running)):
                index, process = running.pop(conn)  # type: ignore[index]
                try:
                    value = conn.recv()  # type: ignore[union-attr]
                except EOFError:
                    raise JobError(phase, None, f"a worker process died during the {phase} phase") from None
                finally:
                    conn.close()  # type: ignore[union-attr]
                    process.join()
                if isinstance(value, _Failure):
                    _raise(value)
                results[index] = value
    finally:
        for conn, (_, process) in running.items():
            process.kill()
            process.join()
            conn.close()
    return results


def run_job(
    job: Job, inputs: Iterable[tuple[Any, Any]], *, workers: int = 2, partitions: int | None = None
) -> JobResult:
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    partitions = workers if partitions is None else partitions
    if partitions < 1:
        raise ValueError(f"partitions must be at least 1, got {partitions}")
    records = list(inputs)
    if not records:
        return JobResult({}, JobStats(0, 0, 0, 0, 0, partitions))
    # one process per record: every map task pays for a fork, a pipe and a join
    map_results = _in_processes([(_map_task, (job, [record], partitions)) for record in records], workers, "map")
    shuffle: list[list[Groups]] = [[] for _ in range(partitions)]
    emitted = shuffled = 0
    for buckets, count in map_results:
        emitted += count
        for p, bucket in enumerate(buckets):
            if bucket:
                shuffle[p].append(bucket)
                shuffled += sum(len(values) for values in bucket.values())
    parts = _in_processes([(_reduce_task, (job, b)) for b in shuffle if b], workers, "reduce")
    output: dict[Any, Any] = {}
    for part in parts:
        output.update(part)
    stats = JobStats(len(records), emitted, shuffled, len(output), len(records), partitions)
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
