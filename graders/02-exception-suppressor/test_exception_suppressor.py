"""Hidden grader for exercise 02: an exception suppressor built with contextlib."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from kata.testing import Source

# Hypothesis's explain phase re-runs a failing test ~100 times and formats each failure: seconds of waiting for
# the learner, for a comment they rarely need. Generate and shrink only.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]


class AppError(Exception):
    """An application error."""


class AppKeyError(AppError, KeyError):
    """Multiple inheritance: both an AppError and a KeyError."""


class Shutdown(SystemExit):
    """A subclass of SystemExit: naming it names SystemExit's family."""


class PredicateBroke(Exception):
    """Raised by a `when` predicate."""


def run_block(cm: Any, exc: BaseException | None) -> tuple[Any, BaseException | None]:
    """Run `with cm as caught: raise exc` and return (caught, what escaped the block or None)."""
    caught: Any = None
    try:
        with cm as caught:
            if exc is not None:
                raise exc
    except BaseException as escaped:  # KeyboardInterrupt and SystemExit included: they are the subject here
        return caught, escaped
    return caught, None


def describe(exc: BaseException | None) -> str:
    return "nothing" if exc is None else repr(exc)


def frames_of(exc: BaseException) -> list[str]:
    names = []
    tb = exc.__traceback__
    while tb is not None:
        names.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    return names


def test_a_listed_exception_is_swallowed_and_recorded(solution: ModuleType) -> None:
    """with suppressing(KeyError) as caught: a KeyError ends the block quietly and caught.exception is that
    very exception."""
    error = KeyError("missing")
    ran_after_raise = False
    caught: Any = None
    suppressor = solution.suppressing(KeyError)
    try:
        with suppressor as caught:
            raise error
            ran_after_raise = True  # must never run
    except BaseException as escaped:
        pytest.fail(f"suppressing(KeyError) let {describe(escaped)} escape; it should swallow it", pytrace=False)
    assert not ran_after_raise
    assert isinstance(caught, solution.Suppressed), (
        f"`with suppressing(...) as caught` bound {caught!r}; expected a Suppressed record (yield one)"
    )
    assert caught.exception is error, f"caught.exception is {caught.exception!r}; expected the KeyError itself"


def test_subclasses_of_listed_types_are_swallowed(solution: ModuleType) -> None:
    """suppressing(LookupError) swallows KeyError and IndexError; several types may be listed."""
    for listed, exc in [
        ((LookupError,), KeyError("k")),
        ((LookupError,), IndexError("i")),
        ((ValueError, ArithmeticError), ZeroDivisionError("z")),
        ((KeyError,), AppKeyError("both")),
    ]:
        caught, escaped = run_block(solution.suppressing(*listed), exc)
        names = ", ".join(t.__name__ for t in listed)
        assert escaped is None, f"suppressing({names}) let {describe(escaped)} escape; subclasses count"
        assert caught.exception is exc


def test_other_exceptions_propagate_as_the_same_object(solution: ModuleType) -> None:
    """An exception that is not listed leaves the block as the same object, and the record stays empty."""
    error = TypeError("not listed")
    caught, escaped = run_block(solution.suppressing(KeyError, ValueError), error)
    assert escaped is not None, (
        "suppressing(KeyError, ValueError) swallowed a TypeError. Only the listed types (and their subclasses) "
        "may be swallowed: did you catch Exception wholesale?"
    )
    assert escaped is error, (
        f"a {describe(escaped)} came out, but not the object that was raised: re-raise the same exception with a "
        "bare `raise`, don't build a new one"
    )
    assert caught.exception is None, f"caught.exception is {caught.exception!r} although nothing was swallowed"


