"""Hidden grader for exercise 09: an attribute dict.

Learner objects are never trusted to describe themselves: trees are read back through `dict.items` and the
exact types of the containers (see `plain` and `unconverted`), and compared as builtins.
"""

from __future__ import annotations

import copy
import functools
import json
import keyword
import pickle
import traceback
from collections import OrderedDict, namedtuple
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any, ParamSpec, TypeVar

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from kata.testing import Source

P = ParamSpec("P")
R = TypeVar("R")
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink)
Point = namedtuple("Point", "x y")


# ---- reading learner trees without trusting them ----------------------------------------------------------------


def plain(value: Any) -> Any:
    """The tree as builtins, read with dict's and list's own C methods (never the learner's overrides)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in dict.items(value)}
    if isinstance(value, list):
        return [plain(v) for v in list.__iter__(value)]
    if isinstance(value, tuple) and type(value) is tuple:
        return tuple(plain(v) for v in tuple.__iter__(value))
    return value


def unconverted(value: Any, cls: type, path: str = "d") -> str | None:
    """Where a tree stored in an instance of `cls` breaks the conversion rule, or None."""
    if type(value) is dict:
        return f"{path} is a plain dict; expected it converted to {cls.__name__}"
    if isinstance(value, dict):
        if type(value) is not cls:
            return f"{path} is a {type(value).__name__}; expected {cls.__name__}"
        for k, v in dict.items(value):
            found = unconverted(v, cls, f"{path}[{k!r}]")
            if found:
                return found
    elif type(value) in (list, tuple):
        for i, v in enumerate(value):
            found = unconverted(v, cls, f"{path}[{i}]")
            if found:
                return found
    return None


def require(ok: bool, message: str) -> None:
    """Fail with the message alone (hypothesis formats every failing example while shrinking; keep that cheap)."""
    if not ok:
        pytest.fail(message, pytrace=False)


def describe(exc: BaseException) -> str:
    """`Type: message at attrdict.py line N: code`, from the innermost frame of the learner's file."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).name == "attrdict.py"]
    where = f" at attrdict.py line {frames[-1].lineno}: {frames[-1].line}" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def plainly(fn: Callable[P, R]) -> Callable[P, R]:
    """Report any exception from learner code as a one-line failure.

    Hypothesis formats the failure of every failing example it tries while shrinking, and pytest's traceback
    formatting re-parses the source of each frame; plain messages keep shrinking fast (and readable).
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # pytest's own failures are BaseExceptions and pass through
            pytest.fail(describe(exc), pytrace=False)

    return wrapper


def expect_attribute_error(action: Callable[[], object], what: str) -> None:
    try:
        action()
    except AttributeError:
        return
    except Exception as exc:
        pytest.fail(f"{what} raised {describe(exc)}; expected AttributeError", pytrace=False)
    pytest.fail(f"{what} did not raise AttributeError", pytrace=False)


def require_converted(value: Any, cls: type, what: str) -> None:
    problem = unconverted(value, cls)
    require(problem is None, f"{what}: {problem}")


def is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


# ---- strategies ------------------------------------------------------------------------------------------------

IDENTIFIERS = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda s: not keyword.iskeyword(s) and not is_dunder(s)
)
METHOD_NAMES = st.sampled_from(["keys", "items", "values", "get", "copy", "update", "pop", "setdefault", "to_dict"])
DUNDER_NAMES = st.sampled_from(["__deepcopy__", "__setstate__", "__getstate__", "__reduce_ex__", "__class__"])
ODD_KEYS = st.sampled_from(["a-b", "1st", "", "with space", "ñame", "class", "None"])
STR_KEYS = IDENTIFIERS | METHOD_NAMES | DUNDER_NAMES | ODD_KEYS
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=4)
)


def trees(keys: st.SearchStrategy[Any], tuples: bool, leaves: int) -> st.SearchStrategy[Any]:
    """Nested plain dicts, lists (and tuples) of scalars: what a JSON document or a config file holds."""

    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        containers = st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4)
        return (containers | st.lists(children, max_size=3).map(tuple)) if tuples else containers

    return st.recursive(SCALARS, extend, max_leaves=leaves)


DOCUMENTS = st.dictionaries(STR_KEYS | st.integers(-3, 3), trees(STR_KEYS | st.integers(-3, 3), True, 8), max_size=5)
JSON_DOCUMENTS = st.dictionaries(STR_KEYS, trees(STR_KEYS, False, 8), max_size=5)


# ---- being a dict, converting on the way in -----------------------------------------------------------------------


def test_is_a_real_dict(solution: ModuleType) -> None:
    """AttrDict instances are dicts: isinstance(d, dict), == compares items, json.dumps works without help."""
    d = solution.AttrDict(a={"b": 1})
    require(isinstance(d, dict), "AttrDict must subclass dict (UserDict and MutableMapping are not dicts to C code)")
    require(d == {"a": {"b": 1}} and d == {"a": {"b": 1}}, "AttrDict(a={'b': 1}) must compare equal to the dict")
    require(json.dumps(d) == '{"a": {"b": 1}}', f"json.dumps(AttrDict(a={{'b': 1}})) is {json.dumps(d)!r}")


@settings(max_examples=60, phases=PHASES, report_multiple_bugs=False)
@given(DOCUMENTS)
@plainly
def test_construction_converts_nested_dicts_lists_and_tuples(solution: ModuleType, doc: dict[Any, Any]) -> None:
    """AttrDict(doc) holds the same items as doc, with every nested plain dict converted, in lists and tuples too."""
    d = solution.AttrDict(doc)
    require(type(d) is solution.AttrDict, f"AttrDict(doc) returned a {type(d).__name__}")
    require(plain(d) == doc, f"AttrDict({doc!r}) holds {plain(d)!r}")
    require_converted(d, solution.AttrDict, f"AttrDict({doc!r})")


def test_every_way_in_converts(solution: ModuleType) -> None:
    """Values are converted by the constructor (mapping, pairs, keywords), d[k] = v, d.k = v, update, setdefault,
    |=, |, reversed |, and fromkeys."""
    cls = solution.AttrDict
    nested = {"inner": {"leaf": [{"deep": 1}]}}
    ways = {
        "AttrDict(mapping)": lambda: cls({"x": nested}),
        "AttrDict(pairs)": lambda: cls([("x", nested)]),
        "AttrDict(**kwargs)": lambda: cls(x=nested),
        "d[k] = v": lambda: _set(cls(), lambda d: d.__setitem__("x", nested)),
        "d.k = v": lambda: _set(cls(), lambda d: setattr(d, "x", nested)),
        "d.update(mapping)": lambda: _set(cls(), lambda d: d.update({"x": nested})),
        "d.update(pairs)": lambda: _set(cls(), lambda d: d.update([("x", nested)])),
        "d.update(**kwargs)": lambda: _set(cls(), lambda d: d.update(x=nested)),
        "d.setdefault(k, v)": lambda: _set(cls(), lambda d: d.setdefault("x", nested)),
        "d |= mapping": lambda: _ior(cls(), {"x": nested}),
        "d | mapping": lambda: cls() | {"x": nested},
        "mapping | d": lambda: {"x": nested} | cls(),
        "AttrDict.fromkeys(keys, v)": lambda: cls.fromkeys(["x"], nested),
    }
    for way, build in ways.items():
        d = build()
        require(type(d) is cls, f"{way}: the result is a {type(d).__name__}, expected {cls.__name__}")
        require(plain(d) == {"x": nested}, f"{way}: holds {plain(d)!r}")
        problem = unconverted(d, cls)
        require(problem is None, f"{way}: {problem}; did that path bypass your __setitem__? (dict's C methods do)")


def _set(d: Any, action: Any) -> Any:
    action(d)
    return d


def _ior(d: Any, other: Any) -> Any:
    d |= other
    return d


def test_other_values_are_stored_as_the_same_object(solution: ModuleType) -> None:
    """Values that are not exactly dict, list or tuple (AttrDicts, OrderedDict, named tuples, sets…) are kept as is."""
    cls = solution.AttrDict
    kept = {
        "attrdict": cls(a=1),
        "ordered": OrderedDict(a={"b": 1}),
        "point": Point({"x": 1}, 2),
        "set": {1, 2},
        "object": object(),
    }
    d = cls()
    for key, value in kept.items():
        d[key] = value
        require(dict.__getitem__(d, key) is value, f"d[{key!r}] = {value!r} stored a different object")
    outer = cls(items=[kept["attrdict"]])
    require(dict.__getitem__(outer, "items")[0] is kept["attrdict"], "an AttrDict inside a list was copied")


# ---- attribute access ---------------------------------------------------------------------------------------


def test_missing_attribute_raises_attribute_error_not_key_error(solution: ModuleType) -> None:
    """A missing key read as an attribute raises AttributeError naming it; hasattr is False; getattr uses its
    default; `del d.missing` raises AttributeError too."""
    d = solution.AttrDict(present=1)
    try:
        _ = d.missing_key
    except AttributeError as exc:
        require("missing_key" in str(exc), f"the AttributeError's message {str(exc)!r} does not name 'missing_key'")
    except KeyError:
        pytest.fail(
            "d.missing_key raised KeyError; attribute access must raise AttributeError (hasattr, getattr "
            "with a default, copy and pickle only catch AttributeError)",
            pytrace=False,
        )
    else:
        pytest.fail("d.missing_key returned a value for a key that does not exist", pytrace=False)
    require(hasattr(d, "present") and not hasattr(d, "missing_key"), "hasattr(d, name) must follow the keys")
    require(getattr(d, "missing_key", "dflt") == "dflt", "getattr(d, 'missing_key', 'dflt') must return 'dflt'")
    expect_attribute_error(lambda: delattr(d, "missing_key"), "del d.missing_key")
    with pytest.raises(KeyError):
        d["missing_key"]


def test_attributes_read_write_and_delete_the_keys(solution: ModuleType) -> None:
    """d.name reads the stored object itself, d.name = v stores a key, del d.name deletes it; nesting works."""
    d = solution.AttrDict(config={"db": {"port": 5432}})
    require(d.config is dict.__getitem__(d, "config"), "d.config must return the stored object, not a copy")
    d.config.db.port = 6543
    require(plain(d) == {"config": {"db": {"port": 6543}}}, f"d.config.db.port = 6543 gave {plain(d)!r}")
    d.new_key = {"a": [1]}
    require(plain(d).get("new_key") == {"a": [1]}, "d.new_key = ... did not store the key 'new_key'")
    require(type(dict.__getitem__(d, "new_key")) is solution.AttrDict, "d.new_key = {...} stored a plain dict")
    del d.new_key
    require("new_key" not in dict.keys(d), "del d.new_key did not delete the key")
    d._private = 1
    require(
        dict.get(d, "_private") == 1,
        "d._private = 1 must store the key '_private' (instances have no attributes of their own)",
    )


def test_methods_win_over_keys_which_stay_reachable_by_item(solution: ModuleType) -> None:
    """With keys named keys/items/get/copy/update/to_dict, the methods still work and the values are d["keys"] etc."""
    names = ["keys", "items", "values", "get", "copy", "update", "pop", "to_dict"]
    d = solution.AttrDict({name: f"value of {name}" for name in names})
    for name in names:
        require(callable(getattr(d, name)), f"d.{name} is {getattr(d, name)!r}; the method must win over the key")
        require(d[name] == f"value of {name}", f"d[{name!r}] lost its value")
    require(sorted(d.keys()) == sorted(names), "d.keys() no longer works once 'keys' is a key")
    require(d.get("get") == "value of get", "d.get('get') no longer works")


@pytest.mark.parametrize("name", ["keys", "update", "copy", "to_dict", "items"])
def test_assigning_or_deleting_a_method_name_raises(solution: ModuleType, name: str) -> None:
    """d.keys = v and del d.keys raise AttributeError and leave both the method and the items alone."""
    d = solution.AttrDict(a=1)
    expect_attribute_error(lambda: setattr(d, name, 42), f"d.{name} = 42")
    expect_attribute_error(lambda: delattr(d, name), f"del d.{name}")
    require(plain(d) == {"a": 1}, f"d.{name} = 42 changed the items to {plain(d)!r}")
    require(callable(getattr(d, name)), f"after d.{name} = 42 the method is gone")


def test_dunder_names_are_never_keys(solution: ModuleType) -> None:
    """Keys such as "__deepcopy__" are ordinary items: d.__deepcopy__ raises AttributeError, copies still work."""
    d = solution.AttrDict({"__deepcopy__": "x", "__setstate__": "y", "__getstate__": "z", "__foo__": 1, "a": {}})
    expect_attribute_error(lambda: d.__foo__, "d.__foo__ (with the key '__foo__' present)")
    found = getattr(d, "__deepcopy__", None)
    require(found != "x", "d.__deepcopy__ returned the key's value; dunder names are never looked up as keys")
    for name, how in (("__foo__", "d.__foo__ = 2"), ("__deepcopy__", "d.__deepcopy__ = 2")):
        expect_attribute_error(lambda name=name: setattr(d, name, 2), how)
        require(dict.__getitem__(d, name) != 2, f"{how} changed the key")
    deep = copy.deepcopy(d)
    require(plain(deep) == plain(d), "copy.deepcopy of a dict with dunder-named keys changed it")
    again = pickle.loads(pickle.dumps(d))
    require(plain(again) == plain(d), "pickling a dict with dunder-named keys changed it")


@settings(max_examples=60, phases=PHASES, report_multiple_bugs=False)
@given(doc=JSON_DOCUMENTS, name=STR_KEYS)
@plainly
def test_hasattr_is_class_attribute_or_non_dunder_key(solution: ModuleType, doc: dict[str, Any], name: str) -> None:
    """hasattr(d, name) is true exactly when the class has that attribute or name is a key that is not a dunder."""
    cls = solution.AttrDict
    d = cls(doc)
    expected = hasattr(cls, name) or (name in doc and not is_dunder(name))
    require(
        hasattr(d, name) == expected,
        f"hasattr(d, {name!r}) is {hasattr(d, name)}, expected {expected} (keys: {list(doc)})",
    )
    if expected and not hasattr(cls, name):
        require(getattr(d, name) is dict.__getitem__(d, name), f"d.{name} is not the stored value")


def test_dir_lists_keys_usable_as_attributes(solution: ModuleType) -> None:
    """dir(d) has the usual attributes plus the keys that are identifiers, not keywords and not dunders."""
    d = solution.AttrDict({"alpha": 1, "beta_2": 2, "not-valid": 3, "1st": 4, "class": 5, "__hidden__": 6, 7: 8})
    listing = dir(d)
    require(all(type(n) is str for n in listing), "dir(d) must contain only strings")
    missing = {"alpha", "beta_2", "keys", "to_dict", "update"} - set(listing)
    require(not missing, f"dir(d) lacks {sorted(missing)}")
    extra = {"not-valid", "1st", "class", "__hidden__"} & set(listing)
    require(not extra, f"dir(d) lists {sorted(extra)}: not usable as d.<name> (not identifiers, keywords, dunders)")


def test_repr_names_the_class_and_round_trips_through_eval(solution: ModuleType) -> None:
    """repr(d) is AttrDict({...}) with nested AttrDict reprs, and eval(repr(d)) rebuilds it."""
    cls = solution.AttrDict
    d = cls(a={"b": (1, [2, {"c": None}])}, s="x")
    text = repr(d)
    want = "AttrDict({'a': AttrDict({'b': (1, [2, AttrDict({'c': None})])}), 's': 'x'})"
    require(text == want, f"repr(d) is {text!r}, expected {want!r}")
    back = eval(text, {"AttrDict": cls})
    require(type(back) is cls and plain(back) == plain(d), "eval(repr(d)) did not rebuild d")


# ---- copies and conversions out ----------------------------------------------------------------------------------


def test_copy_is_shallow_and_keeps_the_class(solution: ModuleType) -> None:
    """d.copy() and copy.copy(d) return the same class, sharing the very same values (lists too)."""
    cls = solution.AttrDict
    d = cls(nested={"x": 1}, items_list=[1, {"y": 2}], tup=(1, 2), n=3)
    for how, c in (("d.copy()", d.copy()), ("copy.copy(d)", copy.copy(d))):
        require(type(c) is cls, f"{how} returned a {type(c).__name__}; dict.copy() returns a plain dict")
        require(c is not d, f"{how} returned d itself")
        for key in dict.keys(d):
            require(
                dict.__getitem__(c, key) is dict.__getitem__(d, key),
                f"{how}: c[{key!r}] is not the same "
                "object as d[{key!r}]; a shallow copy shares the values (was a list rebuilt on the way in?)",
            )
        c["extra"] = 1
        require("extra" not in dict.keys(d), f"{how}: adding a key to the copy changed the original")


@settings(max_examples=50, phases=PHASES, report_multiple_bugs=False)
@given(DOCUMENTS)
@plainly
def test_deepcopy_is_independent_and_keeps_types(solution: ModuleType, doc: dict[Any, Any]) -> None:
    """copy.deepcopy(d) is equal, of the same classes all the way down, and shares no container with d."""
    cls = solution.AttrDict
    d = cls(doc)
    before = plain(d)
    deep = copy.deepcopy(d)
    require(type(deep) is cls and plain(deep) == before, f"copy.deepcopy changed {before!r} into {plain(deep)!r}")
    require_converted(deep, cls, "copy.deepcopy(d)")
    _mutate_every_container(deep)
    require(plain(d) == before, "mutating the deep copy changed the original: a container is shared")


def _mutate_every_container(value: Any) -> None:
    if isinstance(value, dict):
        for v in list(dict.values(value)):
            _mutate_every_container(v)
        dict.__setitem__(value, "__mutated__", True)
    elif type(value) is list:
        for v in list(value):
            _mutate_every_container(v)
        value.append("mutated")
    elif type(value) is tuple:
        for v in value:
            _mutate_every_container(v)


@settings(max_examples=40, phases=PHASES, report_multiple_bugs=False)
@given(DOCUMENTS)
@plainly
def test_pickle_round_trips_with_every_protocol(solution: ModuleType, doc: dict[Any, Any]) -> None:
    """pickle.loads(pickle.dumps(d, protocol)) rebuilds d, with its nested AttrDicts, for protocols 0 to 5."""
    cls = solution.AttrDict
    d = cls(doc)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(d, protocol))
        require(type(back) is cls and plain(back) == plain(d), f"protocol {protocol}: got {plain(back)!r}")
        require_converted(back, cls, f"the pickle round trip (protocol {protocol})")


@settings(max_examples=50, phases=PHASES, report_multiple_bugs=False)
@given(JSON_DOCUMENTS)
@plainly
def test_json_round_trips(solution: ModuleType, doc: dict[str, Any]) -> None:
    """json.dumps(d) equals json.dumps of the source; json.loads(..., object_hook=AttrDict) rebuilds d."""
    cls = solution.AttrDict
    d = cls(doc)
    text = json.dumps(d, sort_keys=True)
    require(text == json.dumps(doc, sort_keys=True), f"json.dumps(d) is {text!r}")
    back = json.loads(text, object_hook=cls)
    require(type(back) is cls and plain(back) == doc, f"json.loads(..., object_hook=AttrDict) gave {plain(back)!r}")
    require_converted(back, cls, "json.loads(..., object_hook=AttrDict)")


@settings(max_examples=50, phases=PHASES, report_multiple_bugs=False)
@given(DOCUMENTS)
@plainly
def test_to_dict_returns_independent_builtins(solution: ModuleType, doc: dict[Any, Any]) -> None:
    """d.to_dict() is made of plain dicts, lists and tuples equal to the source, sharing no container with d."""
    d = solution.AttrDict(doc)
    out = d.to_dict()
    require(_builtin_only(out), f"d.to_dict() still contains AttrDicts: {out!r}")
    require(out == doc, f"d.to_dict() is {out!r}, expected {doc!r}")
    before = plain(d)
    _mutate_every_container(out)
    require(plain(d) == before, "mutating d.to_dict() changed d: a container is shared")


def _builtin_only(value: Any) -> bool:
    if isinstance(value, dict):
        return type(value) is dict and all(_builtin_only(v) for v in dict.values(value))
    if isinstance(value, list | tuple):
        return all(_builtin_only(v) for v in value)
    return True


def test_subclasses_convert_to_their_own_class(solution: ModuleType) -> None:
    """In class Config(AttrDict), nested dicts become Config; copy(), |, deepcopy and repr use Config too."""

    class Config(solution.AttrDict):  # type: ignore[misc]
        pass

    c = Config(db={"host": "h"}, replicas=[{"host": "r"}])
    require_converted(c, Config, "Config(db={...}, replicas=[{...}])")
    c.extra = {"x": 1}
    require_converted(c, Config, "c.extra = {...}")
    for how, value in (("c.copy()", c.copy()), ("c | {...}", c | {"y": {}}), ("copy.deepcopy(c)", copy.deepcopy(c))):
        require(type(value) is Config, f"{how} returned a {type(value).__name__}, expected Config")
        require_converted(value, Config, how)
    require(repr(Config(a=1)) == "Config({'a': 1})", f"repr(Config(a=1)) is {repr(Config(a=1))!r}")


# ---- a model-based test: random operations against a plain dict ---------------------------------------------------

VALUES = trees(IDENTIFIERS, True, 4)
NAMES = IDENTIFIERS | METHOD_NAMES | DUNDER_NAMES


def test_random_operations_agree_with_a_plain_dict_model(solution: ModuleType) -> None:
    """Random attribute and item operations (set, get, delete, update, setdefault, pop, |=) behave like a dict."""
    cls = solution.AttrDict

    def reserved(name: str) -> bool:
        return is_dunder(name) or hasattr(cls, name)

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.d = cls()
            self.model: dict[str, Any] = {}

        @rule(name=NAMES, value=VALUES)
        @plainly
        def set_attribute(self, name: str, value: Any) -> None:
            if reserved(name):
                expect_attribute_error(lambda: setattr(self.d, name, value), f"d.{name} = ...")
            else:
                setattr(self.d, name, value)
                self.model[name] = plain(value)

        @rule(key=STR_KEYS, value=VALUES)
        @plainly
        def set_item(self, key: str, value: Any) -> None:
            self.d[key] = value
            self.model[key] = plain(value)

        @rule(name=NAMES)
        @plainly
        def get_attribute(self, name: str) -> None:
            if hasattr(cls, name):
                getattr(self.d, name)  # the class attribute: must not raise
            elif name in self.model and not is_dunder(name):
                got = getattr(self.d, name)
                require(got is dict.__getitem__(self.d, name), f"d.{name} is not the stored object")
            else:
                expect_attribute_error(lambda: getattr(self.d, name), f"d.{name} (no such key)")

        @rule(name=NAMES)
        @plainly
        def delete_attribute(self, name: str) -> None:
            if reserved(name) or name not in self.model:
                expect_attribute_error(lambda: delattr(self.d, name), f"del d.{name}")
            else:
                delattr(self.d, name)
                del self.model[name]

        @rule(other=st.dictionaries(STR_KEYS, VALUES, max_size=3), how=st.sampled_from(["update", "ior", "kwargs"]))
        @plainly
        def merge(self, other: dict[str, Any], how: str) -> None:
            if how == "kwargs" and {"self", "other"} & other.keys():
                how = "update"  # d.update(self=...) is legal for dict, but not what this test is about
            if how == "update":
                self.d.update(other)
            elif how == "kwargs":
                self.d.update(**other)
            else:
                self.d |= other
            self.model.update(plain(other))

        @rule(key=STR_KEYS, value=VALUES)
        @plainly
        def setdefault(self, key: str, value: Any) -> None:
            got = self.d.setdefault(key, value)
            self.model.setdefault(key, plain(value))
            require(plain(got) == self.model[key], f"d.setdefault({key!r}, ...) returned {got!r}")

        @precondition(lambda self: bool(self.model))
        @rule(data=st.data())
        @plainly
        def pop(self, data: st.DataObject) -> None:
            key = data.draw(st.sampled_from(sorted(self.model)))
            require(plain(self.d.pop(key)) == self.model.pop(key), f"d.pop({key!r}) returned the wrong value")

        @invariant()
        @plainly
        def agrees_with_the_model(self) -> None:
            require(type(self.d) is cls, "d is no longer an AttrDict")
            require(plain(self.d) == self.model, f"d holds {plain(self.d)!r}, a dict would hold {self.model!r}")
            require_converted(self.d, cls, "after the steps above, d")

    run_state_machine_as_test(
        Machine, settings=settings(max_examples=30, stateful_step_count=15, phases=PHASES, report_multiple_bugs=False)
    )


# ---- constraints ----------------------------------------------------------------------------------------------


def test_does_not_delegate_to_an_attribute_dict_library(source: Source) -> None:
    """The class is written here: no addict, munch, box, easydict, attrdict or dotmap."""
    why = "write the attribute dict yourself"
    found = source.violations(dict.fromkeys(["addict", "munch", "box", "easydict", "attrdict", "dotmap"], why))
    assert not found, "\n".join(found)
