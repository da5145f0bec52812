"""Known-good: a metaclass collects the fields; checks are generators that yield errors; values live in a
per-instance `_values` dict instead of `__dict__`."""

from __future__ import annotations

import copy
import re
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

F = typing.TypeVar("F", bound=Callable[[Any], object])


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class FieldError:
    path: tuple[str | int, ...]
    code: str
    message: str


class ValidationError(ValueError):
    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__(self.errors)

    def __str__(self) -> str:
        lines = []
        for e in self.errors:
            lines.append((".".join(str(p) for p in e.path) if e.path else "__root__") + ": " + e.message)
        return "\n".join(lines)


class _Box:
    """Holds a converted value while its errors are being yielded."""

    value: Any = None


def _name(kind: Any) -> str:
    return "list" if typing.get_origin(kind) is list else kind.__name__


def _check(kind: Any, value: Any, path: tuple[Any, ...], box: _Box) -> Iterator[FieldError]:
    if typing.get_origin(kind) is list:
        if type(value) is not list and not isinstance(value, list):
            yield FieldError(path, "type", f"expected list, got {type(value).__name__}")
            return
        item_kind = typing.get_args(kind)[0]
        out = []
        for i, item in enumerate(value):
            inner = _Box()
            yield from _check(item_kind, item, (*path, i), inner)
            out.append(inner.value)
        box.value = out
        return
    if isinstance(kind, type) and issubclass(kind, Model):
        if isinstance(value, kind):
            box.value = value
            return
        if isinstance(value, Mapping):
            try:
                box.value = kind.from_dict(value)
            except ValidationError as exc:
                for e in exc.errors:
                    yield FieldError(path + e.path, e.code, e.message)
            return
        yield FieldError(path, "type", f"expected {kind.__name__}, got {type(value).__name__}")
        return
    accepted = {
        int: lambda v: type(v) is not bool and isinstance(v, int),
        float: lambda v: type(v) is not bool and isinstance(v, int | float),
        str: lambda v: isinstance(v, str),
        bool: lambda v: type(v) is bool,
    }[kind]
    if not accepted(value):
        yield FieldError(path, "type", f"expected {kind.__name__}, got {type(value).__name__}")
        return
    box.value = float(value) if kind is float else value


class Field:
    def __init__(
        self,
        kind: Any,
        *,
        default: Any = MISSING,
        min_length: int | None = None,
        max_length: int | None = None,
        ge: float | None = None,
        le: float | None = None,
        pattern: str | None = None,
        choices: Iterable[Any] | None = None,
    ) -> None:
        self._require_supported(kind)
        is_list = typing.get_origin(kind) is list
        allowed = {
            "min_length": kind is str or is_list,
            "max_length": kind is str or is_list,
            "ge": kind in (int, float),
            "le": kind in (int, float),
            "pattern": kind is str,
            "choices": kind in (int, float, str, bool),
        }
        given = {
            "min_length": min_length,
            "max_length": max_length,
            "ge": ge,
            "le": le,
            "pattern": pattern,
            "choices": choices,
        }
        for key, val in given.items():
            if val is not None and not allowed[key]:
                raise TypeError(f"{key} cannot be used with {kind!r}")
        self.kind, self.default = kind, default
        self.min_length, self.max_length, self.ge, self.le = min_length, max_length, ge, le
        self.pattern = pattern
        self.choices = None if choices is None else tuple(choices)
        self.name = ""

    @staticmethod
    def _require_supported(kind: Any) -> None:
        if typing.get_origin(kind) is list:
            args = typing.get_args(kind)
            if len(args) != 1:
                raise TypeError("list needs exactly one item kind")
            Field._require_supported(args[0])
            return
        if kind in (int, float, str, bool):
            return
        if isinstance(kind, type) and issubclass(kind, Model):
            return
        raise TypeError(f"unsupported kind {kind!r}")

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        return instance._values[self.name]

    def __set__(self, instance: Any, value: Any) -> None:
        ok, stored, errors = self.check(value, (self.name,))
        if not ok:
            raise ValidationError(errors)
        previous = instance._values.get(self.name, MISSING)
        instance._values[self.name] = stored
        problems = list(instance._run_validators())
        if problems:
            if previous is MISSING:
                del instance._values[self.name]
            else:
                instance._values[self.name] = previous
            raise ValidationError(problems)

    def check(self, value: Any, path: tuple[Any, ...]) -> tuple[bool, Any, list[FieldError]]:
        if self.default is None and value is None:
            return True, None, []
        box = _Box()
        errors = list(_check(self.kind, value, path, box))
        if errors:
            return False, None, errors
        v = box.value
        if self.min_length is not None and len(v) < self.min_length:
            errors.append(FieldError(path, "min_length", f"length must be at least {self.min_length}, got {len(v)}"))
        if self.max_length is not None and len(v) > self.max_length:
            errors.append(FieldError(path, "max_length", f"length must be at most {self.max_length}, got {len(v)}"))
        if self.ge is not None and not (v >= self.ge):
            errors.append(FieldError(path, "ge", f"must be >= {self.ge!r}, got {v!r}"))
        if self.le is not None and not (v <= self.le):
            errors.append(FieldError(path, "le", f"must be <= {self.le!r}, got {v!r}"))
        if self.pattern is not None and not re.fullmatch(self.pattern, v):
            errors.append(FieldError(path, "pattern", f"must match {self.pattern!r}, got {v!r}"))
        if self.choices is not None and v not in self.choices:
            errors.append(FieldError(path, "choices", f"must be one of {self.choices!r}, got {v!r}"))
        return not errors, v, errors


