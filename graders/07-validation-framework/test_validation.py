"""Hidden grader for exercise 07: a declarative data validation framework."""

from __future__ import annotations

import copy
import pprint
import textwrap
import types
from collections.abc import Callable
from typing import Any, NoReturn

import pytest
from _validation_oracle import Err, build_models, describe, expect
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from kata.testing import Source

Mod = types.ModuleType


# ---------------------------------------------------------------------------------------------------------
# helpers


def fail(message: str) -> NoReturn:
    """Fail with `message`; long lines are wrapped at 100 columns (the report panel crops, it doesn't wrap)."""
    lines = [
        textwrap.fill(line, 100, subsequent_indent="    ", break_on_hyphens=False) if len(line) > 100 else line
        for line in message.splitlines()
    ]
    pytest.fail("\n".join(lines), pytrace=False)


def plain_errors(mod: Mod, exc: BaseException) -> list[Err]:
    """The learner's ValidationError as plain (path, code, message) triples, after checking its types."""
    assert isinstance(exc, ValueError), "ValidationError must subclass ValueError"
    assert type(exc.errors) is list, f"ValidationError.errors must be a list, got {type(exc.errors).__name__}"
    out: list[Err] = []
    for e in exc.errors:
        assert isinstance(e, mod.FieldError), f"ValidationError.errors holds a {type(e).__name__}, not a FieldError"
        assert type(e.path) is tuple, f"FieldError.path must be a tuple, got {e.path!r}"
        out.append((tuple(e.path), str(e.code), str(e.message)))
    return out


def errors_of(mod: Mod, call: Callable[[], object], what: str, help: str = "") -> list[Err]:
    """Run `call`, which must raise the learner's ValidationError; return its errors."""
    try:
        got = call()
    except mod.ValidationError as exc:
        return plain_errors(mod, exc)
    message = f"{what} was accepted (it returned {got!r}); expected ValidationError"
    fail(message + (f"; {help}" if help else ""))


def show(errors: list[Err]) -> str:
    return "\n".join(f"    {path!r} {code}: {message}" for path, code, message in errors) or "    (none)"


def assert_errors(got: list[Err], expected: list[Err], what: str, help: str = "") -> None:
    if got != expected:
        message = f"{what} reported\n{show(got)}\nexpected\n{show(expected)}"
        fail(message + (f"\n{help}" if help else ""))


def kind_name(kind: Any) -> str:
    return kind.__name__ if isinstance(kind, type) else repr(kind)


