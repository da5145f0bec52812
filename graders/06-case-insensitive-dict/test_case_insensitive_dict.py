"""Hidden grader for exercise 6: a case-insensitive, case-preserving dict with full dict behaviour."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Iterable, MutableMapping
from types import ModuleType
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

# Letters whose case folding is interesting: ß folds to "ss", ſ (long s) to "s", Σ σ ς all to "σ".
KEYS = st.text(alphabet="aAsSßſσςΣ", max_size=3)
VALUES = st.integers(min_value=0, max_value=99)
PAIRS = st.lists(st.tuples(KEYS, VALUES), max_size=4)
NO_EXPLAIN = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]
MISSING = object()


class Model:
    """The spec on a plain dict: folded key -> (key as last assigned, value), in insertion order."""

    def __init__(self, pairs: Iterable[tuple[str, int]] = ()) -> None:
        self.store: dict[str, tuple[str, int]] = {}
        for key, value in pairs:
            self.set(key, value)

    def set(self, key: str, value: int) -> None:
        self.store[key.casefold()] = (key, value)

    def get(self, key: str) -> object:
        entry = self.store.get(key.casefold())
        return MISSING if entry is None else entry[1]

    def keys(self) -> list[str]:
        return [k for k, _ in self.store.values()]

    def items(self) -> list[tuple[str, int]]:
        return list(self.store.values())

    def copy(self) -> Model:
        clone = Model()
        clone.store = dict(self.store)
        return clone


def _items(d: Any) -> list[tuple[Any, Any]]:
    """The learner's items as builtins, bounded so a broken iterator can't loop forever."""
    out = []
    for item in d.items():
        out.append(tuple(item))
        assert len(out) <= 1000, "items() produced more than 1000 items"
    return out


def _check_same(d: Any, model: Model, what: str) -> None:
    got = _items(d)
    expected = model.items()
    assert got == expected, (
        f"{what}: items() are {got}, expected {expected} (keys as last assigned, in insertion order)"
    )
    assert len(d) == len(expected), f"{what}: len() is {len(d)}, expected {len(expected)}"


class DictMachine(RuleBasedStateMachine):
    """Random operations on the learner's dict and on the model."""

    module: ModuleType

    def __init__(self) -> None:
        super().__init__()
        self.model = Model()
        self.d: Any = None

    @initialize(pairs=PAIRS)
    def create(self, pairs: list[tuple[str, int]]) -> None:
        self.d = self.module.CaseInsensitiveDict(pairs)
        self.model = Model(pairs)

    @rule(key=KEYS, value=VALUES)
    def setitem(self, key: str, value: int) -> None:
        self.d[key] = value
        self.model.set(key, value)

    @rule(key=KEYS)
    def getitem(self, key: str) -> None:
        expected = self.model.get(key)
        if expected is MISSING:
            with pytest.raises(KeyError):
                self.d[key]
        else:
            got = self.d[key]
            assert got == expected, f"d[{key!r}] is {got!r}, expected {expected!r} with items {self.model.items()}"

    @rule(key=KEYS, use_default=st.booleans())
    def get(self, key: str, use_default: bool) -> None:
        expected = self.model.get(key)
        got = self.d.get(key, -1) if use_default else self.d.get(key)
        if expected is MISSING:
            expected = -1 if use_default else None
        assert got == expected, f"d.get({key!r}) is {got!r}, expected {expected!r} with items {self.model.items()}"

    @rule(key=KEYS)
    def contains(self, key: str) -> None:
        got = key in self.d
        expected = self.model.get(key) is not MISSING
        assert got is expected, f"{key!r} in d is {got!r}, expected {expected} with items {self.model.items()}"

    @rule(key=KEYS)
    def delitem(self, key: str) -> None:
        if self.model.get(key) is MISSING:
            with pytest.raises(KeyError):
                del self.d[key]
        else:
            del self.d[key]
            del self.model.store[key.casefold()]

    @rule(key=KEYS, use_default=st.booleans())
    def pop(self, key: str, use_default: bool) -> None:
        expected = self.model.get(key)
        if expected is MISSING and not use_default:
            with pytest.raises(KeyError):
                self.d.pop(key)
            return
        got = self.d.pop(key, -1) if use_default else self.d.pop(key)
        if expected is MISSING:
            expected = -1
        else:
            del self.model.store[key.casefold()]
        assert got == expected, f"d.pop({key!r}) returned {got!r}, expected {expected!r}"

    @rule()
    def popitem(self) -> None:
        if not self.model.store:
            with pytest.raises(KeyError):
                self.d.popitem()
            return
        got = tuple(self.d.popitem())
        expected = self.model.store.popitem()[1]
        assert got == expected, f"popitem() returned {got!r}, expected {expected!r}: the last inserted item (LIFO)"

    @rule(key=KEYS, value=VALUES)
    def setdefault(self, key: str, value: int) -> None:
        expected = self.model.get(key)
        got = self.d.setdefault(key, value)
        if expected is MISSING:
            self.model.set(key, value)
            expected = value
        assert got == expected, f"d.setdefault({key!r}, {value}) returned {got!r}, expected {expected!r}"

    @rule(pairs=PAIRS, form=st.sampled_from(["dict", "pairs", "kwargs", "CaseInsensitiveDict"]))
    def update(self, pairs: list[tuple[str, int]], form: str) -> None:
        if form == "dict":
            self.d.update(dict(pairs))
            applied = list(dict(pairs).items())
        elif form == "pairs":
            self.d.update(iter(pairs))
            applied = pairs
        elif form == "kwargs":
            self.d.update(**dict(pairs))
            applied = list(dict(pairs).items())
        else:
            other = self.module.CaseInsensitiveDict(pairs)
            self.d.update(other)
            applied = Model(pairs).items()
        for key, value in applied:
            self.model.set(key, value)

    @rule(pairs=PAIRS, as_pairs=st.booleans())
    def inplace_or(self, pairs: list[tuple[str, int]], as_pairs: bool) -> None:
        before = self.d
        self.d |= pairs if as_pairs else dict(pairs)
        assert self.d is before, "d |= other must update d in place and return d itself"
        for key, value in pairs if as_pairs else dict(pairs).items():
            self.model.set(key, value)

    @rule(pairs=PAIRS)
    def union(self, pairs: list[tuple[str, int]]) -> None:
        other = dict(pairs)
        result = self.d | other
        assert type(result) is self.module.CaseInsensitiveDict, f"d | dict returned a {type(result).__name__}"
        expected = self.model.copy()
        for key, value in other.items():
            expected.set(key, value)
        _check_same(result, expected, f"d | {other}")
        _check_same(self.d, self.model, f"d after computing d | {other} (d must not change)")

    @rule(pairs=PAIRS)
    def reflected_union(self, pairs: list[tuple[str, int]]) -> None:
        other = dict(pairs)
        result = other | self.d
        assert type(result) is self.module.CaseInsensitiveDict, f"dict | d returned a {type(result).__name__}"
        expected = Model(list(other.items()))
        for key, value in self.model.items():
            expected.set(key, value)
        _check_same(result, expected, f"{other} | d")

    @rule(key=KEYS, value=VALUES)
    def copy_is_independent(self, key: str, value: int) -> None:
        clone = self.d.copy()
        assert type(clone) is self.module.CaseInsensitiveDict, f"d.copy() returned a {type(clone).__name__}"
        _check_same(clone, self.model, "d.copy()")
        clone[key] = value
        _check_same(self.d, self.model, f"d after setting {key!r} on its copy (the copy must be independent)")

    @precondition(lambda self: len(self.model.store) > 2)
    @rule()
    def clear(self) -> None:
        self.d.clear()
        self.model.store.clear()

    @invariant()
    def same_contents(self) -> None:
        if self.d is None:
            return
        _check_same(self.d, self.model, "after that step")
        keys = list(self.d)
        assert keys == self.model.keys(), f"list(d) is {keys}, expected {self.model.keys()}"
        backwards = list(reversed(self.d))
        assert backwards == self.model.keys()[::-1], f"list(reversed(d)) is {backwards}"
        values = list(self.d.values())
        assert values == [v for _, v in self.model.items()], f"list(d.values()) is {values}"


