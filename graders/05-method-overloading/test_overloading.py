"""Hidden grader for exercise 05: method overloading by the types of all positional arguments.

No `from __future__ import annotations` here on purpose: the implementations below are defined inside test
functions, and their annotations must be real objects, not strings naming local classes.
"""

import typing
from collections.abc import Callable
from types import ModuleType
from typing import Any, Optional, Union

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from kata.testing import Perf, Source

# Hypothesis's "explain" phase costs seconds per failing test; the shrunk example says enough.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]


class Animal:
    pass


class Dog(Animal):
    pass


class Cat(Animal):
    pass


class Puppy(Dog):
    pass


class Kitten(Cat):
    pass


class CatDog(Cat, Dog):  # MRO: CatDog, Cat, Dog, Animal, object
    pass


class DogCat(Dog, Cat):  # MRO: DogCat, Dog, Cat, Animal, object
    pass


def name_of(x: object) -> str:
    return type(x).__name__


def signature_text(name: str, params: typing.Sequence[frozenset[type]]) -> str:
    return f"{name}(" + ", ".join(" | ".join(sorted(c.__name__ for c in p)) for p in params) + ")"


def implementation(result: object, annotations: dict[str, object], arity: int) -> Callable[..., object]:
    """A function of `arity` positional parameters a0, a1, … with the given annotations, returning `result`."""
    names = [f"a{i}" for i in range(arity)]
    namespace: dict[str, Any] = {}
    exec(f"def impl({', '.join(names)}):\n    return result", {"result": result}, namespace)
    func: Callable[..., object] = namespace["impl"]
    func.__annotations__ = dict(annotations)
    return func


# ---------------------------------------------------------------- the independent oracle (the README's rules)


def oracle(signatures: list[tuple[frozenset[type], ...]], arg_types: tuple[type, ...]) -> int | type:
    """Index of the implementation a call must reach, or NoMatchError/AmbiguousCallError (by name)."""
    matches = []
    for index, params in enumerate(signatures):
        if len(params) != len(arg_types):
            continue
        distances = []
        for accepted, t in zip(params, arg_types, strict=True):
            d = next((k for k, cls in enumerate(t.__mro__) if cls in accepted), None)
            if d is None:
                break
            distances.append(d)
        else:
            matches.append((index, params, distances))
    if not matches:
        return NoMatch

    def beats(a: Any, b: Any) -> bool:
        pairs = list(zip(a[1], b[1], a[2], b[2], strict=True))
        at_least = all(da < db or (da == db and pa <= pb) for pa, pb, da, db in pairs)
        return at_least and any(da < db or (da == db and pa < pb) for pa, pb, da, db in pairs)

    winners = [a for a in matches if all(a is b or beats(a, b) for b in matches)]
    return winners[0][0] if len(winners) == 1 else Ambiguous


class NoMatch:
    pass


class Ambiguous:
    pass


def outcome(call: Callable[[], object], solution: ModuleType) -> object:
    """The call's result, or NoMatch/Ambiguous for the dispatch errors (other exceptions propagate)."""
    try:
        return call()
    except solution.AmbiguousCallError:
        return Ambiguous
    except solution.NoMatchError:
        return NoMatch


def shown(result: object, signatures: list[tuple[frozenset[type], ...]]) -> str:
    if result is NoMatch:
        return "NoMatchError"
    if result is Ambiguous:
        return "AmbiguousCallError"
    if type(result) is int and 0 <= result < len(signatures):
        return f"implementation #{result} {signature_text('f', signatures[result])}"
    return repr(result)


# ---------------------------------------------------------------- dispatch


def test_calls_the_implementation_for_the_argument_type(solution: ModuleType) -> None:
    """Each call reaches the implementation annotated with its argument's class."""

    @solution.overload
    def kind(x: int) -> str:
        return "int"

    @kind.register
    def _(x: str) -> str:
        return "str"

    @kind.register
    def _(x: float) -> str:
        return "float"

    got = (kind(1), kind("a"), kind(2.5))
    assert got == ("int", "str", "float"), f"kind(1), kind('a'), kind(2.5) returned {got}"