class _ValidatorMark:
    def __init__(self, where: tuple[str, ...]) -> None:
        self.where = where


def validator(target: Any, /) -> Any:
    if isinstance(target, str):

        def decorate(func: F) -> F:
            func._kata_mark = _ValidatorMark((target,))  # type: ignore[attr-defined]
            return func

        return decorate
    target._kata_mark = _ValidatorMark(())
    return target


class ModelMeta(type):
    def __new__(mcs, name: str, bases: tuple[type, ...], ns: dict[str, Any], **kw: Any) -> ModelMeta:
        cls = super().__new__(mcs, name, bases, ns, **kw)
        fields: dict[str, Field] = {}
        rules: list[Callable[[Any], object]] = []
        for base in reversed(bases):
            fields.update(getattr(base, "__fields__", {}))
            for r in getattr(base, "__rules__", []):
                if r not in rules:
                    rules.append(r)
        for key, attr in ns.items():
            if isinstance(attr, Field):
                fields[key] = attr
            elif hasattr(attr, "_kata_mark"):
                rules.append(attr)
        cls.__fields__ = fields  # type: ignore[attr-defined]
        cls.__rules__ = rules  # type: ignore[attr-defined]
        return cls


class Model(metaclass=ModelMeta):
    __fields__: dict[str, Field]
    __rules__: list[Callable[[Any], object]]

    def __init__(self, **data: Any) -> None:
        self._load(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Any:
        if not isinstance(data, Mapping):
            raise ValidationError([FieldError((), "type", f"expected {cls.__name__}, got {type(data).__name__}")])
        obj = object.__new__(cls)
        obj._load(dict(data))
        return obj

    def _load(self, data: Mapping[Any, Any]) -> None:
        object.__setattr__(self, "_values", {})
        errors: list[FieldError] = []
        staged: dict[str, Any] = {}
        for name, fld in self.__fields__.items():
            if name not in data:
                if fld.default is MISSING:
                    errors.append(FieldError((name,), "missing", "field required"))
                else:
                    staged[name] = copy.deepcopy(fld.default)
                continue
            ok, stored, errs = fld.check(data[name], (name,))
            errors.extend(errs)
            if ok:
                staged[name] = stored
        for key in data:
            if key not in self.__fields__:
                errors.append(FieldError((key,), "unknown", "unknown field"))
        if errors:
            raise ValidationError(errors)
        self._values.update(staged)
        problems = list(self._run_validators())
        if problems:
            raise ValidationError(problems)

    def _run_validators(self) -> Iterator[FieldError]:
        for rule in self.__rules__:
            try:
                rule(self)
            except ValueError as exc:
                yield FieldError(rule._kata_mark.where, "validator", str(exc))  # type: ignore[attr-defined]

    def to_dict(self) -> dict[str, Any]:
        def plain(v: Any) -> Any:
            if isinstance(v, Model):
                return v.to_dict()
            if isinstance(v, list):
                return [plain(x) for x in v]
            return v

        return {name: plain(self._values[name]) for name in self.__fields__}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Model):
            return NotImplemented
        return type(other) is type(self) and other.to_dict() == self.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={self._values[k]!r}" for k in self.__fields__)
        return f"{type(self).__name__}({inner})"