def test_propagated_exception_keeps_traceback_cause_and_context(solution: ModuleType) -> None:
    """A propagating exception keeps its traceback (innermost frame: where it was raised), __cause__ and
    __context__."""
    raised: list[BaseException] = []

    def load_config() -> None:
        try:
            {}["port"]
        except KeyError as err:
            raised.append(err)
            error = ValueError("bad config")
            raised.append(error)
            raise error from err

    escaped: BaseException | None = None
    try:
        with solution.suppressing(TypeError):
            load_config()
    except BaseException as exc:
        escaped = exc
    cause, error = raised
    assert escaped is error, f"{describe(escaped)} came out; expected the very ValueError that was raised"
    assert error.__cause__ is cause and error.__suppress_context__, (
        f"__cause__ is {error.__cause__!r} (expected the KeyError) and __suppress_context__ is "
        f"{error.__suppress_context__}: did you re-raise with `raise exc from None`? A bare `raise` leaves both alone"
    )
    assert error.__context__ is cause, f"__context__ is {error.__context__!r}; expected the KeyError"
    frames = frames_of(error)
    assert frames and frames[-1] == "load_config", (
        f"the traceback's frames are {frames}; the innermost must be load_config, where the error was raised"
    )


def test_a_block_that_raises_nothing_records_nothing(solution: ModuleType) -> None:
    """A block that finishes normally runs to the end; caught.exception is None and the log stays empty."""
    log: list[BaseException] = []
    steps = []
    with solution.suppressing(Exception, log=log) as caught:
        steps.append("ran")
    assert steps == ["ran"]
    assert caught.exception is None and log == [], f"caught.exception = {caught.exception!r}, log = {log!r}"


def test_keyboard_interrupt_and_system_exit_pass_a_broad_base(solution: ModuleType) -> None:
    """suppressing(BaseException) swallows ordinary errors but lets KeyboardInterrupt and SystemExit through."""
    for exc in (KeyboardInterrupt(), SystemExit(2), Shutdown("bye")):
        caught, escaped = run_block(solution.suppressing(BaseException), exc)
        assert escaped is exc, (
            f"suppressing(BaseException) swallowed {describe(exc)}. Ctrl-C and sys.exit() pass unless the listed "
            "type names them: did you check isinstance(exc, (KeyboardInterrupt, SystemExit))?"
        )
        assert caught.exception is None
    error = RuntimeError("ordinary")
    caught, escaped = run_block(solution.suppressing(BaseException), error)
    assert escaped is None and caught.exception is error, "suppressing(BaseException) must swallow a RuntimeError"


def test_keyboard_interrupt_and_system_exit_are_swallowed_when_named(solution: ModuleType) -> None:
    """suppressing(KeyboardInterrupt) swallows Ctrl-C; suppressing(SystemExit) swallows SystemExit and subclasses."""
    for listed, exc in [
        (KeyboardInterrupt, KeyboardInterrupt()),
        (SystemExit, SystemExit(1)),
        (SystemExit, Shutdown("bye")),
    ]:
        caught, escaped = run_block(solution.suppressing(listed), exc)
        assert escaped is None, f"suppressing({listed.__name__}) let {describe(escaped)} escape; it is named"
        assert caught.exception is exc


def test_match_searches_the_message(solution: ModuleType) -> None:
    """match= is re.search()ed in str(exc): a string or a compiled pattern; a non-matching message propagates."""
    for match in (r"^invalid literal", re.compile(r"literal for int")):
        shown = f"match={match!r}"
        try:
            int("x")
        except ValueError as err:
            bad_literal = err
        _, escaped = run_block(solution.suppressing(ValueError, match=match), bad_literal)
        assert escaped is None, f"suppressing(ValueError, {shown}) let {describe(escaped)} escape"
        other = ValueError("negative size")
        _, escaped = run_block(solution.suppressing(ValueError, match=match), other)
        assert escaped is other, (
            f"suppressing(ValueError, {shown}) swallowed {describe(other)}; the message doesn't match"
        )
    middle = AppError("disk full on /var")
    _, escaped = run_block(solution.suppressing(AppError, match="full"), middle)
    assert escaped is None, "match='full' must find 'disk full on /var': use re.search, not re.match"


