"""Build one .pyx file into an extension module with Cython and setuptools.

Run as a script (`python _cython_build.py SOURCE BUILD_DIR`) so that each build is its own process: two builds run
in parallel, the compiler's output is captured, and setuptools' global state never touches the grader process.
On failure it prints the Cython or C compiler diagnostics (not a Python traceback) and exits with status 1.
"""

from __future__ import annotations

import sys
from pathlib import Path


def build(source: Path, build_dir: Path) -> None:
    """Compile `source` (a .pyx) into `build_dir / "lib"`, using `build_dir` for the generated C and objects."""
    from Cython.Build import cythonize
    from setuptools import Extension, setup

    name = source.stem
    # -g0: no debug info; it halves gcc's time here and the grader never debugs the extension.
    extension = Extension(name, [str(source)], extra_compile_args=["-g0"])
    modules = cythonize([extension], language_level=3, quiet=True, build_dir=str(build_dir / "c"))
    setup(
        name=name,
        ext_modules=modules,
        script_args=["-q", "build_ext", "--build-lib", str(build_dir / "lib"), "--build-temp", str(build_dir / "tmp")],
    )


def main(argv: list[str]) -> int:
    source, build_dir = Path(argv[1]), Path(argv[2])
    try:
        build(source, build_dir)
    except SystemExit as exc:  # setuptools reports a failed compiler run as SystemExit("error: command … failed")
        if exc.code not in (None, 0):
            print(exc.code, file=sys.stderr)
            return 1
    except Exception as exc:  # Cython has already printed its diagnostics with file:line:column
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
