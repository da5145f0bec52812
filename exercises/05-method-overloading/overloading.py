"""Exercise 05: method overloading by the types of all positional arguments. Read README.md for the spec."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

# What can be overloaded: a function (or method), or a staticmethod/classmethod object wrapping one.
# (A string because staticmethod/classmethod are not subscriptable at run time.)
Implementation: TypeAlias = "Callable[..., Any] | staticmethod[..., Any] | classmethod[Any, ..., Any]"


class DispatchError(TypeError):
    """No single implementation fits a call."""


class NoMatchError(DispatchError):
    """No implementation accepts the arguments (wrong types or wrong number of them)."""


class AmbiguousCallError(DispatchError):
    """Several implementations accept the arguments and none is more specific than all the others."""


class Overloaded:
    """A function (or method) with several implementations chosen by the types of the positional arguments."""

    def __init__(self, func: Implementation) -> None:
        """Start with `func` as the first implementation; copy its __name__, __qualname__ and __doc__."""
        raise NotImplementedError

    def register(self, func: Implementation) -> Overloaded:
        """Add an implementation (TypeError for an unsupported signature, annotation, duplicate or mixed
        kind) and return this dispatcher, so the implementation may reuse the dispatcher's name."""
        raise NotImplementedError

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        """Call the most specific implementation for the argument types (cached per tuple of types).

        NoMatchError when none accepts them, AmbiguousCallError when no match beats all the others,
        TypeError for keyword arguments.
        """
        raise NotImplementedError

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        """Bind like the implementations would: to the instance for methods, to the class for classmethods,
        not at all for staticmethods (and return the dispatcher itself when accessed on the class)."""
        raise NotImplementedError


def overload(func: Implementation) -> Overloaded:
    """Decorator: start a dispatcher with `func` as its first implementation; add more with `.register`."""
    raise NotImplementedError
