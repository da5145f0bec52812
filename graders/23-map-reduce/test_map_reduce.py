"""Hidden grader for exercise 23: a multiprocessing map -> combine -> partition/shuffle -> reduce framework.

A serial oracle written here (a dict of lists) says what every job must output; the job functions the grader
runs live in _mr_jobs.py so worker processes can unpickle them. Every call is followed by a check that no worker
process is left behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import _mr_jobs as jobs
import psutil
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from kata.testing import Perf, cpu_capacity

_monotonic = time.monotonic  # bound before any learner code runs
# Every example starts worker processes: few examples, and no explain phase.
FEW = {"phases": (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink), "report_multiple_bugs": False}


# ---- helpers -------------------------------------------------------------------------------------------------


# Leftover processes this grader already killed (pid, start time). They are killed but not reaped: reaping a child
# that belongs to a live multiprocessing object (e.g. a leaked ProcessPoolExecutor) makes multiprocessing believe
# it still runs, and its shutdown then spins forever at interpreter exit. Their zombies are ignored afterwards.
_KILLED: set[tuple[int, float]] = set()


def _ident(p: psutil.Process) -> tuple[int, float]:
    try:
        return p.pid, p.create_time()
    except psutil.Error:
        return p.pid, 0.0


def _children() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if _ident(p) not in _KILLED]


def _kill_all(procs: list[psutil.Process]) -> None:
    for p in procs:
        _KILLED.add(_ident(p))
        with contextlib.suppress(psutil.Error):
            p.kill()


def assert_no_workers_left(after: str) -> None:
    """Every worker has exited and been joined (a zombie counts as left over)."""
    deadline = _monotonic() + 1.0
    left = _children()
    while left and _monotonic() < deadline:
        time.sleep(0.05)
        left = _children()
    if left:
        described = ", ".join(f"pid {p.pid}" for p in left)
        _kill_all(left)
        pytest.fail(
            f"after {after}, {len(left)} worker process(es) still exist ({described}); shut the pool down and "
            "join every worker before run_job returns or raises (a finally block, or `with` around the pool)",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _reap_leftovers() -> Iterator[None]:
    """Whatever a test leaves behind is killed, so one leak can't spoil the next test."""
    yield
    _kill_all(_children())


def job(solution: ModuleType, mapper: Callable[..., Any], reducer: Callable[..., Any], combiner: Any = None) -> Any:
    return solution.Job(mapper=mapper, reducer=reducer, combiner=combiner)


def run(solution: ModuleType, the_job: Any, inputs: list[tuple[Any, Any]], **kwargs: Any) -> tuple[dict[Any, Any], Any]:
    """run_job, with its output copied into a plain dict and no worker left behind."""
    result = solution.run_job(the_job, inputs, **kwargs)
    assert_no_workers_left("a successful run_job")
    output = result.output
    assert isinstance(output, dict), f"JobResult.output is {type(output).__name__}, expected a dict"
    return dict(output), result.stats


def serial_oracle(
    mapper: Callable[[Any, Any], Iterable[tuple[Any, Any]]],
    reducer: Callable[[Any, list[Any]], Any],
    inputs: list[tuple[Any, Any]],
) -> dict[Any, Any]:
    groups: dict[Any, list[Any]] = {}
    for key, value in inputs:
        for out_key, out_value in mapper(key, value):
            groups.setdefault(out_key, []).append(out_value)
    return {key: reducer(key, values) for key, values in groups.items()}


def expect_job_error(solution: ModuleType, call: Callable[[], object], what: str) -> Any:
    try:
        got = call()
    except Exception as exc:
        if not isinstance(exc, solution.JobError):
            pytest.fail(f"{what}: expected JobError, got {type(exc).__name__}: {exc}", pytrace=False)
        return exc
    pytest.fail(f"{what}: expected JobError, but run_job returned {got!r:.200}", pytrace=False)


def same_dicts(got: dict[Any, Any], expected: dict[Any, Any], what: str) -> None:
    missing = [k for k in expected if k not in got]
    extra = [k for k in got if k not in expected]
    wrong = [(k, got[k], expected[k]) for k in expected if k in got and got[k] != expected[k]]
    assert not (missing or extra or wrong), (
        f"{what}: output differs from a serial run: missing keys {missing[:5]}, unexpected keys {extra[:5]}, "
        f"wrong values (key, got, expected) {wrong[:5]}"
    )


