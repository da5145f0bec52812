"""Known-good: every item is compiled once into a closure `test(subject, env) -> bool`; one Pattern class wraps
a closure and the names it binds. Sequences slice via a list of indexes instead of sub-pattern objects."""

from __future__ import annotations

import collections.abc as abc
from collections.abc import Callable
from typing import Any

Bindings = dict[str, Any]
Test = Callable[[Any, Bindings], bool]


class PatternError(ValueError):
    pass


class Pattern:
    def __init__(self, test: Test, names: list[str]) -> None:
        seen = set()
        for n in names:
            if n in seen:
                raise PatternError(f"name {n!r} bound more than once")
            seen.add(n)
        self._test = test
        self._names = list(names)

    def match(self, subject: Any) -> Bindings | None:
        env: Bindings = {}
        if self._test(subject, env):
            return env
        return None

    def where(self, guard: Callable[[Bindings], object]) -> Pattern:
        inner = self._test

        def test(subject: Any, env: Bindings) -> bool:
            local: Bindings = {}
            if inner(subject, local) and guard(local):
                env.update(local)
                return True
            return False

        return Pattern(test, self._names)


class Capture(Pattern):
    def __init__(self, name: str, sub: Pattern | None = None) -> None:
        if not name.isidentifier() or name == "_":
            raise PatternError(f"bad capture name {name!r}")
        self.name = name
        self.has_sub = sub is not None
        sub_test = sub._test if sub is not None else None

        def test(subject: Any, env: Bindings) -> bool:
            if sub_test is not None and not sub_test(subject, env):
                return False
            env[name] = subject
            return True

        super().__init__(test, [*(sub._names if sub is not None else []), name])

    def __call__(self, item: Any) -> Capture:
        if self.has_sub:
            raise PatternError("capture already has a sub-pattern")
        return Capture(self.name, compile_item(item))


def _always(subject: Any, env: Bindings) -> bool:
    return True


WILDCARD = Pattern(_always, [])


def compile_item(item: Any) -> Pattern:
    if isinstance(item, Pattern):
        return item
    if item is Ellipsis or isinstance(item, slice):
        raise PatternError("... and 'name':item only work as sequence items")
    if item is None or item is True or item is False:
        return Pattern(lambda s, env: s is item, [])
    if isinstance(item, type):
        return Pattern(lambda s, env: isinstance(s, item), [])
    if isinstance(item, list | tuple):
        return compile_sequence(list(item))
    if isinstance(item, dict):
        return compile_mapping(item)
    return Pattern(lambda s, env: bool(s == item), [])


def compile_sequence(items: list[Any]) -> Pattern:
    parts: list[Pattern] = []
    star_at = -1
    star_name: str | None = None
    for item in items:
        if isinstance(item, slice):
            if not isinstance(item.start, str) or item.step is not None:
                raise PatternError(f"bad slice {item!r}")
            if item.stop is Ellipsis:
                if not item.start.isidentifier() or item.start == "_":
                    raise PatternError(f"bad star name {item.start!r}")
                if star_at >= 0:
                    raise PatternError("two stars")
                star_at, star_name = len(parts), item.start
                continue
            parts.append(Capture(item.start, compile_item(item.stop)))
        elif item is Ellipsis:
            if star_at >= 0:
                raise PatternError("two stars")
            star_at = len(parts)
        else:
            parts.append(compile_item(item))
    tests = [p._test for p in parts]
    names = [n for p in parts for n in p._names] + ([star_name] if star_name else [])
    count = len(parts)

    def test(subject: Any, env: Bindings) -> bool:
        if isinstance(subject, str | bytes | bytearray) or not isinstance(subject, abc.Sequence):
            return False
        size = len(subject)
        if star_at < 0:
            if size != count:
                return False
            positions = list(range(size))
        else:
            if size < count:
                return False
            gap = size - count
            positions = [i if i < star_at else i + gap for i in range(count)]
        for t, pos in zip(tests, positions, strict=True):
            if not t(subject[pos], env):
                return False
        if star_name is not None:
            env[star_name] = [subject[i] for i in range(star_at, star_at + size - count)]
        return True

    return Pattern(test, names)


def compile_mapping(spec: dict[Any, Any]) -> Pattern:
    rest_name: str | None = None
    entries: list[tuple[Any, Test]] = []
    names: list[str] = []
    for key, value in spec.items():
        if key is Ellipsis:
            if not isinstance(value, Capture) or value.has_sub:
                raise PatternError("...: needs a bare capture")
            rest_name = value.name
            continue
        sub = compile_item(value)
        entries.append((key, sub._test))
        names += sub._names
    if rest_name:
        names.append(rest_name)
    keys = [k for k, _ in entries]

    def test(subject: Any, env: Bindings) -> bool:
        if not isinstance(subject, abc.Mapping):
            return False
        for key, t in entries:
            if key not in subject or not t(subject[key], env):
                return False
        if rest_name is not None:
            env[rest_name] = {k: v for k, v in subject.items() if k not in keys}
        return True

    return Pattern(test, names)


class PatternBuilder:
    def __getitem__(self, items: Any) -> Pattern:
        return compile_sequence(list(items) if type(items) is tuple else [items])

    def __call__(self, item: Any) -> Pattern:
        return compile_item(item)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name == "_":
            return WILDCARD
        return Capture(name)


P = PatternBuilder()
