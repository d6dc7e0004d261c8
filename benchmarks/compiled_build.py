"""Build geomap as a regular install compiles it, into a directory to put first on the path.

``pip install .`` compiles the stages listed in pyproject.toml's ``[tool.geomap]
compiled`` with mypyc (setup.py). The speed benchmark measures that build, and
tests/test_compiled.py checks that it gives the same output as the pure-Python
package an editable install runs. Both use this module::

    tree = compiled_tree()            # builds once per source version, then reuses
    subprocess.run([...], env={"PYTHONPATH": str(tree), ...})

The build takes under a minute (mypy type-checks, then gcc compiles
the generated C); the result is cached under ``build/compiled-tree/`` keyed by
the sources, setup.py and the mypy version.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def compiled_modules() -> list[str]:
    """The module paths a regular install compiles (pyproject.toml, ``[tool.geomap] compiled``)."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        return list(tomllib.load(f)["tool"]["geomap"]["compiled"])


def _key() -> str:
    import mypy.version

    h = hashlib.sha256(mypy.version.__version__.encode())
    for path in sorted(p for p in (ROOT / "geomap").rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    for name in ("setup.py", "pyproject.toml"):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()[:16]


def build_wheel(out_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Build a wheel of this checkout into ``out_dir`` as ``pip install .`` would, offline.

    No build isolation: the environment's pinned setuptools and mypy build it,
    with the pins of ``[build-system]``. ``env`` adds environment variables
    (``GEOMAP_COMPILE``, ``CC``...); pass an empty string to remove one.
    """
    environ = {**os.environ, **env}
    for name in [k for k, v in env.items() if v == ""]:
        del environ[name]
    return subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--quiet", "-w", str(out_dir),
         str(ROOT)],
        capture_output=True, text=True, env=environ, check=False,
    )


def compiled_tree(cache: Path | None = None) -> Path:
    """Build (or reuse) the compiled package and return the directory that holds it.

    Parameters
    ----------
    cache : Path, optional
        Where built trees are kept (default ``build/compiled-tree`` in the checkout).

    Returns
    -------
    Path
        A directory with ``geomap/`` (compiled modules beside their sources) and
        mypyc's shared library, as a wheel installs them.

    Raises
    ------
    RuntimeError
        When the build fails (no C compiler, a mypyc error); the message holds pip's output.
    """
    cache = cache or ROOT / "build" / "compiled-tree"
    tree = cache / _key()
    if (tree / ".complete").exists():
        return tree
    # Trees of older sources are stale: keep one tree at a time.
    for old in cache.glob("*"):
        shutil.rmtree(old, ignore_errors=True)
    wheels = tree.with_suffix(".wheels")
    shutil.rmtree(wheels, ignore_errors=True)
    proc = build_wheel(wheels, GEOMAP_COMPILE="1")
    if proc.returncode != 0:
        raise RuntimeError(f"building the compiled wheel failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    (wheel,) = wheels.glob("geomap-*.whl")
    with zipfile.ZipFile(wheel) as z:
        z.extractall(tree)
    # (Map assets are data of the wheel; the gazetteer cache is shared through XDG_CACHE_HOME.)
    shutil.rmtree(wheels)
    (tree / ".complete").touch()
    return tree


if __name__ == "__main__":
    print(compiled_tree())
