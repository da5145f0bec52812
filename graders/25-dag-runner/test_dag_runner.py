"""Hidden grader for exercise 25: a DAG task runner on concurrent.futures executors.

Ordering, failure propagation and "start as soon as your own dependencies are done" are checked with logs and
events, not clocks: task functions record a global sequence number under a lock when they start and end, and
tasks wait on each other's events. Only the critical-path and timeout tests read the clock, with wide margins.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import _dag_jobs as jobs
import psutil
import pytest
from _dag_jobs import Boom, GraderGateTimeout, Recorder
from hypothesis import given, settings
from hypothesis import strategies as st

from kata.testing import Source

_monotonic = time.monotonic  # bound before any learner code runs
FINAL = ("succeeded", "failed", "cancelled")


def expect(condition: bool, message: str) -> None:
    """Fail the test with exactly `message` unless `condition` holds."""
    if not condition:
        pytest.fail(message, pytrace=False)


@pytest.fixture(autouse=True)
def _no_leftover_processes() -> Iterator[None]:
    """Worker processes a test leaves behind (timed-out calls) are killed, so they can't disturb the next test."""
    yield
    children = psutil.Process().children(recursive=True)
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.kill()
    psutil.wait_procs(children, timeout=3)


# ---------------------------------------------------------------------------------------------------- helpers


@st.composite
def dags(draw: st.DrawFn, max_nodes: int = 10) -> dict[str, list[str]]:
    """A random DAG as {task: [dependencies]}: names shuffled, so name order says nothing about dependency order."""
    n = draw(st.integers(1, max_nodes))
    names = draw(st.permutations([f"t{i}" for i in range(n)]))
    deps: dict[str, list[str]] = {}
    for i, name in enumerate(names):
        deps[name] = draw(st.lists(st.sampled_from(names[:i]), unique=True, max_size=3)) if i else []
    return deps


Event = tuple[int, str, str, int, int, int]  # thread, kind, task, attempt, done, total


class Run:
    """One run_dag call with its progress events copied into plain tuples, and its wall time."""

    def __init__(self, solution: ModuleType, tasks: list[Any], **options: Any) -> None:
        self.events: list[Event] = []
        self.caller = threading.get_ident()

        def on_progress(event: Any) -> None:
            self.events.append((threading.get_ident(), event.kind, event.task, event.attempt, event.done, event.total))

        start = _monotonic()
        got = solution.run_dag(tasks, on_progress=on_progress, **options)
        self.seconds = _monotonic() - start
        expect(type(got) is dict, f"run_dag returned {type(got).__name__}, expected a dict of TaskResult")
        self.results: dict[str, Any] = {}
        for name, result in got.items():
            expect(
                type(result) is solution.TaskResult,
                f"results[{name!r}] is {type(result).__name__}, expected TaskResult",
            )
            expect(result.name == name, f"results[{name!r}].name is {result.name!r}")
            expect(result.status in FINAL, f"results[{name!r}].status is {result.status!r}, expected one of {FINAL}")
            self.results[name] = result

    def status(self) -> dict[str, str]:
        return {name: r.status for name, r in self.results.items()}


def make_tasks(solution: ModuleType, deps: dict[str, list[str]], rec: Recorder, **per_task: Any) -> list[Any]:
    return [
        solution.Task(name, rec.task(name, fail=per_task.get("fail", {}).get(name, 0)), tuple(ds))
        for name, ds in deps.items()
    ]


