"""Helpers shared by the exercise 01 graders."""

from __future__ import annotations

from typing import Any

import pytest


class Count(int):
    """A subclass of int: isinstance(Count(3), int) is True."""


class Payload:
    """A weak-referenceable value, to see whether stored values are freed with their instance."""


def names(types: tuple[type, ...]) -> str:
    return "(" + ", ".join(t.__name__ for t in types) + ("," if len(types) == 1 else "") + ")"


def spec_text(types: tuple[type, ...], nullable: bool) -> str:
    names = ", ".join(t.__name__ for t in types)
    return f"Typed({names}{', nullable=True' if nullable else ''})"


def expected_message(name: str, types: tuple[type, ...], nullable: bool, value: object) -> str:
    expected = " or ".join(t.__name__ for t in types) + (" or None" if nullable else "")
    return f"{name} must be {expected}, got {type(value).__name__}"


def assign(obj: object, name: str, value: object) -> None:
    """obj.<name> = value, turning the classic infinite recursion into an explanation."""
    try:
        setattr(obj, name, value)
        return
    except RecursionError:
        pass  # fail outside the handler, so the report does not drag a 1000-frame traceback along
    pytest.fail(
        f"assigning {name} raised RecursionError. Did your __set__ call setattr(instance, self.name, ...) or "
        "assign instance.<name>? That calls __set__ again, forever. Store the value in the instance's __dict__ "
        "(vars(instance)[self.name] = value) instead.",
        pytrace=False,
    )


def read(obj: object, name: str) -> Any:
    """getattr(obj, name), turning the classic infinite recursion into an explanation."""
    try:
        return getattr(obj, name)
    except RecursionError:
        pass
    pytest.fail(
        f"reading {name} raised RecursionError. Did your __get__ call getattr(instance, self.name)? That calls "
        "__get__ again, forever. Read the instance's __dict__ (vars(instance)) instead.",
        pytrace=False,
    )


def rejected(obj: object, name: str, value: object, described: str) -> TypeError:
    """obj.<name> = value must raise TypeError; return it."""
    try:
        assign(obj, name, value)
    except TypeError as exc:
        return exc
    pytest.fail(f"{described} was accepted; expected TypeError", pytrace=False)
