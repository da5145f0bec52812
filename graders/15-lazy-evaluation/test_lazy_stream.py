"""Hidden grader for exercise 15: a lazy, chainable stream and a memoising thunk."""

from __future__ import annotations

import gc
import itertools
import operator
import tracemalloc
import weakref
from collections.abc import Callable, Iterable, Iterator
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


class CountingSource:
    """An iterable that counts the elements pulled from it and fails the test past `limit` pulls."""

    def __init__(self, items: Iterable[Any], limit: int | None = None) -> None:
        self.items = items
        self.limit = limit
        self.pulled = 0

    def __iter__(self) -> Iterator[Any]:
        for item in self.items:
            if self.limit is not None and self.pulled >= self.limit:
                # pytest.fail raises a BaseException: a broad `except Exception` in the pipeline cannot hide it.
                pytest.fail(
                    f"the pipeline pulled more than {self.limit:,} elements from an infinite source to "
                    "produce a few results; is a stage collecting its whole input (list(...), tuple(...))?",
                    pytrace=False,
                )
            self.pulled += 1
            yield item


class CountingCall:
    """A function wrapper that counts its calls."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.calls = 0

    def __call__(self, *args: Any) -> Any:
        self.calls += 1
        return self.func(*args)


def infinite(limit: int = 100_000) -> CountingSource:
    return CountingSource(itertools.count(), limit=limit)


def plain(value: Any) -> Any:
    """The element as builtins (ints, strs and tuples of them), or a test failure naming the odd type."""
    if type(value) in (int, str):
        return value
    if type(value) is tuple:
        return tuple(plain(v) for v in value)
    pytest.fail(
        f"the stream yielded {value!r} of type {type(value).__name__}; expected ints, strs or tuples "
        "(chunk, window and zip yield tuples)",
        pytrace=False,
    )


def collect(stream: Any) -> list[Any]:
    result = stream.to_list()
    assert type(result) is list, f"to_list() returned a {type(result).__name__}, expected a list"
    return [plain(v) for v in result]


# Laziness, proved with counting sources.


def test_building_a_pipeline_pulls_nothing_and_calls_nothing(solution: ModuleType) -> None:
    """Chaining every stage pulls no element from the source and calls none of the functions."""
    source = CountingSource(range(100))
    func, predicate, expand = CountingCall(abs), CountingCall(bool), CountingCall(lambda x: [x])
    other = CountingSource(range(100))
    solution.Stream(source).map(func).filter(predicate).flat_map(expand).chunk(2).window(2).zip(other).take(5)
    calls = (func.calls, predicate.calls, expand.calls)
    assert (source.pulled, other.pulled) == (0, 0), (
        f"building the pipeline pulled {source.pulled} element(s) from the source and {other.pulled} from zip's "
        "argument; nothing may run until the stream is iterated"
    )
    assert calls == (0, 0, 0), f"building the pipeline called map/filter/flat_map functions {calls} times; expected 0"


def test_iteration_pulls_one_element_at_a_time(solution: ModuleType) -> None:
    """next(iter(stream.map(f))) pulls exactly one element and calls f once; each next pulls one more."""
    source = CountingSource(range(100))
    func = CountingCall(lambda x: x * 10)
    iterator = iter(solution.Stream(source).map(func))
    first = next(iterator)
    assert (first, source.pulled, func.calls) == (0, 1, 1), (
        f"after one next(): got {first!r}, pulled {source.pulled}, map called {func.calls}; expected 0, 1, 1"
    )
    second = next(iterator)
    assert (second, source.pulled, func.calls) == (10, 2, 2), (
        f"after two next(): got {second!r}, pulled {source.pulled}, map called {func.calls}; expected 10, 2, 2"
    )


@pytest.mark.parametrize("n", [0, 1, 3, 7])
def test_take_never_pulls_one_element_too_many(solution: ModuleType, n: int) -> None:
    """map(f).take(n).to_list() pulls exactly n elements and calls f exactly n times."""
    source = CountingSource(range(100))
    func = CountingCall(lambda x: -x)
    got = collect(solution.Stream(source).map(func).take(n))
    assert got == [-x for x in range(n)], f"take({n}) gave {got}"
    assert source.pulled == n, (
        f"take({n}) pulled {source.pulled} elements from the source, expected exactly {n}; did you pull the next "
        "element before checking the count? (itertools.islice checks first)"
    )
    assert func.calls == n, f"map's function ran {func.calls} times for take({n}); expected {n}"


def test_filter_then_take_stops_at_the_last_needed_match(solution: ModuleType) -> None:
    """filter(p).take(3) pulls up to the third match and no further; p runs once per pulled element."""
    source = CountingSource(range(100))
    predicate = CountingCall(lambda x: x % 5 == 4)
    got = collect(solution.Stream(source).filter(predicate).take(3))
    assert got == [4, 9, 14], f"filter(x % 5 == 4).take(3) gave {got}"
    assert source.pulled == 15 and predicate.calls == 15, (
        f"pulled {source.pulled} elements and called the predicate {predicate.calls} times; expected 15 and 15 "
        "(the third match is element 14)"
    )


def test_chunk_and_window_pull_only_what_they_yield(solution: ModuleType) -> None:
    """chunk(4).take(2) pulls 8 elements; window(3).take(2) pulls 4."""
    source = CountingSource(range(100))
    got = collect(solution.Stream(source).chunk(4).take(2))
    assert got == [(0, 1, 2, 3), (4, 5, 6, 7)], f"chunk(4).take(2) gave {got}"
    assert source.pulled == 8, f"chunk(4).take(2) pulled {source.pulled} elements; expected 8"
    source = CountingSource(range(100))
    got = collect(solution.Stream(source).window(3).take(2))
    assert got == [(0, 1, 2), (1, 2, 3)], f"window(3).take(2) gave {got}"
    assert source.pulled == 4, (
        f"window(3).take(2) pulled {source.pulled} elements; expected 4 (each element is pulled once, and a window "
        "is yielded as soon as its last element arrives)"
    )


def test_flat_map_is_lazy_in_outer_and_inner_iterables(solution: ModuleType) -> None:
    """flat_map pulls outer elements only as needed, and pulls lazily from (even infinite) inner iterables."""
    source = CountingSource(range(100))
    got = collect(solution.Stream(source).flat_map(lambda x: (x, x)).take(3))
    assert got == [0, 0, 1], f"flat_map(lambda x: (x, x)).take(3) gave {got}"
    assert source.pulled == 2, f"flat_map(...).take(3) pulled {source.pulled} outer elements; expected 2"
    inner = infinite()
    got = collect(solution.Stream(["a", "b"]).flat_map(lambda s: inner).take(4))
    assert got == [0, 1, 2, 3], f"flat_map returning an infinite iterable, then take(4), gave {got}"
    assert inner.pulled == 4, f"pulled {inner.pulled} items from the inner iterable; expected 4"


def test_zip_pairs_with_infinite_iterables_and_streams(solution: ModuleType) -> None:
    """zip stops at the shorter side, accepts infinite iterables and Streams, and pulls only what it pairs."""
    got = collect(solution.Stream("xyz").zip(infinite()))
    assert got == [("x", 0), ("y", 1), ("z", 2)], f"Stream('xyz').zip(count()) gave {got}"
    source, other = CountingSource(range(100)), infinite()
    got = collect(solution.Stream(source).zip(solution.Stream(other).map(operator.neg)).take(3))
    assert got == [(0, 0), (1, -1), (2, -2)], f"zip with another Stream, then take(3), gave {got}"
    assert (source.pulled, other.pulled) == (3, 3), (
        f"zip(...).take(3) pulled {source.pulled} and {other.pulled} elements; expected 3 and 3"
    )


def test_every_stage_works_on_an_infinite_source(solution: ModuleType) -> None:
    """A pipeline of every stage over itertools.count() produces its first results and stops."""
    source = infinite()
    stream = (
        solution.Stream(source)
        .map(lambda x: x * 3)
        .filter(lambda x: x % 2 == 0)
        .flat_map(lambda x: (x, x + 1))
        .chunk(3)
        .window(2)
        .zip(infinite())
        .take(3)
    )
    got = collect(stream)
    expected = [(((0, 1, 6), (7, 12, 13)), 0), (((7, 12, 13), (18, 19, 24)), 1), (((18, 19, 24), (25, 30, 31)), 2)]
    assert got == expected, f"got {got}, expected {expected}"
    assert source.pulled <= 12, f"pulled {source.pulled} elements for 3 results; expected at most 12"


# Results.


def test_stages_give_the_documented_results(solution: ModuleType) -> None:
    """Each stage's edge cases: short chunks, no windows from a short stream, take past the end, nested Streams."""
    stream = solution.Stream
    cases: list[tuple[str, Any, list[Any]]] = [
        ("Stream(range(7)).chunk(3)", stream(range(7)).chunk(3), [(0, 1, 2), (3, 4, 5), (6,)]),
        ("Stream(range(6)).chunk(3)", stream(range(6)).chunk(3), [(0, 1, 2), (3, 4, 5)]),
        ("Stream('abcd').window(3)", stream("abcd").window(3), [("a", "b", "c"), ("b", "c", "d")]),
        ("Stream('ab').window(3)", stream("ab").window(3), []),
        ("Stream('ab').window(1)", stream("ab").window(1), [("a",), ("b",)]),
        ("Stream([]).chunk(2)", stream([]).chunk(2), []),
        ("Stream(range(3)).take(10)", stream(range(3)).take(10), [0, 1, 2]),
        ("Stream(Stream(range(3)).map(str))", stream(stream(range(3)).map(str)), ["0", "1", "2"]),
        ("Stream(range(4)).flat_map(range)", stream(range(4)).flat_map(range), [0, 0, 1, 0, 1, 2]),
        ("Stream(range(9)).filter(lambda x: x > 9)", stream(range(9)).filter(lambda x: x > 9), []),
        ("Stream(range(5)).zip('ab')", stream(range(5)).zip("ab"), [(0, "a"), (1, "b")]),
    ]
    for label, s, expected in cases:
        got = collect(s)
        assert got == expected, f"{label} gave {got}, expected {expected}"


