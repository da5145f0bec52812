"""Known-bad: `registry` returns a copy of the dict: writable, and blind to classes created later."""

from __future__ import annotations

import inspect
from abc import ABCMeta
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

# Where a root keeps its registry. Read with vars(), never getattr(): a subclass must not see its root's dict as
# its own (that is what would make it look like a root).
_REGISTRY = "_RegistryMeta__registry"


class DuplicateKeyError(Exception):
    """Two concrete classes of one hierarchy claimed the same key (given: raise it, don't change it)."""


def _roots(cls: type) -> list[type]:
    """The roots among `cls`'s ancestors (itself excluded), in MRO order."""
    return [base for base in cls.__mro__[1:] if _REGISTRY in vars(base)]


def _root_of(cls: type) -> type:
    """The root whose registry `cls` sees: itself if it is a root, else the first root in its MRO."""
    return next(klass for klass in cls.__mro__ if _REGISTRY in vars(klass))


def _registry_of(root: type) -> dict[str, type]:
    registry: dict[str, type] = vars(root)[_REGISTRY]
    return registry


class RegistryMeta(ABCMeta):
    """Registers every concrete class of a hierarchy under a key, in its root's own registry.

    A root is a class made with this metaclass that has no base made with it; it is never registered. Every
    other class made with it is registered, under `key=` (default: its `__name__`), in the registry of every
    root among its ancestors, unless it is abstract (`abstract=True`, or unimplemented abstract methods).

    Deriving from ABCMeta (not `type`) lets roots also inherit from `abc.ABC` without a metaclass conflict, and
    makes `@abstractmethod` work in registered hierarchies.
    """

    def __new__(
        mcls,
        name: str,
        bases: tuple[type, ...],
        namespace: dict[str, Any],
        /,
        *,
        key: str | None = None,
        abstract: bool = False,
        **kwargs: Any,
    ) -> RegistryMeta:
        """Create the class, then register it (or make it a root). Other keywords go to __init_subclass__."""
        if key is not None and not isinstance(key, str):
            raise TypeError(f"key= must be a str, got {key!r}")
        # key and abstract are ours; the rest belong to __init_subclass__ (ABCMeta passes them on).
        cls = super().__new__(mcls, name, bases, namespace, **kwargs)
        roots = _roots(cls)
        if not roots:
            setattr(cls, _REGISTRY, {})  # a new hierarchy starts here
            return cls
        # abstract= describes this class only: it is read from the keyword, never inherited. isabstract() is
        # True while the class (or an ancestor) leaves an @abstractmethod unimplemented.
        if abstract or inspect.isabstract(cls):
            return cls
        key = name if key is None else key
        registries = [_registry_of(root) for root in roots]
        # Check every registry before touching any: a class with two roots is registered in both or in neither.
        for registry in registries:
            if key in registry:
                raise DuplicateKeyError(
                    f"key {key!r} is already registered to {registry[key].__name__}; cannot register {name} under it"
                )
        for registry in registries:
            registry[key] = cls
        return cls

    @property
    def registry(cls) -> Mapping[str, type]:
        """A read-only, live view of the hierarchy's registry (key -> class), in registration order."""
        return dict(_registry_of(_root_of(cls)))  # bug: a snapshot, not a read-only view

    def lookup(cls, key: str) -> type:
        """The class registered under `key` in this hierarchy; KeyError naming the root, key and known keys."""
        root = _root_of(cls)
        registry = _registry_of(root)
        try:
            return registry[key]
        except KeyError:
            known = ", ".join(map(repr, registry)) or "none"
            raise KeyError(f"no {root.__name__} registered under {key!r}; known keys: {known}") from None