def test_keys_match_in_any_case_and_keep_their_spelling(solution: ModuleType) -> None:
    """d["content-type"] finds "Content-Type"; iteration shows keys as last assigned, in insertion order."""
    d = solution.CaseInsensitiveDict({"Content-Type": "text/html", "Accept": "*/*"})
    got = (d["content-type"], d["ACCEPT"])
    assert got == ("text/html", "*/*"), f"d['content-type'], d['ACCEPT'] are {got}, expected ('text/html', '*/*')"
    got_get = d.get("CONTENT-TYPE")
    assert got_get == "text/html", (
        f"d.get('CONTENT-TYPE') is {got_get!r}, expected 'text/html': get() must fold the key too (if you subclass "
        "dict, its C methods never call your __getitem__)"
    )
    assert "cOnTeNt-TyPe" in d and "Host" not in d, "`in` must fold the key"
    d["CONTENT-TYPE"] = "application/json"
    assert len(d) == 2, f"assigning to 'CONTENT-TYPE' must replace 'Content-Type', but len(d) is {len(d)}"
    keys = list(d)
    assert keys == ["CONTENT-TYPE", "Accept"], (
        f"list(d) is {keys}; expected ['CONTENT-TYPE', 'Accept']: an assignment updates the spelling and the value "
        "but keeps the key's position"
    )


