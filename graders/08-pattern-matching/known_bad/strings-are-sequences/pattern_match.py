"""Known-bad: str, bytes and bytearray subjects match sequence patterns."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

Bindings = dict[str, Any]
Guard = Callable[[Bindings], object]

_ABSENT: Final = object()  # "key not in the mapping" (None is a perfectly good value)


class PatternError(ValueError):
    """A malformed pattern (two stars in one sequence, a name bound twice, `...` outside a sequence, ...)."""


class Pattern(ABC):
    """A compiled pattern. Immutable: matching never changes it, so one pattern can match many subjects."""

    #: The names this pattern binds, in binding order; composites check them for duplicates.
    names: tuple[str, ...] = ()

    def match(self, subject: Any) -> Bindings | None:
        """The bindings (name -> matched object) if `subject` matches, else None. `{}` is a match without names."""
        bindings: Bindings = {}
        return bindings if self._match(subject, bindings) else None

    def where(self, guard: Guard) -> Pattern:
        """A new pattern: matches when this one does and `guard(bindings)` is truthy."""
        if not callable(guard):
            raise PatternError(f"where() needs a callable guard, got {guard!r}")
        return _Guarded(self, guard)

    @abstractmethod
    def _match(self, subject: Any, bindings: Bindings) -> bool:
        """Match `subject`, adding names to `bindings`; on False, `bindings` may hold leftovers (the caller drops
        them)."""

    @abstractmethod
    def source(self) -> str:
        """The equivalent pattern in Python's `case` syntax (for repr and error messages)."""

    def __repr__(self) -> str:
        return f"<pattern {self.source()}>"


class _Wildcard(Pattern):
    """`_`: matches anything, binds nothing."""

    def _match(self, subject: Any, bindings: Bindings) -> bool:
        return True

    def source(self) -> str:
        return "_"


WILDCARD: Final = _Wildcard()


class _Value(Pattern):
    """A literal or value pattern: None/True/False by identity, everything else by ==."""

    def __init__(self, value: Any) -> None:
        self.value = value
        # Python compares the three singletons with `is`: `case True` must not match 1, nor `case None` 0.
        self._by_identity = value is None or value is True or value is False

    def _match(self, subject: Any, bindings: Bindings) -> bool:
        if self._by_identity:
            return subject is self.value
        return bool(subject == self.value)

    def source(self) -> str:
        return repr(self.value)


class _Class(Pattern):
    """`C()`: an isinstance check."""

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def _match(self, subject: Any, bindings: Bindings) -> bool:
        return isinstance(subject, self.cls)

    def source(self) -> str:
        return f"{self.cls.__name__}()"


class Capture(Pattern):
    """`sub as name` (or a bare `name` when `sub` is the wildcard). `P.x(item)` makes one with a sub-pattern."""

    def __init__(self, name: str, sub: Pattern = WILDCARD) -> None:
        self.name = _check_name(name)
        self.sub = sub
        self.names = _unique((*sub.names, name))

    def __call__(self, item: Any) -> Capture:
        if self.sub is not WILDCARD:
            raise PatternError(f"P.{self.name} already has a sub-pattern; write P.{self.name}(item) once")
        return Capture(self.name, to_pattern(item))

    def _match(self, subject: Any, bindings: Bindings) -> bool:
        if not self.sub._match(subject, bindings):
            return False
        bindings[self.name] = subject  # the object itself, not a copy
        return True

    def source(self) -> str:
        return self.name if self.sub is WILDCARD else f"({self.sub.source()} as {self.name})"


class _Sequence(Pattern):
    """`[before..., *star, after...]`; `star` is None for no star, "" for `*_`, else the name it binds."""

    def __init__(self, before: tuple[Pattern, ...], star: str | None, after: tuple[Pattern, ...]) -> None:
        self.before, self.star, self.after = before, star, after
        self.names = _unique([*(name for p in (*before, *after) for name in p.names), *([star] if star else [])])

    def _match(self, subject: Any, bindings: Bindings) -> bool:
        # PEP 634: any Sequence except the three "string-like" ones, which match as a whole, never per element.
        if not isinstance(subject, Sequence):  # bug: a str is a Sequence, but `match` never treats it as one
            return False
        n, fixed = len(subject), len(self.before) + len(self.after)
        if n < fixed if self.star is not None else n != fixed:
            return False
        # The length fixes where every element goes: the star takes exactly n - fixed elements. Only integer
        # indexing is used, because that is all the Sequence ABC promises (a deque can't be sliced).
        tail = n - len(self.after)
        if not all(p._match(subject[i], bindings) for i, p in enumerate(self.before)):
            return False
        if self.star:
            bindings[self.star] = [subject[i] for i in range(len(self.before), tail)]
        return all(p._match(subject[tail + j], bindings) for j, p in enumerate(self.after))

    def source(self) -> str:
        items = [p.source() for p in self.before]
        if self.star is not None:
            items.append(f"*{self.star or '_'}")
        items += [p.source() for p in self.after]
        return f"[{', '.join(items)}]"