def test_arguments_pass_through_unchanged_and_the_result_comes_back(solution: ModuleType) -> None:
    """The implementation receives the very argument objects and its return value is returned as is."""
    seen: list[tuple[object, ...]] = []
    token = object()

    @solution.overload
    def pair(a: list, b: dict) -> object:  # type: ignore[type-arg]
        seen.append((a, b))
        return token

    a, b = [1], {"k": 2}
    got = pair(a, b)
    assert got is token, f"pair(...) returned {got!r}, not the implementation's return value"
    assert len(seen) == 1 and seen[0][0] is a and seen[0][1] is b, "the implementation got other objects"


@pytest.mark.parametrize("error", [TypeError("boom"), KeyError("boom"), ValueError("boom")], ids=repr)
def test_exceptions_raised_by_an_implementation_propagate_untouched(solution: ModuleType, error: Exception) -> None:
    """An exception raised inside the chosen implementation reaches the caller as the same object, and the
    implementation runs once (dispatch errors are only for choosing the implementation)."""
    calls: list[int] = []

    @solution.overload
    def explode(x: int) -> None:
        calls.append(x)
        raise error

    @explode.register
    def _(x: str) -> None:
        pass

    for attempt in range(2):  # the second call goes through whatever cache you keep
        calls.clear()
        with pytest.raises(type(error)) as caught:
            explode(1)
        assert caught.value is error, (
            f"explode(1) raised {caught.value!r}, not the implementation's own {error!r}: did you wrap the call "
            "in a try/except meant for the dispatch (e.g. catching KeyError from a cache lookup or TypeError "
            "from a bad match)?"
        )
        assert calls == [1], (
            f"call #{attempt + 1}: the implementation ran {len(calls)} times, expected once: did a try/except "
            f"meant for a cache miss catch the implementation's own {type(error).__name__}?"
        )


def test_most_specific_class_wins_whatever_the_registration_order(solution: ModuleType) -> None:
    """With implementations for Animal and Dog, a Dog (or Puppy) reaches Dog's, even when Animal's was
    registered first."""

    @solution.overload
    def speak(x: Animal) -> str:
        return "animal"

    @speak.register
    def _(x: Dog) -> str:
        return "dog"

    got = [speak(x) for x in (Animal(), Dog(), Puppy(), Cat())]
    assert got == ["animal", "dog", "dog", "animal"], (
        f"speak(Animal(), Dog(), Puppy(), Cat()) gave {got}, expected ['animal', 'dog', 'dog', 'animal']; "
        "did you take the first registered implementation that matches instead of the most specific one?"
    )


SINGLE = [Animal, Dog, Cat, Puppy, Kitten, CatDog, object]


@settings(max_examples=150, phases=PHASES)
@given(st.lists(st.sampled_from(SINGLE), unique=True, min_size=1, max_size=len(SINGLE)))
def test_single_argument_dispatch_follows_the_mro(solution: ModuleType, order: list[type]) -> None:
    """For one argument, the chosen implementation is the one for the first class in type(arg).__mro__ that
    has one, whatever order the implementations were registered in."""
    f = solution.overload(implementation(order[0], {"a0": order[0]}, 1))
    for cls in order[1:]:
        f.register(implementation(cls, {"a0": cls}, 1))
    for arg in (Animal(), Dog(), Cat(), Puppy(), Kitten(), CatDog(), DogCat(), 3):
        expected = next((c for c in type(arg).__mro__ if c in order), NoMatch)
        got = outcome(lambda arg=arg: f(arg), solution)  # type: ignore[misc]
        registered = ", ".join(c.__name__ for c in order)
        assert got is expected, (
            f"with implementations for ({registered}) registered in that order, f({name_of(arg)}()) "
            f"{reached(got)}, expected it to {reached(expected, future=True)} (the first of "
            f"{[c.__name__ for c in type(arg).__mro__]} that has one)"
        )


def reached(result: object, future: bool = False) -> str:
    if result is NoMatch or result is Ambiguous:
        error = "NoMatchError" if result is NoMatch else "AmbiguousCallError"
        return f"raise {error}" if future else f"raised {error}"
    what = getattr(result, "__name__", repr(result))
    return f"reach {what}'s implementation" if future else f"reached {what}'s implementation"