def test_iteration_and_reduce_are_terminal_operations(solution: ModuleType) -> None:
    """for-loops over a stream and reduce(func, initial) see the same elements as to_list()."""
    seen = [x for x in solution.Stream(range(5)).map(lambda x: x * x)]
    assert seen == [0, 1, 4, 9, 16], f"iterating Stream(range(5)).map(square) gave {seen}"
    total = solution.Stream(range(5)).reduce(lambda acc, x: acc * 10 + x, 7)
    assert total == 701234, f"reduce(acc * 10 + x, 7) over 0..4 gave {total!r}, expected 701234"
    empty = solution.Stream([]).reduce(operator.add, "initial")
    assert empty == "initial", f"reduce over an empty stream gave {empty!r}, expected the initial value"


def test_invalid_sizes_raise_value_error_when_the_method_is_called(solution: ModuleType) -> None:
    """take(-1), chunk(0) and window(0) raise ValueError at the call, before anything is iterated.

    Did you check the argument inside a generator? Its body only runs at the first next().
    """
    stream = solution.Stream(range(10))
    for label, call in [
        ("take(-1)", lambda: stream.take(-1)),
        ("chunk(0)", lambda: stream.chunk(0)),
        ("window(0)", lambda: stream.window(0)),
        ("chunk(-3)", lambda: stream.chunk(-3)),
    ]:
        with pytest.raises(ValueError):
            call()
            pytest.fail(
                f"{label} returned without raising ValueError; validate in the method itself, a "
                "generator's body only runs at the first next()",
                pytrace=False,
            )