def strict_equal(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (so 1 != 1.0 and dict key order counts)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(strict_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@pytest.fixture(scope="session")
def shop(solution: Mod) -> types.SimpleNamespace:
    """A small hand-written model set, declared with class statements as a learner would."""
    Field, Model, validator = solution.Field, solution.Model, solution.validator

    class Address(Model):
        street = Field(str, min_length=1)
        zip = Field(str, pattern=r"[0-9]{5}")

    class User(Model):
        name = Field(str, min_length=2, max_length=20)
        age = Field(int, ge=0, le=150)
        role = Field(str, choices=["admin", "user"], default="user")
        nickname = Field(str, default=None)
        address = Field(Address)
        tags = Field(list[str], max_length=5, default=[])

        @validator
        def admins_are_adults(self: Any) -> None:
            if self.role == "admin" and self.age < 18:
                raise ValueError("admins must be adults")

        @validator("nickname")
        def nickname_differs_from_name(self: Any) -> None:
            if self.nickname == self.name:
                raise ValueError("nickname must differ from name")

    return types.SimpleNamespace(Address=Address, User=User)


ADDR = {"street": "Main St", "zip": "12345"}


def valid_user(shop: types.SimpleNamespace, **changes: Any) -> Any:
    data: dict[str, Any] = {"name": "Ann", "age": 30, "address": dict(ADDR), **changes}
    return shop.User(**data)


# ---------------------------------------------------------------------------------------------------------
# descriptors and models


def test_valid_data_builds_a_model_whose_fields_read_back(shop: types.SimpleNamespace) -> None:
    """Valid keyword data builds a model; each field reads back its value, defaults fill the rest."""
    u = valid_user(shop, tags=["a", "b"])
    got = (u.name, u.age, u.role, u.nickname, u.tags)
    assert got == ("Ann", 30, "user", None, ["a", "b"]), f"(name, age, role, nickname, tags) read back as {got}"
    assert type(u.address) is shop.Address, (
        f"a dict given for a nested model field must become an Address, got {type(u.address).__name__}"
    )
    assert (u.address.street, u.address.zip) == ("Main St", "12345")


def test_instances_do_not_share_values(shop: types.SimpleNamespace) -> None:
    """Two instances of one model keep their own values (the descriptor is shared, the values are not)."""
    a = valid_user(shop, name="Ann", age=30)
    b = valid_user(shop, name="Bob", age=40)
    a.age = 31
    got = (a.name, a.age, b.name, b.age)
    assert got == ("Ann", 31, "Bob", 40), (
        f"(a.name, a.age, b.name, b.age) = {got}, expected ('Ann', 31, 'Bob', 40)\n"
        "did you store the value on the Field (self) instead of on the instance?\n"
        "One Field object serves every instance of the class."
    )


def test_class_access_returns_the_field_descriptor(solution: Mod, shop: types.SimpleNamespace) -> None:
    """On the class, `User.age` is the Field itself, and it knows its name from __set_name__."""
    got = shop.User.age
    assert isinstance(got, solution.Field), f"User.age returned {got!r}; on the class it must return the Field"
    assert got.name == "age", f"User.age.name is {got.name!r}, expected 'age' (set it in __set_name__)"
    assert shop.Address.zip.name == "zip"


def test_defaults_are_copied_for_each_instance(shop: types.SimpleNamespace) -> None:
    """A default of [] is deep-copied per instance: appending to one model's list leaves the others alone."""
    a = valid_user(shop)
    a.tags.append("mutated")
    b = valid_user(shop)
    assert b.tags == [], (
        f"a new instance's default tags are {b.tags!r}\n"
        "did you share the default object? deep-copy it for each instance"
    )


def test_each_model_class_has_its_own_fields(solution: Mod) -> None:
    """Two unrelated models don't see each other's fields (no registry shared through the base class)."""

    class A(solution.Model):
        x = solution.Field(int)

    class B(solution.Model):
        y = solution.Field(int)

    a = A(x=1)
    assert a.to_dict() == {"x": 1}, f"A(x=1).to_dict() = {a.to_dict()!r}; did B's field leak into A?"
    got = errors_of(solution, lambda: A(x=1, y=2), "A(x=1, y=2)")
    assert_errors(got, [(("y",), "unknown", "unknown field")], "A(x=1, y=2)")


def test_subclasses_inherit_fields_base_first(solution: Mod) -> None:
    """A subclass has its bases' fields first, then its own; re-declaring a field keeps its position."""

    class Base(solution.Model):
        a = solution.Field(int)
        b = solution.Field(str, default="x")

    class Child(Base):
        c = solution.Field(int, default=0)
        a = solution.Field(int, ge=10)

    child = Child(a=10)
    assert list(child.to_dict()) == ["a", "b", "c"], f"Child fields in order: {list(child.to_dict())}"
    got = errors_of(solution, lambda: Child(a=5), "Child(a=5) with the re-declared a = Field(int, ge=10)")
    assert_errors(got, [(("a",), "ge", "must be >= 10, got 5")], "Child(a=5)")
    assert repr(child) == "Child(a=10, b='x', c=0)", f"repr(child) = {repr(child)!r}"


# ---------------------------------------------------------------------------------------------------------
# kinds and constraints

KIND_CASES: list[tuple[Any, Any, str | None, Any]] = [
    # (kind, value, expected type-error 'got' name or None if accepted, stored value)
    (int, 7, None, 7),
    (int, True, "bool", None),
    (int, 7.0, "float", None),
    (int, "7", "str", None),
    (float, 2, None, 2.0),
    (float, 2.5, None, 2.5),
    (float, False, "bool", None),
    (str, "hi", None, "hi"),
    (str, b"hi", "bytes", None),
    (str, None, "NoneType", None),
    (bool, True, None, True),
    (bool, 1, "int", None),
    (list[int], [1, 2], None, [1, 2]),
    (list[int], (1, 2), "tuple", None),
    (list[float], [1, 2.5], None, [1.0, 2.5]),
]


def test_each_kind_accepts_and_rejects_the_right_values(solution: Mod) -> None:
    """int, float, str, bool and list[...] accept exactly what the README's table says (bool is not an int)."""
    for kind, value, bad, stored in KIND_CASES:
        M = type("M", (solution.Model,), {"v": solution.Field(kind)})
        what = f"Field({kind_name(kind)}) given {value!r}"
        if bad is None:
            got = M(v=value).v
            assert strict_equal(got, stored), f"{what} stored {got!r} ({type(got).__name__}), expected {stored!r}"
            continue
        name = "list" if isinstance(kind, types.GenericAlias) else kind.__name__
        bool_mixup = bad == "bool" or kind is bool
        help = "did you forget that bool is a subclass of int? check for bool first" if bool_mixup else ""
        expected: list[Err] = [(("v",), "type", f"expected {name}, got {bad}")]
        got = errors_of(solution, lambda M=M, value=value: M(v=value), what, help)
        assert_errors(got, expected, what, help)


def test_list_fields_store_a_new_list(solution: Mod) -> None:
    """A list field stores a new list: changing the caller's list afterwards can't smuggle in bad data."""
    M = type("M", (solution.Model,), {"xs": solution.Field(list[int])})
    src = [1, 2]
    m = M(xs=src)
    src.append("not an int")
    assert m.xs == [1, 2], f"m.xs became {m.xs!r} after the caller changed its own list; store a copy"


CONSTRAINT_CASES: list[tuple[Any, dict[str, Any], Any, list[tuple[str, str]]]] = [
    (str, {"min_length": 3}, "ab", [("min_length", "length must be at least 3, got 2")]),
    (str, {"max_length": 3}, "abcd", [("max_length", "length must be at most 3, got 4")]),
    (list[int], {"min_length": 1}, [], [("min_length", "length must be at least 1, got 0")]),
    (list[int], {"max_length": 1}, [1, 2], [("max_length", "length must be at most 1, got 2")]),
    (int, {"ge": 0}, -1, [("ge", "must be >= 0, got -1")]),
    (int, {"le": 9}, 10, [("le", "must be <= 9, got 10")]),
    (float, {"ge": 0.5}, 0.25, [("ge", "must be >= 0.5, got 0.25")]),
    (float, {"le": 1}, 2, [("le", "must be <= 1, got 2.0")]),
    (str, {"pattern": "[a-z]+"}, "abc1", [("pattern", "must match '[a-z]+', got 'abc1'")]),
    (str, {"pattern": "[a-z]+"}, "1abc", [("pattern", "must match '[a-z]+', got '1abc'")]),
    (str, {"choices": ["a", "b"]}, "c", [("choices", "must be one of ('a', 'b'), got 'c'")]),
    (int, {"choices": (1, 2)}, 3, [("choices", "must be one of (1, 2), got 3")]),
    (
        str,
        {"min_length": 3, "pattern": "[a-z]+", "choices": ("abc", "xyz")},
        "A",
        [
            ("min_length", "length must be at least 3, got 1"),
            ("pattern", "must match '[a-z]+', got 'A'"),
            ("choices", "must be one of ('abc', 'xyz'), got 'A'"),
        ],
    ),
]


def test_each_constraint_reports_its_code_and_message(solution: Mod) -> None:
    """Every broken constraint is reported, in the README's order, with its exact code and message."""
    for kind, constraints, value, codes in CONSTRAINT_CASES:
        M = type("M", (solution.Model,), {"v": solution.Field(kind, **constraints)})
        args = ", ".join(f"{k}={v!r}" for k, v in constraints.items())
        what = f"Field({kind_name(kind)}, {args}) given {value!r}"
        got = errors_of(solution, lambda M=M, value=value: M(v=value), what, "did you check every constraint?")
        expected: list[Err] = [(("v",), code, message) for code, message in codes]
        help = ""
        if len(got) < len(expected) and expected[: len(got)] == got:
            help = "did you stop at the first broken constraint? report every one, in the README's order"
        elif any(code == "pattern" for _, code, _ in expected) and not any(code == "pattern" for _, code, _ in got):
            help = "did you use re.match or re.search? the whole string must match: use re.fullmatch"
        assert_errors(got, expected, what, help)


def test_values_within_the_constraints_are_accepted(solution: Mod) -> None:
    """Values exactly on a limit are valid: ge and le are inclusive, min/max_length too."""
    M = type(
        "M",
        (solution.Model,),
        {
            "s": solution.Field(str, min_length=2, max_length=2, pattern="[a-z]+", choices=("ab",)),
            "n": solution.Field(int, ge=3, le=3),
            "f": solution.Field(float, ge=0, le=0.5),
        },
    )
    m = M(s="ab", n=3, f=0.5)
    assert (m.s, m.n, m.f) == ("ab", 3, 0.5)


def test_field_rejects_unsupported_kinds_and_misplaced_constraints(solution: Mod) -> None:
    """Field raises TypeError at once for an unsupported kind or a constraint that doesn't apply to it."""
    bad: list[tuple[str, Callable[[], object]]] = [
        ("Field(dict)", lambda: solution.Field(dict)),
        ("Field(list)", lambda: solution.Field(list)),
        ("Field(int, pattern='x')", lambda: solution.Field(int, pattern="x")),
        ("Field(str, ge=1)", lambda: solution.Field(str, ge=1)),
        ("Field(bool, min_length=1)", lambda: solution.Field(bool, min_length=1)),
        ("Field(list[int], choices=[1])", lambda: solution.Field(list[int], choices=[1])),
    ]
    for what, make in bad:
        with pytest.raises(TypeError):
            make()
            fail(f"{what} did not raise TypeError")
    solution.Field(list[list[int]], min_length=1)  # these are fine
    solution.Field(float, choices=(1.5, 2.5), ge=0)


def test_optional_fields_accept_none_and_skip_constraints(shop: types.SimpleNamespace, solution: Mod) -> None:
    """A field whose default is None accepts None; a required field does not."""
    u = valid_user(shop, nickname=None)
    assert u.nickname is None
    M = type("M", (solution.Model,), {"v": solution.Field(str, default=None, min_length=3)})
    assert M(v=None).v is None, "Field(str, default=None, min_length=3) must accept None without checking length"
    assert M().v is None
    what = "User(name=None, ...) with a required name"
    got = errors_of(solution, lambda: valid_user(shop, name=None), what)
    assert_errors(got, [(("name",), "type", "expected str, got NoneType")], what)


# ---------------------------------------------------------------------------------------------------------
# collecting errors


def test_all_errors_are_collected_not_just_the_first(solution: Mod, shop: types.SimpleNamespace) -> None:
    """One ValidationError lists every problem in the data, in field order, then unknown keys."""
    data = {"name": "A", "age": -3, "address": {"street": "", "zip": "1234"}, "tags": ["ok", 7], "extra": 1}
    got = errors_of(solution, lambda: shop.User(**data), "User(**data)")
    expected: list[Err] = [
        (("name",), "min_length", "length must be at least 2, got 1"),
        (("age",), "ge", "must be >= 0, got -3"),
        (("address", "street"), "min_length", "length must be at least 1, got 0"),
        (("address", "zip"), "pattern", "must match '[0-9]{5}', got '1234'"),
        (("tags", 1), "type", "expected str, got int"),
        (("extra",), "unknown", "unknown field"),
    ]
    assert_errors(
        got, expected, f"User(**{data!r})", "did you raise at the first problem? collect every error, then raise once"
    )


def test_missing_required_fields_and_unknown_keys_are_errors(solution: Mod, shop: types.SimpleNamespace) -> None:
    """Required fields left out are `missing`; keys that are not fields are `unknown`, after the fields."""
    got = errors_of(solution, lambda: shop.User(colour="red", age=3), "User(colour='red', age=3)")
    expected: list[Err] = [
        (("name",), "missing", "field required"),
        (("address",), "missing", "field required"),
        (("colour",), "unknown", "unknown field"),
    ]
    assert_errors(got, expected, "User(colour='red', age=3)")


def test_nested_errors_carry_the_full_path(solution: Mod, shop: types.SimpleNamespace) -> None:
    """Errors inside nested models and lists are reported at their full path: field, index, field."""

    class Route(solution.Model):
        stops = solution.Field(list[shop.Address], min_length=1)
        legs = solution.Field(list[list[int]], default=[])

    data = {"stops": [ADDR, {"zip": 5}, "nowhere"], "legs": [[1], [2, "x"]]}
    got = errors_of(solution, lambda: Route.from_dict(data), "Route.from_dict(data)")
    expected: list[Err] = [
        (("stops", 1, "street"), "missing", "field required"),
        (("stops", 1, "zip"), "type", "expected str, got int"),
        (("stops", 2), "type", "expected Address, got str"),
        (("legs", 1, 1), "type", "expected int, got str"),
    ]
    assert_errors(got, expected, f"Route.from_dict({data!r})")
    r = Route(stops=[ADDR])
    assert type(r.stops[0]) is shop.Address, "a dict inside list[Address] must become an Address"


def test_validation_error_str_has_one_line_per_error(solution: Mod, shop: types.SimpleNamespace) -> None:
    """str(ValidationError) is one `dotted.path: message` line per error (`__root__` for the model)."""
    data = {"name": "Al", "age": 10, "role": "admin", "nickname": "Al", "address": {"street": "", "zip": "1"}}
    try:
        shop.User(**data)
    except solution.ValidationError as exc:
        text = str(exc)
    else:
        fail("User(**data) was accepted")
    expected = "address.street: length must be at least 1, got 0\naddress.zip: must match '[0-9]{5}', got '1'"
    assert text == expected, f"str(error) was\n{text}\nexpected\n{expected}"
    data["address"] = ADDR
    try:
        shop.User(**data)
    except solution.ValidationError as exc:
        text = str(exc)
    expected = "__root__: admins must be adults\nnickname: nickname must differ from name"
    assert text == expected, f"str(error) was\n{text}\nexpected\n{expected}"


# ---------------------------------------------------------------------------------------------------------
# validators


def test_validators_run_in_definition_order_base_class_first(solution: Mod) -> None:
    """Validators run base class first, in definition order, and all of them run even when one fails."""
    calls: list[str] = []
    Field, validator = solution.Field, solution.validator

    class Base(solution.Model):
        a = Field(int)

        @validator
        def first(self: Any) -> None:
            calls.append("first")

        @validator("a")
        def second(self: Any) -> None:
            calls.append("second")
            raise ValueError("second failed")

    class Child(Base):
        b = Field(int)

        @validator
        def third(self: Any) -> None:
            calls.append("third")
            raise ValueError(f"third failed with a={self.a}, b={self.b}")

    got = errors_of(solution, lambda: Child(a=1, b=2), "Child(a=1, b=2)")
    assert calls == ["first", "second", "third"], (
        f"validators ran in the order {calls}, expected ['first', 'second', 'third']"
        + ("\ndid you stop at the first failing validator?" if calls == ["first", "second"] else "")
    )
    expected: list[Err] = [(("a",), "validator", "second failed"), ((), "validator", "third failed with a=1, b=2")]
    assert_errors(got, expected, "Child(a=1, b=2)")


def test_validators_do_not_run_while_a_field_is_invalid(solution: Mod) -> None:
    """Validators run only when every field is valid: they can rely on well-typed values."""
    calls: list[str] = []

    class M(solution.Model):
        a = solution.Field(int)

        @solution.validator
        def rule(self: Any) -> None:
            calls.append("rule")
            raise ValueError("never")

    got = errors_of(solution, lambda: M(a="x"), "M(a='x')")
    assert calls == [], "a validator ran although field a was invalid"
    assert_errors(got, [(("a",), "type", "expected int, got str")], "M(a='x')")


def test_validator_returns_the_method_and_other_exceptions_propagate(solution: Mod) -> None:
    """@validator and @validator('f') return the method itself; a non-ValueError from a rule propagates."""

    def rule(self: Any) -> None:
        raise KeyError("bug in the rule")

    marked = solution.validator(rule)
    assert marked is rule, "@validator must return the method itself"
    assert solution.validator("a")(rule) is rule, "@validator('a') must return a decorator that returns the method"
    M = type("M", (solution.Model,), {"a": solution.Field(int), "rule": marked})
    with pytest.raises(KeyError):
        M(a=1)
        fail("a KeyError raised inside a validator was swallowed; only ValueError is reported")


def test_nested_validator_errors_are_prefixed(solution: Mod, shop: types.SimpleNamespace) -> None:
    """A nested model's validator errors appear under the field holding it."""

    class Team(solution.Model):
        lead = solution.Field(shop.User)

    bad = {"name": "Al", "age": 10, "role": "admin", "address": ADDR}
    got = errors_of(solution, lambda: Team(lead=bad), "Team(lead=...)")
    assert_errors(got, [(("lead",), "validator", "admins must be adults")], "Team(lead={... admin aged 10 ...})")


# ---------------------------------------------------------------------------------------------------------
# assignment


def test_assignment_is_validated_and_bad_values_are_not_stored(solution: Mod, shop: types.SimpleNamespace) -> None:
    """Assigning a bad value raises ValidationError and keeps the old value; good values are converted."""
    u = valid_user(shop)
    for value, expected in [
        (-1, (("age",), "ge", "must be >= 0, got -1")),
        (True, (("age",), "type", "expected int, got bool")),
    ]:
        got = errors_of(solution, lambda v=value: setattr(u, "age", v), f"u.age = {value!r}")
        assert_errors(got, [expected], f"u.age = {value!r}")
        assert u.age == 30, f"after the rejected u.age = {value!r}, u.age is {u.age!r}; keep the old value"
    u.address = {"street": "Elm", "zip": "54321"}
    assert type(u.address) is shop.Address, "assigning a dict to a nested model field must store an Address"
    got = errors_of(solution, lambda: setattr(u, "address", {"zip": "x"}), "u.address = {'zip': 'x'}")
    assert_errors(
        got,
        [
            (("address", "street"), "missing", "field required"),
            (("address", "zip"), "pattern", "must match '[0-9]{5}', got 'x'"),
        ],
        "u.address = ...",
    )


def test_assignment_reruns_validators_and_restores_on_failure(solution: Mod, shop: types.SimpleNamespace) -> None:
    """An assignment that breaks a cross-field rule is undone and reported."""
    u = valid_user(shop, age=12)
    got = errors_of(solution, lambda: setattr(u, "role", "admin"), "u.role = 'admin' for a 12-year-old")
    assert_errors(got, [((), "validator", "admins must be adults")], "u.role = 'admin'")
    assert u.role == "user", f"u.role is {u.role!r} after the rejected assignment; put the old value back"
    u.age = 40
    u.role = "admin"
    assert (u.age, u.role) == (40, "admin")


# ---------------------------------------------------------------------------------------------------------
# dicts, equality, repr


def test_to_dict_from_dict_equality_and_repr(solution: Mod, shop: types.SimpleNamespace) -> None:
    """to_dict gives plain nested data in field order; from_dict reverses it; == compares class and data."""
    u = valid_user(shop, tags=["x"])
    d = u.to_dict()
    expected = {"name": "Ann", "age": 30, "role": "user", "nickname": None, "address": ADDR, "tags": ["x"]}
    assert strict_equal(d, expected), f"to_dict() = {d!r}, expected {expected!r} (in field order)"
    d["tags"].append("y")
    assert u.tags == ["x"], "to_dict() must return new lists, not the model's own"
    again = shop.User.from_dict(u.to_dict())
    assert again == u, "User.from_dict(u.to_dict()) != u"
    assert again != valid_user(shop, age=31)
    assert u.__eq__(1) is NotImplemented, "comparing a model with a non-model must return NotImplemented"
    assert shop.Address(**ADDR) != type("Address", (solution.Model,), {})(), "models of different classes are equal"
    text = repr(u)
    expected_repr = (
        "User(name='Ann', age=30, role='user', nickname=None, "
        "address=Address(street='Main St', zip='12345'), tags=['x'])"
    )
    assert text == expected_repr, f"repr(u) = {text!r}\nexpected  {expected_repr!r}"


def test_from_dict_accepts_any_mapping_and_rejects_non_mappings(solution: Mod, shop: types.SimpleNamespace) -> None:
    """from_dict takes any Mapping; anything else is one `type` error at the empty path."""
    a = shop.Address.from_dict(types.MappingProxyType(dict(ADDR)))
    assert (a.street, a.zip) == ("Main St", "12345")
    got = errors_of(solution, lambda: shop.Address.from_dict(["Main St", "12345"]), "Address.from_dict([...])")
    assert_errors(got, [((), "type", "expected Address, got list")], "Address.from_dict(['Main St', '12345'])")
    addr = shop.Address(**ADDR)
    u = valid_user(shop, address=addr)
    assert u.address is addr, "an Address instance given for an Address field must be stored as it is"


# ---------------------------------------------------------------------------------------------------------
# properties: an independent oracle of the README's rules over generated data

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200),
    st.floats(allow_nan=False, width=32),
    st.text("aZ09 ", max_size=4),
    st.binary(max_size=2),
    st.lists(st.integers(0, 3), max_size=2),
    st.tuples(st.integers(0, 3)),
    st.dictionaries(st.sampled_from(["street", "zip", "x"]), st.text("1a", max_size=2), max_size=2),
)

