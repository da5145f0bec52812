"""Hidden grader for exercise 03: a metaclass that registers subclasses."""

from __future__ import annotations

import types
from abc import ABC, ABCMeta, abstractmethod
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

# Hypothesis's explain phase re-runs a failing test ~100 times and formats each failure: seconds of waiting for
# the learner, for a comment they rarely need. Generate and shrink only.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]


def entries(root: type) -> list[tuple[str, type]]:
    """The registry's items as a plain list (never trust the learner's mapping type beyond iteration)."""
    return [(key, cls) for key, cls in root.registry.items()]


def shown(items: list[tuple[str, type]]) -> str:
    return "{" + ", ".join(f"{key!r}: {cls.__name__}" for key, cls in items) + "}"


def check_registry(root: Any, expected: list[tuple[str, type]], hint: str = "") -> None:
    """Fail unless root.registry holds exactly `expected`, in order; say so if other hierarchies leak in."""
    got = entries(root)
    if got == expected:
        return
    foreign = [cls.__name__ for _, cls in got if not issubclass(cls, root)]
    if foreign:
        hint = (
            f"{', '.join(foreign)} belong to other hierarchies: is one registry shared by every class the metaclass "
            "creates? Give each root its own."
        )
    pytest.fail(f"{root.__name__}.registry is {shown(got)}; expected {shown(expected)}. {hint}".strip(), pytrace=False)


def make_root(solution: ModuleType, name: str = "Root") -> Any:
    return solution.RegistryMeta(name, (), {})


def expect_duplicate(solution: ModuleType, create: Callable[[], object], what: str) -> BaseException:
    try:
        create()
    except solution.DuplicateKeyError as exc:
        return exc
    pytest.fail(f"{what} was created without error; expected DuplicateKeyError", pytrace=False)


def test_concrete_subclasses_are_registered_under_their_key(solution: ModuleType) -> None:
    """A subclass is registered under key= if given, else under its __name__; lookup returns that class."""

    class Serializer(metaclass=solution.RegistryMeta):
        pass

    class JsonSerializer(Serializer, key="json"):
        pass

    class CsvSerializer(Serializer):
        pass

    check_registry(Serializer, [("json", JsonSerializer), ("CsvSerializer", CsvSerializer)])
    assert Serializer.lookup("json") is JsonSerializer
    assert Serializer.lookup("CsvSerializer") is CsvSerializer


def test_two_hierarchies_never_share_a_registry(solution: ModuleType) -> None:
    """Each root has its own registry: the same key in two hierarchies is fine, and neither sees the other's."""

    class Animal(metaclass=solution.RegistryMeta):
        pass

    class Vehicle(metaclass=solution.RegistryMeta):
        pass

    class Dog(Animal, key="rover"):
        pass

    try:

        class Rover(Vehicle, key="rover"):
            pass

    except solution.DuplicateKeyError as exc:
        pytest.fail(
            f"Vehicle and Animal are separate hierarchies, yet key 'rover' clashed: {exc}. Is there one registry "
            "shared by every class the metaclass creates? Give each root its own.",
            pytrace=False,
        )
    check_registry(Animal, [("rover", Dog)])
    check_registry(Vehicle, [("rover", Rover)])


def test_the_root_is_not_registered(solution: ModuleType) -> None:
    """The root of a hierarchy starts an empty registry and is not in it."""

    class Plugin(metaclass=solution.RegistryMeta):
        pass

    check_registry(Plugin, [], "A root is not registered in its own registry.")


def test_registration_order_is_creation_order_at_every_depth(solution: ModuleType) -> None:
    """Classes at any depth land in the root's registry, in the order they were created."""

    class Command(metaclass=solution.RegistryMeta):
        pass

    class Add(Command, key="add"):
        pass

    class AddAll(Add, key="add-all"):
        pass

    class Remove(Command, key="rm"):
        pass

    class ForceRemove(Remove, key="rm-f"):
        pass

    class Status(Command, key="status"):
        pass

    check_registry(
        Command, [("add", Add), ("add-all", AddAll), ("rm", Remove), ("rm-f", ForceRemove), ("status", Status)]
    )