def test_keys_are_compared_with_casefold_not_lower(solution: ModuleType) -> None:
    """Keys are the same when their str.casefold() is: "Straße" is "STRASSE", and Σ, σ and ς are one letter."""
    d = solution.CaseInsensitiveDict()
    d["Straße"] = 1
    assert "STRASSE" in d and d.get("strasse") == 1, "'STRASSE' must find 'Straße': did you use lower() not casefold()?"
    d["ΟΔΟΣ"] = 2
    assert d["οδος"] == 2 and d["οδοσ"] == 2, "'ΟΔΟΣ', 'οδος' and 'οδοσ' casefold to the same key"
    assert len(d) == 2


def test_popitem_removes_the_last_inserted_item(solution: ModuleType) -> None:
    """popitem() is LIFO, like dict (MutableMapping's default popitem removes the first item instead)."""
    d = solution.CaseInsensitiveDict([("a", 1), ("b", 2), ("c", 3)])
    d["A"] = 10  # changes a's value and spelling, not its position
    got = [tuple(d.popitem()) for _ in range(3)]
    assert got == [("c", 3), ("b", 2), ("A", 10)], f"popitem() three times gave {got}; expected LIFO order"
    with pytest.raises(KeyError):
        d.popitem()


PLAIN = st.dictionaries(KEYS, VALUES, max_size=5)


def _recased(key: str, how: int) -> str:
    return [key, key.upper(), key.lower(), key.swapcase()][how % 4]


@settings(max_examples=100)
@given(PLAIN, st.lists(st.integers(min_value=0, max_value=3), min_size=5, max_size=5))
def test_equals_a_plain_dict_whose_keys_differ_only_in_case(
    solution: ModuleType, data: dict[str, int], recase: list[int]
) -> None:
    """d == plain and plain == d when the plain dict has the same keys up to case and equal values."""
    d = solution.CaseInsensitiveDict(data)
    folded = {k.casefold(): v for k, v in data.items()}
    plain: dict[str, int] = {}
    for i, (key, value) in enumerate(folded.items()):
        plain[_recased(key, recase[i])] = value
    assert (d == plain) is True, f"CaseInsensitiveDict({data}) == {plain} is False; expected True"
    assert (plain == d) is True, f"{plain} == CaseInsensitiveDict({data}) is False; expected True (dict defers to you)"
    assert (d != plain) is False
    if plain:
        changed = dict(plain)
        first = next(iter(changed))
        changed[first] += 1
        assert d != changed, f"CaseInsensitiveDict({data}) == {changed}, but a value differs"
    bigger = {**plain, "zz-extra": 0}
    assert d != bigger, f"CaseInsensitiveDict({data}) == {bigger}, but the plain dict has an extra key"


def test_equality_edge_cases(solution: ModuleType) -> None:
    """Equality ignores order; a dict with two keys that fold together, or a non-str key, or a list is never equal."""
    make = solution.CaseInsensitiveDict
    assert make({"a": 1, "b": 2}) == make({"B": 2, "A": 1}), "order and case don't matter for =="
    assert make({"a": 1, "b": 2}) != {"a": 1, "A": 1}, "{'a': 1, 'A': 1} has two keys that fold to one"
    assert make({"a": 1}) != {"a": 1, "A": 1}
    assert make({"1": 1}) != {1: 1}, "a non-str key never matches"
    assert make({"a": 1}) != [("a", 1)], "a CaseInsensitiveDict is not equal to a list"
    assert make() == {} and make() != {"a": 1}


def test_views_are_live_and_case_insensitive(solution: ModuleType) -> None:
    """keys(), values() and items() are live views; `in` on keys() and items() folds the key."""
    d = solution.CaseInsensitiveDict(Host="example.org")
    keys, values, items = d.keys(), d.values(), d.items()
    d["Accept"] = "*/*"
    assert list(keys) == ["Host", "Accept"] and list(values) == ["example.org", "*/*"], "views must be live"
    assert len(keys) == len(items) == 2
    assert "HOST" in keys and "accept" in keys, "`in` on keys() must be case-insensitive"
    assert ("host", "example.org") in items and ("host", "other") not in items
    assert list(items) == [("Host", "example.org"), ("Accept", "*/*")]
    assert keys & {"Host"} == {"Host"}, "keys() must support set operations"