def test_when_predicate_decides_and_is_only_asked_about_matching_exceptions(solution: ModuleType) -> None:
    """when(exc) must be true to swallow; it is called only for exceptions of a listed type whose message
    matched."""
    asked: list[BaseException] = []

    def missing_file(exc: BaseException) -> bool:
        asked.append(exc)
        return isinstance(exc, OSError) and exc.errno == 2

    not_found, denied = FileNotFoundError(2, "No such file"), PermissionError(13, "Permission denied")
    _, escaped = run_block(solution.suppressing(OSError, when=missing_file), not_found)
    assert escaped is None, "when() returned True for FileNotFoundError, but it was not swallowed"
    _, escaped = run_block(solution.suppressing(OSError, when=missing_file), denied)
    assert escaped is denied, f"when() returned False for PermissionError, yet {describe(escaped)} came out"
    assert asked == [not_found, denied]
    asked.clear()
    wrong_type = KeyError("k")
    run_block(solution.suppressing(OSError, when=missing_file), wrong_type)
    wrong_message = FileNotFoundError(2, "elsewhere")
    run_block(solution.suppressing(OSError, match="No such", when=missing_file), wrong_message)
    assert asked == [], (
        f"when() was called with {asked!r}; call it only for exceptions of a listed type whose message matched"
    )


def test_an_error_inside_when_propagates_chained_to_the_original(solution: ModuleType) -> None:
    """If when() raises, its exception leaves the block, with the original exception as its __context__."""

    def broken(exc: BaseException) -> bool:
        raise PredicateBroke("predicate failed")

    original = ValueError("v")
    _, escaped = run_block(solution.suppressing(ValueError, when=broken), original)
    assert isinstance(escaped, PredicateBroke), (
        f"{describe(escaped)} came out; expected the predicate's own PredicateBroke error"
    )
    assert escaped.__context__ is original, (
        f"the predicate's error has __context__ = {escaped.__context__!r}; expected the original ValueError "
        "(call when() inside the except block, and Python chains it for you)"
    )


def test_log_collects_every_swallowed_exception_in_order(solution: ModuleType) -> None:
    """log= receives each swallowed exception, in order, and nothing that propagated."""
    log: list[BaseException] = []
    first, second, passing = KeyError("a"), IndexError("b"), TypeError("c")
    run_block(solution.suppressing(LookupError, log=log), first)
    run_block(solution.suppressing(LookupError, log=log), passing)
    run_block(solution.suppressing(LookupError, log=log), None)
    run_block(solution.suppressing(LookupError, log=log), second)
    assert len(log) == 2 and log[0] is first and log[1] is second, f"log is {log!r}; expected [KeyError, IndexError]"


def test_nested_suppressors_behave_like_nested_try_statements(solution: ModuleType) -> None:
    """The innermost suppressor that matches swallows the exception; outer ones never see it."""
    inner_error = KeyError("inner")
    with solution.suppressing(ValueError) as outer, solution.suppressing(KeyError) as inner:
        raise inner_error
    assert inner.exception is inner_error and outer.exception is None, (
        f"inner caught {inner.exception!r}, outer caught {outer.exception!r}; expected the inner one only"
    )
    outer_error = ValueError("outer")
    with solution.suppressing(ValueError) as outer, solution.suppressing(KeyError) as inner:
        raise outer_error
    assert inner.exception is None and outer.exception is outer_error, (
        f"inner caught {inner.exception!r}, outer caught {outer.exception!r}; expected the outer one only"
    )


def test_works_as_a_decorator(solution: ModuleType) -> None:
    """@suppressing(...) returns the function's result, or None when it swallowed; it keeps the function's
    name, docstring and __wrapped__."""
    errors: list[BaseException] = []

    def inverse(x: float) -> float:
        """1 / x."""
        return 1 / x

    wrapped = solution.suppressing(ZeroDivisionError, log=errors)(inverse)
    assert wrapped(4) == 0.25
    assert wrapped(0) is None, "a swallowed exception makes the decorated call return None"
    assert wrapped(0) is None, "the decorated function must work for every call, not just the first"
    assert len(errors) == 2 and all(type(e) is ZeroDivisionError for e in errors), f"log is {errors!r}"
    try:
        wrapped("x")
    except TypeError:
        pass
    else:
        pytest.fail(
            "inverse('x') raises TypeError, which is not listed: the decorated call must let it through", pytrace=False
        )
    meta = (wrapped.__name__, wrapped.__doc__, getattr(wrapped, "__wrapped__", None))
    assert meta == ("inverse", "1 / x.", inverse), f"(__name__, __doc__, __wrapped__) is {meta!r}"