def test_multiple_inheritance_is_resolved_by_the_mro(solution: ModuleType) -> None:
    """class CatDog(Cat, Dog) reaches Cat's implementation and class DogCat(Dog, Cat) reaches Dog's: the
    class listed first among the bases comes first in the MRO."""

    @solution.overload
    def f(x: Dog) -> str:
        return "dog"

    @f.register
    def _(x: Cat) -> str:
        return "cat"

    got = (f(CatDog()), f(DogCat()))
    assert got == ("cat", "dog"), (
        f"f(CatDog()), f(DogCat()) returned {got}, expected ('cat', 'dog'): rank each candidate by the index "
        "of its class in type(arg).__mro__ rather than by issubclass alone"
    )


def test_each_position_counts_for_multi_argument_dispatch(solution: ModuleType) -> None:
    """meet(Dog, Cat), meet(Cat, Dog) and meet(Animal, Animal): each call reaches the implementation that is
    at least as specific at every position."""

    @solution.overload
    def meet(a: Animal, b: Animal) -> str:
        return "sniff"

    @meet.register
    def _(a: Dog, b: Cat) -> str:
        return "chase"

    @meet.register
    def _(a: Cat, b: Dog) -> str:
        return "hiss"

    cases = [
        ((Dog(), Cat()), "chase"),
        ((Cat(), Dog()), "hiss"),
        ((Dog(), Dog()), "sniff"),
        ((Puppy(), Kitten()), "chase"),
        ((CatDog(), Dog()), "hiss"),
        ((Animal(), Cat()), "sniff"),
    ]
    for args, expected in cases:
        got = meet(*args)
        call = f"meet({', '.join(map(name_of, args))})"
        assert got == expected, f"{call} returned {got!r}, expected {expected!r}"


def test_ambiguous_calls_raise_ambiguous_call_error(solution: ModuleType) -> None:
    """When several implementations match and none is at least as specific everywhere, the call raises
    AmbiguousCallError naming the function and the argument types."""

    @solution.overload
    def meet(a: Dog, b: Animal) -> str:
        return "dog first"

    @meet.register
    def _(a: Animal, b: Dog) -> str:
        return "dog second"

    with pytest.raises(solution.AmbiguousCallError) as caught:
        got = meet(Dog(), Dog())
        pytest.fail(
            f"meet(Dog, Dog) returned {got!r}; meet(Dog, Animal) and meet(Animal, Dog) are equally "
            "specific (each wins one position), so it must raise AmbiguousCallError"
        )
    message = str(caught.value)
    assert "meet" in message and "Dog" in message, f"the message {message!r} should name meet and Dog"


def test_no_matching_implementation_raises_no_match_error(solution: ModuleType) -> None:
    """Wrong argument types, or a wrong number of arguments, raise NoMatchError naming the function and the
    argument types."""

    @solution.overload
    def area(shape: Dog) -> int:
        return 1

    with pytest.raises(solution.NoMatchError) as caught:
        area(2.5)
    message = str(caught.value)
    assert "area" in message and "float" in message, f"the message {message!r} should name area and float"
    for args in [(), (Dog(), Dog())]:
        with pytest.raises(solution.NoMatchError):
            area(*args)
            pytest.fail(f"area() with {len(args)} arguments did not raise NoMatchError")


def test_dispatch_errors_are_type_errors(solution: ModuleType) -> None:
    """NoMatchError and AmbiguousCallError derive from DispatchError, which derives from TypeError."""
    assert issubclass(solution.DispatchError, TypeError), "DispatchError must subclass TypeError"
    for name in ("NoMatchError", "AmbiguousCallError"):
        assert issubclass(getattr(solution, name), solution.DispatchError), f"{name} must subclass DispatchError"


