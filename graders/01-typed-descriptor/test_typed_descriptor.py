"""Hidden grader for exercise 01: a descriptor for type-checked attributes."""

from __future__ import annotations

import gc
import weakref
from types import ModuleType
from typing import Any

import pytest
from _typed_support import Count, Payload, assign, read, rejected, spec_text


def test_a_valid_value_can_be_assigned_and_read_back(solution: ModuleType) -> None:
    """A value of the declared type is accepted and reading the attribute returns that very object."""

    class Order:
        quantity = solution.Typed(int)

    order = Order()
    value = 12345678901234567890  # a big int, so `is` is meaningful
    assign(order, "quantity", value)
    got = read(order, "quantity")
    assert got is value, f"order.quantity returned {got!r} after order.quantity = {value!r}; expected that object"


def test_each_instance_keeps_its_own_value(solution: ModuleType) -> None:
    """Two instances of one class hold different values for the same field at the same time."""

    class Account:
        balance = solution.Typed(int)

    a, b = Account(), Account()
    assign(a, "balance", 100)
    assign(b, "balance", 250)
    got = (read(a, "balance"), read(b, "balance"))
    assert got == (100, 250), (
        f"after a.balance = 100; b.balance = 250, (a.balance, b.balance) is {got}, expected (100, 250). There is "
        "one descriptor per class, shared by every instance: did you store the value on the descriptor (self)? "
        "Keep it on the instance."
    )


MESSAGE_CASES: list[tuple[tuple[type, ...], bool, object, str]] = [
    ((int,), False, "3", "quantity must be int, got str"),
    ((int, float), False, "free", "quantity must be int or float, got str"),
    ((str,), True, 42, "quantity must be str or None, got int"),
    ((int,), False, None, "quantity must be int, got NoneType"),
    ((bytes, str, list), True, 1.5, "quantity must be bytes or str or list or None, got float"),
]


def test_type_error_names_the_attribute_the_expected_and_the_actual_type(solution: ModuleType) -> None:
    """A rejected value raises TypeError("{name} must be {expected}, got {actual}"), exactly."""
    for types, nullable, value, message in MESSAGE_CASES:

        class Order:
            quantity = solution.Typed(*types, nullable=nullable)

        exc = rejected(Order(), "quantity", value, f"{spec_text(types, nullable)} given {value!r}")
        assert str(exc) == message, (
            f"{spec_text(types, nullable)} given {value!r}: the TypeError says {str(exc)!r}; expected {message!r}"
        )


def test_subclasses_are_accepted_and_nothing_is_converted(solution: ModuleType) -> None:
    """isinstance semantics: bool and int subclasses pass Typed(int); Typed(float) rejects 3 (no conversion)."""

    class Reading:
        count = solution.Typed(int)
        level = solution.Typed(float)

    r = Reading()
    for value in (True, Count(5)):
        assign(r, "count", value)
        got = read(r, "count")
        assert got is value, (
            f"count = {value!r} (a {type(value).__name__}) read back as {got!r} "
            f"(a {type(got).__name__}); store the object itself, don't convert it"
        )
    rejected(r, "level", 3, "Typed(float) given 3 (an int)")
    assert not hasattr(r, "level"), "Typed(float) must not accept (or store) the int 3"


def test_none_is_rejected_unless_the_field_is_nullable(solution: ModuleType) -> None:
    """None is rejected by Typed(str) and accepted by Typed(str, nullable=True)."""

    class Profile:
        nickname = solution.Typed(str, nullable=True)
        email = solution.Typed(str)

    p = Profile()
    assign(p, "nickname", None)
    got = read(p, "nickname")
    assert got is None, f"after p.nickname = None, p.nickname is {got!r}"
    exc = rejected(p, "email", None, "Typed(str) given None")
    assert str(exc) == "email must be str, got NoneType", f"the TypeError says {str(exc)!r}"


def test_two_fields_of_one_class_keep_separate_values(solution: ModuleType) -> None:
    """Two Typed fields on the same class never overwrite each other."""

    class Point:
        x = solution.Typed(int)
        y = solution.Typed(int)

    p = Point()
    assign(p, "x", 1)
    assign(p, "y", 2)
    got = (read(p, "x"), read(p, "y"))
    assert got == (1, 2), f"after p.x = 1; p.y = 2, (p.x, p.y) is {got}; did both fields use one storage slot?"


