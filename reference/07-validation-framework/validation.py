"""A small declarative validation framework: descriptors for fields, a decorator for cross-field rules.

A `Model` subclass declares `Field`s as class attributes. Each Field is a data descriptor: it learns its name
from `__set_name__`, keeps every instance's value in that instance's `__dict__`, and validates on assignment.
`Model.__init_subclass__` collects the fields and `@validator` methods of the class and its bases in order.
Validation never stops at the first problem: every error is collected with its path into the data.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypeVar, get_args, get_origin, overload

F = TypeVar("F", bound=Callable[[Any], object])

Path = tuple[str | int, ...]


class _Missing:
    """The type of MISSING: "no default was given" (None is a real default)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

# The attribute `@validator` sets on a method: the path suffix its errors are reported at.
_VALIDATES = "__validates__"


@dataclass(frozen=True)
class FieldError:
    """One problem found in the data: where it is, what kind it is, and the sentence for a human."""

    path: Path  # ("history", 1, "zip"); () for the model itself
    code: str  # "missing", "unknown", "type", "min_length", ..., "validator"
    message: str


class ValidationError(ValueError):
    """Every problem found in one validation, in order."""

    errors: list[FieldError]

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__(self.errors)  # args = (errors,), so the exception pickles and copies

    def __str__(self) -> str:
        return "\n".join(f"{_dotted(e.path)}: {e.message}" for e in self.errors)


def _dotted(path: Path) -> str:
    return ".".join(map(str, path)) or "__root__"


def _prefixed(prefix: Path, errors: Iterable[FieldError]) -> list[FieldError]:
    """The errors of a nested model, re-rooted at the field that holds it."""
    return [FieldError((*prefix, *e.path), e.code, e.message) for e in errors]


# ---------------------------------------------------------------------------------------------------------
# Kinds: int, float, str, bool, a Model subclass, or list[<kind>]


def _is_list(kind: Any) -> bool:
    return get_origin(kind) is list


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, Model)


def _check_kind(kind: Any) -> None:
    """Raise TypeError unless `kind` is one the framework knows how to validate."""
    if _is_list(kind):
        args = get_args(kind)
        if len(args) != 1:
            raise TypeError(f"list fields take one item kind, like list[int], not {kind!r}")
        _check_kind(args[0])
    elif kind not in (int, float, str, bool) and not _is_model(kind):
        raise TypeError(f"unsupported field kind {kind!r}: use int, float, str, bool, a Model or list[...]")


def _kind_name(kind: Any) -> str:
    return "list" if _is_list(kind) else str(kind.__name__)


def _convert(kind: Any, value: Any, path: Path, errors: list[FieldError]) -> Any:
    """Check `value` against `kind` all the way down; return it converted, appending any errors found."""
    if _is_list(kind):
        if not isinstance(value, list):
            errors.append(_type_error(kind, value, path))
            return value
        (item,) = get_args(kind)
        return [_convert(item, v, (*path, i), errors) for i, v in enumerate(value)]  # a new list
    if _is_model(kind):
        if isinstance(value, kind):
            return value
        if isinstance(value, Mapping):
            try:
                return kind.from_dict(value)
            except ValidationError as exc:
                errors.extend(_prefixed(path, exc.errors))
                return value
    elif kind is bool:
        if isinstance(value, bool):
            return value
    elif isinstance(value, bool):
        pass  # bool is a subclass of int, but True is not a number anyone meant: reject it for int and float
    elif kind is float and isinstance(value, int | float):
        return float(value)
    elif isinstance(value, kind):
        return value
    errors.append(_type_error(kind, value, path))
    return value


def _type_error(kind: Any, value: Any, path: Path) -> FieldError:
    return FieldError(path, "type", f"expected {_kind_name(kind)}, got {type(value).__name__}")


# ---------------------------------------------------------------------------------------------------------
# Fields