ANNOTATIONS: list[tuple[str, object, frozenset[type]]] = [
    ("missing", None, frozenset({object})),
    ("object", object, frozenset({object})),
    ("Animal", Animal, frozenset({Animal})),
    ("Dog", Dog, frozenset({Dog})),
    ("Cat", Cat, frozenset({Cat})),
    ("Puppy", Puppy, frozenset({Puppy})),
    ("Dog | Cat", Dog | Cat, frozenset({Dog, Cat})),
    ("Optional[Cat]", Optional[Cat], frozenset({Cat, type(None)})),  # noqa: UP045
    ("None", None, frozenset({type(None)})),
]
ARGS = [Animal(), Dog(), Cat(), Puppy(), CatDog(), DogCat(), None]
signature = st.tuples(*[st.integers(0, len(ANNOTATIONS) - 1)] * 2)


@settings(max_examples=200, phases=PHASES)
@given(st.lists(signature, min_size=1, max_size=6, unique_by=lambda s: tuple(ANNOTATIONS[i][2] for i in s)))
def test_two_argument_dispatch_agrees_with_the_specificity_rules(
    solution: ModuleType, chosen: list[tuple[int, int]]
) -> None:
    """For any set of two-parameter implementations (classes, unions, Optional, None, no annotation), registered
    in any order, every call reaches the implementation the README's rules choose, or raises NoMatchError or
    AmbiguousCallError when they say so; repeating the call (now cached) gives the same answer."""
    signatures = [tuple(ANNOTATIONS[i][2] for i in sig) for sig in chosen]
    impls = []
    for index, sig in enumerate(chosen):
        annotations = {f"a{k}": ANNOTATIONS[i][1] for k, i in enumerate(sig) if ANNOTATIONS[i][0] != "missing"}
        impls.append(implementation(index, annotations, 2))
    f = solution.overload(impls[0])
    for impl in impls[1:]:
        f.register(impl)
    registered = ", ".join(f"#{i} {signature_text('f', s)}" for i, s in enumerate(signatures))
    for a in ARGS:
        for b in ARGS:
            expected = oracle(signatures, (type(a), type(b)))
            for attempt in ("first", "repeated"):
                got = outcome(lambda a=a, b=b: f(a, b), solution)  # type: ignore[misc]
                assert got is expected or (type(got) is int and got == expected), (
                    f"with {registered} registered in that order, the {attempt} call f({name_of(a)}, "
                    f"{name_of(b)}) gave {shown(got, signatures)}, expected {shown(expected, signatures)}"
                )


# ---------------------------------------------------------------- annotations


def test_optional_and_union_annotations_accept_any_member(solution: ModuleType) -> None:
    """Optional[X], X | None and Union[A, B] accept None/X and A/B; a plain class beats a union containing it."""

    @solution.overload
    def f(x: Optional[int]) -> str:  # noqa: UP045
        return "maybe int"

    @f.register
    def _(x: Union[str, bytes]) -> str:  # noqa: UP007
        return "text"

    @f.register
    def _(x: float | None, y: int) -> str:
        return "pair"

    got = (f(1), f(None), f("s"), f(b"b"), f(None, 2), f(1.5, 2))
    expected = ("maybe int", "maybe int", "text", "text", "pair", "pair")
    assert got == expected, f"got {got}, expected {expected}"
    g = solution.overload(implementation("maybe int", {"a0": int | None}, 1))
    g.register(implementation("int", {"a0": int}, 1))
    got2 = (g(1), g(None))
    assert got2 == ("int", "maybe int"), (
        f"with g(int | None) and g(int), g(1), g(None) gave {got2}, expected ('int', 'maybe int'): at equal MRO "
        "distance, int is more specific than int | None (a strict subset of its classes)"
    )


def test_unions_with_different_members_at_the_same_distance_are_ambiguous(solution: ModuleType) -> None:
    """f(int | str) and f(int | bytes) both accept an int at distance 0 and neither is a subset: f(1) is
    ambiguous, while f('s') and f(b'b') each have one match."""

    @solution.overload
    def f(x: int | str) -> str:
        return "int|str"

    @f.register
    def _(x: int | bytes) -> str:
        return "int|bytes"

    assert (f("s"), f(b"b")) == ("int|str", "int|bytes")
    with pytest.raises(solution.AmbiguousCallError):
        got = f(1)
        pytest.fail(f"f(1) returned {got!r}, expected AmbiguousCallError")