def test_default_is_returned_until_a_value_is_assigned(solution: ModuleType) -> None:
    """An unset field returns its default (the same object every time); after del it returns the default again."""
    tags_default = ("untagged",)

    class Article:
        tags = solution.Typed(tuple, default=tags_default)
        draft = solution.Typed(bool, default=None, nullable=True)

    a = Article()
    assert read(a, "tags") is tags_default, f"unset tags read {read(a, 'tags')!r}; expected the default object"
    assert read(a, "draft") is None, "a nullable field with default=None reads None when unset"
    assign(a, "tags", ("python",))
    got = read(a, "tags")
    assert got == ("python",), f"after a.tags = ('python',), a.tags is {got!r}"
    del a.tags
    assert read(a, "tags") is tags_default, "after del, the field reads its default again"
    assert read(Article(), "tags") is tags_default, "a fresh instance reads the default"


def test_unset_field_without_default_raises_attribute_error(solution: ModuleType) -> None:
    """Reading an unset field with no default raises AttributeError naming it, so hasattr() is False."""

    class Invoice:
        customer_id = solution.Typed(int)

    inv = Invoice()
    try:
        value = inv.customer_id
    except AttributeError as exc:
        assert "customer_id" in str(exc), f"the AttributeError says {str(exc)!r}; name the attribute in it"
    except Exception as exc:
        pytest.fail(
            f"reading an unset field raised {type(exc).__name__}({exc}); expected AttributeError "
            "(a KeyError from the instance dict should become an AttributeError)",
            pytrace=False,
        )
    else:
        pytest.fail(
            f"reading an unset field with no default returned {value!r}; expected AttributeError", pytrace=False
        )
    assert hasattr(inv, "customer_id") is False, "hasattr() on an unset field must be False"
    assert getattr(inv, "customer_id", "fallback") == "fallback", "getattr() with a fallback must return it"


def test_del_forgets_the_value_and_del_of_an_unset_field_raises(solution: ModuleType) -> None:
    """del obj.attr forgets this instance's value; deleting a field with no value raises AttributeError."""

    class Invoice:
        customer_id = solution.Typed(int)

    a, b = Invoice(), Invoice()
    assign(a, "customer_id", 1)
    assign(b, "customer_id", 2)
    del a.customer_id
    assert not hasattr(a, "customer_id"), "after del a.customer_id, reading it must raise AttributeError"
    got = getattr(b, "customer_id", "<AttributeError>")
    assert got == 2, (
        f"after del a.customer_id, b.customer_id is {got}, expected 2: deleting on one instance must not touch another"
    )
    try:
        del a.customer_id
    except AttributeError as exc:
        assert "customer_id" in str(exc), f"the AttributeError says {str(exc)!r}; name the attribute in it"
    except Exception as exc:
        pytest.fail(
            f"deleting an unset field raised {type(exc).__name__}({exc}); expected AttributeError", pytrace=False
        )
    else:
        pytest.fail("deleting a field that has no value must raise AttributeError", pytrace=False)


def test_reading_on_the_class_returns_the_descriptor(solution: ModuleType) -> None:
    """Order.quantity is the Typed object itself, with .name, .types and .nullable."""
    field = solution.Typed(int, float, nullable=True)

    class Order:
        quantity = field

    got = Order.quantity
    assert got is field, (
        f"Order.quantity returned {got!r}; expected the Typed object (return self when instance is None)"
    )
    assert field.name == "quantity", f".name is {field.name!r}; expected 'quantity' (set it in __set_name__)"
    assert field.types == (int, float), f".types is {field.types!r}; expected (int, float)"
    assert field.nullable is True, f".nullable is {field.nullable!r}"
    assert solution.Typed(str).nullable is False, "nullable defaults to False"


def test_each_descriptor_learns_its_name_also_in_dynamically_built_classes(solution: ModuleType) -> None:
    """__set_name__ gives each field its name, also in classes built with type(name, bases, namespace)."""
    Sensor = type("Sensor", (), {"celsius": solution.Typed(float), "label": solution.Typed(str)})
    assert Sensor.celsius.name == "celsius" and Sensor.label.name == "label", (
        f"names learned: {Sensor.celsius.name!r}, {Sensor.label.name!r}"
    )
    s = Sensor()
    exc = rejected(s, "celsius", "hot", "Typed(float) given 'hot'")
    assert str(exc) == "celsius must be float, got str", f"the TypeError says {str(exc)!r}"
    assign(s, "celsius", 21.5)
    assign(s, "label", "kitchen")
    got = (read(s, "celsius"), read(s, "label"))
    assert got == (21.5, "kitchen"), f"(s.celsius, s.label) is {got!r}, expected (21.5, 'kitchen')"


