"""Hidden grader for exercise 04: a lazy, exact arithmetic progression with slicing."""

from __future__ import annotations

import gc
import itertools
import signal
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction
from types import FrameType, ModuleType
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

Number = int | Fraction

# ---------------------------------------------------------------- oracles and helpers (independent of the reference)


def expand(start: Number, stop: Number, step: Number) -> list[Number]:
    """The elements by definition: start + i·step for i = 0, 1, … while short of stop."""
    out: list[Number] = []
    i = 0
    while True:
        x = start + i * step
        if (step > 0 and x >= stop) or (step < 0 and x <= stop):
            return out
        out.append(x)
        i += 1


def show(xs: Sequence[object], limit: int = 12) -> str:
    """A short, readable list: Fractions as 1/3, long lists cut in the middle."""
    items = [str(x) if type(x) is Fraction else repr(x) for x in xs]
    if len(items) > limit:
        items = [*items[: limit // 2], "…", *items[-limit // 2 :]]
    return "[" + ", ".join(items) + "]"


def call(args: tuple[Any, ...]) -> str:
    return "Progression(" + ", ".join(str(a) if type(a) is Fraction else repr(a) for a in args) + ")"


def plain(xs: object, what: str, limit: int = 10_000) -> list[Number]:
    """The learner's elements as a builtin list, checking each is an int or a Fraction (never trust __eq__)."""
    out: list[Number] = []
    for x in itertools.islice(xs, limit + 1):  # type: ignore[call-overload]
        assert type(x) is int or type(x) is Fraction, (
            f"{what} produced {x!r} of type {type(x).__name__}; elements must be int or Fraction"
        )
        out.append(x)
    assert len(out) <= limit, f"{what} produced more than {limit} elements"
    return out


def same(got: Sequence[Number], expected: Sequence[Number]) -> bool:
    """Equal values and equal types, element by element (1 and Fraction(1) are different answers here)."""
    return len(got) == len(expected) and all(type(g) is type(e) and g == e for g, e in zip(got, expected, strict=True))


def type_hint(got: Sequence[Number], expected: Sequence[Number]) -> str:
    if len(got) == len(expected) and all(g == e for g, e in zip(got, expected, strict=True)):
        return (
            "\nThe values are right but the types differ: element i is start + i·step, an int when start "
            "and step are ints and a Fraction otherwise."
        )
    return ""


def length_hint(got: int, expected: int) -> str:
    if got == expected - 1:
        return (
            "\nDid you round the length down? It is ceil((stop − start) / step): Progression(0, 10, 3) "
            "holds 0, 3, 6, 9."
        )
    return ""


# ---------------------------------------------------------------- strategies

# Hypothesis's "explain" phase costs ~10 s per failing test here; the shrunk example says enough.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]

# At most 48 elements: enough for every slice shape, small enough for Fraction arithmetic.
fractions = st.fractions(min_value=-6, max_value=6, max_denominator=4)
numbers = st.one_of(st.integers(-6, 6), fractions)
steps = st.one_of(
    st.integers(-4, 4).filter(bool),
    st.fractions(min_value=-3, max_value=3, max_denominator=4).filter(lambda f: abs(f) >= Fraction(1, 4)),
)
small_ints = st.integers(-25, 25)
int_steps = st.integers(-6, 6).filter(bool)
bounds = st.one_of(st.none(), st.integers(-60, 60))
strides = st.one_of(st.none(), st.integers(-7, 7).filter(bool))
slices = st.builds(slice, bounds, bounds, strides)


def slice_text(s: slice) -> str:
    def part(v: int | None) -> str:
        return "" if v is None else str(v)

    return f"[{part(s.start)}:{part(s.stop)}" + ("" if s.step is None else f":{s.step}") + "]"


# ---------------------------------------------------------------- the Sequence protocol


def test_progression_is_a_collections_abc_sequence(solution: ModuleType) -> None:
    """Progression is a collections.abc.Sequence (subclass it: the mixin methods come for free)."""
    p = solution.Progression(3)
    assert isinstance(p, Sequence), "Progression must subclass collections.abc.Sequence"
    got = plain(p, "iter(Progression(3))")
    assert same(got, [0, 1, 2]), f"list(Progression(3)) = {show(got)}, expected [0, 1, 2]"


@settings(max_examples=150, phases=PHASES)
@given(small_ints, small_ints, int_steps)
def test_constructor_forms_match_range(solution: ModuleType, a: int, b: int, c: int) -> None:
    """Progression(stop), Progression(start, stop) and Progression(start, stop, step) match range() on ints."""
    for args in [(a,), (a, b), (a, b, c)]:
        p, r = solution.Progression(*args), range(*args)
        n = len(p)
        assert type(n) is int and n == len(r), f"len({call(args)}) = {n!r}, expected {len(r)}" + length_hint(n, len(r))
        got = plain(p, f"iter({call(args)})")
        assert same(got, list(r)), f"list({call(args)}) = {show(got)}, expected {show(list(r))}"
        attrs = (p.start, p.stop, p.step)
        assert attrs == (r.start, r.stop, r.step), (
            f"{call(args)} has (start, stop, step) = {attrs!r}, expected {(r.start, r.stop, r.step)!r}"
        )


@settings(max_examples=200, phases=PHASES)
@given(numbers, numbers, steps)
def test_fraction_progressions_agree_with_the_definition(
    solution: ModuleType, start: Number, stop: Number, step: Number
) -> None:
    """With Fractions, element i is start + i·step for every i short of stop; len, indexing (negative too),
    iteration and reversed() all agree, and indices out of range raise IndexError."""
    args = (start, stop, step)
    expected = expand(*args)
    p = solution.Progression(*args)
    n = len(p)
    assert n == len(expected), f"len({call(args)}) = {n!r}, expected {len(expected)}" + length_hint(n, len(expected))
    got = plain(p, f"iter({call(args)})")
    assert same(got, expected), f"list({call(args)}) = {show(got)}, expected {show(expected)}" + type_hint(
        got, expected
    )
    back = plain(reversed(p), f"reversed({call(args)})")
    assert same(back, expected[::-1]), f"reversed({call(args)}) gave {show(back)}, expected {show(expected[::-1])}"
    for i in range(-n - 2, n + 2):
        if -n <= i < n:
            x = p[i]
            assert type(x) is type(expected[i]) and x == expected[i], (
                f"{call(args)}[{i}] = {x!r}, expected {expected[i]!r}"
                + ("; negative indices count from the end" if i < 0 else "")
            )
        else:
            with pytest.raises(IndexError):
                p[i]
                pytest.fail(f"{call(args)}[{i}] returned {p[i]!r}; expected IndexError (the length is {n})")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((0, 3, 1), [0, 1, 2]),
        ((0, Fraction(5, 2)), [0, 1, 2]),
        ((Fraction(0), 2), [Fraction(0), Fraction(1)]),
        ((0, 1, Fraction(1, 2)), [Fraction(0), Fraction(1, 2)]),
        ((Fraction(1, 3), 1, Fraction(1, 3)), [Fraction(1, 3), Fraction(2, 3)]),
    ],
)
def test_elements_have_the_type_of_start_plus_i_times_step(
    solution: ModuleType, args: tuple[Number, ...], expected: list[Number]
) -> None:
    """Elements are exactly start + i·step: ints when start and step are ints, Fractions otherwise (stop's
    type does not matter)."""
    got = plain(solution.Progression(*args), f"iter({call(args)})")
    types = [type(x).__name__ for x in got]
    assert same(got, expected), (
        f"list({call(args)}) = {[*map(repr, got)]} (types {types}), expected {[*map(repr, expected)]}"
        + type_hint(got, expected)
    )


