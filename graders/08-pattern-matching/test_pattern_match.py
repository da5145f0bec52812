"""Hidden grader for exercise 08: a pattern matching language checked against Python's own `match`."""

from __future__ import annotations

import ast
import collections
import textwrap
import types
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NoReturn

import pytest
from _match_oracle import GUARDS, PATTERNS, Node, V, learner_source, oracle, python_source, same_bindings, subject_for
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from kata.testing import Source

Mod = types.ModuleType

# No "explain" phase: on a failure it re-runs the test many times to annotate the example, which costs far more
# than it tells a learner here. One bug at a time is reported.
FAST = settings(report_multiple_bugs=False, phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])


def fail(message: str) -> NoReturn:
    """Fail with `message`; long lines are wrapped at 100 columns (the report panel crops, it doesn't wrap)."""
    lines = [
        textwrap.fill(line, 100, subsequent_indent="    ", break_on_hyphens=False) if len(line) > 100 else line
        for line in message.splitlines()
    ]
    pytest.fail("\n".join(lines), pytrace=False)


def run(mod: Mod, pattern_src: str, subject: Any) -> Any:
    """Build the pattern from its source with the learner's P, and match `subject`."""
    pattern = build(mod, pattern_src)
    return pattern.match(subject)


def build(mod: Mod, pattern_src: str, **names: Any) -> Any:
    return eval(pattern_src, {"P": mod.P, "V": V, **names})


def expect(mod: Mod, pattern_src: str, subject: Any, expected: dict[str, Any] | None, help: str = "") -> None:
    """Match and compare with `expected` (None = no match), values compared with == and exact types."""
    got = run(mod, pattern_src, subject)
    ok = (
        got is None
        if expected is None
        else type(got) is dict
        and set(got) == set(expected)
        and all(type(got[k]) is type(v) and got[k] == v for k, v in expected.items())
    )
    if not ok:
        message = f"{pattern_src}.match({subject!r})\n    returned {got!r}\n    expected {expected!r}"
        fail(message + (f"\n{help}" if help else ""))


# ---------------------------------------------------------------------------------------------------------
# items


def test_literals_match_by_equality_and_none_true_false_by_identity(solution: Mod) -> None:
    """1 matches 1.0 and True (==), but True matches only True and None only None (is)."""
    expect(solution, "P(1)", 1.0, {})
    expect(solution, "P(1)", True, {})
    expect(solution, "P(0.5)", 0.5, {})
    expect(solution, "P('a')", "a", {})
    expect(solution, "P(b'a')", bytearray(b"a"), {})
    expect(solution, "P(2)", 3, None)
    identity = "did you compare None, True and False with ==? Python matches them with `is`"
    expect(solution, "P(True)", 1, None, identity)
    expect(solution, "P(False)", 0, None, identity)
    expect(solution, "P(None)", 0, None, identity)
    expect(solution, "P(True)", True, {})
    big = int("1" + "0" * 20)  # equal to the literal below, but a different object
    expect(
        solution, "P(10**20)", big, {}, "did you compare literals with `is`? use == for everything but None/True/False"
    )


def test_classes_match_with_isinstance(solution: Mod) -> None:
    """A class C matches instances of C and its subclasses (so int matches True; object matches anything)."""
    expect(solution, "P(int)", True, {})
    expect(solution, "P(int)", 1.0, None)
    expect(solution, "P(object)", None, {})
    expect(solution, "P(dict)", collections.OrderedDict(), {})
    expect(solution, "P(str)", b"x", None)


def test_captures_bind_the_subject_object_itself(solution: Mod) -> None:
    """P.x binds the matched object itself (not a copy); P.x(item) binds it only if item matches."""
    subject = [10**20 + 1, [1, 2]]
    got = run(solution, "P[P.x, P.y(list)]", subject)
    assert type(got) is dict and set(got) == {"x", "y"}, f"P[P.x, P.y(list)].match(...) returned {got!r}"
    assert got["x"] is subject[0] and got["y"] is subject[1], "captures must bind the subject's own objects"
    expect(solution, "P.x(int)", "no", None)
    expect(solution, "P.x(P[1, 2])", (1, 2), {"x": (1, 2)})
    expect(solution, "P._", object, {})


