"""Exercise 08: a pattern matching language built on __getitem__ and slices. Read README.md for the full spec."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Bindings = dict[str, Any]


class PatternError(ValueError):
    """A malformed pattern (two stars in one sequence, a name bound twice, `...` outside a sequence, ...)."""


class Pattern:
    """A compiled pattern. Immutable: matching never changes it, so one pattern can match many subjects."""

    def match(self, subject: Any) -> Bindings | None:
        """The bindings (name -> matched object) if `subject` matches, else None. `{}` is a match without names."""
        raise NotImplementedError

    def where(self, guard: Callable[[Bindings], object]) -> Pattern:
        """A new pattern: matches when this one does and `guard(bindings)` is truthy."""
        raise NotImplementedError


class PatternBuilder:
    """The type of `P`. It has no public attributes: every `P.<name>` is a capture."""

    def __getitem__(self, items: Any) -> Pattern:
        """P[a, b, "rest":...] is the sequence pattern [a, b, *rest]; P[a] is [a]; P[()] is []."""
        raise NotImplementedError

    def __call__(self, item: Any) -> Pattern:
        """P(item) turns any pattern item (a literal, a class, a dict, a list, ...) into a Pattern."""
        raise NotImplementedError

    def __getattr__(self, name: str) -> Any:
        """P._ is the wildcard; P.x captures anything as x, and P.x(item) captures what `item` matches."""
        if name.startswith("__"):  # copy, pickle and friends probe for dunders: those are not captures
            raise AttributeError(name)
        raise NotImplementedError


P = PatternBuilder()
