"""Hidden grader for exercise 29: a task queue with a broker process, worker processes and a result backend.

Every test runs the learner's `task_queue.py` as real processes on 127.0.0.1 (a broker and 1–3 workers, each in
its own session, killed at teardown) and talks to the broker with the grader's own client, which speaks the
README's JSON-lines protocol. The task functions are the grader's (`_qtasks.py`): they leave files behind, so
the grader sees from outside which process ran what and how often. Time bounds are generous (seconds), and
only separate "recovers" from "hangs or loses work".
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _cluster import HOST, SCRIPT, Cluster, now

from kata.testing import free_port

_ids = itertools.count()


def expect(condition: bool, message: str) -> None:
    """Fail the test with exactly `message` (no assertion-rewriting noise) unless `condition` holds."""
    if not condition:
        pytest.fail(message, pytrace=False)


def new_id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


MakeCluster = Callable[..., Cluster]


@pytest.fixture
def cluster(solution_dir: Path, tmp_path: Path) -> Iterator[MakeCluster]:
    """`cluster(workers=…, visibility_timeout=…, max_attempts=…)` starts a broker and workers for this test."""
    made: list[Cluster] = []

    def make(workers: int, visibility_timeout: float = 5.0, max_attempts: int = 3) -> Cluster:
        logs = tmp_path / f"cluster-{len(made)}"
        logs.mkdir()
        c = Cluster(solution_dir, logs, free_port(HOST))
        made.append(c)
        c.start_broker(visibility_timeout, max_attempts)
        for _ in range(workers):
            c.start_worker()
        return c

    try:
        yield make
    finally:
        for c in made:
            c.close()


def check_result(response: dict[str, Any], status: str, what: str) -> None:
    expect(
        response.get("status") == status,
        f"{what}: the result was {response}, expected status {status!r}",
    )


# ---------------------------------------------------------------------------------------------- basics


def test_bad_usage_exits_with_code_2(solution_dir: Path) -> None:
    """A missing role, a missing --port or --tasks, or a bad option value exits with code 2."""
    cases = [
        [],
        ["frobnicate"],
        ["broker"],
        ["broker", "--port", "x"],
        ["broker", "--port", "1", "--max-attempts", "0"],
        ["broker", "--port", "1", "--visibility-timeout", "-1"],
        ["worker", "--port", "1"],
    ]
    procs = [
        subprocess.Popen(
            [sys.executable, "-I", str(solution_dir / SCRIPT), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        for args in cases
    ]
    try:
        for args, proc in zip(cases, procs, strict=True):
            try:
                _, err = proc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                pytest.fail(f"`task_queue.py {' '.join(args)}` was still running after 15 s", pytrace=False)
            expect(
                proc.returncode == 2,
                f"`task_queue.py {' '.join(args)}` exited with code {proc.returncode}, expected 2 (bad usage)",
            )
            expect(bool(err.strip()), f"`task_queue.py {' '.join(args)}` printed no usage message on stderr")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.mark.time_limit(40)
def test_tasks_run_on_workers_and_results_come_back(cluster: MakeCluster) -> None:
    """40 submitted tasks each get one result: status "done", the function's return value, 1 attempt."""
    c = cluster(workers=2)
    client = c.client()
    ids = [new_id("sq") for _ in range(40)]
    client.submit_all([{"id": i, "fn": "square", "args": [k]} for k, i in enumerate(ids)])
    results = c.wait_results(client, ids, now() + 15)
    missing = [i for i in ids if i not in results]
    expect(not missing, f"{len(missing)} of 40 `square` tasks had no result after 15 s{c.tail('worker-0')}")
    for k, task_id in enumerate(ids):
        r = results[task_id]
        expect(
            r.get("status") == "done" and r.get("value") == k * k and r.get("attempts") == 1,
            f"`square({k})`: the result was {r}, expected status 'done', value {k * k}, attempts 1",
        )
    stats = client.call({"op": "stats"})
    expect(
        (stats.get("done"), stats.get("failed"), stats.get("queued"), stats.get("in_flight")) == (40, 0, 0, 0),
        f"after 40 finished tasks `stats` answered {stats}, expected done=40 failed=0 queued=0 in_flight=0",
    )


@pytest.mark.time_limit(40)
def test_result_waits_up_to_wait_seconds_then_reports_pending(cluster: MakeCluster) -> None:
    """`result` with wait 0 answers "pending" at once; with a longer wait it returns as soon as the task is done."""
    c = cluster(workers=1)
    client = c.client()
    task_id = new_id("nap")
    client.submit_all([{"id": task_id, "fn": "nap", "args": [0.6, "zzz"]}])
    r = client.result(task_id, 0)
    check_result(r, "pending", "`result` with wait 0 right after submitting a 0.6 s task")
    t0 = now()
    r = client.result(task_id, 10)
    elapsed = now() - t0
    check_result(r, "done", "`result` with wait 10")
    expect(r.get("value") == "zzz", f"the result's value was {r.get('value')!r}, expected 'zzz'")
    expect(elapsed < 8, f"`result` with wait 10 returned after {elapsed:.1f} s; return as soon as the result exists")


