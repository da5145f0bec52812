"""Hidden grader for exercise 24: a multi-stage asyncio pipeline with bounded queues.

The stage functions and sources are the grader's own (see _pipeline_probe.py): they count pulls, calls in
progress and finished items on the single event loop, so backpressure and concurrency are checked exactly, not
by timing. Only the throughput benchmark uses the clock.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

import pytest
from _pipeline_probe import (
    GateTimeout,
    Outcome,
    Probe,
    no_leftovers,
    run_on_virtual_clock,
    settle,
    wait_for_gate,
    yields,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from kata.testing import Source

RUN_LIMIT_S = 5.0


def expect(condition: bool, message: str) -> None:
    """Fail the test with exactly `message` (no assertion-rewriting noise) unless `condition` holds."""
    if not condition:
        pytest.fail(message, pytrace=False)


def run(solution: ModuleType, make: Callable[[], Awaitable[Any]], what: str = "run_pipeline") -> Outcome:
    """Run `make()` on a fresh event loop, bounded in time, and report how it ended and what it left behind."""

    async def main() -> Outcome:
        return await settle(asyncio.ensure_future(make()), RUN_LIMIT_S, what)

    return asyncio.run(main())


def result_of(solution: ModuleType, outcome: Outcome, what: str) -> tuple[list[Any], list[Any]]:
    """The outputs and failures of a run that should have returned normally, as plain lists."""
    if outcome.cancelled:
        pytest.fail(f"{what} was cancelled, though nobody cancelled it", pytrace=False)
    if outcome.error is not None:
        err = outcome.error
        pytest.fail(f"{what} raised {type(err).__name__}: {err}", pytrace=False)
    no_leftovers(outcome, what)
    result = outcome.value
    expect(
        type(result) is solution.PipelineResult, f"{what} returned {type(result).__name__}, expected a PipelineResult"
    )
    expect(type(result.outputs) is list, f"PipelineResult.outputs is {type(result.outputs).__name__}, expected list")
    expect(type(result.failures) is list, f"PipelineResult.failures is {type(result.failures).__name__}, expected list")
    return list(result.outputs), list(result.failures)


def pipeline_error(solution: ModuleType, outcome: Outcome, what: str) -> Any:
    """The PipelineError a run should have raised."""
    no_leftovers(outcome, what)
    err = outcome.error
    if err is None:
        got = "was cancelled" if outcome.cancelled else f"returned {outcome.value!r:.200}"
        pytest.fail(f"{what} should raise PipelineError, but it {got}", pytrace=False)
    if isinstance(err, BaseExceptionGroup):
        pytest.fail(
            f"{what} raised an exception group ({err!r:.200}); raise the PipelineError itself: unwrap what "
            "asyncio.TaskGroup raises (except* / .exceptions)",
            pytrace=False,
        )
    expect(type(err) is solution.PipelineError, f"{what} raised {type(err).__name__}: {err}; expected PipelineError")
    return err


OPS: dict[str, Callable[[int], int]] = {
    "add 3": lambda x: x + 3,
    "times 2": lambda x: x * 2,
    "minus 7": lambda x: x - 7,
    "square": lambda x: x * x,
}


def compose(names: list[str], x: int) -> int:
    for name in names:
        x = OPS[name](x)
    return x


def turns(salt: int) -> Callable[[Any], int]:
    """How many times a call yields, varying with the item so that items overtake each other."""
    return lambda x: (hash(x) * 2654435761 + salt) % 4


def op_stage(probe: Probe, n: int, name: str, delay: Callable[[Any], int]) -> Callable[[Any], Awaitable[Any]]:
    async def body(x: int) -> int:
        await yields(delay(x))
        return OPS[name](x)

    return probe.stage(n, body)


stage_specs = st.lists(
    st.tuples(st.sampled_from(sorted(OPS)), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2**16)),
    min_size=1,
    max_size=4,
)


# --------------------------------------------------------------------------------------------- dataflow


@settings(max_examples=60)
@given(items=st.lists(st.integers(-50, 50), max_size=30), specs=stage_specs, ordered=st.booleans())
def test_every_item_goes_through_every_stage(
    solution: ModuleType, items: list[int], specs: list[tuple[str, int, int, int]], ordered: bool
) -> None:
    """Each output is the composition of the stage functions on one source item; ordered=True keeps source order."""
    probe = Probe(len(specs))
    stages = [
        solution.Stage(op_stage(probe, n, name, turns(salt)), workers=w, queue_size=q)
        for n, (name, w, q, salt) in enumerate(specs)
    ]
    names = [s[0] for s in specs]
    outcome = run(solution, lambda: solution.run_pipeline(probe.source(items), stages, ordered=ordered))
    outputs, failures = result_of(solution, outcome, "run_pipeline")
    expected = [compose(names, x) for x in items]
    expect(failures == [], f"no stage failed, but result.failures = {failures!r:.300}")
    if ordered:
        expect(outputs == expected, f"stages {names} on {items} with ordered=True: got {outputs}, expected {expected}")
    else:
        expect(
            Counter(outputs) == Counter(expected),
            f"stages {names} on {items}: got outputs {outputs}, expected (in any order) {expected}",
        )
    expect(probe.pulled == len(items), f"the source was read {probe.pulled} times for {len(items)} items")
    for n, (_, workers, _, _) in enumerate(specs):
        expect(probe.peak[n] <= workers, f"stage {n} has workers={workers} but ran {probe.peak[n]} calls at once")


def test_async_iterable_sources_are_supported(solution: ModuleType) -> None:
    """An async iterable (here an async generator) works as the source, just like a plain iterable."""
    probe = Probe(2)
    stages = [
        solution.Stage(op_stage(probe, 0, "times 2", lambda x: 1), workers=2),
        solution.Stage(op_stage(probe, 1, "add 3", lambda x: x % 3), workers=3, queue_size=2),
    ]
    outcome = run(solution, lambda: solution.run_pipeline(probe.asource(range(20)), stages, ordered=True))
    outputs, _ = result_of(solution, outcome, "run_pipeline on an async generator")
    expect(outputs == [2 * x + 3 for x in range(20)], f"got {outputs}")


def test_empty_source_gives_an_empty_result(solution: ModuleType) -> None:
    """An empty source returns PipelineResult([], []) without calling any stage."""
    probe = Probe(2)
    stages = [solution.Stage(op_stage(probe, n, "add 3", lambda x: 0), workers=2) for n in range(2)]
    outcome = run(solution, lambda: solution.run_pipeline(probe.source([]), stages))
    outputs, failures = result_of(solution, outcome, "run_pipeline on an empty source")
    expect((outputs, failures) == ([], []), f"got outputs={outputs}, failures={failures}")
    expect(probe.entered == 0, f"a stage was called {probe.entered} time(s) with no items")


@pytest.mark.parametrize("ordered", [False, True])
def test_unordered_outputs_come_in_completion_order(solution: ModuleType, ordered: bool) -> None:
    """Unordered, a slow item does not hold back a faster one behind it; ordered, source order wins."""
    gate = asyncio.Event()
    probe = Probe(1)

    async def body(x: int) -> int:
        if x == 0:
            await wait_for_gate(gate, "item 1 to be processed (with workers=2 items 0 and 1 run at once)")
        else:
            gate.set()
        return x * 10

    stages = [solution.Stage(probe.stage(0, body), workers=2)]
    outcome = run(solution, lambda: solution.run_pipeline(probe.source([0, 1]), stages, ordered=ordered))
    outputs, _ = result_of(solution, outcome, f"run_pipeline(ordered={ordered})")
    expected = [0, 10] if ordered else [10, 0]
    hint = "" if ordered else "; item 1 finished first, so its output comes first: did you restore source order anyway?"
    expect(outputs == expected, f"ordered={ordered}: got {outputs}, expected {expected}{hint}")


# ------------------------------------------------------------------------------------ backpressure, concurrency


@settings(max_examples=40)
@given(
    workers=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    data=st.data(),
)
def test_in_flight_items_never_exceed_queues_plus_workers(
    solution: ModuleType, workers: list[int], data: st.DataObject
) -> None:
    """Items pulled but not yet finished never exceed 1 + Σ(queue_size + workers), even behind a slow last stage."""
    queue_sizes = data.draw(st.lists(st.integers(1, 3), min_size=len(workers), max_size=len(workers)))
    slow = data.draw(st.integers(3, 12), label="turns per call of the last stage")
    n = len(workers)
    probe = Probe(n)
    stages = [
        solution.Stage(
            op_stage(probe, i, "add 3", (lambda x: slow) if i == n - 1 else (lambda x: x % 2)),
            workers=w,
            queue_size=q,
        )
        for i, (w, q) in enumerate(zip(workers, queue_sizes, strict=True))
    ]
    items = list(range(60))
    outcome = run(solution, lambda: solution.run_pipeline(probe.source(items), stages))
    outputs, _ = result_of(solution, outcome, "run_pipeline")
    expect(sorted(outputs) == [x + 3 * n for x in items], f"wrong outputs: {outputs}")
    bound = probe.bound(workers, queue_sizes)
    expect(
        probe.max_in_flight <= bound,
        f"with workers={workers} and queue_size={queue_sizes}, up to {probe.max_in_flight} items were pulled from "
        f"the source and not yet finished; the bound is 1 + Σ(queue_size + workers) = {bound}. Are your queues "
        "bounded (asyncio.Queue(maxsize)), and does every worker hand its item on before taking the next?",
    )


def test_a_stuck_last_stage_stops_the_source_being_read(solution: ModuleType) -> None:
    """While the last stage is stuck, the pipeline fills its queues and then stops reading the source."""
    gate = asyncio.Event()
    probe = Probe(3)
    workers, queue_sizes = [2, 1, 2], [3, 2, 1]

    async def fast(x: int) -> int:
        return x

    async def stuck(x: int) -> int:
        await gate.wait()  # opened by the grader below; the whole run is bounded by `run`
        return x

    stages = [
        solution.Stage(probe.stage(0, fast), workers=2, queue_size=3),
        solution.Stage(probe.stage(1, fast), workers=1, queue_size=2),
        solution.Stage(probe.stage(2, stuck), workers=2, queue_size=1),
    ]
    pulled_while_stuck: list[int] = []

    async def scenario() -> Any:
        task = asyncio.ensure_future(solution.run_pipeline(probe.source(range(1000)), stages))
        await asyncio.sleep(0.3)
        pulled_while_stuck.append(probe.pulled)
        gate.set()
        return await task

    outcome = run(solution, scenario)
    outputs, _ = result_of(solution, outcome, "run_pipeline")
    bound = probe.bound(workers, queue_sizes)
    expect(
        pulled_while_stuck[0] <= bound,
        f"while the last stage was stuck, {pulled_while_stuck[0]} items were pulled from the source; at most "
        f"1 + Σ(queue_size + workers) = {bound} may be in flight. Unbounded queues (asyncio.Queue() without "
        "maxsize) or a read-ahead buffer break backpressure.",
    )
    expect(sorted(outputs) == list(range(1000)), "after the gate opened, not every item came out")


def test_each_stage_runs_up_to_workers_calls_at_once(solution: ModuleType) -> None:
    """A stage with workers=w runs w calls at the same time when items are waiting, and never more."""
    probe = Probe(2)
    full = [asyncio.Event(), asyncio.Event()]
    workers = [4, 3]

    def waiting_stage(n: int) -> Callable[[Any], Awaitable[Any]]:
        async def body(x: int) -> int:
            if probe.active[n] >= workers[n]:
                full[n].set()
            try:
                await wait_for_gate(full[n], f"{workers[n]} calls of stage {n} to be in progress at once")
            except GateTimeout:
                full[n].set()  # report the peak instead of failing every later item too
            await yields(2)
            return x

        return probe.stage(n, body)

    stages = [solution.Stage(waiting_stage(n), workers=workers[n]) for n in range(2)]
    outcome = run(solution, lambda: solution.run_pipeline(probe.source(range(12)), stages))
    outputs, _ = result_of(solution, outcome, "run_pipeline")
    expect(sorted(outputs) == list(range(12)), f"wrong outputs {outputs}")
    for n in range(2):
        expect(
            probe.peak[n] == workers[n],
            f"stage {n} has workers={workers[n]} and 12 items to do, but ran at most {probe.peak[n]} call(s) at "
            "once. Did you start every worker as its own task (create_task / TaskGroup), instead of awaiting "
            "them one after another?",
        )


def test_stages_work_at_the_same_time(solution: ModuleType) -> None:
    """Stage 0 works on item k + 1 while stage 1 works on item k: the stages form a pipeline, not batches."""
    probe = Probe(2)
    second_started = {i: asyncio.Event() for i in range(6)}

    async def first(x: int) -> int:
        if x > 0:
            await wait_for_gate(second_started[x - 1], f"stage 1 to start item {x - 1} while stage 0 holds item {x}")
        return x

    async def second(x: int) -> int:
        second_started[x].set()
        await yields(2)
        return x

    stages = [solution.Stage(probe.stage(0, first)), solution.Stage(probe.stage(1, second))]
    outcome = run(solution, lambda: solution.run_pipeline(probe.source(range(6)), stages, ordered=True))
    if isinstance(outcome.error, solution.PipelineError) and isinstance(outcome.error.__cause__, GateTimeout):
        pytest.fail(
            f"stage 0 waited for stage 1 to start on the previous item, which never happened "
            f"({outcome.error.__cause__}). Do all stages run at the same time, each on its own worker tasks, "
            "connected by queues?",
            pytrace=False,
        )
    outputs, _ = result_of(solution, outcome, "run_pipeline")
    expect(outputs == list(range(6)), f"got {outputs}, expected [0, 1, 2, 3, 4, 5]")


# ---------------------------------------------------------------------------------------------------- errors


class Boom(Exception):
    pass


def test_fail_policy_raises_pipeline_error_naming_the_item(solution: ModuleType) -> None:
    """Under "fail", run_pipeline raises PipelineError with the stage, item index, value, attempts and cause."""
    raised: list[Boom] = []
    probe = Probe(2)

    async def double(x: int) -> int:
        return 2 * x

    async def picky(x: int) -> int:
        if x == 14:
            raised.append(Boom("fourteen"))
            raise raised[-1]
        return x

    stages = [solution.Stage(probe.stage(0, double), workers=2), solution.Stage(probe.stage(1, picky))]
    outcome = run(solution, lambda: solution.run_pipeline(probe.source(range(20)), stages))
    err = pipeline_error(solution, outcome, 'a stage with on_error="fail" that raises')
    failure = err.failure
    got = (failure.stage, failure.index, failure.item, failure.attempts)
    expect(
        got == (1, 7, 14, 1),
        f"PipelineError.failure has (stage, index, item, attempts) = {got}, expected (1, 7, 14, 1): stage 1 "
        "failed on source item 7, whose value at stage 1 was 14",
    )
    expect(failure.exception is raised[0], f"failure.exception is {failure.exception!r}, not the exception raised")
    expect(
        err.__cause__ is raised[0],
        f"PipelineError.__cause__ is {err.__cause__!r}; raise it `from` the original exception",
    )


def test_fail_policy_cancels_calls_in_progress_at_once(solution: ModuleType) -> None:
    """A "fail" cancels every call still running in every stage and leaves no task behind."""
    probe = Probe(2)
    busy = asyncio.Event()

    async def stage0(x: int) -> int:
        if x >= 3:  # items 0..2 pass at once; items 3..5 then occupy all three workers for good
            if probe.active[0] == 3:
                busy.set()
            await asyncio.sleep(60)
        return x

    async def stage1(x: int) -> int:
        if x == 2:
            await wait_for_gate(busy, "stage 0 to run three calls at once")
            raise Boom("two")
        await asyncio.sleep(60)
        return x

    stages = [
        solution.Stage(probe.stage(0, stage0), workers=3, queue_size=2),
        solution.Stage(probe.stage(1, stage1), workers=3),
    ]
    outcome = run(solution, lambda: solution.run_pipeline(probe.source(range(10)), stages), "a failing run")
    err = pipeline_error(solution, outcome, "a failing run")
    expect(isinstance(err.failure.exception, Boom), f"expected the failure of item 2, got {err.failure}")
    expect(
        probe.entered == probe.exited,
        f"{probe.entered - probe.exited} stage call(s) were still running when run_pipeline raised: cancel every "
        "call in progress and wait for it to finish before raising",
    )
    expect(
        probe.cancelled == 5,
        f'{probe.cancelled} of the 5 never-ending calls (3 in stage 0, 2 in stage 1) were cancelled; a "fail" '
        "cancels the calls in progress in every stage",
    )


def test_skip_policy_drops_the_item_and_records_a_failure(solution: ModuleType) -> None:
    """Under "skip", a failing item produces no output, is listed in result.failures, and the run goes on."""
    raised: dict[int, Boom] = {}
    probe = Probe(3)

    async def plus_one(x: int) -> int:
        return x + 1

    async def no_fives(x: int) -> int:
        if x % 5 == 0:
            raised[x] = Boom(f"{x} is a multiple of 5")
            raise raised[x]
        return x * 10

    stages = [
        solution.Stage(probe.stage(0, plus_one), workers=2),
        solution.Stage(probe.stage(1, no_fives), on_error="skip", retries=4),
        solution.Stage(probe.stage(2, plus_one), workers=2),
    ]
    outcome = run(solution, lambda: solution.run_pipeline(probe.source(range(16)), stages, ordered=True))
    outputs, failures = result_of(solution, outcome, 'run_pipeline with on_error="skip"')
    expected = [(x + 1) * 10 + 1 for x in range(16) if (x + 1) % 5]
    expect(outputs == expected, f"got outputs {outputs}, expected {expected} (items 4, 9, 14 dropped)")
    got = [(f.stage, f.index, f.item, f.attempts) for f in failures]
    want = [(1, 4, 5, 1), (1, 9, 10, 1), (1, 14, 15, 1)]
    expect(
        got == want,
        f'result.failures as (stage, index, item, attempts) = {got}, expected {want}. Under "skip" a call is made '
        'once: retries applies to "retry" only',
    )
    expect(all(type(f) is solution.Failure for f in failures), "result.failures must hold Failure objects")
    expect(
        [f.exception for f in failures] == [raised[5], raised[10], raised[15]],
        "Failure.exception must be the exception object the stage raised",
    )


@settings(max_examples=40)
@given(
    retries=st.integers(0, 4),
    fails=st.lists(st.integers(0, 5), min_size=1, max_size=6),
)
def test_retry_policy_makes_one_plus_retries_attempts(solution: ModuleType, retries: int, fails: list[int]) -> None:
    """Under "retry", a call is repeated up to `retries` more times; an item failing every attempt is a "fail"."""
    attempts: Counter[int] = Counter()
    last: dict[int, Boom] = {}
    probe = Probe(1)

    async def flaky(i: int) -> int:
        attempts[i] += 1
        if attempts[i] <= fails[i]:
            last[i] = Boom(f"item {i}, attempt {attempts[i]}")
            raise last[i]
        return i * 100

    stages = [solution.Stage(probe.stage(0, flaky), on_error="retry", retries=retries)]
    outcome = run(solution, lambda: solution.run_pipeline(probe.source(range(len(fails))), stages, ordered=True))
    doomed = next((i for i, f in enumerate(fails) if f > retries), None)
    if doomed is None:
        if isinstance(outcome.error, solution.PipelineError):
            failure = outcome.error.failure
            pytest.fail(
                f"item {failure.index} fails {fails[failure.index]} time(s) and retries={retries} allows "
                f"{retries + 1} attempts, so it should succeed; but run_pipeline raised PipelineError after "
                f'{failure.attempts} attempt(s). "retry" makes 1 + retries attempts.',
                pytrace=False,
            )
        outputs, _ = result_of(solution, outcome, f'on_error="retry", retries={retries}')
        expect(
            outputs == [i * 100 for i in range(len(fails))],
            f"items failing {fails} times with retries={retries}: got outputs {outputs}",
        )
        want = {i: f + 1 for i, f in enumerate(fails)}
        expect(
            dict(attempts) == want,
            f"attempts per item {dict(attempts)}, expected {want}: an item that fails k ≤ retries times succeeds "
            "on attempt k + 1",
        )
        return
    err = pipeline_error(solution, outcome, f"an item failing {fails[doomed]} times with retries={retries}")
    got = (err.failure.index, err.failure.attempts, attempts[doomed])
    expect(
        got == (doomed, retries + 1, retries + 1),
        f"item {doomed} fails {fails[doomed]} times and retries={retries}: expected PipelineError for item "
        f"{doomed} after {retries + 1} attempts (1 + retries), got (index, attempts, calls made) = {got}",
    )
    expect(err.failure.exception is last[doomed], "the PipelineError must carry the last attempt's exception")


def test_fail_policy_makes_a_single_attempt(solution: ModuleType) -> None:
    """Under "fail" the call is not retried, whatever `retries` says."""
    calls: list[int] = []
    probe = Probe(1)

    async def once(x: int) -> int:
        calls.append(x)
        raise Boom("no")

    stages = [solution.Stage(probe.stage(0, once), on_error="fail", retries=3)]
    outcome = run(solution, lambda: solution.run_pipeline(probe.source([7]), stages))
    err = pipeline_error(solution, outcome, 'on_error="fail"')
    expect(
        calls == [7] and err.failure.attempts == 1,
        f'under "fail" the stage was called {len(calls)} times (attempts={err.failure.attempts}); expected once',
    )


def test_source_exception_propagates_unchanged(solution: ModuleType) -> None:
    """An exception raised by the source comes out of run_pipeline as itself, after the same clean-up."""
    boom = Boom("source broke")
    probe = Probe(1)

    def source() -> Any:
        yield from probe.source(range(3))
        raise boom

    async def slow(x: int) -> int:
        await asyncio.sleep(60)
        return x

    stages = [solution.Stage(probe.stage(0, slow), workers=2, queue_size=4)]
    outcome = run(solution, lambda: solution.run_pipeline(source(), stages), "a run whose source raises")
    no_leftovers(outcome, "a run whose source raises")
    expect(
        outcome.error is boom,
        f"expected the source's own Boom to propagate, got {outcome.error!r:.200} (cancelled={outcome.cancelled}); "
        "don't wrap it (unwrap the ExceptionGroup a TaskGroup raises)",
    )
    expect(probe.entered == probe.exited, "stage calls were still running when run_pipeline raised")


# ----------------------------------------------------------------------------------------- drain, cancellation


def test_stop_drains_every_item_already_pulled(solution: ModuleType) -> None:
    """Once `stop` is set nothing more is pulled, and every item already pulled still comes out."""
    stop = asyncio.Event()
    probe = Probe(2)
    pulled_at_stop: list[int] = []

    async def first(x: int) -> int:
        await yields(x % 3)
        return x

    async def second(x: int) -> int:
        if x == 10:
            stop.set()
            pulled_at_stop.append(probe.pulled)
        await yields(3)
        return x

    stages = [
        solution.Stage(probe.stage(0, first), workers=2, queue_size=2),
        solution.Stage(probe.stage(1, second), workers=2, queue_size=3),
    ]
    outcome = run(solution, lambda: solution.run_pipeline(probe.source(range(100_000)), stages, stop=stop))
    outputs, _ = result_of(solution, outcome, "run_pipeline with stop set midway")
    expect(pulled_at_stop, "item 10 never reached the last stage")
    expect(
        probe.pulled == pulled_at_stop[0],
        f"{probe.pulled - pulled_at_stop[0]} more item(s) were pulled from the source after `stop` was set; "
        "check `stop` before every pull",
    )
    expect(
        sorted(outputs) == list(range(probe.pulled)),
        f"{probe.pulled} items were pulled but {len(outputs)} came out: a graceful drain finishes every item "
        "already in flight instead of dropping it",
    )


def test_stop_abandons_a_pull_waiting_on_an_async_source(solution: ModuleType) -> None:
    """With an async source that has nothing more to give, setting `stop` still ends the run promptly."""
    stop = asyncio.Event()
    probe = Probe(1)

    async def last(x: int) -> int:
        if x == 4:
            stop.set()
        return x

    stages = [solution.Stage(probe.stage(0, last), workers=2)]
    source = probe.asource(range(5), then_wait_forever=True)
    outcome = run(
        solution,
        lambda: solution.run_pipeline(source, stages, stop=stop, ordered=True),
        "run_pipeline waiting on an async source after `stop` was set",
    )
    outputs, _ = result_of(solution, outcome, "run_pipeline with stop set while the source waits")
    expect(outputs == [0, 1, 2, 3, 4], f"got {outputs}, expected [0, 1, 2, 3, 4]")


def test_stop_set_before_the_call_pulls_nothing(solution: ModuleType) -> None:
    """If `stop` is already set, nothing is pulled and the result is empty."""
    stop = asyncio.Event()
    stop.set()
    probe = Probe(1)
    stages = [solution.Stage(op_stage(probe, 0, "add 3", lambda x: 0))]
    outcome = run(solution, lambda: solution.run_pipeline(probe.source(range(5)), stages, stop=stop))
    outputs, _ = result_of(solution, outcome, "run_pipeline with stop already set")
    expect(probe.pulled == 0 and outputs == [], f"pulled {probe.pulled} item(s), outputs {outputs}")


CANCEL_SCENARIOS = ["calls running", "feeder waiting for room", "async source waiting", "asyncio.timeout"]


@pytest.mark.parametrize("moment", CANCEL_SCENARIOS)
def test_cancelling_leaves_no_task_behind(solution: ModuleType, moment: str) -> None:
    """Cancelling the caller cancels every call in progress, propagates CancelledError, and leaves no task behind."""
    probe = Probe(2)

    async def quick(x: int) -> int:
        await yields(1)
        return x

    async def forever(x: int) -> int:
        await asyncio.sleep(60)
        return x

    source: Any = probe.source(range(100))
    if moment == "calls running":
        stages = [solution.Stage(probe.stage(0, forever), workers=3), solution.Stage(probe.stage(1, quick))]
        ready = lambda: probe.active[0] == 3  # noqa: E731
    elif moment == "feeder waiting for room":
        stages = [solution.Stage(probe.stage(0, quick), queue_size=2), solution.Stage(probe.stage(1, forever))]
        ready = lambda: probe.active[1] == 1 and probe.pulled >= 4  # noqa: E731
    elif moment == "async source waiting":
        stages = [solution.Stage(probe.stage(0, quick), workers=2), solution.Stage(probe.stage(1, quick))]
        ready = lambda: probe.finished == 3  # noqa: E731
        source = probe.asource(range(3), then_wait_forever=True)
    else:
        stages = [solution.Stage(probe.stage(0, forever), workers=2), solution.Stage(probe.stage(1, quick))]
        ready = lambda: probe.active[0] == 2  # noqa: E731

    async def scenario() -> tuple[Outcome, bool]:
        if moment == "asyncio.timeout":

            async def bounded() -> Any:
                async with asyncio.timeout(None) as deadline:

                    async def expire_when_ready() -> None:
                        for _ in range(500):
                            if ready():
                                break
                            await asyncio.sleep(0.01)
                        deadline.reschedule(asyncio.get_running_loop().time())

                    trigger = asyncio.ensure_future(expire_when_ready())
                    try:
                        return await solution.run_pipeline(source, stages)
                    finally:
                        trigger.cancel()
                        await asyncio.gather(trigger, return_exceptions=True)

            outcome = await settle(asyncio.ensure_future(bounded()), RUN_LIMIT_S, "run_pipeline under a timeout")
            return outcome, ready() or probe.cancelled == 2
        task = asyncio.ensure_future(solution.run_pipeline(source, stages))
        for _ in range(500):
            if ready() or task.done():
                break
            await asyncio.sleep(0.01)
        reached = ready()
        await asyncio.sleep(0.05)  # let the pipeline settle where it is stuck
        task.cancel()
        return await settle(task, RUN_LIMIT_S, "run_pipeline after being cancelled"), reached

    outcome, reached = asyncio.run(scenario())
    expect(reached, f"the pipeline never reached the point to cancel at ({moment}); pulled {probe.pulled} items")
    no_leftovers(outcome, f"cancelling run_pipeline ({moment})")
    if moment == "asyncio.timeout":
        expect(
            isinstance(outcome.error, TimeoutError),
            f"under asyncio.timeout() the run should end with TimeoutError, got "
            f"{outcome.error!r:.200} (value {outcome.value!r:.100}); let CancelledError propagate",
        )
    else:
        expect(
            outcome.cancelled,
            f"run_pipeline was cancelled but it {'raised ' + repr(outcome.error) if outcome.error else 'returned'}: "
            "let CancelledError propagate (re-raise it after cleaning up)",
        )
    expect(
        probe.entered == probe.exited,
        f"{probe.entered - probe.exited} stage call(s) were still running after the cancellation finished",
    )


# ---------------------------------------------------------------------------------------- validation, rules


@pytest.mark.parametrize(
    "bad",
    [
        {"stages": []},
        {"workers": 0},
        {"queue_size": 0},
        {"retries": -1},
        {"on_error": "ignore"},
    ],
    ids=["no stages", "workers=0", "queue_size=0", "retries=-1", "on_error='ignore'"],
)
def test_invalid_configuration_raises_value_error(solution: ModuleType, bad: dict[str, Any]) -> None:
    """Empty stages, workers < 1, queue_size < 1, retries < 0 or an unknown on_error raise ValueError."""
    probe = Probe(1)
    body = op_stage(probe, 0, "add 3", lambda x: 0)
    if "stages" in bad:
        stages: list[Any] = []
    else:
        stages = [solution.Stage(body), solution.Stage(body, **bad)]
    outcome = run(solution, lambda: solution.run_pipeline(probe.source(range(3)), stages))
    no_leftovers(outcome, "a rejected configuration")
    expect(
        isinstance(outcome.error, ValueError),
        f"{bad} should raise ValueError, got {outcome.error!r:.200} (returned {outcome.value!r:.100})",
    )
    expect(probe.pulled == 0, f"{bad}: the source was read before the configuration was checked")


def test_uses_asyncio_only(source: Source) -> None:
    """The pipeline runs on the event loop alone: no threads, executors or processes."""
    why = "everything here is I/O-bound: use asyncio tasks and queues"
    found = source.violations(
        {
            "threading": why,
            "concurrent.futures": why,
            "multiprocessing": why,
            "asyncio.to_thread": why,
            "queue.Queue": "use asyncio.Queue, not the thread-safe queue module",
        }
    )
    expect(not found, "\n".join(found))


# ------------------------------------------------------------------------------------------------ throughput


def _sleeping_stage(seconds: float) -> Callable[[Any], Awaitable[Any]]:
    async def sleep(x: int) -> int:
        await asyncio.sleep(seconds)
        return x

    return sleep


def test_throughput_scales_with_workers(solution: ModuleType) -> None:
    """12 items through a stage sleeping 1 s each take ≤ 1/3 of the time with 4 workers as with 1 (loop clock)."""
    elapsed = {}
    for workers in (1, 4):
        stages = [solution.Stage(_sleeping_stage(1.0), workers=workers, queue_size=2)]
        result, elapsed[workers] = run_on_virtual_clock(lambda st=stages: solution.run_pipeline(range(12), st))
        expect(len(result.outputs) == 12, f"workers={workers}: {len(result.outputs)} outputs for 12 items")
    expect(
        elapsed[4] <= elapsed[1] / 3 and elapsed[4] <= 4.5,
        f"12 items × 1 s of asyncio.sleep took {elapsed[1]:.2f} s of loop time with workers=1 and "
        f"{elapsed[4]:.2f} s with workers=4; expected at most a third (ideal: 12 s and 3 s). Do all the workers "
        "of a stage wait on their calls at the same time?",
    )


def test_stages_overlap_in_time(solution: ModuleType) -> None:
    """Two 1-second stages with one worker each take about 7 s for 6 items (pipelined), not 12 s (loop clock)."""
    stages = [solution.Stage(_sleeping_stage(1.0)), solution.Stage(_sleeping_stage(1.0))]
    result, elapsed = run_on_virtual_clock(lambda: solution.run_pipeline(range(6), stages, ordered=True))
    expect(list(result.outputs) == list(range(6)), f"wrong outputs {result.outputs!r:.200}")
    expect(
        elapsed <= 8.0,
        f"6 items through two stages of 1 s each took {elapsed:.2f} s of loop time; a pipeline needs 7 s (stage 1 "
        "works on item k while stage 0 works on item k + 1), doing the stages one after the other needs 12 s",
    )