def check_events(run: Run, deps: dict[str, list[str]]) -> None:
    """Progress events: from the calling thread, one final event per task, consistent attempts and counters."""
    total = len(deps)
    finals = 0
    final_at: dict[str, int] = {}
    per_task: dict[str, list[tuple[str, int]]] = {name: [] for name in deps}
    for i, (thread, kind, task, attempt, done, tot) in enumerate(run.events):
        where = f"progress event {i} ({kind!r}, {task!r})"
        expect(thread == run.caller, f"{where} was delivered on another thread; call on_progress from run_dag's own")
        expect(task in deps, f"{where} names an unknown task")
        expect(tot == total, f"{where} has total={tot}, expected {total}")
        expect(task not in final_at, f"{where} comes after that task's final event")
        if kind in FINAL:
            finals += 1
            final_at[task] = i
        expect(
            done == finals,
            f"{where} has done={done}; expected {finals} (tasks that reached their final status so far, "
            "counting this one if this event is final)",
        )
        per_task[task].append((kind, attempt))
    expect(set(final_at) == set(deps), f"no final event for {sorted(set(deps) - set(final_at))}")
    for name, seq in per_task.items():
        result = run.results[name]
        if result.status == "cancelled":
            want = [("cancelled", 0)]
        else:
            want = []
            for attempt in range(1, result.attempts + 1):
                want.append(("started", attempt))
                want.append(("retrying", attempt) if attempt < result.attempts else (result.status, attempt))
        expect(seq == want, f"task {name!r}: progress events {seq}, expected {want}")
        first_start = next((i for i, e in enumerate(run.events) if e[1] == "started" and e[2] == name), None)
        for dep in deps[name]:
            if first_start is not None:
                expect(
                    final_at[dep] < first_start,
                    f"task {name!r} was started before its dependency {dep!r} succeeded",
                )


def check_started_after_dependencies(rec: Recorder, deps: dict[str, list[str]]) -> None:
    for name, ds in deps.items():
        for start in rec.started.get(name, []):
            for dep in ds:
                ends = rec.ended.get(dep, [])
                expect(
                    bool(ends) and max(ends) < start,
                    f"task {name!r} started before its dependency {dep!r} had finished; a task may start only "
                    "after every one of its dependencies succeeded",
                )


# ------------------------------------------------------------------------------------------- order, values


@settings(max_examples=40)
@given(deps=dags(), data=st.data())
def test_results_flow_along_dependencies_in_topological_order(
    solution: ModuleType, deps: dict[str, list[str]], data: st.DataObject
) -> None:
    """Every task runs once, after all its dependencies ended, and gets their results as arguments, in order."""
    rec = Recorder()
    order = data.draw(st.permutations(list(deps)), label="task list order")
    workers = data.draw(st.integers(1, 4), label="max_workers")
    tasks = make_tasks(solution, {name: deps[name] for name in order}, rec)
    run = Run(solution, tasks, max_workers=workers)
    expect(set(run.results) == set(deps), f"results for {sorted(run.results)}, expected {sorted(deps)}")
    want = jobs.expected_values(deps)
    for name in deps:
        result = run.results[name]
        expect(
            (result.status, result.attempts) == ("succeeded", 1),
            f"task {name!r}: status {result.status!r} after {result.attempts} attempt(s), expected succeeded after 1",
        )
        expect(
            result.value == want[name],
            f"task {name!r} (deps {deps[name]}) returned {result.value!r}, expected {want[name]!r}: is it called "
            "with its dependencies' results as positional arguments, in the order of `deps`?",
        )
        expect(len(rec.started.get(name, [])) == 1, f"task {name!r} ran {len(rec.started.get(name, []))} times")
    check_started_after_dependencies(rec, deps)
    check_events(run, deps)


def test_empty_dag_gives_an_empty_dict(solution: ModuleType) -> None:
    """run_dag([]) returns {} (and emits no progress event)."""
    run = Run(solution, [])
    expect(run.results == {} and run.events == [], f"got {run.results}, events {run.events}")


# ------------------------------------------------------------------------------------------------ parallelism


def test_a_task_starts_as_soon_as_its_own_dependencies_finish(solution: ModuleType) -> None:
    """a1 → a2 → a3 run while an unrelated task b is still busy: nobody waits for a whole "level" to finish."""
    a3_started = threading.Event()
    rec = Recorder()

    def b_body() -> None:
        jobs.wait_for(a3_started, "a3 to start while b runs (a3 depends only on a2, which depends only on a1)")

    tasks = [
        solution.Task("a1", rec.task("a1")),
        solution.Task("b", rec.task("b", body=b_body)),
        solution.Task("a2", rec.task("a2"), ("a1",)),
        solution.Task("a3", rec.task("a3", body=a3_started.set), ("a2",)),
        solution.Task("c", rec.task("c"), ("a3", "b")),
    ]
    run = Run(solution, tasks, max_workers=4)
    b = run.results["b"]
    expect(
        not isinstance(b.error, GraderGateTimeout),
        "task b (no dependencies) waited 3 s for a3 to start, and a3 never did while b was running: a3's only "
        "dependency chain a1 → a2 was done long before. Do you wait for every running task (a whole level) "
        "before starting newly ready ones? Submit each task the moment its own dependencies have succeeded.",
    )
    expect(run.status() == dict.fromkeys(["a1", "b", "a2", "a3", "c"], "succeeded"), f"statuses {run.status()}")


