"""Known-bad: the classic `self.__dict__ = self` trick.

Attribute access then reads and writes the dict directly: keys shadow methods (`d.keys` becomes the value of the
key "keys"), and `d.x = {...}` stores the plain dict without going through `__setitem__`.
"""

from __future__ import annotations

from typing import Any


class AttrDict(dict[Any, Any]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.__dict__ = self
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def _convert(self, value: Any) -> Any:
        if type(value) is dict:
            return type(self)(value)
        if type(value) is list:
            return [self._convert(v) for v in value]
        if type(value) is tuple:
            return tuple(self._convert(v) for v in value)
        return value

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, self._convert(value))

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        for key, value in dict(other, **kwargs).items():
            self[key] = value

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def __ior__(self, other: Any) -> AttrDict:
        self.update(other)
        return self

    def __or__(self, other: Any) -> AttrDict:
        new = self.copy()
        new.update(other)
        return new

    def __ror__(self, other: Any) -> AttrDict:
        new = type(self)(other)
        new.update(self)
        return new

    def copy(self) -> AttrDict:
        new = type(self)()
        dict.update(new, self)
        return new

    __copy__ = copy

    def to_dict(self) -> dict[Any, Any]:
        def out(v: Any) -> Any:
            if isinstance(v, AttrDict):
                return v.to_dict()
            if type(v) in (list, tuple):
                return type(v)(out(x) for x in v)
            return v

        return {k: out(v) for k, v in self.items()}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict.__repr__(self)})"
