"""Hidden grader for exercise 10: a doubly linked list with lazy, mutation-detecting iterators."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from kata.testing import Source

VALUES = st.integers(min_value=0, max_value=5)  # few distinct values, so remove() meets duplicates
NO_EXPLAIN = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]
MAX_OPEN_ITERATORS = 4


def _items(ll: Any, limit: int = 10_000) -> list[Any]:
    """The list's items through its forward iterator, bounded so a broken iterator can't loop forever."""
    out: list[Any] = []
    for item in ll:
        out.append(item)
        assert len(out) <= limit, f"iterating a list of {len(ll)} items produced more than {limit}"
    return out


def _reversed_items(ll: Any, limit: int = 10_000) -> list[Any]:
    out: list[Any] = []
    for item in reversed(ll):
        out.append(item)
        assert len(out) <= limit, f"reversed() over a list of {len(ll)} items produced more than {limit}"
    return out


def _expect_runtime_error(it: Iterator[Any], what: str) -> None:
    """next(it) must raise RuntimeError; fail with a message that says what happened instead."""
    try:
        got = next(it)
    except RuntimeError:
        return
    except StopIteration:
        pytest.fail(f"{what}: next() raised StopIteration; expected RuntimeError", pytrace=False)
    pytest.fail(f"{what}: next() returned {got!r}; expected RuntimeError", pytrace=False)


class _OpenIterator:
    """An iterator under test, and what the model says about it."""

    def __init__(self, it: Iterator[Any], forward: bool, version: int) -> None:
        self.it = it
        self.forward = forward
        self.version = version  # the model's version when it was created
        self.position = 0  # items returned so far
        self.state = "open"  # "open", "exhausted" or "invalid"

    def name(self) -> str:
        return "iter(ll)" if self.forward else "reversed(ll)"


class LinkedListMachine(RuleBasedStateMachine):
    """Random operations on LinkedList and on a plain list, with iterators opened and advanced in between."""

    module: ModuleType

    def __init__(self) -> None:
        super().__init__()
        self.model: list[int] = []
        self.version = 0  # bumped on every operation that changes the list
        self.iterators: list[_OpenIterator] = []
        self.ll: Any = None

    @initialize(items=st.lists(VALUES, max_size=6))
    def create(self, items: list[int]) -> None:
        self.ll = self.module.LinkedList(items)
        self.model = list(items)

    def _changed(self) -> None:
        self.version += 1

    @rule(value=VALUES)
    def append(self, value: int) -> None:
        self.ll.append(value)
        self.model.append(value)
        self._changed()

    @rule(value=VALUES)
    def appendleft(self, value: int) -> None:
        self.ll.appendleft(value)
        self.model.insert(0, value)
        self._changed()

    @rule(values=st.lists(VALUES, min_size=1, max_size=3))
    def extend(self, values: list[int]) -> None:
        self.ll.extend(iter(values))
        self.model.extend(values)
        self._changed()

    @rule()
    def pop(self) -> None:
        if not self.model:
            with pytest.raises(IndexError):
                self.ll.pop()
            return
        got = self.ll.pop()
        expected = self.model.pop()
        assert got == expected, f"pop() returned {got!r}, expected {expected!r}"
        self._changed()

    @rule()
    def popleft(self) -> None:
        if not self.model:
            with pytest.raises(IndexError):
                self.ll.popleft()
            return
        got = self.ll.popleft()
        expected = self.model.pop(0)
        assert got == expected, f"popleft() returned {got!r}, expected {expected!r}"
        self._changed()

    @rule(index=st.integers(min_value=-8, max_value=8), value=VALUES)
    def insert(self, index: int, value: int) -> None:
        self.ll.insert(index, value)
        self.model.insert(index, value)
        self._changed()

    @rule(value=VALUES)
    def remove(self, value: int) -> None:
        if value not in self.model:
            with pytest.raises(ValueError):
                self.ll.remove(value)
            return
        self.ll.remove(value)
        self.model.remove(value)
        self._changed()

    @precondition(lambda self: bool(self.model))  # whether clearing an empty list counts is left open
    @rule()
    def clear(self) -> None:
        self.ll.clear()
        self.model.clear()
        self._changed()

    @rule(index=st.integers(min_value=-8, max_value=8))
    def getitem(self, index: int) -> None:
        if not -len(self.model) <= index < len(self.model):
            with pytest.raises(IndexError):
                self.ll[index]
            return
        got = self.ll[index]
        assert got == self.model[index], f"ll[{index}] is {got!r}, expected {self.model[index]!r} in {self.model}"

    @precondition(lambda self: len(self.iterators) < MAX_OPEN_ITERATORS)
    @rule(forward=st.booleans())
    def open_iterator(self, forward: bool) -> None:
        it = iter(self.ll) if forward else reversed(self.ll)
        self.iterators.append(_OpenIterator(it, forward, self.version))

    @precondition(lambda self: bool(self.iterators))
    @rule(data=st.data())
    def advance_iterator(self, data: st.DataObject) -> None:
        index = data.draw(st.integers(min_value=0, max_value=len(self.iterators) - 1), label="which iterator")
        entry = self.iterators[index]
        try:
            got: Any = next(entry.it)
            outcome = "value"
        except StopIteration:
            outcome = "StopIteration"
        except RuntimeError:
            outcome = "RuntimeError"
        where = f"next() on a {entry.name()} that had returned {entry.position} items, with the list now {self.model}"
        if entry.state == "exhausted":
            assert outcome == "StopIteration", f"{where}: an exhausted iterator must stay exhausted, got {outcome}"
        elif entry.state == "invalid":
            assert outcome != "value", f"{where}: after RuntimeError an iterator must not return values"
        elif entry.version != self.version:
            assert outcome == "RuntimeError", (
                f"{where}: the list changed after the iterator was created, so next() must raise RuntimeError; "
                f"got {outcome if outcome != 'value' else repr(got)}"
            )
            entry.state = "invalid"
        elif entry.position == len(self.model):
            assert outcome == "StopIteration", f"{where}: expected StopIteration at the end, got {outcome}"
            entry.state = "exhausted"
        else:
            sequence = self.model if entry.forward else self.model[::-1]
            expected = sequence[entry.position]
            assert outcome == "value" and got == expected, (
                f"{where}: expected {expected!r}, got {outcome if outcome != 'value' else repr(got)}"
            )
            entry.position += 1

    @precondition(lambda self: bool(self.iterators))
    @rule()
    def drop_iterator(self) -> None:
        self.iterators.pop(0)

    @invariant()
    def same_items(self) -> None:
        if self.ll is None:
            return
        assert len(self.ll) == len(self.model), f"len(ll) is {len(self.ll)}, expected {len(self.model)}"
        forward = _items(self.ll)
        assert forward == self.model, f"list(ll) is {forward}, expected {self.model}"
        backward = _reversed_items(self.ll)
        assert backward == self.model[::-1], f"list(reversed(ll)) is {backward}, expected {self.model[::-1]}"


MUTATIONS: dict[str, Callable[[Any], object]] = {
    "append(9)": lambda ll: ll.append(9),
    "appendleft(9)": lambda ll: ll.appendleft(9),
    "extend([9])": lambda ll: ll.extend([9]),
    "pop()": lambda ll: ll.pop(),
    "popleft()": lambda ll: ll.popleft(),
    "insert(1, 9)": lambda ll: ll.insert(1, 9),
    "remove(2)": lambda ll: ll.remove(2),
    "clear()": lambda ll: ll.clear(),
}


@pytest.mark.parametrize("forward", [True, False], ids=["iter", "reversed"])
@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_every_mutation_invalidates_open_iterators(solution: ModuleType, mutation: str, forward: bool) -> None:
    """After any change to the list, the next next() on an iterator opened before it raises RuntimeError."""
    ll = solution.LinkedList([1, 2, 3, 4])
    it = iter(ll) if forward else reversed(ll)
    next(it)
    MUTATIONS[mutation](ll)
    name = "iter(ll)" if forward else "reversed(ll)"
    _expect_runtime_error(it, f"{name} opened on [1, 2, 3, 4], one next(), then ll.{mutation}")


@pytest.mark.parametrize("forward", [True, False], ids=["iter", "reversed"])
def test_a_change_before_the_first_next_is_detected(solution: ModuleType, forward: bool) -> None:
    """An iterator remembers the list as it was when created: a change before its first next() is detected."""
    ll = solution.LinkedList([1, 2, 3])
    it = iter(ll) if forward else reversed(ll)
    ll.append(4)
    _expect_runtime_error(it, f"{'iter' if forward else 'reversed'}(ll), then ll.append(4) before any next()")


@pytest.mark.parametrize("forward", [True, False], ids=["iter", "reversed"])
def test_a_change_at_the_end_of_the_list_is_detected(solution: ModuleType, forward: bool) -> None:
    """A change is reported even where it leaves nothing more to iterate, or adds items after the last one seen.

    Did you check for the end of the list before checking for a change?
    """
    name = "iter(ll)" if forward else "reversed(ll)"
    shrink, grow = ("pop", "append") if forward else ("popleft", "appendleft")
    ll = solution.LinkedList([1, 2])
    it = iter(ll) if forward else reversed(ll)
    next(it)
    getattr(ll, shrink)()
    _expect_runtime_error(it, f"{name} on [1, 2] returned one item, then ll.{shrink}() removed the other")
    ll = solution.LinkedList([1])
    it = iter(ll) if forward else reversed(ll)
    next(it)
    getattr(ll, grow)(2)
    _expect_runtime_error(it, f"{name} on [1] returned its only item, then ll.{grow}(2) added one beyond it")


def test_an_exhausted_iterator_stays_exhausted(solution: ModuleType) -> None:
    """Once an iterator raised StopIteration it keeps doing so, even if the list changes afterwards (like dict)."""
    ll = solution.LinkedList([1])
    for make in (iter, reversed):
        it = make(ll)
        assert list(it) == [1]
        ll.append(2)
        try:
            got = next(it)
        except StopIteration:
            pass
        except RuntimeError:
            pytest.fail(
                f"{make.__name__}(ll) was exhausted, then the list changed, and next() raised RuntimeError; "
                "an exhausted iterator must keep raising StopIteration",
                pytrace=False,
            )
        else:
            pytest.fail(f"an exhausted {make.__name__}(ll) returned {got!r} after the list grew", pytrace=False)
        ll.pop()


def test_failed_operations_do_not_invalidate_iterators(solution: ModuleType) -> None:
    """pop() on an empty list and remove() of a missing value change nothing, so open iterators carry on."""
    empty = solution.LinkedList()
    it = iter(empty)
    with pytest.raises(IndexError):
        empty.pop()
    with pytest.raises(IndexError):
        empty.popleft()
    with pytest.raises(StopIteration):
        next(it)
    ll = solution.LinkedList([1, 2, 3])
    it = reversed(ll)
    assert next(it) == 3
    with pytest.raises(ValueError):
        ll.remove(7)
    rest = list(it)
    assert rest == [2, 1], f"after a failed remove(), the iterator went on with {rest}; expected [2, 1]"


def test_iterators_are_independent_and_their_own_iterators(solution: ModuleType) -> None:
    """iter() and reversed() return fresh iterators; an iterator's __iter__ returns itself; the list isn't one."""
    ll = solution.LinkedList(range(5))
    a, b, r = iter(ll), iter(ll), reversed(ll)
    assert a is not b, "iter(ll) returned the same object twice: each call must start a new iteration"
    assert iter(a) is a and iter(r) is r, "an iterator's __iter__ must return the iterator itself"
    assert not hasattr(ll, "__next__"), "the list itself must not be an iterator (it can be iterated many times)"
    got = [next(a), next(a), next(b), next(r), next(a), next(r), next(b)]
    assert got == [0, 1, 0, 4, 2, 3, 1], f"interleaving two forward and one reverse iterator gave {got}"
    assert list(ll) == list(range(5)) and list(ll) == list(range(5)), "iterating twice must give the items twice"


@pytest.mark.parametrize("forward", [True, False], ids=["iter", "reversed"])
def test_iteration_is_lazy_and_uses_constant_memory(solution: ModuleType, forward: bool) -> None:
    """Starting an iteration over 100 000 items and taking 10 allocates O(1) memory, not a copy of the list.

    Did __reversed__ build a list (list(self), [::-1], reversed(list(...)))?
    """
    ll = solution.LinkedList(range(100_000))
    tracemalloc.start()
    try:
        it = iter(ll) if forward else reversed(ll)
        first = [next(it) for _ in range(10)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    expected = list(range(10)) if forward else list(range(99_999, 99_989, -1))
    assert first == expected, f"the first 10 items were {first}, expected {expected}"
    name = "iter(ll)" if forward else "reversed(ll)"
    assert peak < 20_000, (
        f"{name} plus 10 next() calls allocated {peak / 1000:.0f} kB on a list of 100 000 items; it must walk the "
        "links lazily in O(1) extra memory (a copy of the list would be about 800 kB)"
    )


def test_getitem_takes_integer_indices_only(solution: ModuleType) -> None:
    """ll[i] accepts negative indices, raises IndexError out of range and TypeError for slices."""
    ll = solution.LinkedList("abcde")
    assert (ll[0], ll[4], ll[-1], ll[-5], ll[2]) == ("a", "e", "e", "a", "c")
    for bad in (5, -6):
        with pytest.raises(IndexError):
            ll[bad]
    with pytest.raises(TypeError):
        ll[1:3]


def test_constructor_extend_and_len(solution: ModuleType) -> None:
    """LinkedList(iterable) takes any iterable; extend(ll) with the list itself doubles it."""
    ll = solution.LinkedList(x * x for x in range(4))
    assert list(ll) == [0, 1, 4, 9] and len(ll) == 4
    ll.extend(ll)
    assert list(ll) == [0, 1, 4, 9, 0, 1, 4, 9], f"ll.extend(ll) gave {list(ll)}; extend from a snapshot"
    assert len(solution.LinkedList()) == 0 and not solution.LinkedList()


def test_equality_repr_and_hash(solution: ModuleType) -> None:
    """Two LinkedLists are equal when their items are; a LinkedList never equals a list; repr shows the items."""
    make = solution.LinkedList
    assert make([1, 2, 3]) == make([1, 2, 3])
    assert make([1, 2, 3]) != make([3, 2, 1]) and make([1, 2]) != make([1, 2, 3])
    assert make([1, 2]) != [1, 2], "a LinkedList must not compare equal to a list (like deque)"
    assert repr(make([1, 2, 3])) == "LinkedList([1, 2, 3])", f"repr is {make([1, 2, 3])!r}"
    assert repr(make()) == "LinkedList([])"
    with pytest.raises(TypeError):
        hash(make([1]))


def test_does_not_wrap_collections_deque(source: Source) -> None:
    """The links are built by hand: collections.deque is not allowed."""
    found = source.violations({"collections.deque": "this exercise asks you to build the doubly linked list"})
    assert not found, "\n".join(found)


def test_linked_list_agrees_with_a_plain_list(solution: ModuleType) -> None:
    """Random operations, with forward and reverse iterators open in between, behave like a list (and dict)."""

    class Machine(LinkedListMachine):
        module = solution

    run_state_machine_as_test(Machine, settings=settings(max_examples=150, stateful_step_count=30, phases=NO_EXPLAIN))