def test_total_time_follows_the_critical_path(solution: ModuleType) -> None:
    """Four chains of sleeps, each with its slow step at a different depth, take about the critical path (0.55 s)."""
    long_s, short_s = 0.4, 0.05
    tasks = []
    for chain in range(4):
        for step in range(4):
            seconds = long_s if step == chain else short_s
            deps = (f"c{chain}s{step - 1}",) if step else ()
            tasks.append(solution.Task(f"c{chain}s{step}", functools.partial(jobs.nap, seconds), deps))
    critical, by_levels, serial = long_s + 3 * short_s, 4 * long_s, 4 * (long_s + 3 * short_s)
    run = Run(solution, tasks, max_workers=4)
    expect(set(run.status().values()) == {"succeeded"}, f"statuses {run.status()}")
    expect(
        run.seconds < 1.0,
        f"the DAG took {run.seconds:.2f} s; its critical path is {critical:.2f} s (running level by level takes "
        f"{by_levels:.2f} s, one task at a time {serial:.2f} s). With max_workers=4 every chain should progress "
        "independently.",
    )


def test_never_more_than_max_workers_calls_at_once(solution: ModuleType) -> None:
    """With 9 independent tasks and max_workers=3, exactly 3 run at the same time."""
    rec = Recorder()
    full = threading.Event()

    def body() -> None:
        with rec.lock:
            if rec.active >= 3:
                full.set()
        full.wait(1.0)
        time.sleep(0.01)

    tasks = [solution.Task(f"t{i}", rec.task(f"t{i}", body=body)) for i in range(9)]
    run = Run(solution, tasks, max_workers=3)
    expect(set(run.status().values()) == {"succeeded"}, f"statuses {run.status()}")
    expect(rec.peak == 3, f"with max_workers=3 and 9 ready tasks, up to {rec.peak} task(s) ran at once; expected 3")


# ---------------------------------------------------------------------------------------------- validation


@settings(max_examples=40)
@given(deps=dags(max_nodes=8), data=st.data())
def test_a_cycle_is_detected_and_named(solution: ModuleType, deps: dict[str, list[str]], data: st.DataObject) -> None:
    """A dependency cycle raises CycleError before anything runs; .cycle names a real cycle: [a, b, …, a]."""
    names = list(deps)
    head = data.draw(st.sampled_from(names), label="cycle closes at")
    upstream = sorted(jobs.ancestors(deps, head) | {head})
    tail = data.draw(st.sampled_from(upstream), label="which depends on")
    cyclic = {name: list(ds) for name, ds in deps.items()}
    cyclic[tail] = [*cyclic[tail], head]  # head reaches tail through its dependencies; now tail depends on head
    rec = Recorder()
    tasks = make_tasks(solution, cyclic, rec)
    events: list[Any] = []
    try:
        solution.run_dag(tasks, on_progress=events.append)
    except solution.CycleError as exc:
        cycle = exc.cycle
    else:
        pytest.fail(f"no CycleError for a graph where {tail!r} depends on {head!r}: {cyclic}", pytrace=False)
    expect(
        isinstance(cycle, list) and all(type(n) is str for n in cycle),
        f"CycleError.cycle is {cycle!r}, expected a list of task names",
    )
    expect(
        len(cycle) >= 2 and cycle[0] == cycle[-1],
        f"CycleError.cycle is {cycle}; expected it to start and end with the same task, like ['a', 'b', 'a']",
    )
    expect(len(set(cycle[:-1])) == len(cycle) - 1, f"CycleError.cycle {cycle} visits a task twice")
    for a, b in itertools.pairwise(cycle):
        expect(
            b in cyclic.get(a, []),
            f"CycleError.cycle is {cycle}, but {a!r} does not depend on {b!r} (graph: {cyclic}). Name the cycle "
            "itself, not every task that could not be ordered.",
        )
    expect(not rec.started and not events, "tasks ran (or progress was reported) although the graph has a cycle")


