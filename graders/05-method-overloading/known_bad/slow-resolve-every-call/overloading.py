"""Known-bad: resolves the implementation again on every call (correct, but no cache: slow).

`overload(func)` returns an `Overloaded` dispatcher; `dispatcher.register(func)` adds implementations. A call
picks the most specific implementation whose annotations accept the arguments, ranking each parameter by how
early its class appears in the argument's MRO, and remembers the choice per tuple of argument types, so the
resolution (a few microseconds) runs once per type combination and every later call is one dict lookup.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

__all__ = ["AmbiguousCallError", "DispatchError", "NoMatchError", "Overloaded", "overload"]

# A string: staticmethod/classmethod are generic for type checkers only, not subscriptable at runtime.
Implementation: TypeAlias = "Callable[..., Any] | staticmethod[..., Any] | classmethod[Any, ..., Any]"
Params = tuple[frozenset[type], ...]  # one set of accepted classes per positional parameter

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


class DispatchError(TypeError):
    """No single implementation fits a call (a TypeError, like calling a function with wrong arguments)."""


class NoMatchError(DispatchError):
    """No implementation accepts the arguments."""


class AmbiguousCallError(DispatchError):
    """Several implementations accept the arguments and none is more specific than all the others."""


def _classes(annotation: object, where: str) -> frozenset[type]:
    """The classes a parameter annotation accepts: a class, None, a Union/`|` of those, or Any/missing."""
    if annotation is Any or annotation is object or annotation is inspect.Parameter.empty:
        return frozenset({object})
    if annotation is None or annotation is types.NoneType:
        return frozenset({types.NoneType})
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):  # Optional[X] is Union[X, None]
        return frozenset().union(*(_classes(arg, where) for arg in typing.get_args(annotation)))
    if isinstance(annotation, type) and typing.get_origin(annotation) is None:
        return frozenset({annotation})
    raise TypeError(f"{where}: unsupported annotation {annotation!r}; use classes, None, unions or Any")


def _params(func: Callable[..., Any]) -> Params:
    """Read the dispatch signature; string annotations are resolved in func's module like get_type_hints does."""
    name = getattr(func, "__qualname__", repr(func))
    hints = typing.get_type_hints(func)
    params = []
    for p in inspect.signature(func).parameters.values():
        if p.kind not in _POSITIONAL or p.default is not p.empty:
            raise TypeError(f"{name}: parameter {p.name!r} must be positional without a default to be dispatched on")
        params.append(_classes(hints.get(p.name, p.empty), f"{name}, parameter {p.name!r}"))
    return tuple(params)


def _distance(accepted: frozenset[type], mro: tuple[type, ...]) -> int | None:
    """How far down the argument's MRO the nearest accepted class sits (0 = its own class), None if absent."""
    return min((i for i, cls in enumerate(mro) if cls in accepted), default=None)


def _describe(params: Params) -> str:
    return "(" + ", ".join(" | ".join(sorted(c.__name__ for c in p)) for p in params) + ")"


@dataclass(frozen=True)
class _Candidate:
    func: Callable[..., Any]
    params: Params


@dataclass(frozen=True)
class _Match:
    """A candidate that accepts a call, with the MRO distance of each of its parameters for that call."""

    candidate: _Candidate
    distances: tuple[int, ...]

    def beats(self, other: _Match) -> bool:
        """At least as specific as `other` at every position, and strictly more at one.

        A parameter is more specific when its nearest class sits earlier in the argument's MRO, or at the same
        place when it accepts a strict subset of the other's classes (int beats int | None for an int).
        """
        strict = False
        pairs = zip(self.candidate.params, other.candidate.params, self.distances, other.distances, strict=True)
        for mine, theirs, d_mine, d_theirs in pairs:
            if d_mine > d_theirs or (d_mine == d_theirs and not mine <= theirs):
                return False
            strict = strict or d_mine < d_theirs or mine < theirs
        return strict


class Overloaded:
    """A function (or method) with several implementations chosen by the types of the positional arguments."""

    def __init__(self, func: Implementation) -> None:
        self._kind, first = _unwrap(func)
        self._name: str = getattr(first, "__qualname__", repr(first))
        self._candidates: list[_Candidate] = []
        self._cache: dict[tuple[type, ...], Callable[..., Any]] = {}
        functools.update_wrapper(self, first)
        self.register(func)

    def register(self, func: Implementation) -> Overloaded:
        """Add an implementation; returns the dispatcher, so it may reuse the dispatcher's name."""
        kind, plain = _unwrap(func)
        if kind is not self._kind:
            raise TypeError(f"{self._name}: cannot mix {_kind_name(kind)} and {_kind_name(self._kind)}")
        params = _params(plain)
        if any(c.params == params for c in self._candidates):
            raise TypeError(f"{self._name}{_describe(params)} is already registered")
        self._candidates.append(_Candidate(plain, params))
        self._cache.clear()  # a new implementation may be a better match for types already seen
        return self

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        if kwargs:
            raise TypeError(f"{self._name}() dispatches on positional arguments only; got keywords")
        return self._resolve(tuple(map(type, args)))(*args)

    def _resolve(self, key: tuple[type, ...]) -> Callable[..., Any]:
        """The most specific implementation for these argument types (uncached: a few µs)."""
        matches = [m for c in self._candidates if (m := _match(c, key)) is not None]
        call = f"{self._name}({', '.join(t.__name__ for t in key)})"
        if not matches:
            known = ", ".join(self._name + _describe(c.params) for c in self._candidates)
            raise NoMatchError(f"no implementation of {call}; registered: {known}")
        best = [a for a in matches if all(a is b or a.beats(b) for b in matches)]
        if len(best) == 1:
            return best[0].candidate.func
        tied = [a for a in matches if not any(b.beats(a) for b in matches)]
        names = " and ".join(self._name + _describe(m.candidate.params) for m in tied)
        raise AmbiguousCallError(f"{call} is ambiguous: {names} all match, and none is more specific than the rest")

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        """Bind like the implementations would: methods to the instance, classmethods to the class."""
        if self._kind is classmethod:
            return types.MethodType(self, owner if owner is not None else type(instance))
        if self._kind is staticmethod or instance is None:
            return self
        return types.MethodType(self, instance)


def _match(candidate: _Candidate, key: tuple[type, ...]) -> _Match | None:
    if len(candidate.params) != len(key):
        return None
    distances = []
    for accepted, arg_type in zip(candidate.params, key, strict=True):
        d = _distance(accepted, arg_type.__mro__)
        if d is None:
            return None
        distances.append(d)
    return _Match(candidate, tuple(distances))


def _unwrap(func: Implementation) -> tuple[type, Callable[..., Any]]:
    """(kind, plain function): kind is staticmethod, classmethod or types.FunctionType."""
    if isinstance(func, staticmethod | classmethod):
        return type(func), func.__func__
    if not callable(func):
        raise TypeError(f"cannot overload {func!r}: not callable")
    return types.FunctionType, func


def _kind_name(kind: type) -> str:
    return {staticmethod: "staticmethods", classmethod: "classmethods"}.get(kind, "plain functions")


def overload(func: Implementation) -> Overloaded:
    """Start a dispatcher with `func` as its first implementation; add more with `.register`."""
    return Overloaded(func)
