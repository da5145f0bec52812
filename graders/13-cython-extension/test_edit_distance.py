"""Hidden grader for exercise 13: a Cython extension computing Levenshtein edit distance.

The learner edits a .pyx file, so kata's `solution` fixture (which imports a .py) doesn't apply: the `extensions`
fixture below compiles the learner's file and the reference's, in parallel, into a temporary build directory and
imports the two compiled modules.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import random
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kata.testing import Perf

PYX = "edit_distance.pyx"
BUILD_TIMEOUT_S = 90.0  # ≈ 2 s on an idle two-core machine; up to ≈ 50 s seen on a heavily shared one
IMPORT_TIMEOUT_S = 20.0
# kata's per-test time limit also covers fixture setup, so the first test (which triggers the build) gets room for it.
FIRST_TEST_TIME_LIMIT_S = BUILD_TIMEOUT_S + 2 * IMPORT_TIMEOUT_S + 10
BUILD_SCRIPT = Path(__file__).with_name("_cython_build.py")
NO_COMPILER = (
    "No C compiler was found, and Cython needs one to build your extension: install one (Debian/Ubuntu: "
    "`sudo apt install build-essential`, macOS: `xcode-select --install`) and run `kata doctor` to confirm."
)
FORBIDDEN_LIBRARIES = ("rapidfuzz", "Levenshtein", "editdistance", "jellyfish", "textdistance", "polyleven", "leven")


def oracle(a: str, b: str) -> int:
    """Levenshtein distance by the textbook two-row dynamic programme, in plain Python (also the slow baseline)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


# ---------------------------------------------------------------------------------------------- building


@dataclass(frozen=True)
class Built:
    module: ModuleType | None
    error: str
    seconds: float


def _compiler_missing() -> bool:
    """True when the compiler setuptools will call (CC, else Python's own build compiler) is not on PATH."""
    command = os.environ.get("CC") or sysconfig.get_config_var("CC")
    if not command:  # e.g. MSVC on Windows: setuptools finds it itself; let the build say what is wrong
        return False
    return shutil.which(str(command).split()[0]) is None


