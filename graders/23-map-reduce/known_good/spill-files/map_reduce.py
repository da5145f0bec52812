"""Known-good: long-lived forked worker processes driven over pipes, with a Hadoop-style shuffle through spill
files on disk (map tasks write one file per partition, reduce tasks read them); written from the README alone."""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import pickle
import re
import shutil
import tempfile
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

Mapper = Callable[[Any, Any], Iterable[tuple[Hashable, Any]]]
Combiner = Callable[[Any, list[Any]], Iterable[Any]]
Reducer = Callable[[Any, list[Any]], Any]


@dataclass(frozen=True)
class Job:
    mapper: Mapper
    reducer: Reducer
    combiner: Combiner | None = None


@dataclass(frozen=True)
class JobStats:
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
    def __init__(self, phase: str, key: object, message: str) -> None:
        super().__init__(message)
        self.phase = phase
        self.key = key


def _bucket(key: Hashable, n: int) -> int:
    return int.from_bytes(hashlib.md5(repr(key).encode()).digest()[:4], "big") % n


def _error(phase: str, key: object, exc: Exception) -> tuple[Any, ...]:
    try:
        blob: bytes | None = pickle.dumps(exc)
    except Exception:
        blob = None
    return ("error", phase, key, f"{type(exc).__name__}: {exc}", blob)


def _worker(conn: Connection, job: Job, spill: str, partitions: int) -> None:
    while True:
        command = conn.recv()
        if command is None:
            return
        if command[0] == "map":
            _, task, records = command
            groups: dict[Any, list[Any]] = {}
            emitted = 0
            failed = None
            for key, value in records:
                try:
                    for k, v in job.mapper(key, value):
                        groups.setdefault(k, []).append(v)
                        emitted += 1
                except Exception as exc:
                    failed = _error("map", key, exc)
                    break
            if failed is not None:
                conn.send(failed)
                continue
            parts: list[dict[Any, list[Any]]] = [{} for _ in range(partitions)]
            try:
                for k, vs in groups.items():
                    parts[_bucket(k, partitions)][k] = list(job.combiner(k, vs)) if job.combiner else vs
            except Exception as exc:
                conn.send(_error("map", k, exc))
                continue
            for p, part in enumerate(parts):
                with open(os.path.join(spill, f"m{task}-p{p}"), "wb") as f:
                    pickle.dump(part, f)
            conn.send(("mapped", emitted, sum(len(vs) for part in parts for vs in part.values())))
        else:
            _, p, tasks = command
            merged: dict[Any, list[Any]] = {}
            for task in range(tasks):
                with open(os.path.join(spill, f"m{task}-p{p}"), "rb") as f:
                    for k, vs in pickle.load(f).items():
                        merged.setdefault(k, []).extend(vs)
            out: dict[Any, Any] = {}
            try:
                for k, vs in merged.items():
                    out[k] = job.reducer(k, vs)
            except Exception as exc:
                conn.send(_error("reduce", k, exc))
                continue
            conn.send(("reduced", out))


def _fail(message: tuple[Any, ...]) -> JobError:
    _, phase, key, text, blob = message
    try:
        cause: BaseException = pickle.loads(blob) if blob is not None else RuntimeError(text)
    except Exception:
        cause = RuntimeError(text)
    err = JobError(phase, key, f"{phase} failed for {key!r}: {text}")
    err.__cause__ = cause
    return err


def run_job(
    job: Job, inputs: Iterable[tuple[Any, Any]], *, workers: int = 2, partitions: int | None = None
) -> JobResult:
    if workers < 1 or (partitions is not None and partitions < 1):
        raise ValueError("workers and partitions must be at least 1")
    nparts = partitions or workers
    records = list(inputs)
    if not records:
        return JobResult({}, JobStats(0, 0, 0, 0, 0, nparts))
    ntasks = min(len(records), 4 * workers)
    bounds = [len(records) * i // ntasks for i in range(ntasks + 1)]
    splits = [records[bounds[i] : bounds[i + 1]] for i in range(ntasks)]
    ctx = multiprocessing.get_context("fork")
    spill = tempfile.mkdtemp(prefix="mr-spill-")
    procs = []
    conns: list[Connection] = []
    try:
        for _ in range(min(workers, ntasks)):
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=_worker, args=(theirs, job, spill, nparts), daemon=True)
            proc.start()
            theirs.close()
            procs.append(proc)
            conns.append(mine)

        def phase(name: str, commands: Iterator[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
            replies: list[tuple[Any, ...]] = []
            idle = list(conns)
            busy: set[Connection] = set()
            pending = True
            while True:
                while idle and pending:
                    command = next(commands, None)
                    if command is None:
                        pending = False
                        break
                    conn = idle.pop()
                    conn.send(command)
                    busy.add(conn)
                if not busy:
                    return replies
                for ready in wait(list(busy)):
                    assert isinstance(ready, Connection)
                    try:
                        reply = ready.recv()
                    except EOFError:
                        raise JobError(name, None, f"a worker died in the {name} phase") from None
                    if reply[0] == "error":
                        raise _fail(reply)
                    replies.append(reply)
                    busy.discard(ready)
                    idle.append(ready)

        mapped = phase("map", (("map", i, split) for i, split in enumerate(splits)))
        reduced = phase("reduce", (("reduce", p, ntasks) for p in range(nparts)))
        output: dict[Any, Any] = {}
        for _, part in reduced:
            output.update(part)
        for conn in conns:
            conn.send(None)
        for proc in procs:
            proc.join(5)
        return JobResult(
            output,
            JobStats(
                len(records),
                sum(r[1] for r in mapped),
                sum(r[2] for r in mapped),
                len(output),
                ntasks,
                nparts,
            ),
        )
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
            proc.join()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.close()
        shutil.rmtree(spill, ignore_errors=True)


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def count_words_mapper(doc_id: Any, text: str) -> Iterator[tuple[str, int]]:
    return ((w, 1) for w in words(text))


def sum_reducer(word: Any, counts: list[int]) -> int:
    return sum(counts)


def sum_combiner(word: Any, counts: list[int]) -> list[int]:
    return [sum(counts)]


def index_mapper(doc_id: Any, text: str) -> Iterator[tuple[str, Any]]:
    seen: set[str] = set()
    for w in words(text):
        if w not in seen:
            seen.add(w)
            yield w, doc_id


def index_reducer(word: Any, doc_ids: list[Any]) -> list[Any]:
    return sorted(set(doc_ids))


def index_combiner(word: Any, doc_ids: list[Any]) -> list[Any]:
    return sorted(set(doc_ids))


WORD_COUNT = Job(mapper=count_words_mapper, reducer=sum_reducer, combiner=sum_combiner)
INVERTED_INDEX = Job(mapper=index_mapper, reducer=index_reducer, combiner=index_combiner)