def test_none_annotation_accepts_only_none(solution: ModuleType) -> None:
    """A parameter annotated None accepts only None."""

    @solution.overload
    def f(x: None) -> str:
        return "none"

    assert f(None) == "none"
    for bad in (0, "", False):
        with pytest.raises(solution.NoMatchError):
            f(bad)
            pytest.fail(f"f({bad!r}) matched an implementation annotated None")


def test_missing_object_and_any_accept_everything_but_lose_to_any_class(solution: ModuleType) -> None:
    """No annotation, object and Any accept anything, and are less specific than any class."""

    def anything(x, y: object, z: Any) -> str:  # type: ignore[no-untyped-def]
        return "anything"

    f = solution.overload(anything)
    f.register(implementation("int first", {"a0": int}, 3))
    f.register(implementation("bool last", {"a2": bool}, 3))
    got = (f("a", None, 1.5), f(1, None, 1.5), f("a", 2, True))
    assert got == ("anything", "int first", "bool last"), f"got {got}"


def test_bool_prefers_bool_over_int(solution: ModuleType) -> None:
    """bool subclasses int: True reaches the bool implementation, 1 the int one."""

    @solution.overload
    def f(x: bool) -> str:
        return "bool"

    @f.register
    def _(x: int) -> str:
        return "int"

    assert (f(True), f(1)) == ("bool", "int"), f"f(True), f(1) returned {(f(True), f(1))}"


def test_string_annotations_are_resolved(solution: ModuleType) -> None:
    """With `from __future__ import annotations` the annotations are strings; they are resolved (as
    typing.get_type_hints does) against the function's module."""
    namespace: dict[str, Any] = {}
    code = (
        "from __future__ import annotations\n"
        "class Meters: pass\n"
        "def f(x: Meters) -> str: return 'meters'\n"
        "def g(x: int | None) -> str: return 'int or None'\n"
    )
    exec(code, namespace)
    try:
        f = solution.overload(namespace["f"])
        f.register(namespace["g"])
    except (TypeError, NameError) as exc:
        pytest.fail(
            f"registering functions with string annotations failed: {exc!r}; did you read "
            "__annotations__ instead of typing.get_type_hints?",
            pytrace=False,
        )
    got = (f(namespace["Meters"]()), f(3), f(None))
    assert got == ("meters", "int or None", "int or None"), f"got {got}"


# ---------------------------------------------------------------- registration


def test_register_returns_the_dispatcher_so_names_can_be_reused(solution: ModuleType) -> None:
    """`@f.register` returns the dispatcher, so each implementation may be named f again."""

    @solution.overload
    def f(x: int) -> str:
        return "int"

    first = f

    @f.register
    def f(x: str) -> str:
        return "str"

    assert f is first, f"@f.register returned {f!r}, expected the dispatcher itself"
    assert (f(1), f("s")) == ("int", "str")


def test_the_dispatcher_keeps_the_first_implementations_name_and_doc(solution: ModuleType) -> None:
    """__name__, __qualname__ and __doc__ come from the first implementation."""

    @solution.overload
    def area(shape: int) -> int:
        """Area of a shape."""
        return shape

    assert area.__name__ == "area", f"__name__ is {area.__name__!r}; did you use functools.update_wrapper?"
    assert area.__qualname__.endswith("area"), f"__qualname__ is {area.__qualname__!r}"
    assert area.__doc__ == "Area of a shape.", f"__doc__ is {area.__doc__!r}"


def test_registering_after_a_call_takes_effect(solution: ModuleType) -> None:
    """A dispatcher that already answered f(Dog()) with Animal's implementation answers with Dog's once one
    is registered: register invalidates the cache."""

    @solution.overload
    def f(x: Animal) -> str:
        return "animal"

    assert f(Dog()) == "animal"
    f.register(implementation("dog", {"a0": Dog}, 1))
    got = f(Dog())
    assert got == "dog", f"after registering f(Dog), f(Dog()) still returned {got!r}; did you clear the cache?"