WORDS = ["the", "cat", "sat", "on", "mat", "The", "CAT", "dog's", "x_1", "é", "42"]
docs_strategy = st.lists(
    st.lists(st.sampled_from([*WORDS, ", ", ". ", "  ", "-", "\n"]), max_size=25).map(" ".join),
    max_size=12,
).map(lambda texts: [(f"doc{i:02d}", text) for i, text in enumerate(texts)])


def words_oracle(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


# ---- the two classic jobs ------------------------------------------------------------------------------------


def test_words_lowercases_and_splits_on_non_word_characters(solution: ModuleType) -> None:
    """words() returns the runs of letters, digits and underscores of the lowercased text, in order."""
    text = "Hello, hello WORLD_1 x-y  dog's café 42!"
    got = solution.words(text)
    expected = ["hello", "hello", "world_1", "x", "y", "dog", "s", "café", "42"]
    assert got == expected, f"words({text!r}) returned {got!r}, expected {expected!r}"


@pytest.mark.time_limit(30)
@settings(max_examples=6, **FEW)
@given(docs=docs_strategy, workers=st.integers(1, 3))
def test_word_count_counts_every_word(solution: ModuleType, docs: list[tuple[str, str]], workers: int) -> None:
    """run_job(WORD_COUNT, docs) maps each word to its number of occurrences over all documents."""
    output, _ = run(solution, solution.WORD_COUNT, docs, workers=workers)
    expected = dict(Counter(w for _, text in docs for w in words_oracle(text)))
    same_dicts(output, expected, f"WORD_COUNT over {len(docs)} documents with workers={workers}")


@pytest.mark.time_limit(30)
@settings(max_examples=6, **FEW)
@given(docs=docs_strategy, workers=st.integers(1, 3), partitions=st.integers(1, 4))
def test_inverted_index_lists_the_documents_of_every_word(
    solution: ModuleType, docs: list[tuple[str, str]], workers: int, partitions: int
) -> None:
    """run_job(INVERTED_INDEX, docs) maps each word to the sorted list of ids of the documents containing it."""
    output, _ = run(solution, solution.INVERTED_INDEX, docs, workers=workers, partitions=partitions)
    index: dict[str, set[str]] = {}
    for doc_id, text in docs:
        for w in words_oracle(text):
            index.setdefault(w, set()).add(doc_id)
    expected = {w: sorted(ids) for w, ids in index.items()}
    same_dicts(output, expected, f"INVERTED_INDEX over {len(docs)} documents")
    for w, ids in output.items():
        assert type(ids) is list, f"the index entry for {w!r} is a {type(ids).__name__}, expected a sorted list"


# ---- any job equals a serial run -----------------------------------------------------------------------------

keys = st.one_of(
    st.integers(-3, 3), st.sampled_from(["a", "b", "ü"]), st.tuples(st.integers(0, 2), st.sampled_from(["x", "y"]))
)
pair_lists = st.lists(st.tuples(keys, st.integers(-50, 50)), max_size=8)
inputs_strategy = st.lists(pair_lists, max_size=20).map(lambda vs: [(f"in{i}", v) for i, v in enumerate(vs)])
JOB_KINDS = {
    "sum with combiner": (jobs.emit_pairs, jobs.add, jobs.add_combiner),
    "sorted values, no combiner": (jobs.emit_pairs, jobs.sorted_values, None),
    "max and count with combiner": (jobs.as_max_and_count, jobs.max_and_count, jobs.max_and_count_combiner),
}


@pytest.mark.time_limit(40)
@settings(max_examples=10, **FEW)
@given(
    inputs=inputs_strategy,
    kind=st.sampled_from(sorted(JOB_KINDS)),
    workers=st.integers(1, 3),
    partitions=st.none() | st.integers(1, 5),
)
def test_any_job_equals_a_serial_run(
    solution: ModuleType, inputs: list[tuple[str, Any]], kind: str, workers: int, partitions: int | None
) -> None:
    """For any inputs, keys (ints, strs, tuples), worker and partition counts, the output equals a serial run."""
    mapper, reducer, combiner = JOB_KINDS[kind]
    output, stats = run(
        solution, job(solution, mapper, reducer, combiner), inputs, workers=workers, partitions=partitions
    )
    same_dicts(output, serial_oracle(mapper, reducer, inputs), f"{kind}, workers={workers}, partitions={partitions}")
    assert stats.reduce_keys == len(output), (
        f"stats.reduce_keys = {stats.reduce_keys}, the output has {len(output)} keys"
    )


def test_no_input_gives_an_empty_output(solution: ModuleType) -> None:
    """No inputs: an empty output and all-zero record counts."""
    output, stats = run(solution, solution.WORD_COUNT, [])
    assert output == {}, f"run_job over no inputs returned {output!r}"
    counts = (stats.map_inputs, stats.map_outputs, stats.shuffled, stats.reduce_keys)
    assert counts == (0, 0, 0, 0), f"stats for no inputs: {stats}"


@pytest.mark.parametrize("kwargs", [{"workers": 0}, {"workers": -1}, {"partitions": 0}])
def test_invalid_arguments_raise_value_error(solution: ModuleType, kwargs: dict[str, int]) -> None:
    """workers or partitions below 1 raise ValueError."""
    with pytest.raises(ValueError):
        solution.run_job(solution.WORD_COUNT, [("d", "a b")], **kwargs)
    assert_no_workers_left(f"rejecting {kwargs}")


# ---- stats and the combiner ----------------------------------------------------------------------------------

REPETITIVE = [(f"doc{i}", " ".join(["spam"] * 40 + ["eggs"] * 20 + [f"w{i}", "ham", "ham"])) for i in range(30)]


def test_stats_count_the_records_at_each_stage(solution: ModuleType) -> None:
    """Without a combiner, every emitted pair is shuffled: map_outputs == shuffled == the number of words."""
    counting = job(solution, solution.count_words_mapper, solution.sum_reducer)
    output, stats = run(solution, counting, REPETITIVE, workers=2, partitions=3)
    total = sum(len(words_oracle(text)) for _, text in REPETITIVE)
    got = (stats.map_inputs, stats.map_outputs, stats.shuffled, stats.reduce_keys, stats.partitions)
    expected = (len(REPETITIVE), total, total, len(output), 3)
    assert got == expected, (
        f"(map_inputs, map_outputs, shuffled, reduce_keys, partitions) = {got}, expected {expected} "
        "(no combiner, so every emitted pair crosses the shuffle)"
    )
    assert stats.map_tasks >= 2, f"30 inputs on 2 workers ran as {stats.map_tasks} map task(s); split the inputs"


def test_the_combiner_shrinks_the_shuffle(solution: ModuleType) -> None:
    """With WORD_COUNT's combiner, each map task sends one pair per distinct word: far fewer than it emitted."""
    output, stats = run(solution, solution.WORD_COUNT, REPETITIVE, workers=2)
    total = sum(len(words_oracle(text)) for _, text in REPETITIVE)
    per_input = sum(len(set(words_oracle(text))) for _, text in REPETITIVE)  # combining at least per input
    assert stats.map_outputs == total, f"stats.map_outputs = {stats.map_outputs}, expected {total}"
    assert len(output) <= stats.shuffled <= per_input, (
        f"{total} pairs were emitted and {stats.shuffled} shuffled; with the combiner run on each map task's "
        f"output the shuffle carries at most {per_input} (one per distinct word per input) and at least "
        f"{len(output)} (one per key). Did you run the combiner in the map task, before the shuffle?"
    )


# ---- processes -----------------------------------------------------------------------------------------------


def test_map_and_reduce_run_in_worker_processes(solution: ModuleType) -> None:
    """Mapper and reducer calls run in worker processes, never in the caller; with workers=2, two processes map."""
    inputs = [(f"r{i}", i) for i in range(24)]
    output, _ = run(solution, job(solution, jobs.key_and_pid, jobs.first), inputs, workers=2)
    pids = set(output.values())
    assert os.getpid() not in pids, (
        f"mapper calls ran in the calling process (pid {os.getpid()}); run_job must run them in worker processes "
        "(threads share one interpreter lock, so CPU-bound Python gets no faster with them)"
    )
    assert len(pids) >= 2, f"24 map calls of 20 ms with workers=2 all ran in one process (pid {pids})"
    reducers, _ = run(
        solution,
        job(solution, jobs.emit_pairs, jobs.pids_of_reducers),
        [("in", [(k, 1) for k in "abcdefgh"])],
        workers=2,
        partitions=4,
    )
    assert os.getpid() not in set(reducers.values()), "reducer calls ran in the calling process, not in workers"


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_never_more_worker_processes_than_workers(solution: ModuleType, workers: int) -> None:
    """While a job runs, the caller never has more than `workers` child processes."""
    inputs = [(f"r{i}", i) for i in range(30)]
    output, _ = run(solution, job(solution, jobs.sibling_count, jobs.first), inputs, workers=workers)
    most = max(output.values())
    assert most <= workers, f"with workers={workers} the caller had {most} child processes during the map phase"


def test_map_calls_in_different_workers_overlap_in_time(solution: ModuleType) -> None:
    """Workers map at the same time: of 4 calls of 0.3 s on 2 workers, two in different processes overlap."""
    inputs = [(f"r{i}", 0.3) for i in range(4)]
    output, _ = run(solution, job(solution, jobs.interval, jobs.first), inputs, workers=2)
    spans = list(output.values())
    overlaps = [
        (a, b) for i, a in enumerate(spans) for b in spans[i + 1 :] if a[0] != b[0] and a[1] < b[2] and b[1] < a[2]
    ]
    assert overlaps, (
        f"no two map calls in different workers ran at the same time ((pid, start, end): {spans}); are the map "
        "tasks handed out one at a time, waiting for each result (e.g. a blocking apply) before the next?"
    )


# ---- failures ------------------------------------------------------------------------------------------------


def test_a_mapper_exception_names_the_failing_input(solution: ModuleType) -> None:
    """A mapper raising on input "unlucky" gives JobError(phase="map", key="unlucky") from the original error."""
    inputs = [(f"in{i}", i) for i in range(12)] + [("unlucky", 0)] + [(f"in{i}", i) for i in range(12, 20)]
    err = expect_job_error(
        solution, lambda: solution.run_job(job(solution, jobs.fail_on_unlucky, jobs.add), inputs), "the mapper raised"
    )
    assert (err.phase, err.key) == ("map", "unlucky"), (
        f"JobError has phase={err.phase!r}, key={err.key!r}; expected 'map', 'unlucky'"
    )
    cause = err.__cause__
    assert type(cause) is jobs.Unlucky, (
        f"JobError.__cause__ is {cause!r}; expected the mapper's Unlucky exception (raise ... from)"
    )
    for part in ("unlucky", "Unlucky"):
        assert part in str(err), f"the message {str(err)!r} should contain {part!r}"
    assert_no_workers_left("a failed map")


def test_a_reducer_exception_names_the_key(solution: ModuleType) -> None:
    """A reducer raising on key "k7" gives JobError(phase="reduce", key="k7")."""
    inputs = [(f"in{i}", [(f"k{j}", 1) for j in range(10)]) for i in range(6)]
    err = expect_job_error(
        solution,
        lambda: solution.run_job(job(solution, jobs.emit_pairs, jobs.reduce_fail_on_k7), inputs),
        "the reducer raised",
    )
    assert (err.phase, err.key) == ("reduce", "k7"), (
        f"JobError has phase={err.phase!r}, key={err.key!r}; expected 'reduce', 'k7'"
    )
    assert type(err.__cause__) is jobs.Unlucky, f"JobError.__cause__ is {err.__cause__!r}; expected Unlucky"
    assert_no_workers_left("a failed reduce")


def test_an_exception_that_cannot_be_unpickled_still_gives_job_error(solution: ModuleType) -> None:
    """A mapper exception that pickles but can't be rebuilt still ends in JobError naming the input (not a hang)."""
    inputs = [(f"in{i}", i) for i in range(6)] + [("odd-one", 0)]
    err = expect_job_error(
        solution,
        lambda: solution.run_job(job(solution, jobs.fail_unpicklably, jobs.add), inputs),
        "NeedsTwoArgs raised",
    )
    assert (err.phase, err.key) == ("map", "odd-one"), f"JobError has phase={err.phase!r}, key={err.key!r}"
    assert "NeedsTwoArgs" in str(err), f"the message {str(err)!r} should name the exception type NeedsTwoArgs"
    assert_no_workers_left("a failed map")


@pytest.mark.time_limit(15)
def test_a_worker_that_dies_gives_job_error(solution: ModuleType) -> None:
    """A worker killed mid-map (os._exit) ends the job with JobError(phase="map") instead of hanging."""
    inputs = [(f"in{i}", i) for i in range(10)] + [("boom", 0)] + [(f"in{i}", i) for i in range(10, 20)]
    start = _monotonic()
    err = expect_job_error(
        solution, lambda: solution.run_job(job(solution, jobs.crash_on_boom, jobs.add), inputs), "a worker died"
    )
    assert err.phase == "map", f"JobError.phase is {err.phase!r}, expected 'map'"
    assert _monotonic() - start < 10, "JobError came more than 10 s after the start"
    assert_no_workers_left("a worker crash")


def test_a_failure_stops_the_remaining_work(solution: ModuleType, tmp_path: Path) -> None:
    """After input 0 fails, map tasks that haven't started don't run: of 80 inputs (in about 8 splits), far fewer
    than all are mapped."""
    log = tmp_path / "mapped.log"
    log.touch()
    inputs = [(i, str(log)) for i in range(80)]
    err = expect_job_error(
        solution,
        lambda: solution.run_job(job(solution, jobs.logged_nap, jobs.add), inputs, workers=2),
        "input 0 failed",
    )
    assert err.key == 0, f"JobError.key is {err.key!r}, expected 0"
    assert_no_workers_left("a failed map")
    mapped = len(log.read_text(encoding="utf-8").split())
    assert mapped <= 60, (
        f"{mapped} of 80 inputs were mapped although the first one failed at once; cut the inputs into about 4 "
        "splits per worker and cancel the tasks that haven't started (shutdown(cancel_futures=True)) instead of "
        "running them all"
    )


# ---- performance ---------------------------------------------------------------------------------------------

CPU_INPUTS = [(i, 40_000) for i in range(200)]  # 200 records of ~2 ms of pure-Python work: ~0.4 s in all
# The speed-up two processes can show depends on how much CPU the machine has free right now. Two forked busy
# loops measure it: ~2.0 CPU-seconds per wall-second on an idle 2-core machine, ~1.33 with one core busy (three
# processes share two cores), less when the machine is crowded. The catalog's 1.5x is required when the two cores
# are free; with about one core busy the best possible is ~1.33x (the reference gets ~1.25x), so 1.1x is
# required; below that no timing can tell a parallel run from a serial one (the structural tests above prove the
# parallelism), and the check only asks that the framework doesn't make the job twice as slow as a serial loop.
TIERS = ((1.85, 1.5), (1.2, 1.1), (0.0, 0.5))  # (at least this much free CPU, required speed-up)


def _required(capacity: float) -> float:
    return next(speedup for floor, speedup in TIERS if capacity >= floor)


def _options(capacity: float) -> dict[str, Any]:
    """Timing options. On a crowded machine every call is slow and the bar is far from a correct framework's
    speed, so one pair settles it unless it lands near the bar (the harness then adds pairs)."""
    if capacity >= TIERS[1][0]:
        return {"clock": "wall", "min_pairs": 5, "max_pairs": 15, "budget_s": 4.0}
    return {"clock": "wall", "min_pairs": 1, "max_pairs": 5, "budget_s": 4.0}


def _serial_cpu_job() -> dict[Any, Any]:
    return serial_oracle(jobs.burn, jobs.add, CPU_INPUTS)


@pytest.mark.perf
@pytest.mark.time_limit(60)
def test_parallel_speed_up_over_a_serial_run(solution: ModuleType, perf: Perf) -> None:
    """200 CPU-heavy records on 2 workers beat a serial loop: at least 1.5× with two free cores (wall clock; the
    bar drops to what the machine can show when other processes hold the cores)."""
    cpu_job = job(solution, jobs.burn, jobs.add)
    output, _ = run(solution, cpu_job, CPU_INPUTS[:4])
    assert output == serial_oracle(jobs.burn, jobs.add, CPU_INPUTS[:4]), "the CPU-heavy job gave a wrong result"
    capacity = cpu_capacity(seconds=0.3)
    name = f"run_job(200 CPU-heavy inputs, workers=2) vs a serial loop ({capacity:.2f} cores free)"
    try:
        perf.speedup(
            name,
            lambda: solution.run_job(cpu_job, CPU_INPUTS, workers=2),
            _serial_cpu_job,
            min_speedup=_required(capacity),
            **_options(capacity),  # type: ignore[arg-type]
        )
    except pytest.fail.Exception:
        later = cpu_capacity(seconds=0.3)  # the machine may have got busy during the measurement
        if _required(later) >= _required(capacity):
            raise
        perf.speedup(
            f"run_job(200 CPU-heavy inputs, workers=2) vs a serial loop ({later:.2f} cores free, rerun)",
            lambda: solution.run_job(cpu_job, CPU_INPUTS, workers=2),
            _serial_cpu_job,
            min_speedup=_required(later),
            **_options(later),  # type: ignore[arg-type]
        )
    assert_no_workers_left("the benchmark")