ADDRESS = st.fixed_dictionaries(
    {},
    optional={
        "street": st.one_of(st.text("ab ", max_size=14), JUNK),
        "zip": st.one_of(st.text("0123456789a", min_size=4, max_size=6), st.sampled_from(["12345", "01234"]), JUNK),
        "country": st.one_of(st.sampled_from(["FR", "DE", "US", "UK"]), JUNK),
        "planet": JUNK,
    },
)

NEAR_PERSON: dict[str, st.SearchStrategy[Any]] = {
    "name": st.one_of(st.text("abZ1", max_size=9), JUNK),
    "age": st.one_of(st.integers(-3, 140), JUNK),
    "score": st.one_of(st.floats(-0.5, 1.5, allow_nan=False), st.integers(-1, 2), JUNK),
    "admin": st.one_of(st.booleans(), JUNK),
    "nickname": st.one_of(st.none(), st.text("abAB", max_size=7), JUNK),
    "level": st.one_of(st.integers(0, 4), st.floats(0, 4), JUNK),
    "address": st.one_of(ADDRESS, JUNK),
    "tags": st.one_of(st.lists(st.one_of(st.text("xy", max_size=2), JUNK), max_size=4), JUNK),
    "history": st.one_of(st.lists(st.one_of(ADDRESS, JUNK), max_size=3), JUNK),
    "grid": st.one_of(
        st.lists(st.one_of(st.lists(st.one_of(st.integers(0, 9), JUNK), max_size=3), JUNK), max_size=3), JUNK
    ),
    "surname": JUNK,
}