def test_subscript_forms_of_p(solution: Mod) -> None:
    """P[a] is [a] like P[a,]; P[()] is []; only the top-level tuple is unpacked, so P[[1, 2]] is [[1, 2]]."""
    expect(solution, "P[1]", [1], {})
    expect(solution, "P[1]", 1, None, "P[1] is the one-item sequence [1], not the literal 1")
    expect(solution, "P[1,]", (1,), {})
    expect(solution, "P[()]", [], {})
    expect(solution, "P[()]", [1], None)
    expect(solution, "P[[1, 2]]", [[1, 2]], {})
    expect(solution, "P[[1, 2]]", [1, 2], None)
    expect(solution, "P[(1, 2),]", [(1, 2)], {})
    expect(solution, "P['x':int]", [5], {"x": 5})
    expect(solution, "P[...]", range(3), {})


def test_slice_captures_and_attribute_captures_agree(solution: Mod) -> None:
    """ "x":item inside P[...] is the same pattern as P.x(item); "x":None means `None as x`."""
    for subject in ([1, 2], [1, "a"], ["a", 2], [None, 2], [1]):
        a = run(solution, "P['x':int, 'y':P._]", subject)
        b = run(solution, "P[P.x(int), P.y]", subject)
        assert a == b, f"P['x':int, 'y':P._] gave {a!r} but P[P.x(int), P.y] gave {b!r} on {subject!r}"
    expect(solution, "P['x':None, 2]", [None, 2], {"x": None})
    expect(solution, "P['x':None, 2]", [1, 2], None, '"x":None captures only None (the slice\'s stop is None)')


# ---------------------------------------------------------------------------------------------------------
# sequences


def test_strings_bytes_and_bytearrays_are_not_sequences(solution: Mod) -> None:
    """A sequence pattern never matches a str, bytes or bytearray, even of the right length."""
    help = "did you accept any collections.abc.Sequence? str, bytes and bytearray are excluded, like in `match`"
    for subject in ("ab", b"ab", bytearray(b"ab")):
        expect(solution, "P[P.x, P.y]", subject, None, help)
    expect(solution, "P[P.x, P.y]", {"a": 1, "b": 2}, None, "a dict is not a Sequence")
    expect(solution, "P[P.x, P.y]", iter([1, 2]), None, "an iterator is not a Sequence")


def test_sequences_need_the_exact_length_without_a_star(solution: Mod) -> None:
    """Without a star the lengths must be equal; with one, the subject needs at least the other items."""
    expect(solution, "P[1, 2]", [1, 2, 3], None)
    expect(solution, "P[1, 2]", [1], None)
    expect(solution, "P[1, ..., 2]", [1, 2], {})
    expect(solution, "P[1, ..., 2]", [1], None)
    expect(solution, "P[1, ..., 2]", [1, 7, 8, 2], {})


def test_star_takes_exactly_what_the_items_after_it_leave(solution: Mod) -> None:
    """The star's extent is fixed by the subject's length: it never stops early at an element that matches."""
    help = (
        "did you let the star stop at the first element that matches the item after it? The star takes exactly "
        "len(subject) - (number of other items) elements; no search is needed"
    )
    expect(solution, "P['init':..., 'last':0]", [0, 1, 0], {"init": [0, 1], "last": 0}, help)
    expect(solution, "P[..., int]", [1, 2], {}, help)
    expect(solution, "P['a':..., 0, 0]", [0, 0, 0], {"a": [0]}, help)
    expect(solution, "P[1, 'mid':..., 1]", [1, 1, 1, 1], {"mid": [1, 1]}, help)
    expect(solution, "P['mid':..., str, str]", ["a", "b", "c"], {"mid": ["a"]}, help)