def test_protocol_errors_get_an_error_response_and_the_connection_stays_usable(cluster: MakeCluster) -> None:
    """Bad JSON, unknown ops, missing fields, duplicate ids and unknown result ids answer ok=false, then carry on."""
    c = cluster(workers=0)
    client = c.client()
    task_id = new_id("dup")
    client.submit_all([{"id": task_id, "fn": "square", "args": [2]}])
    bad: list[tuple[str, dict[str, Any] | bytes]] = [
        ("a line that is not JSON", b"{not json"),
        ("a JSON line that is not an object", b"[1, 2]"),
        ("an unknown op", {"op": "frobnicate"}),
        ("a submit without an id", {"op": "submit", "fn": "square", "args": [1]}),
        ("a submit without fn", {"op": "submit", "id": new_id("x"), "args": [1]}),
        ("a submit whose args is not a list", {"op": "submit", "id": new_id("x"), "fn": "square", "args": 3}),
        ("a duplicate task id", {"op": "submit", "id": task_id, "fn": "square", "args": [3]}),
        ("a result for an unknown id", {"op": "result", "id": "no-such-task", "wait": 0}),
        ("an ack for a task nobody fetched", {"op": "ack", "id": task_id, "attempt": 1, "value": 0}),
    ]
    for what, request in bad:
        response = client.call(request)
        expect(
            response.get("ok") is False and isinstance(response.get("error"), str) and response["error"],
            f"{what}: the broker answered {response}, expected ok=false with an error message",
        )
    stats = client.call({"op": "stats"})
    expect(
        stats.get("ok") is True and stats.get("queued") == 1,
        f"after the bad requests `stats` answered {stats}: expected ok=true and the one good task queued",
    )


@pytest.mark.time_limit(40)
def test_failing_tasks_are_retried_up_to_max_attempts(cluster: MakeCluster, tmp_path: Path) -> None:
    """A task that raises is retried: one that fails twice succeeds on attempt 3; one that always fails stops at 3."""
    c = cluster(workers=2, max_attempts=3)
    client = c.client()
    twice, always, unknown = new_id("flaky"), new_id("flaky"), new_id("nofn")
    logs = {twice: tmp_path / "twice.log", always: tmp_path / "always.log"}
    client.submit_all(
        [
            {"id": twice, "fn": "flaky", "args": [str(logs[twice]), 2]},
            {"id": always, "fn": "flaky", "args": [str(logs[always]), 100]},
            {"id": unknown, "fn": "no_such_function", "args": []},
        ]
    )
    results = c.wait_results(client, [twice, always, unknown], now() + 15)
    expect(len(results) == 3, f"only {len(results)} of the 3 retried tasks got a result within 15 s: {results}")
    r = results[twice]
    expect(
        r.get("status") == "done" and r.get("value") == 3 and r.get("attempts") == 3,
        f"a task failing on its first 2 runs: the result was {r}, expected done with value 3 after 3 attempts",
    )
    r = results[always]
    expect(
        r.get("status") == "failed" and r.get("attempts") == 3,
        f"a task that always fails: the result was {r}, expected status 'failed' after 3 attempts",
    )
    expect(
        "failure 3" in str(r.get("error")),
        f"the failed task's error was {r.get('error')!r}; it should carry the last exception ('failure 3')",
    )
    r = results[unknown]
    expect(
        r.get("status") == "failed" and r.get("attempts") == 3,
        f"a task naming a function the tasks file doesn't have: the result was {r}, expected failed after 3 attempts",
    )
    time.sleep(0.5)
    runs = len(logs[always].read_text().splitlines())
    expect(runs == 3, f"the always-failing task ran {runs} times, expected exactly 3 (max attempts)")


# ---------------------------------------------------------------------------------------------- failures


TASKS = 500


