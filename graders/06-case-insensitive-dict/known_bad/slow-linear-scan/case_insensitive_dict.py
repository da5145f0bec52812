"""Known-bad: items kept in a list of [key, value] pairs and found by scanning (correct, but every lookup is O(n))."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any


class CaseInsensitiveDict(MutableMapping):  # type: ignore[type-arg]
    def __init__(self, data: Any = (), /, **kwargs: Any) -> None:
        self._pairs: list[list[Any]] = []
        self.update(data, **kwargs)

    def _find(self, key: object) -> int:
        if isinstance(key, str):
            folded = key.casefold()
            for i, pair in enumerate(self._pairs):
                if pair[0].casefold() == folded:
                    return i
        return -1

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError("keys must be str")
        i = self._find(key)
        if i < 0:
            self._pairs.append([key, value])
        else:
            self._pairs[i] = [key, value]

    def __getitem__(self, key: str) -> Any:
        i = self._find(key)
        if i < 0:
            raise KeyError(key)
        return self._pairs[i][1]

    def __delitem__(self, key: str) -> None:
        i = self._find(key)
        if i < 0:
            raise KeyError(key)
        del self._pairs[i]

    def __iter__(self) -> Iterator[str]:
        return iter([k for k, _ in self._pairs])

    def __len__(self) -> int:
        return len(self._pairs)

    def __reversed__(self) -> Iterator[str]:
        return iter([k for k, _ in reversed(self._pairs)])

    def popitem(self) -> tuple[str, Any]:
        if not self._pairs:
            raise KeyError("empty")
        key, value = self._pairs.pop()
        return key, value

    def copy(self) -> CaseInsensitiveDict:
        return CaseInsensitiveDict(self)

    __copy__ = copy

    @classmethod
    def fromkeys(cls, keys: Any, value: Any = None) -> CaseInsensitiveDict:
        d = cls()
        for k in keys:
            d[k] = value
        return d

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        if len(other) != len(self):
            return False
        seen = set()
        for key, value in other.items():
            if not isinstance(key, str) or key.casefold() in seen or key not in self or self[key] != value:
                return False
            seen.add(key.casefold())
        return True

    __hash__ = None  # type: ignore[assignment]

    def __or__(self, other: object) -> CaseInsensitiveDict:
        if not isinstance(other, Mapping):
            return NotImplemented
        d = self.copy()
        d.update(other)
        return d

    def __ror__(self, other: object) -> CaseInsensitiveDict:
        if not isinstance(other, Mapping):
            return NotImplemented
        d = CaseInsensitiveDict(other)
        d.update(self)
        return d

    def __ior__(self, other: Any) -> CaseInsensitiveDict:
        self.update(other)
        return self

    def __repr__(self) -> str:
        return f"CaseInsensitiveDict({dict(self._pairs)!r})"

    def __reduce__(self) -> Any:
        return (CaseInsensitiveDict, ([tuple(p) for p in self._pairs],))