def test_abstract_keyword_excludes_only_that_class(solution: ModuleType) -> None:
    """abstract=True keeps that class out of the registry; its own subclasses are registered as usual."""

    class Shape(metaclass=solution.RegistryMeta):
        pass

    class Polygon(Shape, abstract=True):
        pass

    class Triangle(Polygon, key="triangle"):
        pass

    class Square(Polygon):
        pass

    check_registry(
        Shape,
        [("triangle", Triangle), ("Square", Square)],
        "abstract=True describes one class: did you store it as a class attribute that its subclasses inherit?",
    )


def test_classes_with_unimplemented_abstract_methods_are_not_registered(solution: ModuleType) -> None:
    """With a root that inherits abc.ABC, a class that leaves an @abstractmethod unimplemented is not registered;
    one that implements it is."""
    assert issubclass(solution.RegistryMeta, ABCMeta), "RegistryMeta must derive from abc.ABCMeta"

    class Exporter(ABC, metaclass=solution.RegistryMeta):
        @abstractmethod
        def export(self) -> str: ...

    class HalfDone(Exporter):
        def helper(self) -> None: ...

    class PdfExporter(HalfDone, key="pdf"):
        def export(self) -> str:
            return "%PDF"

    check_registry(
        Exporter, [("pdf", PdfExporter)], "HalfDone still has an unimplemented abstract method (inspect.isabstract)."
    )
    with pytest.raises(TypeError):
        HalfDone()  # ABCMeta still refuses to instantiate it


def test_dynamically_created_classes_are_registered(solution: ModuleType) -> None:
    """Classes made with type(...), types.new_class(...) and RegistryMeta(...) register like class statements."""

    class Codec(metaclass=solution.RegistryMeta):
        pass

    utf8 = type("Utf8", (Codec,), {})
    latin = types.new_class("Latin1", (Codec,), {"key": "latin-1"})
    ascii_ = solution.RegistryMeta("Ascii", (Codec,), {}, key="ascii")
    hidden = types.new_class("Hidden", (Codec,), {"abstract": True})
    check_registry(Codec, [("Utf8", utf8), ("latin-1", latin), ("ascii", ascii_)])
    assert hidden not in dict(entries(Codec)).values()


def test_a_plain_mixin_does_not_change_registration(solution: ModuleType) -> None:
    """A class mixing a plain class into a hierarchy is registered once, under the hierarchy's root."""

    class LoggingMixin:
        def log(self) -> str:
            return "logged"

    class Handler(metaclass=solution.RegistryMeta):
        pass

    class FileHandler(LoggingMixin, Handler, key="file"):
        pass

    check_registry(Handler, [("file", FileHandler)])
    assert FileHandler().log() == "logged"


def test_a_diamond_registers_once(solution: ModuleType) -> None:
    """Two paths to the same root (a diamond) register the class once, not once per path."""

    class Node(metaclass=solution.RegistryMeta):
        pass

    class Left(Node, key="left"):
        pass

    class Right(Node, key="right"):
        pass

    try:

        class Both(Left, Right, key="both"):
            pass

    except solution.DuplicateKeyError as exc:
        pytest.fail(
            f"class Both(Left, Right) raised DuplicateKeyError({exc}): it reaches Node along two paths but is one "
            "class. Walk cls.__mro__ (each ancestor appears once) rather than recursing through the bases.",
            pytrace=False,
        )
    check_registry(Node, [("left", Left), ("right", Right), ("both", Both)])


def test_a_class_with_two_roots_is_registered_in_both(solution: ModuleType) -> None:
    """A class inheriting from two hierarchies is registered in each root's registry."""

    class Reader(metaclass=solution.RegistryMeta):
        pass

    class Writer(metaclass=solution.RegistryMeta):
        pass

    class JustReads(Reader, key="r"):
        pass

    class ReadWrite(Reader, Writer, key="rw"):
        pass

    check_registry(Reader, [("r", JustReads), ("rw", ReadWrite)])
    check_registry(Writer, [("rw", ReadWrite)], "A class with two roots is registered in both.")


