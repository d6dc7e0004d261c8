"""Build hook: compile geomap's hot modules to C with mypyc for a regular install.

Everything else about the package is in pyproject.toml. The stages every article
goes through (``[tool.geomap] compiled`` there) run about 1.3 times faster
compiled (benchmarks/results/speed.md); they are the same source, type-checked
by mypy in strict mode, so the compiled and the pure-Python package give the
same output (tests/test_compiled.py checks it byte for byte).

``GEOMAP_COMPILE`` decides:

* unset: compile a regular install (``pip install .``, a wheel) and fall back
  to pure Python, with a warning, when there is no working C compiler;
* ``1``: compile, and fail the build when that is not possible;
* ``0``: never compile.

An editable install (``pip install -e .``, ``make install``) is never
compiled: a compiled module in the source tree would shadow later edits of
its ``.py`` file.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
MODE = os.environ.get("GEOMAP_COMPILE", "").strip()
if MODE not in ("", "0", "1"):
    sys.exit(f"setup.py: GEOMAP_COMPILE must be 0 or 1 (or unset), not {MODE!r}")
EDITABLE = any(cmd in sys.argv for cmd in ("editable_wheel", "develop"))
# Only a build compiles: pip also runs this file to ask for metadata ("egg_info"),
# where compiling would double the install time for nothing.
BUILDING = any(cmd in sys.argv for cmd in ("bdist_wheel", "build", "build_ext", "install"))


def _warn(message: str) -> None:
    print(f"geomap setup.py: {message}", file=sys.stderr)


def _modules() -> list[str]:
    with (HERE / "pyproject.toml").open("rb") as f:
        return list(tomllib.load(f)["tool"]["geomap"]["compiled"])


class _BuildExt(build_ext):
    """Build the compiled modules; unless they are required, fall back to pure Python on failure.

    The modules share one C library, so it is all or nothing: a module whose
    library failed to build would fail to import.
    """

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # (CompileError, LinkError, a missing compiler: setuptools varies)
            if MODE == "1":
                raise
            for ext in self.extensions:
                Path(self.get_ext_fullpath(ext.name)).unlink(missing_ok=True)
            _warn(f"compiling with mypyc failed ({exc}); installing pure Python (about 1.3 times slower)")


def _extensions() -> list:
    if MODE == "0" or not BUILDING or EDITABLE:
        return []
    try:
        from mypyc.build import mypycify
    except ImportError as exc:
        if MODE == "1":
            raise
        _warn(f"mypyc is not available ({exc}); installing pure Python")
        return []
    # An isolated build environment holds the build tools, not geomap's
    # dependencies. So that every environment compiles the same C, mypy never
    # looks at installed packages: their modules are typed Any (the compiled
    # code calls them as Python objects, as it does most of them anyway). The
    # strict type-check with them installed is tests/test_static.py's job.
    flags = ["--no-site-packages", "--ignore-missing-imports", "--disable-error-code=import-untyped"]
    try:
        # -O3 as mypyc recommends; no debug symbols (they triple the library's size).
        return mypycify([*flags, *_modules()], opt_level="3", debug_level="0")
    except (Exception, SystemExit) as exc:  # (mypyc exits on a type error)
        if MODE == "1":
            raise
        _warn(f"mypyc could not translate the stages ({exc}); installing pure Python")
        return []


if __name__ == "__main__":
    setup(ext_modules=_extensions(), cmdclass={"build_ext": _BuildExt})
