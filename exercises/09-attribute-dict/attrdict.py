"""Exercise 09: a dict that is also an object (attribute access). Read README.md for the full spec."""

from __future__ import annotations

from typing import Any, Self


class AttrDict(dict[Any, Any]):
    """A dict whose string keys are also attributes: `d.name` is `d["name"]`.

    Plain dicts stored in it (directly, or inside lists and tuples) become AttrDicts on every way in; methods win
    over keys for attribute access; a missing attribute raises AttributeError, never KeyError.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Like dict(*args, **kwargs), converting every value."""
        raise NotImplementedError

    def __getattr__(self, name: str) -> Any:
        """`d.name` for a key that no class attribute shadows; AttributeError when there is no such key."""
        raise NotImplementedError

    def __setattr__(self, name: str, value: Any) -> None:
        """`d.name = value` stores the key `name`; AttributeError for names of class attributes and dunders."""
        raise NotImplementedError

    def __delattr__(self, name: str) -> None:
        """`del d.name` deletes the key `name`; AttributeError when it is missing."""
        raise NotImplementedError

    def __dir__(self) -> list[str]:
        """The usual attributes plus every key that could be written as `d.key`."""
        raise NotImplementedError

    def __repr__(self) -> str:
        """`AttrDict({...})`, so that eval(repr(d)) rebuilds it."""
        raise NotImplementedError

    def copy(self) -> Self:
        """A shallow copy of the same class (dict.copy would return a plain dict)."""
        raise NotImplementedError

    def to_dict(self) -> dict[Any, Any]:
        """A deep conversion back to builtins: every AttrDict inside becomes a plain dict."""
        raise NotImplementedError