def test_cycle_error_is_a_value_error_with_the_cycle_in_its_message(solution: ModuleType) -> None:
    """CycleError subclasses ValueError, and its message shows the cycle; a self-dependency is a cycle too."""
    rec = Recorder()
    with pytest.raises(ValueError) as info:
        solution.run_dag([solution.Task("solo", rec.task("solo"), ("solo",))])
    expect(type(info.value) is solution.CycleError, f"got {type(info.value).__name__}, expected CycleError")
    expect(info.value.cycle == ["solo", "solo"], f"cycle {info.value.cycle}, expected ['solo', 'solo']")
    tasks = [
        solution.Task("x", rec.task("x"), ("y",)),
        solution.Task("y", rec.task("y"), ("z",)),
        solution.Task("z", rec.task("z"), ("x",)),
    ]
    with pytest.raises(solution.CycleError) as info:
        solution.run_dag(tasks)
    message = str(info.value)
    expect(all(n in message for n in "xyz"), f"the CycleError message {message!r} should name x, y and z")


@pytest.mark.parametrize(
    "case",
    ["unknown dependency", "duplicate name", "retries=-1", "timeout=0", "max_workers=0", "executor='fiber'"],
)
def test_invalid_input_raises_value_error_before_anything_runs(solution: ModuleType, case: str) -> None:
    """Unknown dependencies, duplicate names, retries < 0, timeout ≤ 0, max_workers < 1, a bad executor."""
    rec = Recorder()
    a = solution.Task("a", rec.task("a"))
    tasks, options = [a, solution.Task("b", rec.task("b"), ("a",))], {}
    if case == "unknown dependency":
        tasks[1] = solution.Task("b", rec.task("b"), ("a", "ghost"))
    elif case == "duplicate name":
        tasks.append(solution.Task("a", rec.task("a2")))
    elif case == "retries=-1":
        tasks[1] = solution.Task("b", rec.task("b"), ("a",), retries=-1)
    elif case == "timeout=0":
        tasks[1] = solution.Task("b", rec.task("b"), ("a",), timeout=0)
    elif case == "max_workers=0":
        options = {"max_workers": 0}
    else:
        options = {"executor": "fiber"}
    with pytest.raises(ValueError) as info:
        solution.run_dag(tasks, **options)
    if case == "unknown dependency":
        expect("ghost" in str(info.value), f"the error {str(info.value)!r} should name the unknown task 'ghost'")
    expect(not rec.started, f"{case}: tasks ran before the input was rejected")


# --------------------------------------------------------------------------------------------------- failures


@settings(max_examples=40)
@given(deps=dags(), data=st.data())
def test_a_failure_cancels_its_dependents_and_independent_tasks_still_run(
    solution: ModuleType, deps: dict[str, list[str]], data: st.DataObject
) -> None:
    """A failed task's dependents (transitively) are cancelled and never run; every other task still runs."""
    failing = set(data.draw(st.lists(st.sampled_from(list(deps)), unique=True, max_size=3), label="failing"))
    rec = Recorder()
    tasks = make_tasks(solution, deps, rec, fail=dict.fromkeys(failing, 99))
    run = Run(solution, tasks, max_workers=data.draw(st.integers(1, 4), label="max_workers"))
    want = jobs.expected_statuses(deps, failing)
    got = run.status()
    wrong = {n: (got.get(n), want[n]) for n in deps if got.get(n) != want[n]}
    expect(
        not wrong,
        f"failing tasks {sorted(failing)} in {deps}: (got, expected) statuses differ for {wrong}. A task whose "
        "dependency failed or was cancelled is cancelled; a task with no failed ancestor must still run.",
    )
    for name, status in want.items():
        ran = len(rec.started.get(name, []))
        result = run.results[name]
        if status == "cancelled":
            expect(ran == 0, f"task {name!r} ran {ran} time(s) although a dependency failed")
            expect(
                result.attempts == 0 and result.error is None and result.value is None,
                f"a cancelled task has attempts=0, error=None, value=None; got {result}",
            )
        elif status == "failed":
            expect(isinstance(result.error, Boom), f"task {name!r}: error {result.error!r}, expected its Boom")
            expect(result.value is None and result.attempts == 1, f"task {name!r}: {result}")
    check_started_after_dependencies(rec, deps)
    check_events(run, deps)