def key(value: Any) -> int:
    """An int for any element of the generated pipelines: ints are themselves, tuples sum their keys."""
    return value if type(value) is int else sum(key(v) for v in value)


Op = tuple[Any, ...]
OPS = st.one_of(
    st.tuples(st.just("map"), st.integers(-3, 3), st.integers(-5, 5)),
    st.tuples(st.just("filter"), st.integers(2, 4), st.integers(0, 3)),
    st.tuples(st.just("take"), st.integers(0, 25)),
    st.tuples(st.just("chunk"), st.integers(1, 4)),
    st.tuples(st.just("window"), st.integers(1, 4)),
    st.tuples(st.just("flat_map"), st.integers(0, 3)),
    st.tuples(st.just("zip"), st.integers(0, 25)),
)


def functions(op: Op) -> Any:
    """The function (or argument) an op passes to its stage: the same one for the stream and the eager oracle."""
    name, *args = op
    if name == "map":
        a, b = args
        return lambda v: key(v) * a + b
    if name == "filter":
        m, r = args
        return lambda v: key(v) % m == r % m
    if name == "flat_map":
        return lambda v: [key(v)] * (abs(key(v)) % (args[0] + 1))
    if name == "zip":
        return range(args[0])
    return args[0]


def eager(items: list[Any], op: Op) -> list[Any]:
    """The oracle: each stage computed on a whole list."""
    name, arg = op[0], functions(op)
    if name == "map":
        return [arg(v) for v in items]
    if name == "filter":
        return [v for v in items if arg(v)]
    if name == "take":
        return items[:arg]
    if name == "chunk":
        return [tuple(items[i : i + arg]) for i in range(0, len(items), arg)]
    if name == "window":
        return [tuple(items[i : i + arg]) for i in range(len(items) - arg + 1)]
    if name == "flat_map":
        return [x for v in items for x in arg(v)]
    return list(zip(items, arg, strict=False))


