"""Generated patterns, rendered twice: as the learner's `P` expression and as a real `case` for Python's `match`.

A pattern is a small tree of tuples:

    ("wild",)                               _                   P._
    ("cap", name, sub, style)               (sub as name)       P.name(sub)  or  "name": sub  inside P[...]
    ("lit", value)                          repr(value)         value
    ("cls", "int")                          int()               int
    ("val", i)                              V.k<i>              V.k<i>   (an object compared with ==)
    ("seq", before, star, after, style)     [b, *star, a]       P[b, "star":..., a]  /  [b, ..., a]  /  (b, ..., a)
    ("map", ((key, sub), ...), rest)        {k: sub, **rest}    {k: sub, ...: P.rest}

`star` is None (no star), "" (`*_`) or a name. The oracle is a function compiled from a real `match` statement;
the learner's pattern is built by evaluating the rendered `P` expression with the learner's `P`.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

Node = tuple[Any, ...]
WILD: Node = ("wild",)


class Color(enum.Enum):
    RED = 1
    GREEN = 2


VALUES: list[Any] = [Fraction(1, 2), Fraction(2), Color.RED]
V = types.SimpleNamespace(**{f"k{i}": v for i, v in enumerate(VALUES)})
LITERALS: list[Any] = [None, True, False, 0, 1, -1, 2, 10**20, 1.5, 0.0, "", "a", "ab", b"", b"a"]
CLASSES = ["int", "str", "bool", "float", "list", "tuple", "dict", "object", "bytes"]
KEYS: list[Any] = ["a", "b", 0, 1]


# ---------------------------------------------------------------------------------------------------------
# Rendering


def python_source(node: Node) -> str:
    """The node as Python `case` syntax."""
    kind = node[0]
    if kind == "wild":
        return "_"
    if kind == "cap":
        _, name, sub, _style = node
        return name if sub == WILD else f"({python_source(sub)} as {name})"
    if kind == "lit":
        return repr(node[1])
    if kind == "cls":
        return f"{node[1]}()"
    if kind == "val":
        return f"V.k{node[1]}"
    if kind == "seq":
        _, before, star, after, _style = node
        items = [python_source(p) for p in before]
        if star is not None:
            items.append(f"*{star or '_'}")
        items += [python_source(p) for p in after]
        return f"[{', '.join(items)}]"
    _, pairs, rest = node
    parts = [f"{key!r}: {python_source(sub)}" for key, sub in pairs]
    if rest:
        parts.append(f"**{rest}")
    return f"{{{', '.join(parts)}}}"


def learner_source(node: Node, where: str = "top") -> str:
    """The node as a `P` expression; `where` is "top", "item" (no slices allowed) or "pseq" (inside P[...])."""
    kind = node[0]
    if kind == "wild":
        return "P._"
    if kind == "cap":
        _, name, sub, style = node
        if style == "slice" and where == "pseq":
            return f'"{name}": {learner_source(sub, "item")}'
        return f"P.{name}" if sub == WILD else f"P.{name}({learner_source(sub, 'item')})"
    if kind == "seq":
        return _sequence_source(node, where)
    if kind == "map":
        _, pairs, rest = node
        parts = [f"{key!r}: {learner_source(sub, 'item')}" for key, sub in pairs]
        if rest:
            parts.append(f"...: P.{rest}")
        text = f"{{{', '.join(parts)}}}"
    elif kind == "lit":
        text = repr(node[1])
    elif kind == "cls":
        text = node[1]
    else:
        text = f"V.k{node[1]}"
    return f"P({text})" if where == "top" else text


def _sequence_source(node: Node, where: str) -> str:
    _, before, star, after, style = node
    literal = style in ("list", "tuple")
    inner = "item" if literal else "pseq"
    items = [learner_source(p, inner) for p in before]
    if star is not None:
        items.append(f'"{star}":...' if star else "...")
    items += [learner_source(p, inner) for p in after]
    if style == "list":
        text = f"[{', '.join(items)}]"
    elif style == "tuple":
        text = f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    else:
        if not items:
            return "P[()]"
        # P[(1, 2)] is the same call as P[1, 2]: a lone tuple item needs the trailing comma, P[(1, 2),].
        nodes = before + after
        lone_tuple = len(items) == 1 and len(nodes) == 1 and nodes[0][0] == "seq" and nodes[0][4] == "tuple"
        trailing = "," if len(items) == 1 and (style == "P," or lone_tuple) else ""
        return f"P[{', '.join(items)}{trailing}]"
    return f"P({text})" if where == "top" else text


# ---------------------------------------------------------------------------------------------------------
# Facts about a pattern


def names(node: Node) -> list[str]:
    """Every name the pattern binds."""
    kind = node[0]
    if kind == "cap":
        return [*names(node[2]), node[1]]
    if kind == "seq":
        star = [node[2]] if node[2] else []
        return [n for p in node[1] for n in names(p)] + star + [n for p in node[3] for n in names(p)]
    if kind == "map":
        return [n for _, p in node[1] for n in names(p)] + ([node[2]] if node[2] else [])
    return []


def collection_names(node: Node) -> dict[str, type]:
    """Names bound to a new list (stars) or a new dict (mapping rests), with that type."""
    kind = node[0]
    if kind == "cap":
        return collection_names(node[2])
    if kind == "seq":
        found = {node[2]: list} if node[2] else {}
        for p in (*node[1], *node[3]):
            found.update(collection_names(p))
        return found
    if kind == "map":
        found = {node[2]: dict} if node[2] else {}
        for _, p in node[1]:
            found.update(collection_names(p))
        return found
    return {}


def oracle(node: Node, guard: Callable[[dict[str, Any]], object] | None) -> Callable[[Any], Any]:
    """A function running Python's own `match` statement on the pattern; returns its bindings or None."""
    bound = "{" + ", ".join(f"{n!r}: {n}" for n in names(node)) + "}"
    condition = f" if _guard_({bound})" if guard is not None else ""
    source = (
        "def _oracle_(subject):\n"
        "    match subject:\n"
        f"        case {python_source(node)}{condition}:\n"
        f"            return {bound}\n"
        "    return None\n"
    )
    namespace: dict[str, Any] = {"V": V, "_guard_": guard}
    exec(compile(source, "<match oracle>", "exec"), namespace)
    return namespace["_oracle_"]  # type: ignore[no-any-return]