def test_step_zero_raises_value_error(solution: ModuleType) -> None:
    """A zero step raises ValueError, as range(0, 5, 0) does."""
    for args in [(0, 5, 0), (Fraction(1, 2), 3, Fraction(0))]:
        with pytest.raises(ValueError):
            solution.Progression(*args)
            pytest.fail(f"{call(args)} did not raise ValueError")


@pytest.mark.parametrize(
    "args",
    [(0.5,), (0, 1.0), (0, 5, 0.5), ("3",), (None,), (Decimal("1.5"),), (0, 1j)],
    ids=["float-stop", "float-stop-2", "float-step", "str", "None", "Decimal", "complex"],
)
def test_arguments_other_than_int_or_fraction_raise_type_error(solution: ModuleType, args: tuple[Any, ...]) -> None:
    """Only ints and Fractions are accepted: floats, Decimals, strings, None and complex raise TypeError."""
    with pytest.raises(TypeError):
        solution.Progression(*args)
        pytest.fail(f"{call(args)} was accepted; expected TypeError (floats would make the length inexact)")


def test_start_stop_step_report_the_arguments(solution: ModuleType) -> None:
    """start/stop/step are the constructor's arguments; Progression(stop) has start 0 and step 1."""
    p = solution.Progression(Fraction(7, 2))
    assert (p.start, p.stop, p.step) == (0, Fraction(7, 2), 1), f"Progression(7/2): {(p.start, p.stop, p.step)}"
    q = solution.Progression(1, Fraction(9, 4), Fraction(1, 4))
    got = (q.start, q.stop, q.step)
    assert got == (1, Fraction(9, 4), Fraction(1, 4)), f"Progression(1, 9/4, 1/4) reports {got!r}"


