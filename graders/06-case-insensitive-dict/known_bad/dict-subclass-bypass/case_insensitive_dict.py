"""Known-bad: a dict subclass that folds keys only in the methods it overrides.

dict's own get, update, setdefault, pop, copy, ==, | and the constructor are implemented in C and never call the
overridden __getitem__/__setitem__, so they bypass the folding: d.get("a") misses "A", update({"a": 1}) adds a
second key, and so on.
"""

from __future__ import annotations

from typing import Any


class CaseInsensitiveDict(dict):  # type: ignore[type-arg]
    def __init__(self, data: Any = (), /, **kwargs: Any) -> None:
        super().__init__()
        self._spelling: dict[str, str] = {}  # folded -> key as stored in the dict itself
        for key, value in dict(data, **kwargs).items():
            self[key] = value

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError("keys must be str")
        folded = key.casefold()
        old = self._spelling.get(folded)
        if old is not None and old != key:
            super().__delitem__(old)
        self._spelling[folded] = key
        super().__setitem__(key, value)

    def __getitem__(self, key: str) -> Any:
        if not isinstance(key, str) or key.casefold() not in self._spelling:
            raise KeyError(key)
        return super().__getitem__(self._spelling[key.casefold()])

    def __delitem__(self, key: str) -> None:
        if not isinstance(key, str) or key.casefold() not in self._spelling:
            raise KeyError(key)
        super().__delitem__(self._spelling.pop(key.casefold()))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.casefold() in self._spelling

    def __repr__(self) -> str:
        return f"CaseInsensitiveDict({dict(self)!r})"
