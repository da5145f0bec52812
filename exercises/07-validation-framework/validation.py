"""Exercise 07: a declarative data validation framework. Read README.md for the full spec."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Self, TypeVar, overload

F = TypeVar("F", bound=Callable[[Any], object])


class _Missing:
    """The type of MISSING: "no default was given" (None is a real default)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class FieldError:
    """One problem found in the data: where it is, what kind it is, and the sentence for a human."""

    path: tuple[str | int, ...]  # ("history", 1, "zip"); () for the model itself
    code: str  # "missing", "unknown", "type", "min_length", ..., "validator"
    message: str


class ValidationError(ValueError):
    """Every problem found in one validation, in order."""

    errors: list[FieldError]

    def __init__(self, errors: Iterable[FieldError]) -> None:
        """Keep `errors` as a list in `self.errors`."""
        raise NotImplementedError

    def __str__(self) -> str:
        """One line per error: `<dotted path>: <message>` (the empty path is written `__root__`)."""
        raise NotImplementedError


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
        """`kind` is int, float, str, bool, a Model subclass or list[<kind>].

        Raises TypeError for an unsupported kind or a constraint that does not apply to it.
        """
        raise NotImplementedError

    def __set_name__(self, owner: type, name: str) -> None:
        raise NotImplementedError

    def __get__(self, instance: object | None, owner: type | None = None) -> Any:
        """On the class: the Field itself. On an instance: that instance's value."""
        raise NotImplementedError

    def __set__(self, instance: object, value: Any) -> None:
        """Validate `value`, store it, re-run the model's validators; on any error keep the old value."""
        raise NotImplementedError


@overload
def validator(target: F, /) -> F: ...
@overload
def validator(target: str, /) -> Callable[[F], F]: ...
def validator(target: Any, /) -> Any:
    """Mark a method as a cross-field rule: `@validator` (errors at the model) or `@validator("field")`."""
    raise NotImplementedError


class Model:
    """Base class for declarative models: subclass it and declare Fields as class attributes."""

    def __init__(self, **data: Any) -> None:
        """Validate `data` against the fields; raise ValidationError listing every problem."""
        raise NotImplementedError

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build a model from a mapping (nested models and lists of models from dicts)."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """A new plain dict of the fields in declaration order (nested models as dicts, lists copied)."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        raise NotImplementedError

    def __repr__(self) -> str:
        raise NotImplementedError