def test_star_binds_a_new_list_of_the_middle(solution: Mod) -> None:
    """A named star binds a list (even for a tuple or range subject) of the elements between its neighbours."""
    expect(solution, "P[int, 'rest':...]", (1, 2, 3), {"rest": [2, 3]})
    expect(solution, "P[int, 'rest':...]", (1,), {"rest": []})
    expect(solution, "P['a':..., 'b':P._]", range(4), {"a": [0, 1, 2], "b": 3})
    subject = [1, 2]
    got = run(solution, "P['all':...]", subject)
    assert type(got) is dict and got.get("all") == [1, 2] and got["all"] is not subject, (
        f"P['all':...].match(xs) returned {got!r}; the star must bind a new list, not the subject itself"
    )


class Only(Sequence[Any]):
    """A Sequence with only what the ABC promises: len() and integer indexes (no slices)."""

    def __init__(self, *items: Any) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, int):
            raise TypeError("this sequence supports integer indexes only (like a deque)")
        return self._items[index]


def test_any_sequence_works_with_len_and_integer_indexes(solution: Mod) -> None:
    """Sequence patterns work on a deque and a minimal Sequence class: use len() and integer indexes only."""
    help = "a deque (or any Sequence) can't be sliced: read elements with integer indexes"
    expect(solution, "P[1, 'rest':..., 9]", collections.deque([1, 2, 3, 9]), {"rest": [2, 3]}, help)
    expect(solution, "P['xs':..., 'y':P._]", Only(4, 5, 6), {"xs": [4, 5], "y": 6}, help)
    expect(solution, "P[P.a, P.b]", Only(4, 5), {"a": 4, "b": 5}, help)


# ---------------------------------------------------------------------------------------------------------
# mappings


class Frozen(Mapping[Any, Any]):
    def __init__(self, **items: Any) -> None:
        self._items = items

    def __getitem__(self, key: Any) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def test_mapping_patterns_need_their_keys_and_ignore_the_others(solution: Mod) -> None:
    """Every key must be present with a matching value; extra keys are fine; any Mapping works."""
    expect(solution, "P({'id': P.id})", {"id": 1, "name": "x"}, {"id": 1})
    expect(solution, "P({'id': P.id})", {"name": "x"}, None)
    expect(solution, "P({'id': int})", {"id": "1"}, None)
    expect(solution, "P({'v': None})", {}, None, "a missing key is not the same as a key whose value is None")
    expect(solution, "P({'v': None})", {"v": None}, {})
    expect(solution, "P({})", {"a": 1}, {})
    expect(solution, "P({})", [], None, "a list is not a Mapping")
    expect(solution, "P({'a': P.a})", Frozen(a=1, b=2), {"a": 1})
    expect(solution, "P({'a': P.a})", types.MappingProxyType({"a": 3}), {"a": 3})
    counts: collections.defaultdict[str, int] = collections.defaultdict(int)
    expect(
        solution,
        "P({'missing': P.m})",
        counts,
        None,
        "did you read subject[key]? a defaultdict invents missing keys: check `key in subject` first",
    )
    assert "missing" not in counts, "matching added a key to a defaultdict; check `key in subject` first"


def test_mapping_rest_binds_a_new_dict_of_the_other_items(solution: Mod) -> None:
    """...: P.rest binds a new dict of the items the pattern didn't name, in the subject's order."""
    subject = {"z": 0, "id": 1, "a": 2}
    got = run(solution, "P({'id': int, ...: P.rest})", subject)
    assert type(got) is dict and type(got.get("rest")) is dict, f"got {got!r}; rest must be a dict"
    assert list(got["rest"].items()) == [("z", 0), ("a", 2)], f"rest = {got['rest']!r}, expected {{'z': 0, 'a': 2}}"
    assert subject == {"z": 0, "id": 1, "a": 2}, "matching changed the subject; build a new dict for rest"
    expect(solution, "P({...: P.rest})", Frozen(a=1), {"rest": {"a": 1}})


# ---------------------------------------------------------------------------------------------------------
# matching, guards, errors


