"""Exercise 01: a descriptor for type-checked attributes. Read README.md for the full spec."""

from __future__ import annotations

from typing import Any, Self, overload


class _Missing:
    """The type of `MISSING`, the marker for "no default was given" (None can be a real default)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Typed:
    """A data descriptor that type-checks every value assigned to one attribute and stores it per instance."""

    name: str
    types: tuple[type, ...]
    nullable: bool

    def __init__(self, *types: type, default: Any = MISSING, nullable: bool = False) -> None:
        """Accept instances of `types` (and None when `nullable`); `default` must pass the same check.

        Raises TypeError if `types` is empty, holds something that is not a class, or `default` is rejected.
        """
        raise NotImplementedError

    def __set_name__(self, owner: type[Any], name: str) -> None:
        """Called by Python when the owner class is created: remember the attribute name."""
        raise NotImplementedError

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, instance: object, owner: type[Any] | None = None) -> Any: ...
    def __get__(self, instance: object | None, owner: type[Any] | None = None) -> Any:
        """On the class: this descriptor. On an instance: its value, else the default, else AttributeError."""
        raise NotImplementedError

    def __set__(self, instance: object, value: Any) -> None:
        """Store `value` for this instance, or raise TypeError("{name} must be {expected}, got {actual}")."""
        raise NotImplementedError

    def __delete__(self, instance: object) -> None:
        """Forget this instance's value; AttributeError if it has none."""
        raise NotImplementedError