def same_bindings(expected: dict[str, Any], got: Any, node: Node) -> str:
    """ "" when `got` holds exactly the expected bindings (the same objects); else what differs."""
    if type(got) is not dict:
        return f"match() returned a {type(got).__name__}, expected a dict"
    if set(got) != set(expected):
        return f"it bound the names {sorted(got)}, expected {sorted(expected)}"
    collections = collection_names(node)
    for name, want in expected.items():
        have = got[name]
        if name in collections:
            kind = collections[name]
            if type(have) is not kind:
                return f"{name} is a {type(have).__name__}, expected a new {kind.__name__}"
            if kind is list:
                if len(have) != len(want) or any(a is not b for a, b in zip(have, want, strict=False)):
                    return f"{name} = {have!r}, expected {want!r}"
            elif list(have) != list(want) or any(have[k] is not want[k] for k in want):
                return f"{name} = {have!r}, expected {want!r}"
        elif have is not want:
            same_value = type(have) is type(want) and have == want
            detail = " (an equal copy: bind the subject object itself)" if same_value else ""
            return f"{name} = {have!r}, expected {want!r}{detail}"
    return ""


# ---------------------------------------------------------------------------------------------------------
# Strategies

_LEAF = st.one_of(
    st.just(WILD),
    st.just(("cap", "?", WILD, "attr")),
    st.sampled_from(LITERALS).map(lambda v: ("lit", v)),
    st.sampled_from(CLASSES).map(lambda c: ("cls", c)),
    st.integers(0, len(VALUES) - 1).map(lambda i: ("val", i)),
)


def _seq(before: tuple[Node, ...], star: str | None, after: tuple[Node, ...], style: str) -> Node:
    if star is None:
        before, after = before + after, ()
    if star == "?" and style in ("list", "tuple"):
        style = "P"  # "name":... is a slice, and slices only exist inside P[...]
    return ("seq", before, star, after, style)


def _extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    seq = st.builds(
        _seq,
        st.lists(children, max_size=3).map(tuple),
        st.sampled_from([None, "", "?"]),
        st.lists(children, max_size=2).map(tuple),
        st.sampled_from(["P", "P,", "list", "tuple"]),
    )
    mapping = st.builds(
        lambda pairs, rest: ("map", pairs, rest),
        st.lists(st.tuples(st.sampled_from(KEYS), children), max_size=3, unique_by=lambda kv: kv[0]).map(tuple),
        st.sampled_from([None, "?"]),
    )
    capture = st.builds(lambda sub, style: ("cap", "?", sub, style), children, st.sampled_from(["attr", "slice"]))
    return st.one_of(seq, mapping, capture)


def _named(node: Node, counter: list[int]) -> Node:
    """Replace every "?" placeholder by a fresh name x0, x1, ... (so no name is bound twice)."""

    def fresh(placeholder: Any) -> Any:
        if placeholder != "?":
            return placeholder
        counter[0] += 1
        return f"x{counter[0] - 1}"

    kind = node[0]
    if kind == "cap":
        sub = _named(node[2], counter)
        return ("cap", fresh(node[1]), sub, node[3])
    if kind == "seq":
        before = tuple(_named(p, counter) for p in node[1])
        star = fresh(node[2])
        after = tuple(_named(p, counter) for p in node[3])
        return ("seq", before, star, after, node[4])
    if kind == "map":
        pairs = tuple((k, _named(p, counter)) for k, p in node[1])
        return ("map", pairs, fresh(node[2]))
    return node