def test_patterns_are_reusable_and_failed_matches_leave_no_trace(solution: Mod) -> None:
    """One pattern matches many subjects; every match() returns a fresh dict; failures return None."""
    pattern = build(solution, "P[P.x, 0]")
    first = pattern.match([1, 0])
    assert first == {"x": 1}, f"P[P.x, 0].match([1, 0]) returned {first!r}"
    first["junk"] = True
    missing = pattern.match([2, 1])
    assert missing is None, f"P[P.x, 0].match([2, 1]) returned {missing!r}, expected None (not {{}})"
    again = pattern.match([3, 0])
    assert again == {"x": 3}, (
        f"the next match returned {again!r}, expected {{'x': 3}}\ndid you keep the bindings on the pattern?"
    )
    nested = build(solution, "P({'a': P[P.x, 1]})")
    assert nested.match({"a": [5, 2]}) is None
    assert nested.match({"a": [6, 1]}) == {"x": 6}


def test_where_adds_a_guard_over_the_bindings(solution: Mod) -> None:
    """where(guard) returns a new pattern; the guard gets the bindings dict; its exceptions propagate."""
    base = build(solution, "P[P.x, P.y]")
    seen: list[Any] = []

    def ordered(b: dict[str, Any]) -> bool:
        seen.append(dict(b))
        return bool(b["x"] <= b["y"])

    guarded = base.where(ordered)
    assert guarded.match([1, 2]) == {"x": 1, "y": 2}
    assert seen == [{"x": 1, "y": 2}], f"the guard was called with {seen!r}, expected [{{'x': 1, 'y': 2}}]"
    assert guarded.match([2, 1]) is None, "where(guard) matched although the guard returned False"
    assert base.match([2, 1]) == {"x": 2, "y": 1}, "where() changed the original pattern; return a new one"
    assert build(solution, "P[P.x].where(lambda b: b['x'])").match([0]) is None, "a falsy guard result must fail"
    with pytest.raises(ZeroDivisionError):
        base.where(lambda b: 1 / 0).match([1, 2])
        fail("an exception raised by the guard was swallowed; let it propagate")
    calls: list[Any] = []
    inner = build(solution, "P.y(int)").where(lambda b: calls.append(dict(b)) or True)
    outer = build(solution, "P[P.x, inner]", inner=inner)
    assert outer.match(["a", 5]) == {"x": "a", "y": 5}
    assert calls == [{"y": 5}], f"a nested guard must see only its own pattern's names, it saw {calls!r}"


MALFORMED = [
    ("P[..., ...]", "two stars in one sequence"),
    ("P['a':..., 1, 'b':...]", "two stars in one sequence"),
    ("P[P.x, P.x]", "the same name bound twice"),
    ("P[P.x, {'k': P.x}]", "the same name bound twice, in a nested mapping"),
    ("P.x(P[P.x])", "the same name bound twice, by a capture and its sub-pattern"),
    ("P({'a': P.x, ...: P.x})", "the same name bound twice, by a rest"),
    ("P(...)", "`...` outside a sequence"),
    ("P({'a': ...})", "`...` as a mapping value"),
    ("P.x(...)", "`...` as a capture's sub-pattern"),
    ("P[1:2]", "a slice whose start is not a name"),
    ("P['_':int]", "a slice named _"),
    ("P['not a name':int]", "a slice whose start is not an identifier"),
    ("P['x':int:2]", "a slice with a step"),
    ("P({...: 'rest'})", "`...:` with a value that is not a capture"),
    ("P({...: P.r(int)})", "`...:` with a capture that has a sub-pattern"),
    ("P.x(int)(str)", "calling a capture that already has a sub-pattern"),
]


def test_malformed_patterns_raise_pattern_error_when_built(solution: Mod) -> None:
    """Malformed patterns raise PatternError (a ValueError) as soon as they are built, before any match."""
    assert issubclass(solution.PatternError, ValueError), "PatternError must subclass ValueError"
    for src, why in MALFORMED:
        try:
            build(solution, src)
        except solution.PatternError:
            continue
        except Exception as exc:
            fail(f"{src} raised {type(exc).__name__}: {exc}; expected PatternError ({why})")
        fail(f"{src} was accepted; expected PatternError ({why})")


def test_p_has_no_public_attributes_and_dunders_raise_attribute_error(solution: Mod) -> None:
    """Every P.<name> is a capture (even P.match or P.where); P.__name__-style lookups raise AttributeError."""
    expect(solution, "P.match", 3, {"match": 3})
    expect(solution, "P[P.where, P.items]", [1, 2], {"where": 1, "items": 2})
    with pytest.raises(AttributeError):
        solution.P.__deepcopy__  # noqa: B018
        fail("P.__deepcopy__ did not raise AttributeError")


