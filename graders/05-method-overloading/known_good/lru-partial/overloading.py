"""Known-good: written from the README alone, with other tools than the reference.

Annotations come from `inspect.get_annotations(eval_str=True)`, the per-type-tuple cache is an
`functools.lru_cache` rebuilt on every registration, methods are bound with `functools.partial`, and the most
specific candidate is found by a tournament followed by a check that the winner beats everyone.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable
from typing import Any

Implementation = Any


class DispatchError(TypeError):
    pass


class NoMatchError(DispatchError):
    pass


class AmbiguousCallError(DispatchError):
    pass


def _accepted(annotation: Any) -> frozenset[type]:
    if annotation in (inspect.Parameter.empty, Any, object):
        return frozenset([object])
    if annotation is None:
        return frozenset([type(None)])
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        out: frozenset[type] = frozenset()
        for member in typing.get_args(annotation):
            out |= _accepted(member)
        return out
    if isinstance(annotation, type) and typing.get_origin(annotation) is None:
        return frozenset([annotation])
    raise TypeError(f"unsupported annotation: {annotation!r}")


def _rank(accepted: frozenset[type], arg_type: type) -> int | None:
    for position, cls in enumerate(arg_type.__mro__):
        if cls in accepted:
            return position
    return None


class Overloaded:
    def __init__(self, func: Implementation) -> None:
        kind, inner = self._split(func)
        self._kind = kind
        self._impls: list[tuple[tuple[frozenset[type], ...], Callable[..., Any]]] = []
        functools.update_wrapper(self, inner)
        self._lookup = functools.lru_cache(maxsize=None)(self._choose)
        self.register(func)

    @staticmethod
    def _split(func: Any) -> tuple[str, Callable[..., Any]]:
        if isinstance(func, staticmethod):
            return "static", func.__func__
        if isinstance(func, classmethod):
            return "class", func.__func__
        return "plain", func

    def register(self, func: Implementation) -> Overloaded:
        kind, inner = self._split(func)
        if kind != self._kind:
            raise TypeError(f"cannot register a {kind} implementation on a {self._kind} dispatcher")
        annotations = inspect.get_annotations(inner, eval_str=True)
        params = []
        for p in inspect.signature(inner).parameters.values():
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.KEYWORD_ONLY) or p.default is not p.empty:
                raise TypeError(f"parameter {p.name} cannot be dispatched on")
            params.append(_accepted(annotations.get(p.name, p.empty)))
        signature = tuple(params)
        if signature in (existing for existing, _ in self._impls):
            raise TypeError("an implementation with this signature is already registered")
        self._impls.append((signature, inner))
        self._lookup.cache_clear()
        return self

    def _choose(self, types_: tuple[type, ...]) -> Callable[..., Any]:
        found = []
        for signature, func in self._impls:
            if len(signature) == len(types_):
                ranks = [_rank(acc, t) for acc, t in zip(signature, types_, strict=True)]
                if None not in ranks:
                    found.append((signature, ranks, func))

        def at_least(a: Any, b: Any) -> bool:
            pairs = zip(a[0], b[0], a[1], b[1], strict=True)
            return all(ra < rb or (ra == rb and sa <= sb) for sa, sb, ra, rb in pairs)

        label = f"{self.__name__}({', '.join(t.__name__ for t in types_)})"
        if not found:
            raise NoMatchError(f"{label}: no implementation accepts these types")
        champion = found[0]
        for challenger in found[1:]:
            if at_least(challenger, champion):
                champion = challenger
        if all(other is champion or at_least(champion, other) for other in found):
            return champion[2]  # type: ignore[no-any-return]
        raise AmbiguousCallError(f"{label} is ambiguous between several implementations")

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        if kwargs:
            raise TypeError("keyword arguments are not supported by overloaded functions")
        return self._lookup(tuple([type(a) for a in args]))(*args)

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if self._kind == "static":
            return self
        if self._kind == "class":
            return functools.partial(self, owner if owner is not None else type(instance))
        return self if instance is None else functools.partial(self, instance)


def overload(func: Implementation) -> Overloaded:
    return Overloaded(func)
