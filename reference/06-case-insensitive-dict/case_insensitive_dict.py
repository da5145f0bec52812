"""A case-insensitive, case-preserving dict built on `collections.abc.MutableMapping`.

All the state is one plain dict, `_store`, from the *folded* key (`key.casefold()`) to the pair
(key as last written, value). The plain dict gives O(1) operations and insertion order for free; the folded key
makes "Content-Type" and "content-type" the same entry; the pair remembers how the caller spelled it.

`MutableMapping` supplies `get`, `pop`, `setdefault`, `update`, `keys`/`items`/`values` views and more from the
five abstract methods. The methods written out below are the ones whose inherited version would be wrong
(`popitem` is FIFO in the mixin, `__eq__` is case-sensitive, `copy`/`|`/`__reduce__` don't exist) or needlessly
slow (`__contains__`, `get`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from collections.abc import MutableMapping as MutableMappingABC
from typing import Any, TypeVar, overload

__all__ = ["CaseInsensitiveDict"]

V = TypeVar("V")
D = TypeVar("D")


def _fold(key: object) -> str | None:
    """The key under which `key` is stored, or None if it can't be a key (not a str)."""
    return key.casefold() if isinstance(key, str) else None


class CaseInsensitiveDict(MutableMappingABC[str, V]):
    """A dict with `str` keys compared by `str.casefold()`, remembering each key as it was last assigned.

    Order is insertion order of the (folded) keys: assigning to an existing key changes its value and its
    spelling but not its position.
    """

    __slots__ = ("_store",)

    def __init__(self, data: Mapping[str, V] | Iterable[tuple[str, V]] = (), /, **kwargs: V) -> None:
        self._store: dict[str, tuple[str, V]] = {}
        self.update(data, **kwargs)

    # -- the five abstract methods --

    def __setitem__(self, key: str, value: V) -> None:
        folded = _fold(key)
        if folded is None:
            raise TypeError(f"{type(self).__name__} keys must be str, not {type(key).__name__}")
        self._store[folded] = (key, value)

    def __getitem__(self, key: str) -> V:
        folded = _fold(key)
        if folded is None or folded not in self._store:
            raise KeyError(key)
        return self._store[folded][1]

    def __delitem__(self, key: str) -> None:
        folded = _fold(key)
        if folded is None or folded not in self._store:
            raise KeyError(key)
        del self._store[folded]

    def __iter__(self) -> Iterator[str]:
        # A generator over the store's values: a change to the dict during iteration makes the underlying
        # dict iterator raise RuntimeError, exactly as iterating a dict would.
        return (key for key, _ in self._store.values())

    def __len__(self) -> int:
        return len(self._store)

    # -- overrides: faster than the mixin, or different from it --

    def __contains__(self, key: object) -> bool:
        folded = _fold(key)
        return folded is not None and folded in self._store

    @overload
    def get(self, key: str, /) -> V | None: ...
    @overload
    def get(self, key: str, default: V | D, /) -> V | D: ...

    def get(self, key: str, default: object = None, /) -> object:
        entry = self._store.get(_fold(key))  # type: ignore[arg-type]  # None is never a stored key
        return default if entry is None else entry[1]

    def __reversed__(self) -> Iterator[str]:
        return (key for key, _ in reversed(self._store.values()))

    def popitem(self) -> tuple[str, V]:
        """Remove and return the most recently inserted item, LIFO like dict (the mixin's popitem is FIFO)."""
        if not self._store:
            raise KeyError("popitem(): dictionary is empty")
        _, item = self._store.popitem()
        return item

    def clear(self) -> None:
        self._store.clear()  # O(n) once, instead of the mixin's popitem() loop

    def copy(self) -> CaseInsensitiveDict[V]:
        """A shallow copy: the same keys (as spelled), values and order, in a new store."""
        clone: CaseInsensitiveDict[V] = CaseInsensitiveDict()
        clone._store = self._store.copy()
        return clone

    __copy__ = copy  # copy.copy() must not share _store (the default would copy the slot, i.e. the same dict)

    @classmethod
    def fromkeys(cls, keys: Iterable[str], value: Any = None) -> CaseInsensitiveDict[Any]:
        result: CaseInsensitiveDict[Any] = cls()
        for key in keys:
            result[key] = value
        return result

    def _folded_items(self) -> dict[str, V]:
        return {folded: value for folded, (_, value) in self._store.items()}

    def __eq__(self, other: object) -> bool:
        """Equal to a mapping with the same keys up to case and equal values (never to a non-mapping)."""
        if isinstance(other, CaseInsensitiveDict):
            return self._folded_items() == other._folded_items()
        if not isinstance(other, Mapping):
            return NotImplemented
        if len(other) != len(self):
            return False
        folded_other: dict[str, object] = {}
        for key, value in other.items():
            folded = _fold(key)
            if folded is None or folded in folded_other:
                return False  # a non-str key, or two keys of `other` that are one key here
            folded_other[folded] = value
        return self._folded_items() == folded_other

    __hash__ = None  # type: ignore[assignment]  # mutable, like dict

    def __or__(self, other: object) -> CaseInsensitiveDict[V]:
        if not isinstance(other, Mapping):
            return NotImplemented
        result = self.copy()
        result.update(other)
        return result

    def __ror__(self, other: object) -> CaseInsensitiveDict[V]:
        if not isinstance(other, Mapping):
            return NotImplemented
        result: CaseInsensitiveDict[V] = CaseInsensitiveDict(other)
        result.update(self)
        return result

    def __ior__(self, other: Any) -> CaseInsensitiveDict[V]:  # type: ignore[misc]
        self.update(other)  # like dict |=, anything update() takes: a mapping or an iterable of pairs
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self._store.values())!r})"

    def __reduce__(self) -> tuple[type[CaseInsensitiveDict[V]], tuple[list[tuple[str, V]]]]:
        """Pickle as "call the class with the items": independent of the internal layout, any protocol."""
        return (type(self), (list(self._store.values()),))