def test_retries_rerun_a_failing_task(solution: ModuleType) -> None:
    """A task failing k times with `retries` r succeeds after k + 1 attempts if k ≤ r, else fails after r + 1."""
    cases = {"p": (0, 0), "q": (1, 1), "r": (2, 3), "s": (2, 1), "t": (3, 0)}  # name: (failures, retries)
    rec = Recorder()
    tasks = [solution.Task(n, rec.task(n, fail=k), retries=r) for n, (k, r) in cases.items()]
    tasks.append(solution.Task("after_s", rec.task("after_s"), ("s",)))
    run = Run(solution, tasks, max_workers=2)
    for name, (k, r) in cases.items():
        result = run.results[name]
        want = ("succeeded", k + 1) if k <= r else ("failed", r + 1)
        expect(
            (result.status, result.attempts) == want,
            f"task {name!r} fails {k} time(s) with retries={r}: got ({result.status!r}, attempts={result.attempts}), "
            f"expected {want}",
        )
        expect(len(rec.started[name]) == want[1], f"task {name!r} was called {len(rec.started[name])} times")
    expect(isinstance(run.results["s"].error, Boom), "a task that ran out of retries keeps its last exception")
    expect(run.results["after_s"].status == "cancelled", "the dependent of a task that ran out of retries runs")
    check_events(run, {**{n: [] for n in cases}, "after_s": ["s"]})


# --------------------------------------------------------------------------------------------------- timeouts


def test_a_timeout_fails_the_task_without_waiting_for_it(solution: ModuleType) -> None:
    """A call past its timeout fails with TimeoutError (retried if allowed); run_dag does not wait for it to end."""
    release = threading.Event()
    rec = Recorder()

    def stuck() -> None:
        release.wait(3.0)

    tasks = [
        solution.Task("slow", rec.task("slow", body=stuck), timeout=0.2, retries=1),
        solution.Task("after", rec.task("after"), ("slow",)),
        solution.Task("other", rec.task("other")),
    ]
    try:
        run = Run(solution, tasks, max_workers=4)
    finally:
        release.set()
    slow = run.results["slow"]
    expect(
        (slow.status, slow.attempts) == ("failed", 2) and isinstance(slow.error, TimeoutError),
        f"task 'slow' (stuck 3 s, timeout=0.2, retries=1): got ({slow.status!r}, attempts={slow.attempts}, "
        f"error={slow.error!r}), expected ('failed', 2, TimeoutError)",
    )
    expect(run.status()["after"] == "cancelled" and run.status()["other"] == "succeeded", f"{run.status()}")
    expect(
        run.seconds < 1.5,
        f"run_dag took {run.seconds:.2f} s; two 0.2 s timeouts should end it after about 0.4 s. Did you wait for "
        "the stuck calls (`with executor:` or shutdown(wait=True) waits for them)? Shut down with wait=False.",
    )


def test_a_timeout_counts_from_when_the_call_starts(solution: ModuleType) -> None:
    """With max_workers=1, four 0.25 s tasks with timeout=0.8 all succeed: waiting for a free worker is not running."""
    tasks = [solution.Task(f"t{i}", functools.partial(jobs.nap, 0.25), timeout=0.8) for i in range(4)]
    run = Run(solution, tasks, max_workers=1)
    expect(
        run.status() == dict.fromkeys([f"t{i}" for i in range(4)], "succeeded"),
        f"statuses {run.status()} (errors: { {n: r.error for n, r in run.results.items() if r.error} }). Each task "
        "takes 0.25 s of its 0.8 s; did you submit every ready task at once, so later ones timed out while queued "
        "in the executor? Keep at most max_workers calls submitted.",
    )


def test_threads_are_released_after_run_dag(solution: ModuleType) -> None:
    """When run_dag returns, its executor is shut down: its worker threads exit."""
    before = threading.active_count()
    rec = Recorder()
    run = Run(solution, [solution.Task(f"t{i}", rec.task(f"t{i}")) for i in range(8)], max_workers=4)
    expect(set(run.status().values()) == {"succeeded"}, f"statuses {run.status()}")
    deadline = _monotonic() + 2.0
    while threading.active_count() > before and _monotonic() < deadline:
        time.sleep(0.02)
    extra = threading.active_count() - before
    expect(extra <= 0, f"{extra} thread(s) were still alive 2 s after run_dag returned; shut the executor down")


