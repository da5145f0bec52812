"""Hidden grader for exercise 01: property-based checks (hypothesis)."""

from __future__ import annotations

from fractions import Fraction
from types import ModuleType

import pytest
from _typed_support import Count, Payload, assign, expected_message, names, read, rejected, spec_text
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

# Hypothesis's explain phase re-runs a failing test ~100 times and formats each failure: seconds of waiting for
# the learner, for a comment they rarely need. Generate and shrink only.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]

# Type specs the first test draws from, with one valid value for each to start from.
SPECS: list[tuple[tuple[type, ...], bool]] = [
    ((int,), False),
    ((int,), True),
    ((float,), False),
    ((int, float), False),
    ((str,), True),
    ((bytes, str), False),
    ((list, tuple), True),
    ((bool,), False),
    ((Fraction,), False),
    ((Payload,), True),
]
STARTS: dict[type, object] = {
    int: 7,
    float: 1.5,
    str: "ok",
    bytes: b"ok",
    list: [1],
    bool: False,
    Fraction: Fraction(1, 3),
    Payload: Payload(),
}

VALUES = st.one_of(
    st.integers(),
    st.booleans(),
    st.builds(Count, st.integers()),
    st.floats(allow_nan=False),
    st.fractions(),
    st.complex_numbers(allow_nan=False, allow_infinity=False, max_magnitude=1e6),
    st.text(max_size=5),
    st.binary(max_size=5),
    st.none(),
    st.lists(st.integers(), max_size=3),
    st.tuples(st.integers()),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.builds(Payload),
    st.builds(object),
)


@settings(max_examples=300, phases=PHASES, report_multiple_bugs=False)
@given(spec=st.sampled_from(SPECS), value=VALUES)
def test_assignment_is_accepted_exactly_when_isinstance_says_so(
    solution: ModuleType, spec: tuple[tuple[type, ...], bool], value: object
) -> None:
    """A value is accepted iff isinstance(value, types), or it is None and the field is nullable; otherwise
    TypeError("{name} must be {expected}, got {actual}") and the old value stays."""
    types, nullable = spec
    field = solution.Typed(*types, nullable=nullable)
    Shipment = type("Shipment", (), {"weight": field})
    shipment = Shipment()
    start = STARTS[types[0]]
    assign(shipment, "weight", start)
    should_accept = isinstance(value, types) or (value is None and nullable)
    described = f"{spec_text(types, nullable)} given {value!r} (a {type(value).__name__})"
    if should_accept:
        try:
            assign(shipment, "weight", value)
        except TypeError as exc:
            why = "the field is nullable" if value is None else f"isinstance(value, {names(types)}) is True"
            pytest.fail(f"{described} raised TypeError({exc}); it must be accepted: {why}", pytrace=False)
        got = read(shipment, "weight")
        assert got is value, f"{described}: reading it back returned {got!r}, not the object assigned"
    else:
        exc = rejected(shipment, "weight", value, described)
        message = expected_message("weight", types, nullable, value)
        assert str(exc) == message, f"{described}: the TypeError says {str(exc)!r}; expected {message!r}"
        got = read(shipment, "weight")
        assert got is start, f"after the rejected assignment, weight reads {got!r}; expected the old value {start!r}"


UNSET = "unset (AttributeError)"
# One step: (instance index, field name, value to assign, or None for `del`).
OPS = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from(["width", "height"]), st.one_of(st.none(), st.integers())),
    max_size=40,
)


@settings(max_examples=200, phases=PHASES, report_multiple_bugs=False)
@given(ops=OPS)
def test_instances_never_share_values(solution: ModuleType, ops: list[tuple[int, str, int | None]]) -> None:
    """Random assignments and deletions over four instances and two fields agree with a per-instance model."""

    class Box:
        width = solution.Typed(int)
        height = solution.Typed(int, default=-1)

    boxes = [Box() for _ in range(4)]
    model: list[dict[str, int]] = [{} for _ in boxes]
    steps: list[str] = []
    for index, field, value in ops:
        if value is None:
            steps.append(f"del boxes[{index}].{field}")
            if field in model[index]:
                delattr(boxes[index], field)
                del model[index][field]
            else:
                try:
                    delattr(boxes[index], field)
                except AttributeError:
                    pass
                else:
                    pytest.fail(
                        f"after {'; '.join(steps)}: deleting a field with no value on that instance "
                        "returned normally; expected AttributeError",
                        pytrace=False,
                    )
        else:
            steps.append(f"boxes[{index}].{field} = {value}")
            assign(boxes[index], field, value)
            model[index][field] = value
        for i, box in enumerate(boxes):
            for name, fallback in (("width", UNSET), ("height", -1)):
                expected = model[i].get(name, fallback)
                got = getattr(box, name, UNSET)
                assert got == expected and type(got) is type(expected), (
                    f"after {'; '.join(steps)}: boxes[{i}].{name} is {got}, expected {expected}. Each instance "
                    "keeps its own value: did you store it on the descriptor (self), which every instance shares?"
                )