@settings(max_examples=50)
@given(PAIRS)
def test_pickle_round_trips(solution: ModuleType, pairs: list[tuple[str, int]]) -> None:
    """pickle.loads(pickle.dumps(d)) is a CaseInsensitiveDict with the same items and spellings, every protocol."""
    d = solution.CaseInsensitiveDict(pairs)
    expected = Model(pairs).items()
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        clone = pickle.loads(pickle.dumps(d, protocol))
        assert type(clone) is solution.CaseInsensitiveDict, f"protocol {protocol}: unpickled a {type(clone).__name__}"
        got = _items(clone)
        assert got == expected, f"protocol {protocol}: unpickled items {got}, expected {expected}"
        if pairs:
            assert clone[pairs[0][0].swapcase()] == d[pairs[0][0]], "the unpickled dict must still fold keys"


def test_copy_module_makes_independent_copies(solution: ModuleType) -> None:
    """copy.copy(d) and d.copy() are shallow, independent copies; copy.deepcopy(d) copies the values too."""
    d = solution.CaseInsensitiveDict(Tags=["x"])
    for name, clone in (("d.copy()", d.copy()), ("copy.copy(d)", copy.copy(d))):
        clone["extra"] = 1
        assert "extra" not in d, f"setting a key on {name} changed d: the copy shares d's storage"
        assert clone["tags"] is d["Tags"], f"{name} must be shallow: the values are the same objects"
    deep = copy.deepcopy(d)
    deep["TAGS"].append("y")
    assert d["tags"] == ["x"], "copy.deepcopy(d) must copy the values"
    assert type(deep) is solution.CaseInsensitiveDict and list(deep) == ["Tags"]


def test_repr_shows_the_keys_as_spelled(solution: ModuleType) -> None:
    """repr(d) is CaseInsensitiveDict({...}) with the keys as last assigned, in order."""
    d = solution.CaseInsensitiveDict([("Content-Type", "json"), ("accept", 1)])
    d["ACCEPT"] = 2
    assert repr(d) == "CaseInsensitiveDict({'Content-Type': 'json', 'ACCEPT': 2})", f"repr(d) is {d!r}"
    assert repr(solution.CaseInsensitiveDict()) == "CaseInsensitiveDict({})"


def test_keys_must_be_strings(solution: ModuleType) -> None:
    """Storing a non-str key raises TypeError; looking one up behaves like a missing key."""
    d = solution.CaseInsensitiveDict(a=1)
    for store in (lambda: d.__setitem__(1, "x"), lambda: d.update({2: "y"}), lambda: d.setdefault(None, 0)):
        with pytest.raises(TypeError):
            store()
    with pytest.raises(TypeError):
        solution.CaseInsensitiveDict({1: 2})
    assert 1 not in d and d.get(1) is None and d.get(1, "dflt") == "dflt"
    with pytest.raises(KeyError):
        d[1]
    assert list(d.items()) == [("a", 1)], "a rejected key must not be stored"


def test_is_a_mutable_mapping_and_unhashable(solution: ModuleType) -> None:
    """CaseInsensitiveDict is a collections.abc.MutableMapping and, being mutable, unhashable."""
    d = solution.CaseInsensitiveDict()
    assert isinstance(d, MutableMapping), "build on collections.abc.MutableMapping"
    with pytest.raises(TypeError):
        hash(d)


def test_constructor_and_fromkeys(solution: ModuleType) -> None:
    """The constructor takes a mapping or pairs plus keyword arguments, like dict; fromkeys makes one too."""
    make = solution.CaseInsensitiveDict
    d = make([("a", 1), ("A", 2)], b=3, B=4)
    assert list(d.items()) == [("A", 2), ("B", 4)], f"got {list(d.items())}: later assignments win, spelling too"
    assert list(make(make(x=1)).items()) == [("x", 1)]
    f = make.fromkeys(["x", "X", "y"], 0)
    assert type(f) is make and list(f.items()) == [("X", 0), ("y", 0)], f"fromkeys gave {list(f.items())}"
    assert list(make.fromkeys("ab").items()) == [("a", None), ("b", None)]


def test_behaves_like_a_dict_on_folded_keys(solution: ModuleType) -> None:
    """Random get/set/del/pop/popitem/setdefault/update/|/|=/copy/clear sequences match a dict on casefolded keys."""

    class Machine(DictMachine):
        module = solution

    run_state_machine_as_test(Machine, settings=settings(max_examples=200, stateful_step_count=30, phases=NO_EXPLAIN))