def test_start_stop_step_are_read_only(solution: ModuleType) -> None:
    """A progression is hashable, so it must be immutable: assigning start, stop or step raises AttributeError."""
    p = solution.Progression(0, 10, 2)
    for name in ("start", "stop", "step"):
        with pytest.raises(AttributeError):
            setattr(p, name, 5)
            pytest.fail(f"p.{name} = 5 was allowed; make {name} a read-only property")


# ---------------------------------------------------------------- indexing and slicing


def test_bad_indices_raise_the_same_errors_as_list(solution: ModuleType) -> None:
    """p[len(p)] and p[-len(p) - 1] raise IndexError; p[1.0], p['1'] and p[None] raise TypeError."""
    p = solution.Progression(3)
    for i in (3, -4, 10**30):
        with pytest.raises(IndexError):
            p[i]
            pytest.fail(f"Progression(3)[{i}] returned {p[i]!r}; expected IndexError")
    with pytest.raises(IndexError):
        solution.Progression(0)[0]
    for bad in (1.0, "1", None):
        with pytest.raises(TypeError):
            p[bad]
            pytest.fail(f"Progression(3)[{bad!r}] returned {p[bad]!r}; expected TypeError, as list does")


@settings(max_examples=200, phases=PHASES)
@given(small_ints, small_ints, int_steps, slices, slices)
def test_int_slices_agree_with_range(solution: ModuleType, a: int, b: int, c: int, s1: slice, s2: slice) -> None:
    """Every slice (None, negative and out-of-range bounds, negative steps) of an int progression holds what
    the same slice of range() holds, is itself a Progression, and can be sliced again."""
    p, r = solution.Progression(a, b, c), range(a, b, c)
    sliced = p[s1]
    where = f"{call((a, b, c))}{slice_text(s1)}"
    assert type(sliced) is solution.Progression, (
        f"{where} returned a {type(sliced).__name__}; a slice must return a new Progression, computed from "
        "the slice's bounds (slice.indices) without building the elements"
    )
    got, expected = plain(sliced, where), list(r[s1])
    assert same(got, expected), f"{where} holds {show(got)}, expected {show(expected)} (as range{slice_text(s1)})"
    assert len(sliced) == len(expected), f"len({where}) = {len(sliced)}, expected {len(expected)}"
    twice = sliced[s2]
    where2 = where + slice_text(s2)
    assert type(twice) is solution.Progression, f"{where2} returned a {type(twice).__name__}, not a Progression"
    got2, expected2 = plain(twice, where2), list(r[s1][s2])
    assert same(got2, expected2), f"{where2} holds {show(got2)}, expected {show(expected2)}"