def test_decorated_calls_may_nest(solution: ModuleType) -> None:
    """Each call of a decorated function gets its own block, so a recursive function works."""
    log: list[BaseException] = []

    @solution.suppressing(KeyError, log=log)
    def descend(depth: int) -> tuple[int, Any]:
        if depth == 0:
            raise KeyError("bottom")
        return (depth, descend(depth - 1))

    try:
        got = descend(3)
    except RuntimeError as exc:
        pytest.fail(
            f"a recursive decorated call raised RuntimeError({exc}): is one generator reused across calls? "
            "Each call needs a fresh suppressing block",
            pytrace=False,
        )
    assert got == (3, (2, (1, None))), f"descend(3) returned {got!r}; expected (3, (2, (1, None)))"
    assert len(log) == 1
    descend(1)
    assert len(log) == 2, "every call that swallows appends to the log"


BAD_ARGUMENTS: list[tuple[str, Callable[[ModuleType], object], type[Exception]]] = [
    ("suppressing()", lambda m: m.suppressing(), TypeError),
    ("suppressing('ValueError')", lambda m: m.suppressing("ValueError"), TypeError),
    ("suppressing(ValueError())", lambda m: m.suppressing(ValueError()), TypeError),
    ("suppressing(int)", lambda m: m.suppressing(int), TypeError),
    ("suppressing(KeyError, (ValueError,))", lambda m: m.suppressing(KeyError, (ValueError,)), TypeError),
    ("suppressing(ValueError, match='(')", lambda m: m.suppressing(ValueError, match="("), re.error),
]


def test_bad_arguments_fail_at_the_call_not_at_with(solution: ModuleType) -> None:
    """suppressing(...) itself raises TypeError (re.error for a bad pattern), before any `with`."""
    for call, make, error in BAD_ARGUMENTS:
        try:
            make(solution)
        except error:
            continue
        expected = "re.error" if error is re.error else error.__name__
        pytest.fail(
            f"{call} returned normally; it must raise {expected} right away. A @contextmanager generator's body "
            "runs only at `with` time: validate in a plain function that then returns the generator's context "
            "manager.",
            pytrace=False,
        )


# --- property-based: the whole decision, against the README's rule --------------------------------------------

RAISABLE: list[Callable[[str], BaseException]] = [
    ZeroDivisionError,
    KeyError,
    IndexError,
    ValueError,
    FileNotFoundError,
    PermissionError,
    AppError,
    AppKeyError,
    KeyboardInterrupt,
    SystemExit,
    Shutdown,
    StopIteration,
    RuntimeError,
]
LISTABLE: list[type[BaseException]] = [
    BaseException,
    Exception,
    ArithmeticError,
    LookupError,
    KeyError,
    ValueError,
    OSError,
    FileNotFoundError,
    AppError,
    AppKeyError,
    KeyboardInterrupt,
    SystemExit,
    Shutdown,
    TypeError,
]
MESSAGES = ["disk full", "invalid literal for int()", "key 'a' not found", ""]
PATTERNS = [None, "full", r"^invalid", r"'a'", r"^$"]


def should_swallow(exc: BaseException, listed: tuple[type[BaseException], ...], pattern: str | None) -> bool:
    """Rules 1-3 of the README (the `when` rule is applied by the test)."""
    catchers = [t for t in listed if isinstance(exc, t)]
    control = (KeyboardInterrupt, SystemExit)
    if isinstance(exc, control):
        catchers = [t for t in catchers if issubclass(t, control)]
    return bool(catchers) and (pattern is None or re.search(pattern, str(exc)) is not None)