@settings(max_examples=150)
@given(st.lists(st.integers(-50, 50), max_size=30), st.lists(OPS, max_size=5))
def test_pipelines_equal_their_eager_equivalents(solution: ModuleType, items: list[int], ops: list[Op]) -> None:
    """Any pipeline of stages gives the same elements as the same steps done eagerly on lists."""
    expected = list(items)
    stream = solution.Stream(iter(items))
    for op in ops:
        expected = eager(expected, op)
        stream = getattr(stream, op[0])(functions(op))
    got = collect(stream)
    steps = ".".join(f"{op[0]}{op[1:]}" for op in ops)
    assert got == expected, f"Stream({items}).{steps} gave {got}, expected {expected}"


# Memory.

TEN_MILLION = 10_000_000


def peak_bytes(run: Callable[[], object]) -> tuple[object, int]:
    """run()'s result and the most memory (bytes, per tracemalloc) it held at once beyond what was there before."""
    was_tracing = tracemalloc.is_tracing()
    gc.collect()
    if not was_tracing:
        tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = run()
        return result, tracemalloc.get_traced_memory()[1] - before
    finally:
        if not was_tracing:
            tracemalloc.stop()


@pytest.mark.time_limit(60)
def test_ten_million_element_pipeline_runs_in_constant_memory(solution: ModuleType) -> None:
    """map/filter/take over 10^7 elements peaks below 2 MB (tracemalloc); a list of the input alone is 80 MB."""

    def run() -> int:
        source = itertools.islice(itertools.cycle(range(-100, 100)), TEN_MILLION)
        stream = solution.Stream(source).map(abs).filter(operator.truth).take(9_000_000)
        # sum() of a generator of 1s counts without allocating: the only memory is the pipeline's own.
        return sum(1 for _ in stream)

    count, peak = peak_bytes(run)
    assert count == 9_000_000, f"the pipeline yielded {count:,} elements, expected 9,000,000"
    assert peak < 2_000_000, (
        f"the 10^7-element pipeline held {peak / 1e6:.1f} MB at its peak (limit 2 MB); is a stage collecting its "
        "whole input into a list instead of yielding one element at a time?"
    )


