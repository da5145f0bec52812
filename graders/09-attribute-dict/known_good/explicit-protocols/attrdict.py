"""Known-good: written from the README, with explicit __reduce__/__deepcopy__ and a module-level converter.

No __slots__: instead `__setattr__` never touches the instance __dict__, so it stays empty. Pickling goes through
`__reduce__` (class, plain items) rather than dict's default reduction; deepcopy rebuilds each value itself.
"""

from __future__ import annotations

import copy as _copy
import keyword
from typing import Any

_MISSING = object()


def _dunder(name: str) -> bool:
    return len(name) > 4 and name[:2] == name[-2:] == "__"


def _wrap(value: Any, cls: type[AttrDict]) -> Any:
    if type(value) is dict:
        out = cls()
        for k, v in value.items():
            dict.__setitem__(out, k, _wrap(v, cls))
        return out
    if type(value) in (list, tuple):
        return type(value)(_wrap(v, cls) for v in value)
    return value


class AttrDict(dict):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        dict.__init__(self)
        self.update(*args, **kwargs)

    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(self, key, _wrap(value, type(self)))

    def update(self, *args: Any, **kwargs: Any) -> None:
        if len(args) > 1:
            raise TypeError(f"update expected at most 1 argument, got {len(args)}")
        source = dict(*args, **kwargs) if args and not hasattr(args[0], "keys") else None
        if source is not None:
            for k, v in source.items():
                self[k] = v
            return
        if args:
            mapping = args[0]
            for k in mapping.keys():  # noqa: SIM118 - dict.update's mapping protocol is keys() + []
                self[k] = mapping[k]
        for k, v in kwargs.items():
            self[k] = v

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return dict.__getitem__(self, key)

    def __ior__(self, other: Any) -> AttrDict:
        self.update(other)
        return self

    def __or__(self, other: Any) -> AttrDict:
        if not isinstance(other, dict):
            return NotImplemented
        result = self.copy()
        result.update(other)
        return result

    def __ror__(self, other: Any) -> AttrDict:
        if not isinstance(other, dict):
            return NotImplemented
        result = type(self)(other)
        result.update(self)
        return result

    def copy(self) -> AttrDict:
        result = type(self)()
        for k, v in self.items():
            dict.__setitem__(result, k, v)
        return result

    def __copy__(self) -> AttrDict:
        return self.copy()

    def __deepcopy__(self, memo: dict[int, Any]) -> AttrDict:
        result = type(self)()
        memo[id(self)] = result
        for k, v in self.items():
            dict.__setitem__(result, _copy.deepcopy(k, memo), _copy.deepcopy(v, memo))
        return result

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (), None, None, iter(self.items()))

    def to_dict(self) -> dict[Any, Any]:
        def unwrap(value: Any) -> Any:
            if isinstance(value, AttrDict):
                return {k: unwrap(v) for k, v in value.items()}
            if type(value) in (list, tuple):
                return type(value)(unwrap(v) for v in value)
            return value

        return unwrap(self)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return type(self).__name__ + "(" + dict.__repr__(self) + ")"

    def __getattr__(self, name: str) -> Any:
        value = _MISSING if _dunder(name) else dict.get(self, name, _MISSING)
        if value is _MISSING:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute or key {name!r}")
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if _dunder(name) or hasattr(type(self), name):
            raise AttributeError(f"{name!r} is an attribute of {type(self).__name__}, not a key")
        self[name] = value

    def __delattr__(self, name: str) -> None:
        if _dunder(name) or hasattr(type(self), name) or name not in self:
            raise AttributeError(f"{type(self).__name__!r} object has no key {name!r} to delete")
        del self[name]

    def __dir__(self) -> list[str]:
        names = set(dir(type(self)))
        names.update(k for k in self if type(k) is str and k.isidentifier() and not keyword.iskeyword(k))
        return sorted(n for n in names if n in dir(type(self)) or not _dunder(n))
