"""Known-bad: nested dicts always become AttrDict, even inside a subclass (`AttrDict(v)`, not
`type(self)(v)`).

A dict whose string keys can also be read and written as attributes, converted recursively.

`AttrDict` subclasses `dict`, so it *is* a dict everywhere that matters (json, isinstance, C code). The work is
in the details a subclass of a C type makes easy to miss:

- Conversion must happen on every way in. `dict.__init__`, `update`, `setdefault`, `|=` and `copy` are C methods
  that never call an overridden `__setitem__`, so each one is routed through `__setitem__` here explicitly.
- `__getattr__` (called only after normal lookup fails, so methods always win over keys) must raise
  `AttributeError`, never `KeyError`: `hasattr`, `getattr(obj, name, default)`, `copy`, `pickle` and half the
  standard library probe objects for optional attributes and only catch `AttributeError`.
- Dunder names are never keys: protocol lookups like `__deepcopy__` or `__setstate__` must not find user data.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterable
from typing import Any, Self


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


class AttrDict(dict[Any, Any]):
    """A dict with attribute access to its keys; nested dicts (in lists and tuples too) become AttrDicts."""

    __slots__ = ()  # no instance __dict__: every attribute assignment is a key, nothing hides beside the items

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.update(*args, **kwargs)

    # ---- conversion on the way in ------------------------------------------------------------------------------

    def _convert(self, value: Any) -> Any:
        """Plain dicts become instances of this class; lists and tuples are rebuilt with converted items."""
        kind = type(value)  # exact types: subclasses (OrderedDict, namedtuple, AttrDict itself) are kept as they are
        if kind is dict:
            return AttrDict(value)
        if kind is list:
            return [self._convert(item) for item in value]
        if kind is tuple:
            return tuple(self._convert(item) for item in value)
        return value

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, self._convert(value))

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        """dict.update semantics (a mapping, or an iterable of pairs, then keywords), converting every value."""
        # Like dict.update: anything with a keys() method is a mapping (iterated through keys(), as dict does).
        pairs: Iterable[tuple[Any, Any]]
        pairs = ((k, other[k]) for k in other.keys()) if hasattr(other, "keys") else other  # noqa: SIM118
        for key, value in pairs:
            self[key] = value
        for key, value in kwargs.items():
            self[key] = value

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def __ior__(self, other: Any) -> Self:
        self.update(other)
        return self

    def __or__(self, other: Any) -> Self:
        if not isinstance(other, dict):
            return NotImplemented
        merged = self.copy()
        merged.update(other)
        return merged

    def __ror__(self, other: Any) -> Self:
        if not isinstance(other, dict):
            return NotImplemented
        merged = type(self)(other)
        merged.update(self)
        return merged

    # ---- copies and conversion on the way out ----------------------------------------------------------------

    def copy(self) -> Self:
        """A shallow copy of the same class: the values are the very same objects."""
        new = type(self)()
        dict.update(new, self)  # the C update skips __setitem__, so no value is rebuilt (lists stay shared)
        return new

    __copy__ = copy

    def to_dict(self) -> dict[Any, Any]:
        """A deep conversion back to builtins: AttrDicts become dicts, lists and tuples are rebuilt."""
        return {key: _to_builtin(value) for key, value in self.items()}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({super().__repr__()})"

    # ---- attribute access --------------------------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # Reached only when normal lookup failed: methods and other class attributes always win over keys.
        if not _is_dunder(name):
            try:
                return self[name]
            except KeyError:
                pass
        raise AttributeError(f"{type(self).__name__!r} object has no attribute or key {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        self._check_settable(name)
        self[name] = value

    def __delattr__(self, name: str) -> None:
        self._check_settable(name)
        try:
            del self[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute or key {name!r}") from None

    def _check_settable(self, name: str) -> None:
        if _is_dunder(name) or hasattr(type(self), name):
            raise AttributeError(
                f"{name!r} is an attribute of {type(self).__name__}, not a key; use item syntax: d[{name!r}]"
            )

    def __dir__(self) -> list[str]:
        keys = [k for k in self if isinstance(k, str) and k.isidentifier() and not keyword.iskeyword(k)]
        return [*super().__dir__(), *(k for k in keys if not _is_dunder(k))]


def _to_builtin(value: Any) -> Any:
    if isinstance(value, AttrDict):
        return value.to_dict()
    if type(value) is list:
        return [_to_builtin(item) for item in value]
    if type(value) is tuple:
        return tuple(_to_builtin(item) for item in value)
    return value
