"""Exercise 6: a case-insensitive, case-preserving dict. Read README.md for the full spec."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any, TypeVar

V = TypeVar("V")


class CaseInsensitiveDict(MutableMapping[str, V]):
    """A dict with `str` keys compared by `str.casefold()`, remembering each key as it was last assigned.

    Order is insertion order: assigning to an existing key (in any case) changes its value and spelling but not
    its position. Behaves like `dict` otherwise: views, `|`, `|=`, `copy`, `==`, `repr`, `popitem` (LIFO), pickling.
    """

    def __init__(self, data: Mapping[str, V] | Iterable[tuple[str, V]] = (), /, **kwargs: V) -> None:
        raise NotImplementedError

    def __setitem__(self, key: str, value: V) -> None:
        """Store `value` under `key`; TypeError if `key` is not a str."""
        raise NotImplementedError

    def __getitem__(self, key: str) -> V:
        raise NotImplementedError

    def __delitem__(self, key: str) -> None:
        raise NotImplementedError

    def __iter__(self) -> Iterator[str]:
        """The keys, as last assigned, in insertion order."""
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def __reversed__(self) -> Iterator[str]:
        raise NotImplementedError

    def popitem(self) -> tuple[str, V]:
        """Remove and return the last inserted (key, value); KeyError if empty."""
        raise NotImplementedError

    def copy(self) -> CaseInsensitiveDict[V]:
        """A shallow, independent copy."""
        raise NotImplementedError

    @classmethod
    def fromkeys(cls, keys: Iterable[str], value: Any = None) -> CaseInsensitiveDict[Any]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        """Equal to any mapping with the same keys up to case and equal values; NotImplemented for non-mappings."""
        raise NotImplementedError

    def __or__(self, other: object) -> CaseInsensitiveDict[V]:
        raise NotImplementedError

    def __ror__(self, other: object) -> CaseInsensitiveDict[V]:
        raise NotImplementedError

    def __ior__(self, other: Any) -> CaseInsensitiveDict[V]:
        raise NotImplementedError

    def __repr__(self) -> str:
        """CaseInsensitiveDict({'Content-Type': 'json'})"""
        raise NotImplementedError