# -------------------------------------------------------------------------------------------------- processes


@pytest.mark.time_limit(30)
def test_process_executor_runs_tasks_in_worker_processes(solution: ModuleType) -> None:
    """executor="process" runs the calls in other processes, passes results along, and reports failures."""
    tasks = [
        solution.Task("a", jobs.pid_and_sum),
        solution.Task("b", jobs.pid_and_sum),
        solution.Task("c", jobs.pid_and_sum, ("a", "b")),
        solution.Task("bad", jobs.refuse, ("a",)),
        solution.Task("after_bad", jobs.pid_and_sum, ("bad",)),
    ]
    run = Run(solution, tasks, max_workers=2, executor="process")
    want = {"a": "succeeded", "b": "succeeded", "c": "succeeded", "bad": "failed", "after_bad": "cancelled"}
    expect(run.status() == want, f"statuses {run.status()}, expected {want}")
    pids = {run.results[n].value[0] for n in "abc"}
    expect(os.getpid() not in pids, "with executor='process' the tasks ran in the calling process")
    expect(run.results["c"].value[1] == 3, f"c got {run.results['c'].value}, expected its deps' results (1 + 1 + 1)")
    error = run.results["bad"].error
    expect(
        type(error) is ValueError and "refused on purpose" in str(error),
        f"the failed task's error is {error!r}, expected ValueError('refused on purpose')",
    )


@pytest.mark.time_limit(30)
def test_process_executor_timeout_does_not_wait(solution: ModuleType) -> None:
    """With executor="process", a call past its timeout fails with TimeoutError and run_dag returns promptly."""
    tasks = [
        solution.Task("sleepy", functools.partial(jobs.nap, 4.0), timeout=0.3),
        solution.Task("quick", jobs.pid_and_sum),
    ]
    run = Run(solution, tasks, max_workers=2, executor="process")
    sleepy = run.results["sleepy"]
    expect(
        sleepy.status == "failed" and isinstance(sleepy.error, TimeoutError),
        f"task 'sleepy' (4 s, timeout=0.3): got {sleepy.status!r} with {sleepy.error!r}, expected failed/TimeoutError",
    )
    expect(run.results["quick"].status == "succeeded", f"statuses {run.status()}")
    expect(run.seconds < 3.0, f"run_dag took {run.seconds:.2f} s; it should not wait for the timed-out call (4 s)")


def _counts(events: list[Event]) -> Counter[str]:
    return Counter(kind for _, kind, *_ in events)


def test_progress_reports_every_step(solution: ModuleType) -> None:
    """on_progress sees started/retrying/succeeded/failed/cancelled events, with done counting up to total."""
    rec = Recorder()
    tasks = [
        solution.Task("ok", rec.task("ok")),
        solution.Task("flaky", rec.task("flaky", fail=1), ("ok",), retries=2),
        solution.Task("broken", rec.task("broken", fail=9), retries=1),
        solution.Task("orphan", rec.task("orphan"), ("broken", "flaky")),
    ]
    run = Run(solution, tasks, max_workers=2)
    want = Counter({"started": 5, "retrying": 2, "succeeded": 2, "failed": 1, "cancelled": 1})
    expect(_counts(run.events) == want, f"event kinds {dict(_counts(run.events))}, expected {dict(want)}")
    expect(run.events[-1][4:] == (4, 4), f"the last event has (done, total) = {run.events[-1][4:]}, expected (4, 4)")
    check_events(run, {"ok": [], "flaky": ["ok"], "broken": [], "orphan": ["broken", "flaky"]})


def test_builds_on_concurrent_futures_without_graphlib(source: Source) -> None:
    """No graphlib (ordering and cycles are the exercise), no hand-made threads or processes (use the executors)."""
    found = source.violations(
        {
            "graphlib": "topological ordering and cycle detection are part of the exercise",
            "threading.Thread": "run the tasks on a concurrent.futures executor",
            "multiprocessing.Process": "run the tasks on a concurrent.futures executor",
            "multiprocessing.Pool": "run the tasks on a concurrent.futures executor",
            "os.fork": "run the tasks on a concurrent.futures executor",
        }
    )
    expect(not found, "\n".join(found))