@settings(max_examples=300, phases=PHASES, report_multiple_bugs=False)
@given(
    make=st.sampled_from(RAISABLE),
    message=st.sampled_from(MESSAGES),
    listed=st.lists(st.sampled_from(LISTABLE), min_size=1, max_size=3),
    pattern=st.sampled_from(PATTERNS),
    verdict=st.sampled_from([None, True, False]),
)
def test_swallows_exactly_what_the_rules_say(
    solution: ModuleType,
    make: Callable[[str], BaseException],
    message: str,
    listed: list[type[BaseException]],
    pattern: str | None,
    verdict: bool | None,
) -> None:
    """For any raised exception, listed types, match pattern and when() answer, the exception is swallowed (and
    recorded) exactly when the README's four rules say so; otherwise the same object propagates."""
    exc = make(message)
    asked: list[BaseException] = []

    def when(e: BaseException) -> bool:
        asked.append(e)
        return bool(verdict)

    log: list[BaseException] = []
    cm = solution.suppressing(*listed, match=pattern, when=None if verdict is None else when, log=log)
    caught, escaped = run_block(cm, exc)
    passes_1_to_3 = should_swallow(exc, tuple(listed), pattern)
    swallow = passes_1_to_3 and verdict is not False
    call = (
        f"suppressing({', '.join(t.__name__ for t in listed)}, match={pattern!r}"
        + ("" if verdict is None else f", when=lambda e: {verdict}")
        + f") around raise {describe(exc)}"
    )
    if swallow:
        assert escaped is None, f"{call}: {describe(escaped)} escaped; it should be swallowed"
        assert caught.exception is exc and len(log) == 1 and log[0] is exc, (
            f"{call}: caught.exception = {caught.exception!r}, log = {log!r}; both should hold the exception"
        )
    else:
        assert escaped is exc, f"{call}: expected the exception itself to propagate, got {describe(escaped)}" + (
            " (the same class, but a new object)" if type(escaped) is type(exc) else ""
        )
        assert caught.exception is None and log == [], (
            f"{call}: nothing was swallowed, yet caught.exception = {caught.exception!r}, log = {log!r}"
        )
    if verdict is not None:
        expected_asked = [exc] if passes_1_to_3 else []
        assert asked == expected_asked, (
            f"{call}: when() was called with {asked!r}; expected {expected_asked!r} (only for exceptions that "
            "passed the type and message checks)"
        )


# --- constraints: built with contextlib --------------------------------------------------------------------------


def contextmanager_generators(tree: ast.Module) -> list[ast.FunctionDef]:
    """Generator functions decorated with contextlib.contextmanager, however it was imported."""
    module_names, decorator_names = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            module_names |= {a.asname or a.name for a in node.names if a.name == "contextlib"}
        elif isinstance(node, ast.ImportFrom) and node.module == "contextlib":
            decorator_names |= {a.asname or a.name for a in node.names if a.name == "contextmanager"}

    def is_contextmanager(d: ast.expr) -> bool:
        if isinstance(d, ast.Name):
            return d.id in decorator_names
        return (
            isinstance(d, ast.Attribute)
            and d.attr == "contextmanager"
            and isinstance(d.value, ast.Name)
            and d.value.id in module_names
        )

    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and any(is_contextmanager(d) for d in node.decorator_list)
        and any(isinstance(n, ast.Yield) for n in ast.walk(node))
    ]


def has_real_body(func: ast.FunctionDef) -> bool:
    """False for protocol-style stubs whose body is only a docstring, `...` or `pass`."""
    return any(
        not (isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)))
        for stmt in func.body
    )


def test_is_built_with_contextlib_contextmanager(source: Source) -> None:
    """The suppressor is a generator decorated with @contextlib.contextmanager, not a hand-written class."""
    dunder_classes = [
        f"line {item.lineno}: class {node.name} defines {item.name}"
        for node in ast.walk(source.tree)
        if isinstance(node, ast.ClassDef)
        for item in node.body
        if isinstance(item, ast.FunctionDef) and item.name in {"__enter__", "__exit__"} and has_real_body(item)
    ]
    assert not dunder_classes, (
        "this exercise builds the suppressor with contextlib, not with a class:\n"
        + "\n".join(dunder_classes)
        + "\nWrite a generator decorated with @contextmanager: code before `yield` is __enter__, an except "
        "clause around the `yield` is __exit__."
    )
    assert contextmanager_generators(source.tree), (
        f"{source.path.name} has no generator function decorated with @contextlib.contextmanager. Write "
        "`@contextmanager def _suppressing(...): ... yield record ...` and return it from suppressing()."
    )


def test_does_not_delegate_to_contextlib_suppress(source: Source) -> None:
    """contextlib.suppress is what you are writing, so it is not allowed."""
    found = source.violations({"contextlib.suppress": "write the suppressing logic yourself"})
    assert not found, "\n".join(found)