PATTERNS: st.SearchStrategy[Node] = st.recursive(_LEAF, _extend, max_leaves=6).map(lambda n: _named(n, [0]))

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([10**20, -(10**20)]).map(lambda v: int(str(v))),  # a new object: `is` would fail on it
    st.sampled_from([0.0, 1.0, 1.5, -2.0]),
    st.text("ab", max_size=2),
    st.binary(max_size=1),
    st.sampled_from(VALUES),
)
ANY: st.SearchStrategy[Any] = st.recursive(
    _SCALARS,
    lambda c: st.one_of(
        st.lists(c, max_size=2),
        st.lists(c, max_size=2).map(tuple),
        st.dictionaries(st.sampled_from([*KEYS, "z"]), c, max_size=2),
    ),
    max_leaves=4,
)

_INSTANCES: dict[str, st.SearchStrategy[Any]] = {
    "int": st.one_of(st.integers(-3, 3), st.booleans()),
    "str": st.text("ab", max_size=2),
    "bool": st.booleans(),
    "float": st.one_of(st.sampled_from([0.0, 1.5]), st.integers(0, 1)),
    "list": st.lists(ANY, max_size=2),
    "tuple": st.lists(ANY, max_size=2).map(tuple),
    "dict": st.dictionaries(st.sampled_from(KEYS), ANY, max_size=2),
    "object": ANY,
    "bytes": st.one_of(st.binary(max_size=2), st.binary(max_size=2).map(bytearray)),
}


def _near(value: Any) -> list[Any]:
    """Objects equal to a literal (and a few that look alike but are not, for None/True/False)."""
    if value is None:
        return [None, None, False, 0]
    if value is True or value is False:
        return [value, value, int(value), float(value)]
    if isinstance(value, int):
        fresh = int(str(value))  # an equal int that is a different object when large
        return [fresh, float(value), *([bool(value)] if value in (0, 1) else [])]
    if isinstance(value, float):
        return [value, int(value)] if value.is_integer() else [value]
    if isinstance(value, bytes):
        return [value, bytearray(value)]
    return [value]


_VALUE_VARIANTS: list[list[Any]] = [
    [Fraction(1, 2), 0.5, Fraction(1, 3)],
    [Fraction(2), 2, 2.0],
    [Color.RED, Color.GREEN, 1],
]


@st.composite
def subject_for(draw: st.DrawFn, node: Node) -> Any:
    """A subject that mostly matches `node`, with near misses and the occasional random value."""
    if draw(st.integers(0, 9)) == 0:
        return draw(ANY)
    kind = node[0]
    if kind == "wild":
        return draw(ANY)
    if kind == "cap":
        return draw(subject_for(node[2]))
    if kind == "lit":
        return draw(st.sampled_from(_near(node[1])))
    if kind == "cls":
        return draw(_INSTANCES[node[1]])
    if kind == "val":
        return draw(st.sampled_from(_VALUE_VARIANTS[node[1]]))
    if kind == "seq":
        _, before, star, after, _style = node
        items = [draw(subject_for(p)) for p in before]
        if star is not None:
            # Fill the star's part with elements that also match the items around it: a matcher that lets
            # the star stop at the first element matching the next item gets these wrong.
            lookalikes = [subject_for(p) for p in (after[:1] or before[-1:])]
            items += draw(st.lists(st.one_of(ANY, *lookalikes), max_size=3))
        items += [draw(subject_for(p)) for p in after]
        container = draw(st.sampled_from(["list", "tuple", "list", "tuple", "str", "bytes"]))
        if container == "str":  # as long as the pattern wants, but a str never matches a sequence pattern
            return "".join(draw(st.sampled_from("ab")) for _ in items)
        if container == "bytes":
            return bytes(len(items))
        return tuple(items) if container == "tuple" else items
    _, pairs, _rest = node
    found = {key: draw(subject_for(sub)) for key, sub in pairs}
    extra = draw(st.dictionaries(st.sampled_from([*KEYS, "z"]), ANY, max_size=2))
    return {**extra, **found} if draw(st.booleans()) else {**found, **extra}


GUARDS: dict[str, Callable[[dict[str, Any]], object]] = {
    "every_value_truthy": lambda b: all(b.values()),
    "an_even_number_of_truthy_values": lambda b: sum(1 for v in b.values() if v) % 2 == 0,
}