def test_subclasses_inherit_add_and_redefine_fields(solution: ModuleType) -> None:
    """A subclass uses the base's fields, can add its own, and can redefine one (only for its own instances)."""

    class Animal:
        name = solution.Typed(str)
        legs = solution.Typed(int, default=4)

    class Bird(Animal):
        wingspan = solution.Typed(float)
        name = solution.Typed(str, nullable=True)

    bird, animal = Bird(), Animal()
    assert read(bird, "legs") == 4, "a subclass instance reads the base field's default"
    assign(bird, "legs", 2)
    assign(bird, "wingspan", 0.4)
    assign(bird, "name", None)  # the redefined field is nullable
    got = (read(bird, "legs"), read(bird, "wingspan"), read(bird, "name"))
    assert got == (2, 0.4, None), f"(bird.legs, bird.wingspan, bird.name) is {got!r}, expected (2, 0.4, None)"
    assert read(animal, "legs") == 4, "setting bird.legs changed animal.legs"
    exc = rejected(animal, "name", None, "the base class's Typed(str) given None")  # only Bird's is nullable
    assert str(exc) == "name must be str, got NoneType", f"the TypeError says {str(exc)!r}"
    rejected(bird, "wingspan", "wide", "Bird.wingspan = Typed(float) given 'wide'")


def test_instances_and_their_values_are_garbage_collected(solution: ModuleType) -> None:
    """Once an instance is unreachable, gc frees it and the values stored on it: the descriptor keeps no
    strong reference to either."""

    class Cache:
        payload = solution.Typed(Payload)

    obj = Cache()
    value = Payload()
    assign(obj, "payload", value)
    obj_ref, value_ref = weakref.ref(obj), weakref.ref(value)
    del obj, value
    gc.collect()
    assert obj_ref() is None, (
        "the instance stayed alive after its last reference was deleted: does the "
        "descriptor keep instances in a dict (or a list)? Store values on the instance."
    )
    assert value_ref() is None, (
        "the stored value outlived its instance: is it kept on the descriptor (in an attribute, or in a dict "
        "keyed by id(instance))? Store values on the instance itself."
    )


def test_works_for_unhashable_instances(solution: ModuleType) -> None:
    """Instances of a class that defines __eq__ without __hash__ (like a dataclass) are unhashable: they must
    work too."""

    class Money:
        amount = solution.Typed(int)
        currency = solution.Typed(str, default="EUR")

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Money) and vars(self) == vars(other)

    a, b = Money(), Money()
    try:
        assign(a, "amount", 5)
        assign(b, "amount", 7)
    except TypeError as exc:
        pytest.fail(
            f"assigning on an unhashable instance raised TypeError({exc}). Did you key a dict (or a "
            "WeakKeyDictionary) by the instance? Store values in the instance's __dict__.",
            pytrace=False,
        )
    got = (read(a, "amount"), read(b, "amount"), read(a, "currency"))
    assert got == (5, 7, "EUR"), f"(a.amount, b.amount, a.currency) is {got}, expected (5, 7, 'EUR')"


BAD_CONSTRUCTIONS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("Typed() with no types", (), {}),
    ("Typed('int'), a string instead of a class", ("int",), {}),
    ("Typed(int, 3), a non-class among the types", (int, 3), {}),
    ("Typed(int, default='0'), a default of the wrong type", (int,), {"default": "0"}),
    ("Typed(int, default=None) on a field that is not nullable", (int,), {"default": None}),
]


def test_bad_construction_arguments_raise_type_error(solution: ModuleType) -> None:
    """Typed(...) raises TypeError at once for no types, a non-class, or a default that fails the check."""
    for call, args, kwargs in BAD_CONSTRUCTIONS:
        try:
            solution.Typed(*args, **kwargs)
        except TypeError:
            continue
        pytest.fail(f"{call} returned normally; expected TypeError", pytrace=False)


def test_a_good_default_is_accepted(solution: ModuleType) -> None:
    """Typed(int, float, default=0) and Typed(str, default=None, nullable=True) construct without error."""
    for call, make in (
        ("Typed(int, float, default=0)", lambda: solution.Typed(int, float, default=0)),
        ("Typed(str, default=None, nullable=True)", lambda: solution.Typed(str, default=None, nullable=True)),
    ):
        try:
            make()
        except TypeError as exc:
            pytest.fail(f"{call} raised TypeError({exc}); that default is valid", pytrace=False)
