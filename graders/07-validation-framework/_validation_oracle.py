"""An independent model of the README's validation rules, and the schemas the property tests use.

A schema is a dict of field name -> Spec. `build_model` turns one into a class with the learner's `Field`,
`Model` and `validator`; `expect` computes, from the README alone, the exact errors (or the stored values) the
learner's model must produce for some data.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

NO_DEFAULT = object()

Err = tuple[tuple[Any, ...], str, str]

# A kind is "int" | "float" | "str" | "bool" | ("model", name) | ("list", kind).
Kind = Any


@dataclass(frozen=True)
class Spec:
    kind: Kind
    default: Any = NO_DEFAULT
    constraints: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """A cross-field rule: where it reports (path suffix), its message, and when it is broken."""

    name: str
    at: tuple[str, ...]
    message: str
    broken: Callable[[dict[str, Any]], bool]


SCHEMAS: dict[str, dict[str, Spec]] = {
    "Address": {
        "street": Spec("str", constraints={"min_length": 1, "max_length": 12}),
        "zip": Spec("str", constraints={"pattern": "[0-9]{5}"}),
        "country": Spec("str", "FR", {"choices": ("FR", "DE", "US")}),
    },
    "Person": {
        "name": Spec("str", constraints={"min_length": 2, "max_length": 8, "pattern": "[A-Za-z]+"}),
        "age": Spec("int", constraints={"ge": 0, "le": 130}),
        "score": Spec("float", 0.5, {"ge": 0.0, "le": 1.0}),
        "admin": Spec("bool", False),
        "nickname": Spec("str", None, {"max_length": 6}),
        "level": Spec("int", 1, {"choices": (1, 2, 3)}),
        "address": Spec(("model", "Address")),
        "tags": Spec(("list", "str"), [], {"max_length": 3}),
        "history": Spec(("list", ("model", "Address")), []),
        "grid": Spec(("list", ("list", "int")), []),
    },
}

RULES: dict[str, list[Rule]] = {
    "Address": [
        Rule(
            "german_zips_do_not_start_with_zero",
            ("zip",),
            "German zip codes do not start with 0",
            lambda v: v["country"] == "DE" and v["zip"].startswith("0"),
        ),
    ],
    "Person": [
        Rule("admins_are_adults", (), "admins must be adults", lambda v: v["admin"] and v["age"] < 18),
        Rule(
            "nickname_differs_from_name",
            ("nickname",),
            "nickname must differ from name",
            lambda v: v["nickname"] is not None and v["nickname"].lower() == v["name"].lower(),
        ),
    ],
}


# ---------------------------------------------------------------------------------------------------------
# Building the learner's classes from the schemas


def _real_kind(kind: Kind, classes: dict[str, type]) -> Any:
    if isinstance(kind, tuple) and kind[0] == "model":
        return classes[kind[1]]
    if isinstance(kind, tuple):
        return list[_real_kind(kind[1], classes)]  # type: ignore[misc]
    return {"int": int, "float": float, "str": str, "bool": bool}[kind]


def _rule_method(rule: Rule) -> Callable[[Any], None]:
    def method(self: Any) -> None:
        values = {name: getattr(self, name) for name in SCHEMAS[type(self).__name__]}
        if rule.broken(values):
            raise ValueError(rule.message)

    method.__name__ = rule.name
    return method


def build_models(mod: ModuleType) -> dict[str, type]:
    """The schema's classes, made with the learner's Field, Model and validator (via `type()`)."""
    classes: dict[str, type] = {}
    for name, schema in SCHEMAS.items():
        namespace: dict[str, Any] = {}
        for fname, spec in schema.items():
            kwargs = dict(spec.constraints)
            if spec.default is not NO_DEFAULT:
                kwargs["default"] = spec.default
            namespace[fname] = mod.Field(_real_kind(spec.kind, classes), **kwargs)
        for rule in RULES[name]:
            method = _rule_method(rule)
            namespace[rule.name] = mod.validator(rule.at[0])(method) if rule.at else mod.validator(method)
        classes[name] = type(name, (mod.Model,), namespace)
    return classes


# ---------------------------------------------------------------------------------------------------------
# The oracle


def _kind_name(kind: Kind) -> str:
    if isinstance(kind, tuple):
        return kind[1] if kind[0] == "model" else "list"
    return str(kind)


def _convert(kind: Kind, value: Any, path: tuple[Any, ...], errors: list[Err]) -> Any:
    """The stored value as plain data (models as dicts); appends errors."""
    ok = False
    if isinstance(kind, tuple) and kind[0] == "list":
        if type(value) is list:
            return [_convert(kind[1], v, (*path, i), errors) for i, v in enumerate(value)]
    elif isinstance(kind, tuple):
        if isinstance(value, Mapping):
            found, plain = expect(kind[1], value, path)
            errors.extend(found)
            return plain
    elif kind == "bool":
        ok = type(value) is bool
    elif kind == "int":
        ok = type(value) is int
    elif kind == "float":
        if type(value) in (int, float):
            return float(value)
    elif kind == "str":
        ok = type(value) is str
    if not ok:
        errors.append((path, "type", f"expected {_kind_name(kind)}, got {type(value).__name__}"))
    return value


def _constraint_errors(c: dict[str, Any], v: Any, path: tuple[Any, ...]) -> list[Err]:
    out: list[Err] = []
    if "min_length" in c and len(v) < c["min_length"]:
        out.append((path, "min_length", f"length must be at least {c['min_length']}, got {len(v)}"))
    if "max_length" in c and len(v) > c["max_length"]:
        out.append((path, "max_length", f"length must be at most {c['max_length']}, got {len(v)}"))
    if "ge" in c and not v >= c["ge"]:
        out.append((path, "ge", f"must be >= {c['ge']!r}, got {v!r}"))
    if "le" in c and not v <= c["le"]:
        out.append((path, "le", f"must be <= {c['le']!r}, got {v!r}"))
    if "pattern" in c and re.fullmatch(c["pattern"], v) is None:
        out.append((path, "pattern", f"must match {c['pattern']!r}, got {v!r}"))
    if "choices" in c and v not in c["choices"]:
        out.append((path, "choices", f"must be one of {tuple(c['choices'])!r}, got {v!r}"))
    return out


def expect(model: str, data: Mapping[Any, Any], path: tuple[Any, ...] = ()) -> tuple[list[Err], Any]:
    """(expected errors, expected to_dict() when there are none) for `model` built from `data`."""
    errors: list[Err] = []
    values: dict[str, Any] = {}
    for name, spec in SCHEMAS[model].items():
        where = (*path, name)
        if name not in data:
            if spec.default is NO_DEFAULT:
                errors.append((where, "missing", "field required"))
            else:
                values[name] = copy.deepcopy(spec.default)
            continue
        value = data[name]
        if value is None and spec.default is None:
            values[name] = None
            continue
        found: list[Err] = []
        stored = _convert(spec.kind, value, where, found)
        if not found:
            found = _constraint_errors(spec.constraints, stored, where)
        errors += found
        values[name] = stored
    errors += [((*path, key), "unknown", "unknown field") for key in data if key not in SCHEMAS[model]]
    if errors:
        return errors, None
    errors = [((*path, *r.at), "validator", r.message) for r in RULES[model] if r.broken(values)]
    return errors, (None if errors else values)


def _kind_source(kind: Kind) -> str:
    if isinstance(kind, tuple):
        return kind[1] if kind[0] == "model" else f"list[{_kind_source(kind[1])}]"
    return str(kind)


def describe(model: str) -> str:
    """The schema as the class statement a learner would write, for failure messages."""
    lines = [f"class {model}(Model):"]
    for name, spec in SCHEMAS[model].items():
        args = [_kind_source(spec.kind)]
        if spec.default is not NO_DEFAULT:
            args.append(f"default={spec.default!r}")
        args += [f"{k}={v!r}" for k, v in spec.constraints.items()]
        lines.append(f"    {name} = Field({', '.join(args)})")
    for rule in RULES[model]:
        lines.append(f"    @validator{f'({rule.at[0]!r})' if rule.at else ''}  # raises ValueError({rule.message!r})")
        lines.append(f"    def {rule.name}(self): ...")
    return "\n".join(lines)