VALID_ADDRESS = st.fixed_dictionaries(
    {"street": st.text("ab ", min_size=1, max_size=12), "zip": st.text("0123456789", min_size=5, max_size=5)},
    optional={"country": st.sampled_from(["FR", "DE", "US"])},
)

VALID_PERSON = st.fixed_dictionaries(
    {
        "name": st.text("abZ", min_size=2, max_size=8),
        "age": st.integers(10, 130),
        "address": VALID_ADDRESS,
    },
    optional={
        "score": st.one_of(st.floats(0, 1), st.integers(0, 1)),
        "admin": st.booleans(),
        "nickname": st.sampled_from([None, "nick", "ab", "AB", "Zz"]),
        "level": st.sampled_from([1, 2, 3]),
        "tags": st.lists(st.text("xy", max_size=2), max_size=3),
        "history": st.lists(VALID_ADDRESS, max_size=3),
        "grid": st.lists(st.lists(st.integers(-9, 9), max_size=3), max_size=3),
    },
)


@st.composite
def person_data(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly valid data with a few fields spoiled: replaced by near-misses or junk, or left out."""
    data: dict[str, Any] = draw(VALID_PERSON)
    for key in draw(st.lists(st.sampled_from(sorted(NEAR_PERSON)), min_size=1, max_size=4, unique=True)):
        if key in data and draw(st.booleans()):
            del data[key]
        else:
            data[key] = draw(NEAR_PERSON[key])
    return data


# No "explain" phase: on a failure it re-runs the test hundreds of times to annotate the example, which costs
# far more than it tells a learner here.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]


@pytest.fixture(scope="session")
def schema_models(solution: Mod) -> dict[str, type]:
    return build_models(solution)


def _run(mod: Mod, model: type, data: dict[str, Any]) -> tuple[list[Err], Any]:
    try:
        return [], model.from_dict(copy.deepcopy(data))
    except mod.ValidationError as exc:
        return plain_errors(mod, exc), None


@pytest.mark.time_limit(30)
@settings(max_examples=400, report_multiple_bugs=False, phases=PHASES)
@given(data=st.one_of(person_data(), person_data(), person_data(), VALID_PERSON))
def test_invalid_data_is_never_accepted(solution: Mod, schema_models: dict[str, type], data: dict[str, Any]) -> None:
    """Generated data: the model reports exactly the errors the README's rules predict, or builds exactly the values."""
    expected, plain = expect("Person", data)
    got, built = _run(solution, schema_models["Person"], data)
    context = _context(data)
    if expected:
        if built is not None:
            fail(f"Person.from_dict(data) was accepted, but it should report\n{show(expected)}\n{context}")
        assert_errors(got, expected, "Person.from_dict(data)", context)
        return
    if built is None:
        fail(f"Person.from_dict(data) raised\n{show(got)}\nbut the data is valid\n{context}")
    d = built.to_dict()
    if not strict_equal(d, plain):
        fail(f"Person.from_dict(data).to_dict() = {d!r}\nexpected {plain!r}\n{context}")


def _context(data: dict[str, Any]) -> str:
    shown = pprint.pformat(data, width=100, sort_dicts=False)
    return f"where data = {shown}\nand the models are\n{describe('Address')}\n{describe('Person')}"


@settings(max_examples=150, report_multiple_bugs=False, phases=PHASES)
@given(data=VALID_PERSON)
def test_valid_data_round_trips_through_dicts(
    solution: Mod, schema_models: dict[str, type], data: dict[str, Any]
) -> None:
    """Valid generated data builds a model; from_dict(m.to_dict()) equals m and gives the same dict."""
    expected, plain = expect("Person", data)
    Person = schema_models["Person"]
    got, built = _run(solution, Person, data)
    if expected:  # valid fields can still break a cross-field rule: then those errors must match
        assert_errors(got, expected, "Person.from_dict(data)", _context(data))
        return
    if built is None:
        fail(f"Person.from_dict(data) raised\n{show(got)}\nbut the data is valid\n{_context(data)}")
    d = built.to_dict()
    if not strict_equal(d, plain):
        fail(f"Person.from_dict(data).to_dict() = {d!r}\nexpected {plain!r}\n{_context(data)}")
    again = Person.from_dict(d)
    if not strict_equal(again.to_dict(), d) or again != built:
        fail(f"m = Person.from_dict(data): Person.from_dict(m.to_dict()) differs from m\n{_context(data)}")
    assert type(again.history) is list and all(type(a) is schema_models["Address"] for a in again.history), (
        "a list[Address] field must hold Address instances after from_dict"
    )


def test_uses_no_validation_library(source: Source) -> None:
    """The framework is written by hand: pydantic, attrs and marshmallow are not allowed."""
    why = "this exercise asks you to write the validation yourself"
    found = source.violations({"pydantic": why, "attrs": why, "attr": why, "marshmallow": why})
    assert not found, "\n".join(found)