def test_keyword_arguments_raise_type_error(solution: ModuleType) -> None:
    """Dispatch is on positional arguments only: a call with keywords raises TypeError."""

    @solution.overload
    def f(x: int) -> int:
        return x

    with pytest.raises(TypeError):
        f(x=1)
        pytest.fail("f(x=1) did not raise TypeError")


def _with_default(x: int = 0) -> None: ...
def _varargs(*xs: int) -> None: ...
def _keyword_only(x: int, *, y: int) -> None: ...
def _var_keywords(x: int, **kw: int) -> None: ...


@pytest.mark.parametrize("func", [_with_default, _varargs, _keyword_only, _var_keywords], ids=lambda f: f.__name__)
def test_unsupported_signatures_raise_type_error_at_registration(solution: ModuleType, func: Any) -> None:
    """Defaults, *args, keyword-only parameters and **kwargs are rejected with TypeError when registering."""
    with pytest.raises(TypeError):
        solution.overload(func)
        pytest.fail(f"overload({func.__name__}) accepted a signature with {func.__name__[1:].replace('_', ' ')}")
    f = solution.overload(implementation("ok", {"a0": str}, 1))
    with pytest.raises(TypeError):
        f.register(func)
        pytest.fail(f"register({func.__name__}) accepted it")


@pytest.mark.parametrize("annotation", [list[int], Callable[[int], int], 42, typing.Sequence[int]], ids=repr)
def test_unsupported_annotations_raise_type_error_at_registration(solution: ModuleType, annotation: object) -> None:
    """Annotations other than classes, None, unions and Any (list[int], Callable[...], 42) raise TypeError."""
    with pytest.raises(TypeError):
        solution.overload(implementation("x", {"a0": annotation}, 1))
        pytest.fail(f"an implementation annotated {annotation!r} was accepted")


@pytest.mark.parametrize(
    ("first", "second"),
    [(int, int), (int | str, Union[str, int]), (None, object), (Any, object), (Optional[int], int | None)],  # noqa: UP007, UP045
    ids=["int", "union-order", "missing-object", "any-object", "optional"],
)
def test_registering_the_same_signature_twice_raises_type_error(
    solution: ModuleType, first: object, second: object
) -> None:
    """Two implementations accepting the same classes at every position raise TypeError (no annotation,
    object and Any are the same; union order does not matter)."""
    f = solution.overload(implementation(1, {} if first is None else {"a0": first}, 1))
    with pytest.raises(TypeError):
        f.register(implementation(2, {"a0": second}, 1))
        pytest.fail(f"f({first!r}) and f({second!r}) were both registered; expected TypeError")


# ---------------------------------------------------------------- methods


def test_methods_dispatch_on_the_arguments_after_self(solution: ModuleType) -> None:
    """In a class body, instance.method(x) dispatches on (instance, x); Class.method(instance, x) works too,
    and a subclass instance inherits the dispatcher."""

    class Canvas:
        @solution.overload
        def draw(self, shape: Dog) -> tuple[str, object]:
            return ("dog", self)

        @draw.register
        def draw(self, shape: Cat) -> tuple[str, object]:
            return ("cat", self)

    class Sub(Canvas):
        pass

    c, s = Canvas(), Sub()
    got = c.draw(Dog())
    assert got == ("dog", c) and got[1] is c, f"c.draw(Dog()) returned {got!r}; self must be bound to c"
    assert c.draw(Kitten())[0] == "cat"
    assert Canvas.draw(c, Cat())[0] == "cat", "Canvas.draw(c, Cat()) should dispatch on (c, Cat())"
    got = s.draw(Puppy())
    assert got[0] == "dog" and got[1] is s, f"Sub().draw(Puppy()) returned {got!r}"
    with pytest.raises(solution.NoMatchError):
        c.draw(3)


def test_staticmethods_dispatch_without_binding(solution: ModuleType) -> None:
    """@overload over @staticmethod: called from the class or an instance, nothing is bound."""

    class Parser:
        @solution.overload
        @staticmethod
        def parse(text: str) -> str:
            return "text:" + text

        @parse.register
        @staticmethod
        def parse(data: bytes) -> str:
            return "bytes:" + data.decode()

    got = (Parser.parse("a"), Parser().parse(b"b"))
    assert got == ("text:a", "bytes:b"), f"Parser.parse('a'), Parser().parse(b'b') returned {got}"


