"""Hidden grader for exercise 10: both ends are O(1), iteration is a plain walk; timed against the reference."""

from __future__ import annotations

from types import ModuleType

import pytest

from kata.testing import Perf

N = 200_000


def _workload(module: ModuleType) -> int:
    """Grow at the front to N items (a few at the back), walk both ways, shrink from the front (and back)."""
    ll = module.LinkedList()
    for i in range(N):
        ll.appendleft(i)
        if i % 8 == 0:
            ll.append(-i)
    total = 0
    for x in ll:
        total += x
    for x in reversed(ll):
        total -= x
    while len(ll) > 1:
        total += ll.popleft()
        if len(ll) % 8 == 0:
            total -= ll.pop()
    return total


@pytest.mark.perf
@pytest.mark.time_limit(90)
def test_deque_operations_and_iteration_speed(solution: ModuleType, reference: ModuleType, perf: Perf) -> None:
    """200 000 appendleft (and some append), a walk both ways and as many pops run within 3× of the reference."""
    perf.compare(
        "200 000 appendleft + 25 000 append, iterate both ways, popleft/pop back to one item",
        lambda: _workload(solution),
        lambda: _workload(reference),
        max_ratio=3.0,
        clock="cpu",
    )