def test_a_duplicate_key_raises_and_leaves_the_registry_unchanged(solution: ModuleType) -> None:
    """A second class claiming a key raises DuplicateKeyError naming the key and both classes; nothing changes."""

    class Format(metaclass=solution.RegistryMeta):
        pass

    class JsonFormat(Format, key="json"):
        pass

    class Csv(Format):
        pass

    exc = expect_duplicate(
        solution,
        lambda: types.new_class("ShinyJson", (Format,), {"key": "json"}),
        "class ShinyJson(Format, key='json')",
    )
    message = str(exc)
    for needed in ("'json'", "JsonFormat", "ShinyJson"):
        assert needed in message, f"the DuplicateKeyError says {message!r}; name {needed} in it"
    check_registry(Format, [("json", JsonFormat), ("Csv", Csv)], "A failed class must leave the registry unchanged.")
    expect_duplicate(solution, lambda: types.new_class("Csv", (Format,), {}), "a second class Csv(Format)")


def test_a_duplicate_in_one_root_registers_in_neither(solution: ModuleType) -> None:
    """A class with two roots whose key is taken in one of them is registered in neither (all or nothing)."""

    class Source(metaclass=solution.RegistryMeta):
        pass

    class Sink(metaclass=solution.RegistryMeta):
        pass

    class Pipe(Sink, key="pipe"):
        pass

    expect_duplicate(
        solution, lambda: types.new_class("Tee", (Source, Sink), {"key": "pipe"}), "Tee(Source, Sink, key='pipe')"
    )
    check_registry(Source, [], "Tee failed, so it must not stay in Source: check every registry before adding to any.")
    check_registry(Sink, [("pipe", Pipe)])


def test_lookup_of_an_unknown_key_names_the_root_the_key_and_the_known_keys(solution: ModuleType) -> None:
    """lookup('yaml') raises KeyError whose message names the root, 'yaml' and every registered key."""

    class Serializer(metaclass=solution.RegistryMeta):
        pass

    class Json(Serializer, key="json"):
        pass

    class Xml(Serializer, key="xml"):
        pass

    try:
        Serializer.lookup("yaml")
    except KeyError as exc:
        message = str(exc.args[0]) if exc.args else ""
    else:
        pytest.fail("Serializer.lookup('yaml') returned normally; expected KeyError", pytrace=False)
    for needed in ("Serializer", "'yaml'", "'json'", "'xml'"):
        assert needed in message, f"the KeyError says {message!r}; name {needed} in it"


def test_registry_is_a_read_only_live_view(solution: ModuleType) -> None:
    """cls.registry cannot be written to, and a view taken earlier shows classes created later."""

    class Job(metaclass=solution.RegistryMeta):
        pass

    view = Job.registry

    class Backup(Job, key="backup"):
        pass

    assert [(k, v) for k, v in view.items()] == [("backup", Backup)], (
        "a registry view taken before class Backup was created does not show it: return a live view "
        "(types.MappingProxyType over the dict), not a copy"
    )
    try:
        view["evil"] = Backup
    except TypeError:
        pass
    else:
        pytest.fail(
            "Job.registry['evil'] = ... succeeded; the registry must be read-only (MappingProxyType)", pytrace=False
        )
    check_registry(Job, [("backup", Backup)], "Writing to the view must not change the registry.")


def test_lookup_and_registry_work_from_any_class_of_the_hierarchy(solution: ModuleType) -> None:
    """A subclass sees its root's registry: Json.lookup('xml') finds Xml."""

    class Serializer(metaclass=solution.RegistryMeta):
        pass

    class Json(Serializer, key="json"):
        pass

    class Xml(Serializer, key="xml"):
        pass

    assert Json.lookup("xml") is Xml, "Json.lookup('xml') must find Xml through the root's registry"
    check_registry(Xml, [("json", Json), ("xml", Xml)], "Xml.registry is the root's registry.")