def _start(source_dir: Path, build_dir: Path) -> subprocess.Popen[str]:
    build_dir.mkdir(parents=True)
    shutil.copy2(source_dir / PYX, build_dir / PYX)  # build beside a copy: the staged folder stays untouched
    return subprocess.Popen(
        [sys.executable, str(BUILD_SCRIPT), PYX, "."],
        cwd=build_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _finish(process: subprocess.Popen[str], build_dir: Path, alias: str, deadline: float, t0: float) -> Built:
    try:
        output, _ = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return Built(None, f"building {PYX} took longer than {BUILD_TIMEOUT_S:g} s and was stopped", 0.0)
    seconds = time.monotonic() - t0
    if process.returncode != 0:
        if "No such file or directory" in output and "command" in output:
            return Built(None, NO_COMPILER, seconds)
        lines = [line for line in output.splitlines() if line.strip()]
        return Built(None, f"{PYX} did not compile:\n" + "\n".join(lines[-25:]), seconds)
    built = [p for suffix in importlib.machinery.EXTENSION_SUFFIXES for p in (build_dir / "lib").glob(f"*{suffix}")]
    if not built:
        return Built(None, f"building {PYX} produced no extension module", seconds)
    path = str(built[0])
    # A dotted alias keeps the two modules apart; the init function is still found by the last part of the name.
    loader = importlib.machinery.ExtensionFileLoader(alias, path)
    spec = importlib.util.spec_from_file_location(alias, path, loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    # Import it once in a throwaway process first: compiled code can't be interrupted by a signal handler, so a
    # loop or a crash in the module's top-level code would otherwise hang or kill the whole grader.
    problem = _probe_import(path, alias)
    if problem:
        return Built(None, problem, seconds)
    try:
        loader.exec_module(module)
    except Exception as exc:
        return Built(None, f"importing the compiled {PYX} raised {type(exc).__name__}: {exc}", seconds)
    return Built(module, "", seconds)


PROBE = """
import importlib.machinery, importlib.util, sys
loader = importlib.machinery.ExtensionFileLoader(sys.argv[2], sys.argv[1])
spec = importlib.util.spec_from_file_location(sys.argv[2], sys.argv[1], loader=loader)
loader.exec_module(importlib.util.module_from_spec(spec))
"""


def _probe_import(path: str, alias: str) -> str:
    """Why importing the extension in a fresh process failed, or "" if it imported."""
    try:
        run = subprocess.run(
            [sys.executable, "-c", PROBE, path, alias], capture_output=True, text=True, timeout=IMPORT_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        limit = f"{IMPORT_TIMEOUT_S:g} s"
        return f"importing the compiled {PYX} did not finish within {limit}; is there an endless loop at module level?"
    if run.returncode < 0:
        return f"importing the compiled {PYX} crashed the interpreter (signal {-run.returncode})"
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["(no message)"])[-1]
        return f"importing the compiled {PYX} failed: {last}"
    return ""


_interrupted: list[bool] = []


@pytest.fixture(scope="session")
def extensions(solution_dir: Path, reference_dir: Path) -> Iterator[dict[str, Built]]:
    """Both .pyx files compiled in parallel (each build is a subprocess) in one temporary directory."""
    if _compiler_missing():
        pytest.fail(NO_COMPILER, pytrace=False)
    if _interrupted:
        # A time limit stopped the build during an earlier test; building again for every test would only repeat it.
        pytest.fail("the build was stopped by the time limit of an earlier test; rerun the check", pytrace=False)
    with tempfile.TemporaryDirectory(prefix="kata-cython-", ignore_cleanup_errors=True) as tmp:
        t0 = time.monotonic()
        deadline = t0 + BUILD_TIMEOUT_S
        jobs = {
            side: _start(folder, Path(tmp) / side)
            for side, folder in (("solution", solution_dir), ("reference", reference_dir))
        }
        try:
            built = {
                side: _finish(process, Path(tmp) / side, f"kata_{side}_ext.edit_distance", deadline, t0)
                for side, process in jobs.items()
            }
        except BaseException:
            _interrupted.append(True)
            raise
        finally:
            for process in jobs.values():
                if process.poll() is None:
                    process.kill()
                    process.wait()
        yield built


@pytest.fixture(scope="session")
def ext(extensions: dict[str, Built]) -> ModuleType:
    """The learner's compiled module."""
    built = extensions["solution"]
    if built.module is None:
        pytest.fail(built.error, pytrace=False)
    return built.module


@pytest.fixture(scope="session")
def reference_ext(extensions: dict[str, Built]) -> ModuleType:
    built = extensions["reference"]
    if built.module is None:
        pytest.fail(f"the reference did not build, so there is nothing to compare with: {built.error}", pytrace=False)
    return built.module


def _distance(ext: ModuleType, a: str, b: str) -> int:
    got = ext.levenshtein(a, b)
    assert type(got) is int, f"levenshtein({a!r}, {b!r}) returned a {type(got).__name__}, expected an int"
    return got


# ---------------------------------------------------------------------------------------------- the tests


@pytest.mark.time_limit(FIRST_TEST_TIME_LIMIT_S)
def test_module_is_a_compiled_extension(ext: ModuleType) -> None:
    """Your edit_distance.pyx compiles, and the module imported is a C extension, not Python source."""
    path = str(ext.__file__)
    assert path.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), f"the module was loaded from {path}"
    for name in ("levenshtein", "closest"):
        func = getattr(ext, name, None)
        assert func is not None, f"edit_distance.pyx defines no `{name}`; define it with `def {name}(...)`"
        assert type(func) is not types.FunctionType, f"`{name}` is a plain Python function, not compiled code"


@pytest.mark.parametrize(
    ("a", "b", "want"),
    [
        ("kitten", "sitting", 3),
        ("flaw", "lawn", 2),
        ("intention", "execution", 5),
        ("", "", 0),
        ("", "abc", 3),
        ("abc", "", 3),
        ("same", "same", 0),
        ("a", "b", 1),
        ("ab", "ba", 2),
        ("café", "cafe", 1),
    ],
)
def test_known_distances(ext: ModuleType, a: str, b: str, want: int) -> None:
    """Textbook pairs: kitten → sitting is 3, flaw → lawn is 2, the empty string is len(other) away."""
    got = _distance(ext, a, b)
    assert got == want, f"levenshtein({a!r}, {b!r}) = {got}, expected {want}"


@settings(max_examples=150)
@given(st.text(max_size=30), st.text(max_size=30))
def test_matches_a_pure_python_oracle_on_any_text(ext: ModuleType, a: str, b: str) -> None:
    """levenshtein(a, b) equals the textbook dynamic programme on arbitrary Unicode text."""
    got, want = _distance(ext, a, b), oracle(a, b)
    assert got == want, f"levenshtein({a!r}, {b!r}) = {got}, expected {want}"


@settings(max_examples=150)
@given(st.text("ab", max_size=60), st.text("abc", max_size=60))
def test_matches_the_oracle_on_a_small_alphabet(ext: ModuleType, a: str, b: str) -> None:
    """On strings over a two- or three-letter alphabet (many matches and ties), it equals the oracle."""
    got, want = _distance(ext, a, b), oracle(a, b)
    assert got == want, f"levenshtein({a!r}, {b!r}) = {got}, expected {want}"


ASTRAL = st.text(st.sampled_from("aé€") | st.characters(min_codepoint=0x1F300, max_codepoint=0x1F64F), max_size=15)


@settings(max_examples=100)
@given(ASTRAL, ASTRAL)
def test_counts_code_points_not_bytes(ext: ModuleType, a: str, b: str) -> None:
    """Accented letters, € and emoji count as one character each (code points, not UTF-8 or UTF-16 units).

    Did you encode the strings to bytes? 'é' is two UTF-8 bytes and '😀' four.
    """
    got, want = _distance(ext, a, b), oracle(a, b)
    assert got == want, f"levenshtein({a!r}, {b!r}) = {got}, expected {want}"


@settings(max_examples=40)
@given(st.text("abcd", max_size=250), st.text("abcd", max_size=250))
def test_metric_properties_on_longer_strings(ext: ModuleType, a: str, b: str) -> None:
    """d(a, b) = d(b, a), |len(a) − len(b)| ≤ d ≤ max(len(a), len(b)), and it equals the oracle up to 250 chars."""
    d = _distance(ext, a, b)
    assert d == _distance(ext, b, a), f"levenshtein is not symmetric for {a!r}, {b!r}"
    assert abs(len(a) - len(b)) <= d <= max(len(a), len(b)), f"levenshtein({a!r}, {b!r}) = {d} is out of bounds"
    assert d == oracle(a, b), f"levenshtein({a!r}, {b!r}) = {d}, expected {oracle(a, b)}"


def test_long_strings_with_known_distances(ext: ModuleType) -> None:
    """On 3 000-character strings: deleting a 100-character prefix costs 100; 'a'·3000 → 'b'·3000 costs 3000."""
    rng = random.Random(13)
    text = "".join(rng.choice("acgt") for _ in range(3000))
    cases = [(text, text[100:], 100), (text, text + "xyz" * 50, 150), ("a" * 3000, "b" * 3000, 3000), (text, text, 0)]
    for a, b, want in cases:
        got = _distance(ext, a, b)
        assert got == want, f"levenshtein of {len(a)}- and {len(b)}-character strings = {got}, expected {want}"


@pytest.mark.parametrize("bad", [None, b"abc", 3, ["a", "b"]])
def test_non_str_arguments_raise_type_error(ext: ModuleType, bad: object) -> None:
    """levenshtein raises TypeError when either argument is not a str (None and bytes included).

    Did you declare the arguments `str a not None`? A typed `str` argument accepts None unless you say so.
    """
    for args in ((bad, "abc"), ("abc", bad)):
        with pytest.raises(TypeError):
            ext.levenshtein(*args)


@settings(max_examples=80)
@given(st.text("abc", max_size=8), st.lists(st.text("abc", max_size=8), min_size=1, max_size=12))
def test_closest_matches_the_oracle(ext: ModuleType, query: str, choices: list[str]) -> None:
    """closest(query, choices) is (index, distance) of the nearest choice, the lowest index on a tie."""
    distances = [oracle(query, c) for c in choices]
    want = (distances.index(min(distances)), min(distances))
    got = ext.closest(query, choices)
    assert type(got) is tuple and len(got) == 2 and all(type(x) is int for x in got), (
        f"closest returned {got!r}, expected a tuple (index, distance) of two ints"
    )
    assert got == want, f"closest({query!r}, {choices!r}) = {got}, expected {want}"


def test_closest_accepts_any_iterable_and_rejects_empty_ones(ext: ModuleType) -> None:
    """closest takes any iterable of str (a generator too); an empty one raises ValueError."""
    got = ext.closest("kitten", (w for w in ["sitting", "mitten", "bitten"]))
    assert got == (1, 1), f"closest('kitten', <generator of sitting, mitten, bitten>) = {got}, expected (1, 1)"
    with pytest.raises(ValueError):
        ext.closest("kitten", [])
    with pytest.raises(TypeError):
        ext.closest("kitten", ["mitten", 7])


def test_does_not_import_an_edit_distance_library(solution_dir: Path) -> None:
    """The algorithm is yours: importing rapidfuzz, Levenshtein, editdistance, jellyfish or textdistance is refused."""
    pattern = re.compile(r"^\s*(?:from|c?import)\s+([A-Za-z_][\w.]*)")
    found = []
    for number, line in enumerate((solution_dir / PYX).read_text(encoding="utf-8").splitlines(), 1):
        match = pattern.match(line)
        if match and match.group(1).split(".")[0] in FORBIDDEN_LIBRARIES:
            found.append(f"line {number}: `{line.strip()}` imports {match.group(1)}; write the algorithm yourself")
    assert not found, "\n".join(found)


@pytest.mark.perf
def test_speed_against_the_reference(ext: ModuleType, reference_ext: ModuleType, perf: Perf) -> None:
    """levenshtein on two 2 000-character strings runs within 2× of the reference (interleaved CPU-time pairs)."""
    rng = random.Random(2000)
    a = "".join(rng.choice("acgt") for _ in range(2000))
    b = "".join(rng.choice("acgt") for _ in range(2000))
    perf.compare(
        "levenshtein(2000 × 2000)",
        lambda: ext.levenshtein(a, b),
        lambda: reference_ext.levenshtein(a, b),
        max_ratio=2.0,
    )


@pytest.mark.perf
def test_at_least_30x_faster_than_pure_python(ext: ModuleType, perf: Perf) -> None:
    """levenshtein on two 500-character strings is at least 30× faster than the pure-Python version, same run."""
    rng = random.Random(500)
    a = "".join(rng.choice("acgt") for _ in range(500))
    b = "".join(rng.choice("acgt") for _ in range(500))
    perf.speedup(
        "levenshtein(500 × 500) vs pure Python", lambda: ext.levenshtein(a, b), lambda: oracle(a, b), min_speedup=30.0
    )