def test_classmethods_receive_the_class(solution: ModuleType) -> None:
    """@overload over @classmethod: the class (the subclass, when called on one) is passed first, from the
    class or from an instance."""

    class Shape:
        @solution.overload
        @classmethod
        def make(cls, size: int) -> tuple[type, str]:
            return (cls, "int")

        @make.register
        @classmethod
        def make(cls, size: str) -> tuple[type, str]:
            return (cls, "str")

    class Square(Shape):
        pass

    got = [Shape.make(1), Square.make("s"), Square().make(2)]
    expected = [(Shape, "int"), (Square, "str"), (Square, "int")]
    assert got == expected, f"Shape.make(1), Square.make('s'), Square().make(2) returned {got}"


def test_mixing_function_staticmethod_and_classmethod_raises_type_error(solution: ModuleType) -> None:
    """All implementations of one dispatcher are of one kind; registering another kind raises TypeError."""

    def plain(x: int) -> int:
        return x

    def other(x: str) -> str:
        return x

    f = solution.overload(plain)
    for wrapped in (staticmethod(other), classmethod(other)):
        with pytest.raises(TypeError):
            f.register(wrapped)
            pytest.fail(f"a {type(wrapped).__name__} was registered on a dispatcher of plain functions")
    g = solution.overload(staticmethod(plain))
    with pytest.raises(TypeError):
        g.register(other)
        pytest.fail("a plain function was registered on a dispatcher of staticmethods")


def test_does_not_use_a_dispatch_library(source: Source) -> None:
    """The dispatch is yours: no functools.singledispatch/singledispatchmethod, multipledispatch or plum."""
    why = "this exercise asks you to write the dispatch yourself"
    found = source.violations(
        {"functools.singledispatch": why, "functools.singledispatchmethod": why, "multipledispatch": why, "plum": why}
    )
    if found:
        pytest.fail("\n".join(found), pytrace=False)


# ---------------------------------------------------------------- performance

PERF_SIGNATURES = [
    (Animal, Animal),
    (Dog, Animal),
    (Animal, Dog),
    (Dog, Dog),
    (Cat, Cat),
    (Cat, Dog),
    (Dog, Cat),
    (Puppy, Kitten),
]
PERF_PAIRS = [
    (Puppy(), Puppy()),
    (Kitten(), Puppy()),
    (Puppy(), Kitten()),
    (Cat(), Cat()),
    (Dog(), Cat()),
    (Animal(), Dog()),
    (Kitten(), Animal()),
    (Dog(), Puppy()),
]
PERF_CALLS = PERF_PAIRS * (100_000 // len(PERF_PAIRS))


def perf_dispatcher(module: ModuleType) -> Callable[..., object]:
    impls = [implementation(i, {"a0": a, "a1": b}, 2) for i, (a, b) in enumerate(PERF_SIGNATURES)]
    f = module.overload(impls[0])
    for impl in impls[1:]:
        f.register(impl)
    return f  # type: ignore[no-any-return]


def dispatch_all(f: Callable[..., object]) -> None:
    for a, b in PERF_CALLS:
        f(a, b)


@pytest.mark.perf
def test_dispatch_speed_against_the_reference(solution: ModuleType, reference: ModuleType, perf: Perf) -> None:
    """100 000 calls over 8 argument-type pairs (8 implementations) run within 3× of the reference: the
    implementation is resolved once per tuple of argument types and cached."""
    mine, theirs = perf_dispatcher(solution), perf_dispatcher(reference)
    signatures = [tuple(frozenset({c}) for c in sig) for sig in PERF_SIGNATURES]
    for a, b in PERF_PAIRS:
        expected = oracle(signatures, (type(a), type(b)))
        got = mine(a, b)
        assert got == expected, f"f({name_of(a)}, {name_of(b)}) reached #{got}, expected #{expected}"
    perf.compare("100 000 dispatched calls", lambda: dispatch_all(mine), lambda: dispatch_all(theirs), max_ratio=3.0)