@settings(max_examples=200, phases=PHASES)
@given(numbers, numbers, steps, slices)
def test_fraction_slices_agree_with_list_slices(
    solution: ModuleType, start: Number, stop: Number, step: Number, s: slice
) -> None:
    """p[s] holds exactly list(p)[s], with the same element types, and is a Progression."""
    args = (start, stop, step)
    sliced = solution.Progression(*args)[s]
    where = f"{call(args)}{slice_text(s)}"
    assert type(sliced) is solution.Progression, f"{where} returned a {type(sliced).__name__}, not a Progression"
    got, expected = plain(sliced, where), expand(*args)[s]
    assert same(got, expected), f"{where} holds {show(got)}, expected {show(expected)}" + type_hint(got, expected)


def test_slice_step_zero_raises_value_error(solution: ModuleType) -> None:
    """p[::0] raises ValueError, as it does for a list."""
    with pytest.raises(ValueError):
        solution.Progression(10)[::0]


# ---------------------------------------------------------------- membership, index, count


def candidates(args: tuple[Number, Number, Number], elements: list[Number]) -> list[object]:
    start, _, step = args
    near = [start - step, start + step / 2, start + len(elements) * step, *elements[:3], *elements[-3:]]
    return [
        *near,
        *(float(x) for x in near),  # floats are members only when exactly equal (Fraction(1, 3) != 1/3)
        *(int(x) for x in near),
        "1",
        None,
        (1,),
    ]


@settings(max_examples=120, phases=PHASES)
@given(numbers, numbers, steps, st.lists(st.integers(-40, 40), max_size=2))
def test_membership_index_and_count_agree_with_list(
    solution: ModuleType, start: Number, stop: Number, step: Number, bounds: list[int]
) -> None:
    """`x in p`, p.count(x) and p.index(x[, start[, stop]]) answer what they answer on list(p), for ints,
    Fractions, floats and non-numbers alike."""
    args = (start, stop, step)
    elements = expand(*args)
    p = solution.Progression(*args)
    for x in candidates(args, elements):
        got = x in p
        assert got is (x in elements), f"{x!r} in {call(args)} returned {got!r}, expected {x in elements}"
        count = p.count(x)
        assert count == elements.count(x), f"{call(args)}.count({x!r}) = {count!r}, expected {elements.count(x)}"
        shown = ", ".join(map(repr, [x, *bounds]))
        try:
            expected: int | None = elements.index(x, *bounds)
        except ValueError:
            expected = None
        if expected is None:
            with pytest.raises(ValueError):
                got_index = p.index(x, *bounds)
                pytest.fail(f"{call(args)}.index({shown}) = {got_index!r}; expected ValueError")
        else:
            got_index = p.index(x, *bounds)
            assert type(got_index) is int and got_index == expected, (
                f"{call(args)}.index({shown}) = {got_index!r}, expected {expected}"
            )


# ---------------------------------------------------------------- equality, hashing, repr, truth

ELEMENTS = st.sampled_from([-2, -1, 0, 1, 2, Fraction(-1, 2), Fraction(1, 2), Fraction(2)])
STEPS = st.sampled_from([-1, 1, 2, Fraction(1, 2), Fraction(-1), Fraction(2)])


@settings(max_examples=200, phases=PHASES)
@given(ELEMENTS, ELEMENTS, STEPS, ELEMENTS, ELEMENTS, STEPS)
def test_equality_means_same_elements_and_equal_progressions_hash_equal(
    solution: ModuleType, a: Number, b: Number, c: Number, d: Number, e: Number, f: Number
) -> None:
    """p == q exactly when list(p) == list(q) (so all empty progressions are equal), and equal progressions
    have equal hashes."""
    p, q = solution.Progression(a, b, c), solution.Progression(d, e, f)
    equal = expand(a, b, c) == expand(d, e, f)
    got = p == q
    assert got is equal, (
        f"{call((a, b, c))} == {call((d, e, f))} returned {got!r}, expected {equal} "
        f"(their elements: {show(expand(a, b, c))} and {show(expand(d, e, f))})"
    )
    if equal:
        assert hash(p) == hash(q), f"{call((a, b, c))} == {call((d, e, f))} but their hashes differ"