class Field:
    """A typed, constrained attribute of a Model (a data descriptor)."""

    name: str

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
        _check_kind(kind)
        sized = kind is str or _is_list(kind)
        for constraint, given, applies in [
            ("min_length", min_length, sized),
            ("max_length", max_length, sized),
            ("ge", ge, kind in (int, float)),
            ("le", le, kind in (int, float)),
            ("pattern", pattern, kind is str),
            ("choices", choices, kind in (int, float, str, bool)),
        ]:
            if given is not None and not applies:
                raise TypeError(f"{constraint} does not apply to a {_kind_name(kind)} field")
        self.kind = kind
        self.default = default
        self.min_length = min_length
        self.max_length = max_length
        self.ge = ge
        self.le = le
        self.pattern = pattern
        self._regex = re.compile(pattern) if pattern is not None else None  # compiled once, not per value
        self.choices = tuple(choices) if choices is not None else None
        self.name = "<unnamed>"

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Field({_kind_name(self.kind)}, name={self.name!r})"

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Field: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> Any: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> Any:
        if instance is None:
            return self  # class access gives the descriptor, so `User.age.ge` works
        try:
            return instance.__dict__[self.name]
        except KeyError:
            raise AttributeError(f"{type(instance).__name__!r} object has no value for {self.name!r}") from None

    def __set__(self, instance: object, value: Any) -> None:
        if not isinstance(instance, Model):
            raise TypeError("Field only works on Model subclasses")
        converted, errors = self.validate(value, (self.name,))
        if errors:
            raise ValidationError(errors)
        store = instance.__dict__
        old = store.get(self.name, MISSING)
        store[self.name] = converted
        errors = instance._validator_errors()
        if errors:  # a cross-field rule broke: put the old value back so the model stays valid
            if old is MISSING:
                del store[self.name]
            else:
                store[self.name] = old
            raise ValidationError(errors)

    def validate(self, value: Any, path: Path) -> tuple[Any, list[FieldError]]:
        """(converted value, errors): type errors first; constraints only for a value of the right type."""
        if value is None and self.default is None:
            return None, []  # an optional field: None is a valid value and has no length, range, ...
        errors: list[FieldError] = []
        converted = _convert(self.kind, value, path, errors)
        if errors:
            return value, errors
        return converted, [FieldError(path, code, message) for code, message in self._violations(converted)]

    def _violations(self, value: Any) -> Iterable[tuple[str, str]]:
        """(code, message) for every constraint `value` breaks, in the documented order."""
        if self.min_length is not None and len(value) < self.min_length:
            yield "min_length", f"length must be at least {self.min_length}, got {len(value)}"
        if self.max_length is not None and len(value) > self.max_length:
            yield "max_length", f"length must be at most {self.max_length}, got {len(value)}"
        if self.ge is not None and not value >= self.ge:
            yield "ge", f"must be >= {self.ge!r}, got {value!r}"
        if self.le is not None and not value <= self.le:
            yield "le", f"must be <= {self.le!r}, got {value!r}"
        if self._regex is not None and self._regex.fullmatch(value) is None:
            yield "pattern", f"must match {self.pattern!r}, got {value!r}"
        if self.choices is not None and value not in self.choices:
            yield "choices", f"must be one of {self.choices!r}, got {value!r}"


# ---------------------------------------------------------------------------------------------------------
# Validators


@overload
def validator(target: F, /) -> F: ...
@overload
def validator(target: str, /) -> Callable[[F], F]: ...
def validator(target: Any, /) -> Any:
    """Mark a method as a cross-field rule: `@validator` (errors at the model) or `@validator("field")`.

    The method takes only `self` and reports a broken rule by raising ValueError(message).
    """
    if isinstance(target, str):
        field = target

        def mark(func: F) -> F:
            setattr(func, _VALIDATES, (field,))
            return func

        return mark
    if not callable(target):
        raise TypeError("use @validator on a method, or @validator('field_name')")
    setattr(target, _VALIDATES, ())
    return target


# ---------------------------------------------------------------------------------------------------------
# Models


def _plain(value: Any) -> Any:
    """A model's value as plain data: nested models as dicts, lists copied."""
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class Model:
    """Base class for declarative models: subclass it and declare Fields as class attributes."""

    _fields: ClassVar[dict[str, Field]] = {}
    _validators: ClassVar[tuple[Callable[[Any], object], ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Walk the MRO from `object` down, so base-class fields and validators come first, each class's in
        # definition order (class bodies are ordered dicts). Re-assigning a name keeps its first position.
        fields: dict[str, Field] = {}
        validators: dict[str, Callable[[Any], object]] = {}
        for klass in reversed(cls.__mro__):
            for name, attr in vars(klass).items():
                if isinstance(attr, Field):
                    fields[name] = attr
                elif callable(attr) and hasattr(attr, _VALIDATES):
                    validators[name] = attr
        cls._fields = fields
        cls._validators = tuple(validators.values())

    def __init__(self, **data: Any) -> None:
        self._populate(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        if not isinstance(data, Mapping):
            raise ValidationError([_type_error(cls, data, ())])
        self = cls.__new__(cls)
        self._populate(data)
        return self

    def _populate(self, data: Mapping[Any, Any]) -> None:
        """Validate every field, then (only if all are valid) the validators; raise with every error."""
        errors: list[FieldError] = []
        values: dict[str, Any] = {}
        for name, field in self._fields.items():
            if name in data:
                values[name], found = field.validate(data[name], (name,))
                errors += found
            elif field.default is not MISSING:
                values[name] = copy.deepcopy(field.default)  # `default=[]` must not be shared by instances
            else:
                errors.append(FieldError((name,), "missing", "field required"))
        errors += [FieldError((key,), "unknown", "unknown field") for key in data if key not in self._fields]
        if errors:
            raise ValidationError(errors)
        # Write past the descriptors: each value is already valid, and validators must see them all at once.
        self.__dict__.update(values)
        errors = self._validator_errors()
        if errors:
            raise ValidationError(errors)

    def _validator_errors(self) -> list[FieldError]:
        """Run every validator (none stops the others) and collect what they reported."""
        errors = []
        for rule in self._validators:
            try:
                rule(self)
            except ValueError as exc:  # other exceptions are bugs in the rule: let them propagate
                errors.append(FieldError(getattr(rule, _VALIDATES), "validator", str(exc)))
        return errors

    def to_dict(self) -> dict[str, Any]:
        return {name: _plain(getattr(self, name)) for name in self._fields}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Model):
            return NotImplemented
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable and compared by value: not hashable

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({fields})"
