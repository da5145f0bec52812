"""Known-good: values live under a private attribute name; the checks are written independently of the reference."""

from __future__ import annotations

from typing import Any

_NOTHING = object()


class Typed:
    def __init__(self, *types: type, default: Any = _NOTHING, nullable: bool = False) -> None:
        if len(types) == 0 or not all(isinstance(t, type) for t in types):
            raise TypeError("Typed(*types) needs one or more classes")
        self.types = tuple(types)
        self.nullable = bool(nullable)
        self.has_default = default is not _NOTHING
        self.default = default
        self.name = "?"
        self.slot = "_typed_?"
        if self.has_default and not self._ok(default):
            raise TypeError(self._message("default", default))

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.slot = "_typed_" + name

    def _ok(self, value: Any) -> bool:
        if value is None:
            return self.nullable or any(t is type(None) or t is object for t in self.types)
        return any(isinstance(value, t) for t in self.types)

    def _message(self, name: str, value: Any) -> str:
        names = [t.__name__ for t in self.types] + (["None"] if self.nullable else [])
        return f"{name} must be {' or '.join(names)}, got {type(value).__name__}"

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        try:
            return object.__getattribute__(instance, self.slot)
        except AttributeError:
            if self.has_default:
                return self.default
            raise AttributeError(f"'{type(instance).__name__}' object has no attribute '{self.name}'") from None

    def __set__(self, instance: Any, value: Any) -> None:
        if not self._ok(value):
            raise TypeError(self._message(self.name, value))
        object.__setattr__(instance, self.slot, value)

    def __delete__(self, instance: Any) -> None:
        try:
            object.__delattr__(instance, self.slot)
        except AttributeError:
            raise AttributeError(f"'{type(instance).__name__}' object has no attribute '{self.name}'") from None