class _Mapping(Pattern):
    """`{key: pattern, ..., **rest}`: every key present, each value matching; other keys are ignored."""

    def __init__(self, items: tuple[tuple[Any, Pattern], ...], rest: str | None) -> None:
        self.items, self.rest = items, rest
        self.names = _unique([*(name for _, p in items for name in p.names), *([rest] if rest else [])])

    def _match(self, subject: Any, bindings: Bindings) -> bool:
        if not isinstance(subject, Mapping):
            return False
        for key, pattern in self.items:
            value = subject.get(key, _ABSENT)  # what CPython does; get() never calls a defaultdict's factory
            if value is _ABSENT or not pattern._match(value, bindings):
                return False
        if self.rest:
            rest = dict(subject)
            for key, _ in self.items:
                del rest[key]
            bindings[self.rest] = rest
        return True

    def source(self) -> str:
        items = [f"{key!r}: {p.source()}" for key, p in self.items]
        if self.rest:
            items.append(f"**{self.rest}")
        return f"{{{', '.join(items)}}}"


class _Guarded(Pattern):
    """`pattern if guard(bindings)`: the guard sees only the names this pattern bound."""

    def __init__(self, pattern: Pattern, guard: Guard) -> None:
        self.pattern, self.guard = pattern, guard
        self.names = pattern.names

    def _match(self, subject: Any, bindings: Bindings) -> bool:
        own: Bindings = {}
        if not self.pattern._match(subject, own) or not self.guard(own):
            return False
        bindings.update(own)
        return True

    def source(self) -> str:
        name = getattr(self.guard, "__name__", "guard")
        return f"{self.pattern.source()} if {name}(...)"


# ---------------------------------------------------------------------------------------------------------
# Turning items into patterns


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.isidentifier() or name == "_":
        raise PatternError(f"capture names must be identifiers other than '_', got {name!r}")
    return name


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    out = tuple(names)
    seen: set[str] = set()
    for name in out:
        if name in seen:
            raise PatternError(f"the name {name!r} is bound twice in one pattern")
        seen.add(name)
    return out


def to_pattern(item: Any) -> Pattern:
    """Any pattern item as a Pattern (see the README's table)."""
    if isinstance(item, Pattern):
        return item
    if item is ...:
        raise PatternError("`...` stands for the rest of a sequence; use P._ for one value you don't care about")
    if isinstance(item, slice):
        raise PatternError(f"a 'name':pattern slice only works as a sequence item, got {item!r}")
    if isinstance(item, type):
        return _Class(item)
    if isinstance(item, tuple | list):
        return _sequence(item)
    if isinstance(item, dict):
        return _mapping(item)
    return _Value(item)


def _sequence(items: Iterable[Any]) -> _Sequence:
    before: list[Pattern] = []
    after: list[Pattern] = []
    star: str | None = None
    for item in items:
        if item is ... or (isinstance(item, slice) and item.stop is ...):
            name = "" if item is ... else _slice_name(item)
            if star is not None:
                raise PatternError("a sequence pattern takes at most one star (`...` or 'name':...)")
            star = name
            continue
        pattern = Capture(_slice_name(item), to_pattern(item.stop)) if isinstance(item, slice) else to_pattern(item)
        (before if star is None else after).append(pattern)
    return _Sequence(tuple(before), star, tuple(after))


def _slice_name(item: slice) -> str:
    if item.step is not None:
        raise PatternError(f"write a capture as 'name':pattern, without a second colon; got {item!r}")
    return _check_name(item.start)


def _mapping(items: dict[Any, Any]) -> _Mapping:
    rest: str | None = None
    pairs: list[tuple[Any, Pattern]] = []
    for key, value in items.items():
        if key is ...:
            if not isinstance(value, Capture) or value.sub is not WILDCARD:
                raise PatternError(f"`...: P.name` binds the other items; a bare capture is needed, got {value!r}")
            rest = value.name
        else:
            pairs.append((key, to_pattern(value)))
    return _Mapping(tuple(pairs), rest)


class PatternBuilder:
    """The type of `P`. It has no public attributes: every `P.<name>` is a capture."""

    def __getitem__(self, items: Any) -> Pattern:
        # P[a, b] passes the tuple (a, b); P[a] passes a alone. Both mean a sequence of those items.
        return _sequence(items if isinstance(items, tuple) else (items,))

    def __call__(self, item: Any) -> Pattern:
        return to_pattern(item)

    def __getattr__(self, name: str) -> Any:  # a Capture, or the wildcard for P._
        if name.startswith("__"):  # copy, pickle and friends probe for dunders: those are not captures
            raise AttributeError(name)
        return WILDCARD if name == "_" else Capture(name)


P: Final = PatternBuilder()