def test_other_class_keywords_reach_init_subclass(solution: ModuleType) -> None:
    """Keywords other than key= and abstract= are passed on to __init_subclass__."""
    seen: list[tuple[str, str]] = []

    class Widget(metaclass=solution.RegistryMeta):
        def __init_subclass__(cls, *, color: str = "none", **kwargs: Any) -> None:
            super().__init_subclass__(**kwargs)
            seen.append((cls.__name__, color))

    class Button(Widget, key="button", color="blue"):
        pass

    assert seen == [("Button", "blue")], f"__init_subclass__ saw {seen}; expected [('Button', 'blue')]"
    check_registry(Widget, [("button", Button)])


def test_a_key_that_is_not_a_string_raises_type_error(solution: ModuleType) -> None:
    """key=42 raises TypeError when the class is created."""

    class Thing(metaclass=solution.RegistryMeta):
        pass

    for bad in (42, b"bytes", ("a",)):
        try:
            types.new_class("Odd", (Thing,), {"key": bad})
        except TypeError:
            continue
        pytest.fail(f"key={bad!r} was accepted; keys must be str (raise TypeError)", pytrace=False)
    check_registry(Thing, [])


# --- property-based: random forests of classes against a model --------------------------------------------------

# One step: (first parent, second parent or None, abstract=, key= or None for the default).
STEPS = st.lists(
    st.tuples(
        st.integers(0, 15),
        st.one_of(st.none(), st.integers(0, 15)),
        st.booleans(),
        st.one_of(st.none(), st.sampled_from(["a", "b", "c"])),
    ),
    max_size=15,
)


@settings(max_examples=150, phases=PHASES, report_multiple_bugs=False)
@given(steps=STEPS)
def test_random_hierarchies_match_a_model(
    solution: ModuleType, steps: list[tuple[int, int | None, bool, str | None]]
) -> None:
    """Random class forests over two roots (single and multiple inheritance, abstract classes, repeated keys)
    leave each root's registry exactly as the rules say, in order; duplicates raise and change nothing."""
    roots = [make_root(solution, "Alpha"), make_root(solution, "Beta")]
    model: dict[Any, list[tuple[str, type]]] = {root: [] for root in roots}
    classes: list[Any] = list(roots)  # the candidates for parents
    script: list[str] = ["class Alpha(metaclass=RegistryMeta): ...", "class Beta(metaclass=RegistryMeta): ..."]
    for i, (first, second, abstract, key) in enumerate(steps):
        parents = [classes[first % len(classes)]]
        if second is not None:
            other = classes[second % len(classes)]
            # Keep the MRO trivially consistent: a second parent only from a disjoint part of the forest.
            if not (set(parents[0].__mro__[:-1]) & set(other.__mro__[:-1])):
                parents.append(other)
        name = f"C{i}"
        kwds: dict[str, Any] = {}
        if key is not None:
            kwds["key"] = key
        if abstract:
            kwds["abstract"] = True
        bases_text = ", ".join(p.__name__ for p in parents)
        kw_text = "".join(f", {k}={v!r}" for k, v in kwds.items())
        script.append(f"class {name}({bases_text}{kw_text}): ...")
        my_roots = [r for r in roots if any(r in p.__mro__ for p in parents)]
        effective_key = name if key is None else key
        clash = not abstract and any(effective_key in dict(model[r]) for r in my_roots)
        try:
            cls = types.new_class(name, tuple(parents), kwds)
        except solution.DuplicateKeyError as exc:
            assert clash, "\n".join([*script, f"^ raised DuplicateKeyError({exc}), but that key is free there"])
            script[-1] += "  # DuplicateKeyError"
            continue
        assert not clash, "\n".join([*script, f"^ key {effective_key!r} is taken: expected DuplicateKeyError"])
        classes.append(cls)
        if not abstract:
            for r in my_roots:
                model[r].append((effective_key, cls))
        for r in roots:
            got = entries(r)
            assert got == model[r], "\n".join(
                [*script, f"-> {r.__name__}.registry is {shown(got)}; expected {shown(model[r])}"]
            )
    for r in roots:
        for registered_key, cls in model[r]:
            assert r.lookup(registered_key) is cls