# ---------------------------------------------------------------------------------------------------------
# properties: agreement with Python's own `match` statement


def _check_against_python(mod: Mod, node: Node, subject: Any, guard_name: str | None) -> None:
    guard = GUARDS[guard_name] if guard_name else None
    expected = oracle(node, guard)(subject)
    src = learner_source(node)
    if guard_name:
        src = f"({src}).where({guard_name})"
    pattern = build(mod, src, **GUARDS)
    got = pattern.match(subject)
    case = f"case {python_source(node)}" + (f" if {guard_name}(bindings)" if guard_name else "")
    if expected is None:
        problem = "" if got is None else f"it returned {got!r}, but Python's match does not match"
    elif got is None:
        problem = f"it returned None, but Python's match binds {expected!r}"
    else:
        problem = same_bindings(expected, got, node)
    if problem:
        message = (
            f"your pattern:  {src}\nthe subject:   {subject!r}\n{problem}\n"
            f"Python's equivalent:\n    match subject:\n        {case}:"
        )
        if guard_name:
            message += (
                "\n(every_value_truthy(b) is all(b.values()); an_even_number_of_truthy_values(b) is "
                "sum(map(bool, b.values())) % 2 == 0)"
            )
        fail(message)


@st.composite
def pattern_and_subject(draw: st.DrawFn) -> tuple[Node, Any]:
    node = draw(PATTERNS)
    return node, draw(subject_for(node))


@pytest.mark.time_limit(30)
@settings(FAST, max_examples=300)
@given(case=pattern_and_subject())
def test_agrees_with_python_match_on_generated_patterns(solution: Mod, case: tuple[Node, Any]) -> None:
    """On generated patterns and subjects, match() binds exactly what Python's `match` statement binds."""
    _check_against_python(solution, *case, None)


@pytest.mark.time_limit(30)
@settings(FAST, max_examples=100)
@given(case=pattern_and_subject(), guard=st.sampled_from(sorted(GUARDS)))
def test_agrees_with_python_match_with_guards(solution: Mod, case: tuple[Node, Any], guard: str) -> None:
    """With a guard, where() agrees with Python's `case pattern if guard:`."""
    _check_against_python(solution, *case, guard)


FLAT_ITEMS = st.one_of(
    st.sampled_from([0, 1, "a"]).map(lambda v: ("lit", v)),
    st.sampled_from(["int", "str"]).map(lambda c: ("cls", c)),
    st.just(("wild",)),
)


@st.composite
def star_case(draw: st.DrawFn) -> tuple[Node, Any]:
    """A flat sequence pattern with a star in the middle, and a list of 0s, 1s and "a"s."""
    before = tuple(draw(st.lists(FLAT_ITEMS, max_size=2)))
    after = tuple(draw(st.lists(FLAT_ITEMS, min_size=1, max_size=3)))
    node = ("seq", before, "rest", after, "P")
    subject = draw(st.lists(st.sampled_from([0, 1, "a"]), max_size=7))
    return node, subject


@pytest.mark.time_limit(30)
@settings(FAST, max_examples=200)
@given(case=star_case())
def test_agrees_with_python_match_on_stars_followed_by_items(solution: Mod, case: tuple[Node, Any]) -> None:
    """Star patterns with items after the star: the star takes exactly what Python's `match` gives it."""
    _check_against_python(solution, *case, None)


# ---------------------------------------------------------------------------------------------------------
# constraints


def _forbidden(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Match):
            yield node.lineno, "a `match` statement"
        elif isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in ("exec", "eval", "compile"):
                yield node.lineno, f"`{name}`"


def test_does_not_delegate_to_the_match_statement(source: Source) -> None:
    """The matcher is written by hand: no `match` statement, exec, eval or compile in your module."""
    lines = source.text.splitlines()
    found = [f"line {n}: `{lines[n - 1].strip()}` uses {what}" for n, what in _forbidden(source.tree)]
    assert not found, "\n".join(found) + "\nthe point of the exercise is to implement the matching yourself"