@pytest.mark.time_limit(60)
def test_chunk_flat_map_and_window_run_in_constant_memory(solution: ModuleType) -> None:
    """chunk(100)/flat_map/window(5) over 10^6 elements peaks below 1 MB: O(size) each, never O(n)."""

    def run() -> int:
        source = itertools.islice(itertools.cycle(range(100)), 1_000_000)
        return sum(1 for _ in solution.Stream(source).chunk(100).flat_map(iter).window(5))

    count, peak = peak_bytes(run)
    assert count == 999_996, f"chunk(100).flat_map(iter).window(5) over 10^6 elements gave {count:,}, expected 999,996"
    assert peak < 1_000_000, (
        f"chunk/flat_map/window over 10^6 elements held {peak / 1e6:.1f} MB at its peak (limit 1 MB); a chunk or "
        "window needs only its last `size` elements (e.g. a collections.deque(maxlen=size) for window)"
    )


# Thunk.


def test_thunk_defers_and_computes_exactly_once(solution: ModuleType) -> None:
    """A thunk calls compute only at the first force(); later forces return the same object."""
    compute = CountingCall(lambda: ["value"])
    thunk = solution.Thunk(compute)
    assert compute.calls == 0, "constructing a Thunk called compute; it must wait for force()"
    assert thunk.is_forced is False, f"is_forced is {thunk.is_forced!r} before any force(); expected False"
    first = thunk.force()
    second = thunk.force()
    assert first == ["value"] and second is first, "force() must return compute's value, the same object each time"
    assert compute.calls == 1, f"compute ran {compute.calls} times for two force() calls; expected once"
    assert thunk.is_forced is True, f"is_forced is {thunk.is_forced!r} after force(); expected True"


def test_thunk_does_not_remember_a_failure(solution: ModuleType) -> None:
    """If compute raises, force() propagates it, the thunk stays unforced, and the next force() retries."""
    attempts: list[int] = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise KeyError("first attempt fails")
        return "ok"

    thunk = solution.Thunk(flaky)
    with pytest.raises(KeyError):
        thunk.force()
    assert thunk.is_forced is False, "is_forced is True after compute raised; a failure is not a value"
    got = thunk.force()
    assert got == "ok" and len(attempts) == 2, (
        f"the second force() returned {got!r} after {len(attempts)} attempt(s); expected 'ok' after retrying"
    )
    assert thunk.is_forced is True


class Payload:
    """Something big a thunk's closure captures."""

    size = 3


def test_forced_thunk_releases_its_computation(solution: ModuleType) -> None:
    """After force(), the thunk drops compute, so objects only its closure captured are freed."""

    def make() -> tuple[Any, weakref.ref[Payload]]:
        payload = Payload()
        return solution.Thunk(lambda: payload.size * 2), weakref.ref(payload)

    thunk, ref = make()
    gc.collect()
    assert ref() is not None, "the closure's object vanished before force(); the thunk must keep compute until then"
    assert thunk.force() == 6
    gc.collect()
    assert ref() is None, (
        "after force() the object captured by compute is still alive; set the stored function to None once the "
        "value is computed, so the closure can be freed"
    )


def test_thunk_forcing_itself_raises_runtime_error(solution: ModuleType) -> None:
    """A thunk whose compute forces the same thunk raises RuntimeError at once (not RecursionError)."""
    holder: list[Any] = []
    thunk = solution.Thunk(lambda: holder[0].force() + 1)
    holder.append(thunk)
    with pytest.raises(RuntimeError) as info:
        thunk.force()
    assert not isinstance(info.value, RecursionError), (
        "force() recursed until RecursionError; mark the thunk as running before calling compute and raise "
        "RuntimeError when force() finds it running"
    )


def test_thunk_map_is_lazy_and_shares_the_forced_value(solution: ModuleType) -> None:
    """thunk.map(f) forces nothing when created; forcing it forces the original once and calls f once."""
    compute = CountingCall(lambda: 20)
    func = CountingCall(lambda x: x + 1)
    base = solution.Thunk(compute)
    mapped = base.map(func)
    assert (compute.calls, func.calls) == (0, 0), "map() on a thunk ran something; it must only build a new thunk"
    assert mapped.force() == 21 and mapped.force() == 21, "mapped thunk gave a wrong value"
    assert base.is_forced is True, "forcing the mapped thunk must force the original"
    assert base.force() == 20
    assert (compute.calls, func.calls) == (1, 1), (
        f"compute ran {compute.calls} time(s) and the mapped function {func.calls}; expected once each"
    )