def test_a_progression_never_equals_a_list_tuple_or_range(solution: ModuleType) -> None:
    """Progression(3) != [0, 1, 2], (0, 1, 2) and range(3), just as range(3) != [0, 1, 2]."""
    p = solution.Progression(3)
    for other in ([0, 1, 2], (0, 1, 2), range(3)):
        assert (p == other) is False and (p != other) is True, f"Progression(3) == {other!r} should be False"


@settings(max_examples=50, phases=PHASES)
@given(numbers, numbers, steps)
def test_repr_evaluates_back_to_an_equal_progression(
    solution: ModuleType, start: Number, stop: Number, step: Number
) -> None:
    """eval(repr(p)) (with Progression and Fraction in scope) rebuilds the same progression."""
    args = (start, stop, step)
    text = repr(solution.Progression(*args))
    assert isinstance(text, str) and text.startswith("Progression("), f"repr({call(args)}) = {text!r}"
    try:
        back = eval(text, {"Progression": solution.Progression, "Fraction": Fraction})
    except Exception as exc:
        pytest.fail(f"eval(repr({call(args)})) = eval({text!r}) raised {exc!r}", pytrace=False)
    assert type(back) is solution.Progression, f"eval({text!r}) is a {type(back).__name__}"
    got = (back.start, back.stop, back.step)
    assert got == args, f"eval({text!r}) has (start, stop, step) = {got!r}, expected {args!r}"


def test_only_empty_progressions_are_falsy(solution: ModuleType) -> None:
    """bool(p) is False exactly when p is empty."""
    for args, expected in [((0,), False), ((0, 5, -1), False), ((Fraction(1, 2), 0), False), ((1,), True)]:
        assert bool(solution.Progression(*args)) is expected, f"bool({call(args)}) should be {expected}"


# ---------------------------------------------------------------- laziness: memory and time


class _OverBudget(BaseException):
    """A BaseException, so a learner's `except Exception` cannot swallow it."""


