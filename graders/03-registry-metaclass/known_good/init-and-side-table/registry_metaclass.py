"""Known-good: registers in __init__ rather than __new__, keeps one registry per root in a side table keyed by
the root, and reads abstractness from __abstractmethods__."""

from __future__ import annotations

import abc
import types
from typing import Any, ClassVar


class DuplicateKeyError(Exception):
    pass


class RegistryMeta(abc.ABCMeta):
    _tables: ClassVar[dict[type, dict[str, type]]] = {}  # root -> that root's own registry

    def __new__(mcls, name: str, bases: tuple[type, ...], ns: dict[str, Any], /, **kwargs: Any) -> Any:
        kwargs.pop("key", None)
        kwargs.pop("abstract", None)
        return super().__new__(mcls, name, bases, ns, **kwargs)

    def __init__(cls, name: str, bases: tuple[type, ...], ns: dict[str, Any], /, **kwargs: Any) -> None:
        key = kwargs.pop("key", None)
        abstract = kwargs.pop("abstract", False)
        super().__init__(name, bases, ns, **kwargs)
        if key is not None and not isinstance(key, str):
            raise TypeError("key must be a string")
        roots = []
        for klass in cls.__mro__[1:]:
            if klass in RegistryMeta._tables and klass not in roots:
                roots.append(klass)
        if not roots:
            RegistryMeta._tables[cls] = {}
            return
        if abstract or getattr(cls, "__abstractmethods__", frozenset()):
            return
        key = key if key is not None else name
        taken = [(root, RegistryMeta._tables[root][key]) for root in roots if key in RegistryMeta._tables[root]]
        if taken:
            root, holder = taken[0]
            raise DuplicateKeyError(f"{root.__name__}: {key!r} already belongs to {holder.__name__}, not {name}")
        for root in roots:
            RegistryMeta._tables[root][key] = cls

    def _root(cls) -> type:
        return next(k for k in cls.__mro__ if k in RegistryMeta._tables)

    @property
    def registry(cls) -> types.MappingProxyType[str, type]:
        return types.MappingProxyType(RegistryMeta._tables[cls._root()])

    def lookup(cls, key: str) -> type:
        root = cls._root()
        table = RegistryMeta._tables[root]
        if key not in table:
            raise KeyError(f"{root.__name__} has nothing under {key!r} (registered: {sorted(table)!r})")
        return table[key]
