"""A data descriptor for type-checked attributes.

`Typed` is declared once in a class body and shared by every instance of that class, so it keeps no per-instance
state of its own: each instance's value lives in that instance's `__dict__`, under the attribute's own name.
That works because `Typed` defines `__set__`, which makes it a *data* descriptor: attribute lookup consults it
before the instance dict, so the stored entry never shadows it. The value dies with the instance, and nothing
requires instances to be hashable or weak-referenceable.
"""

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
        if not types:
            raise TypeError("Typed() needs at least one type")
        for t in types:
            if not isinstance(t, type):
                raise TypeError(f"Typed() arguments must be classes, got {t!r}")
        self.types = types
        self.nullable = nullable
        self._default = default
        if default is not MISSING:
            # The attribute's name is not known yet (__set_name__ comes later), so the message says "default".
            self._check("default", default)

    def __set_name__(self, owner: type[Any], name: str) -> None:
        """Called by Python when the owner class is created: remember the attribute name."""
        self.name = name

    def _check(self, label: str, value: Any) -> None:
        if isinstance(value, self.types) or (value is None and self.nullable):
            return
        expected = " or ".join(t.__name__ for t in self.types)
        if self.nullable:
            expected += " or None"
        raise TypeError(f"{label} must be {expected}, got {type(value).__name__}")

    def _missing(self, instance: object) -> AttributeError:
        # The same wording as Python's own error; name= and obj= let tracebacks suggest close matches.
        message = f"{type(instance).__name__!r} object has no attribute {self.name!r}"
        return AttributeError(message, name=self.name, obj=instance)

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, instance: object, owner: type[Any] | None = None) -> Any: ...
    def __get__(self, instance: object | None, owner: type[Any] | None = None) -> Any:
        """On the class: this descriptor. On an instance: its value, else the default, else AttributeError."""
        if instance is None:
            return self  # Order.quantity: give back the descriptor, for introspection
        try:
            return vars(instance)[self.name]
        except KeyError:
            if self._default is MISSING:
                raise self._missing(instance) from None
            return self._default

    def __set__(self, instance: object, value: Any) -> None:
        """Store `value` for this instance, or raise TypeError("{name} must be {expected}, got {actual}")."""
        self._check(self.name, value)  # check first: a rejected value must leave the old one in place
        # Not setattr(instance, self.name, value): that would call this __set__ again, forever.
        vars(instance)[self.name] = value

    def __delete__(self, instance: object) -> None:
        """Forget this instance's value; AttributeError if it has none."""
        try:
            del vars(instance)[self.name]
        except KeyError:
            raise self._missing(instance) from None