@contextmanager
def cpu_budget(seconds: float) -> Iterator[None]:
    """Interrupt the block once it has used `seconds` of CPU time (the real-time timer is the test limit's)."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise _OverBudget

    previous = signal.signal(signal.SIGVTALRM, expire)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


def measured(fn: Callable[[], object], budget_s: float) -> tuple[object, int]:
    """(fn's result, peak bytes traced by tracemalloc while it ran), interrupting it past budget_s of CPU."""
    tracemalloc.start()
    try:
        with cpu_budget(budget_s):
            result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


MEMORY_LIMIT = 64 * 1024
START, STEP = Fraction(-5, 3), Fraction(7, 11)


def operations(cls: type, n: int) -> Iterator[tuple[str, Callable[[], object], object, str]]:
    """(what, thunk, expected result, hint) for every operation on an n-element progression.

    The expected results are computed here from the definition; n must be a multiple of 1000.
    """
    stop = START + n * STEP - Fraction(1, 13)  # not a multiple of the step, so the length is a ceiling
    holder: list[Any] = []
    name = f"Progression(-5/3, {n:_}·7/11 − 5/3 − 1/13, 7/11)"

    def build() -> int:
        holder.append(cls(START, stop, STEP))
        return 0

    yield f"{name} (the constructor)", build, 0, "did you build a list of the elements?"

    def p() -> Any:
        return holder[0]

    at = lambda i: START + i * STEP  # noqa: E731
    last, k = at(n - 1), n // 3
    yield "len(p)", lambda: len(p()), n, "compute the length with a ceiling division"
    yield "bool(p)", lambda: bool(p()), True, ""
    yield "p[-1]", lambda: p()[-1], last, "compute start + i·step"
    yield f"p[{k}]", lambda: p()[k], at(k), "compute start + i·step"
    yield (
        "p[::-7] (length, first, last)",
        lambda: _ends(p()[::-7]),
        ((n + 6) // 7, last, at((n - 1) % 7)),
        ("slice with slice.indices() and return a new Progression"),
    )
    sub = range(n // 10, n - n // 10, 3)
    yield (
        f"p[{n // 10}:-{n // 10}:3] (length, first, last)",
        lambda: _ends(p()[n // 10 : -(n // 10) : 3]),
        (
            len(sub),
            at(sub[0]),
            at(sub[-1]),
        ),
        "slice with slice.indices() and return a new Progression",
    )
    hint_in = "solve start + i·step == x for i; the Sequence mixin's __contains__ iterates over every element"
    yield "p[-1] in p", lambda: last in p(), True, hint_in
    yield "p[-1] + step/2 in p", lambda: last + STEP / 2 in p(), False, hint_in
    yield "p[0] - step in p", lambda: START - STEP in p(), False, hint_in
    yield f"p.index(p[{n - 2}])", lambda: p().index(at(n - 2)), n - 2, "the Sequence mixin's index() iterates"
    yield "p.count(p[5])", lambda: p().count(at(5)), 1, "the Sequence mixin's count() iterates"
    yield (
        "p == p[:] and hash(p) == hash(p[:])",
        lambda: p() == p()[:] and hash(p()) == hash(p()[:]),
        True,
        ("compare (length, first element, step), never the elements one by one"),
    )
    yield (
        "the first 3 of iter(p)",
        lambda: list(itertools.islice(iter(p()), 3)),
        [at(0), at(1), at(2)],
        ("iterate with a generator"),
    )
    yield (
        "the first 3 of reversed(p)",
        lambda: list(itertools.islice(reversed(p()), 3)),
        [
            last,
            at(n - 2),
            at(n - 3),
        ],
        "iterate with a generator over reversed(range(len(self)))",
    )


def strictly_equal(got: object, expected: object) -> bool:
    """== with the types checked first, so a learner object's own __eq__ cannot vouch for itself."""
    if type(got) is not type(expected):
        return False
    if isinstance(expected, tuple | list):
        assert isinstance(got, tuple | list)
        return len(got) == len(expected) and all(map(strictly_equal, got, expected))
    return got == expected


def _ends(q: Any) -> tuple[object, ...]:
    return (len(q), q[0], q[-1])


def memory_problems(cls: type, n: int, budget_s: float) -> list[str]:
    problems = []
    gc.collect()  # once, up front: a collection takes ~30 ms with hypothesis loaded
    for what, fn, expected, hint in operations(cls, n):
        try:
            got, peak = measured(fn, budget_s)
        except _OverBudget:
            problems.append(
                f"{what} used more than {budget_s:g} s of CPU on a {n:_}-element progression; it must be O(1): {hint}"
            )
            break
        assert strictly_equal(got, expected), f"on a {n:_}-element progression, {what} = {got!r}, expected {expected!r}"
        if peak > MEMORY_LIMIT:
            problems.append(
                f"{what} allocated {peak / 1024:,.0f} KiB at its peak on a {n:_}-element progression "
                f"(the limit is {MEMORY_LIMIT // 1024} KiB, whatever the length): {hint}"
            )
    return problems


@pytest.mark.time_limit(30)
def test_every_operation_uses_constant_memory(solution: ModuleType) -> None:
    """On a 20 000-element progression, every operation (constructor, len, indexing, slicing, in, index,
    count, ==, hash, the start of iteration) allocates under 64 KiB at its peak (tracemalloc)."""
    problems = memory_problems(solution.Progression, 20_000, budget_s=5.0)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.mark.time_limit(30)
def test_a_trillion_element_progression_costs_constant_memory_and_time(solution: ModuleType) -> None:
    """A 10**12-element progression works like a short one: every operation is O(1) in time (under 1 s of
    CPU) and in memory (under 64 KiB), and its answers are exact."""
    if memory_problems(solution.Progression, 20_000, budget_s=5.0):
        pytest.fail(
            "not attempted: your Progression allocates memory in proportion to its length (see "
            "test_every_operation_uses_constant_memory); at 10**12 elements that would need terabytes",
            pytrace=False,
        )
    problems = memory_problems(solution.Progression, 10**12, budget_s=1.0)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
