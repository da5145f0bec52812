"""Exercise 03: a metaclass that registers subclasses. Read README.md for the full spec."""

from __future__ import annotations

from abc import ABCMeta
from collections.abc import Mapping
from typing import Any


class DuplicateKeyError(Exception):
    """Two concrete classes of one hierarchy claimed the same key (given: raise it, don't change it)."""


class RegistryMeta(ABCMeta):
    """Registers every concrete class of a hierarchy under a key, in its root's own registry.

    A root is a class made with this metaclass that has no base made with it; it is never registered. Every
    other class made with it is registered, under `key=` (default: its `__name__`), in the registry of every
    root among its ancestors, unless it is abstract (`abstract=True`, or unimplemented abstract methods).
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
        raise NotImplementedError

    @property
    def registry(cls) -> Mapping[str, type]:
        """A read-only, live view of the hierarchy's registry (key -> class), in registration order."""
        raise NotImplementedError

    def lookup(cls, key: str) -> type:
        """The class registered under `key` in this hierarchy; KeyError naming the root, key and known keys."""
        raise NotImplementedError
