"""Known-good: two parallel dicts (folded -> value, folded -> spelling), default pickling; from the README alone."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any


def _norm(key: object) -> str:
    if not isinstance(key, str):
        raise KeyError(key)
    return key.casefold()


class CaseInsensitiveDict(MutableMapping[str, Any]):
    def __init__(self, data: Mapping[str, Any] | Iterable[tuple[str, Any]] = (), /, **kwargs: Any) -> None:
        self._values: dict[str, Any] = {}
        self._names: dict[str, str] = {}
        self.update(data, **kwargs)

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"key must be a str, got {key!r}")
        folded = key.casefold()
        self._values[folded] = value
        self._names[folded] = key

    def __getitem__(self, key: str) -> Any:
        return self._values[_norm(key)]

    def __delitem__(self, key: str) -> None:
        folded = _norm(key)
        del self._values[folded]
        del self._names[folded]

    def __iter__(self) -> Iterator[str]:
        yield from self._names.values()

    def __len__(self) -> int:
        return len(self._values)

    def __reversed__(self) -> Iterator[str]:
        yield from reversed(self._names.values())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.casefold() in self._values

    def popitem(self) -> tuple[str, Any]:
        if not self._values:
            raise KeyError("popitem(): CaseInsensitiveDict is empty")
        folded, value = self._values.popitem()
        return self._names.pop(folded), value

    def copy(self) -> CaseInsensitiveDict:
        other = CaseInsensitiveDict()
        other._values = dict(self._values)
        other._names = dict(self._names)
        return other

    def __copy__(self) -> CaseInsensitiveDict:
        return self.copy()

    @classmethod
    def fromkeys(cls, keys: Iterable[str], value: Any = None) -> CaseInsensitiveDict:
        return cls((k, value) for k in keys)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        if isinstance(other, CaseInsensitiveDict):
            return self._values == other._values
        mine: dict[str, Any] = {}
        for key, value in other.items():
            if not isinstance(key, str) or key.casefold() in mine:
                return False
            mine[key.casefold()] = value
        return mine == self._values

    __hash__ = None  # type: ignore[assignment]

    def __or__(self, other: object) -> CaseInsensitiveDict:
        if isinstance(other, Mapping):
            merged = self.copy()
            merged.update(other)
            return merged
        return NotImplemented

    def __ror__(self, other: object) -> CaseInsensitiveDict:
        if isinstance(other, Mapping):
            merged = CaseInsensitiveDict(other)
            merged.update(self)
            return merged
        return NotImplemented

    def __ior__(self, other: Any) -> CaseInsensitiveDict:
        self.update(other)
        return self

    def __repr__(self) -> str:
        inner = ", ".join(f"{self._names[f]!r}: {v!r}" for f, v in self._values.items())
        return f"CaseInsensitiveDict({{{inner}}})"