@pytest.mark.time_limit(45)
def test_sigkill_of_a_worker_mid_task_loses_nothing(cluster: MakeCluster, tmp_path: Path) -> None:
    """3 workers, 500 tasks, two workers SIGKILLed mid-run: every task still gets exactly one result."""
    c = cluster(workers=3, visibility_timeout=2.0, max_attempts=3)
    client = c.client()
    held = tmp_path / "held.pid"
    hold_id = new_id("hold")
    tasks: list[dict[str, Any]] = [{"id": hold_id, "fn": "hold", "args": [str(held)]}]
    for k in range(TASKS - 1):
        tasks.append(
            {"id": new_id("t"), "fn": "nap", "args": [0.01, k]}
            if k % 10 == 0
            else {"id": new_id("t"), "fn": "square", "args": [k]}
        )
    client.submit_all(tasks)
    deadline = now() + 10
    while not held.exists() or not held.read_text():
        expect(now() < deadline, f"no worker started the first task within 10 s{c.tail('worker-0')}")
        time.sleep(0.02)
    victim = int(held.read_text())
    workers = {p.pid for p in c.procs[1:]}
    expect(victim in workers, f"the task ran in pid {victim}, which is not one of the workers {sorted(workers)}")
    os.kill(victim, signal.SIGKILL)
    c.start_worker()
    # A second SIGKILL at a random moment, once a third of the tasks are done: whatever that worker was doing
    # (running a task, waiting in fetch, sending an ack), nothing may be lost.
    deadline = now() + 15
    while (client.call({"op": "stats"}).get("done") or 0) < TASKS // 3 and now() < deadline:
        time.sleep(0.02)
    second = next(p.pid for p in c.procs[1:] if p.pid != victim)
    os.kill(second, signal.SIGKILL)
    ids = [t["id"] for t in tasks]
    results = c.wait_results(client, ids, now() + 15)
    missing = [i for i in ids if i not in results]
    expect(
        not missing,
        f"after SIGKILLing workers mid-run, {len(missing)} of {TASKS} tasks had no result 15 s later (first: "
        f"{missing[:3]}). A task must stay the broker's until a worker acks it: redeliver it when its worker's "
        f"connection drops or its visibility timeout expires{c.tail('broker')}",
    )
    r = results[hold_id]
    expect(
        r.get("status") == "done" and r.get("value") == "resumed" and r.get("attempts") == 2,
        f"the task whose worker was killed: the result was {r}, expected done, value 'resumed', attempts 2",
    )
    for k, task in enumerate(tasks[1:]):
        r = results[task["id"]]
        want = k if k % 10 == 0 else k * k
        expect(
            r.get("status") == "done" and r.get("value") == want,
            f"task {task['fn']}{tuple(task['args'])}: the result was {r}, expected done with value {want}",
        )
    stats = client.call({"op": "stats"})
    expect(
        (stats.get("done"), stats.get("failed"), stats.get("in_flight")) == (TASKS, 0, 0),
        f"at the end `stats` answered {stats}, expected done={TASKS} failed=0 in_flight=0 (exactly one result each)",
    )


@pytest.mark.time_limit(40)
def test_a_hung_workers_task_is_redelivered_and_its_late_ack_ignored(cluster: MakeCluster, tmp_path: Path) -> None:
    """A stopped worker's lease expires after the visibility timeout; its late ack can't replace the result."""
    c = cluster(workers=1, visibility_timeout=2.0, max_attempts=3)
    client = c.client()
    markers = tmp_path / "markers"
    markers.mkdir()
    task_id = new_id("stall")
    # A 1 s run: long enough for the grader to stop the worker before it ends, even on a loaded machine, and
    # short enough for the second worker to finish well within the 2 s visibility timeout.
    client.submit_all([{"id": task_id, "fn": "stall", "args": [1.0, str(markers)]}])
    deadline = now() + 10
    while not any(markers.iterdir()):
        expect(now() < deadline, f"the worker did not start the task within 10 s{c.tail('worker-0')}")
        time.sleep(0.02)
    stopped = c.procs[1]
    os.kill(stopped.pid, signal.SIGSTOP)  # hung, but its connection stays open: only the timeout can help
    c.start_worker()
    r = client.result(task_id, 10)
    check_result(r, "done", "the task of a stopped (hung) worker, 10 s later")
    expect(
        r.get("value") != stopped.pid and r.get("attempts") == 2,
        f"the result was {r}: expected the second worker's pid as value (not {stopped.pid}) and attempts 2. Did "
        "the lease expire after the visibility timeout and the task go to the other worker?",
    )
    os.kill(stopped.pid, signal.SIGCONT)  # it finishes its run and acks a lease that expired long ago
    finished = markers / f"{stopped.pid}.done"
    deadline = now() + 10
    while not finished.exists() and now() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # its ack's round trip
    again = client.result(task_id, 0)
    expect(
        again == r,
        f"after the hung worker woke up and acked its expired lease, the result changed from {r} to {again}: "
        "accept an ack only for the task's current lease",
    )
    stats = client.call({"op": "stats"})
    expect(stats.get("done") == 1, f"`stats` answered {stats}: one task, so done must be 1")


@pytest.mark.time_limit(40)
def test_visibility_timeouts_count_as_attempts(cluster: MakeCluster, tmp_path: Path) -> None:
    """A task that outlives the visibility timeout on every try fails after max attempts, saying it timed out."""
    c = cluster(workers=2, visibility_timeout=0.5, max_attempts=2)
    client = c.client()
    markers = tmp_path / "markers"
    markers.mkdir()
    task_id = new_id("slow")
    t0 = now()
    client.submit_all([{"id": task_id, "fn": "stall", "args": [30, str(markers)]}])
    r = client.result(task_id, 10)
    elapsed = now() - t0
    check_result(r, "failed", "a task that never finishes within the 0.5 s visibility timeout (max attempts 2)")
    expect(r.get("attempts") == 2, f"the result was {r}, expected attempts 2")
    expect("timeout" in str(r.get("error")).lower(), f"the error was {r.get('error')!r}; it should say timeout")
    expect(elapsed >= 0.9, f"the task failed {elapsed:.2f} s after submission: before two 0.5 s leases expired")
    runs = len([m for m in markers.iterdir() if m.suffix != ".done"])
    expect(runs == 2, f"the task started in {runs} worker processes, expected 2 (one per attempt)")
