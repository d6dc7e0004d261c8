"""The compiled package (a regular install) behaves exactly like the pure-Python one.

``pip install .`` compiles the stages with mypyc (setup.py); ``make test`` runs
everything else against the editable, pure-Python package. These tests build
the wheel as a user's install would (benchmarks/compiled_build.py, cached per
source version), then check that it is compiled, that it gives byte-identical
output on the seeds (and on GeoWebNews when the corpora are present), and that
the test suite passes against it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import SEEDS

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which(os.environ.get("CC", "cc")) is None, reason="no C compiler to build with"),
]


def _builder():
    spec = importlib.util.spec_from_file_location("compiled_build", ROOT / "benchmarks" / "compiled_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tree() -> Path:
    return _builder().compiled_tree()


def _env(path: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if path is not None:
        env["PYTHONPATH"] = str(path)
    return env


def _geomap(args: list[str], path: Path | None) -> bytes:
    # Run from an empty directory: `python -m` puts the working directory first on the path.
    cwd = path if path is not None else ROOT / "tests"
    proc = subprocess.run([sys.executable, "-m", "geomap", *args], capture_output=True, env=_env(path), cwd=cwd,
                          check=False)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    return proc.stdout


def test_the_wheel_compiles_exactly_the_listed_stages(tree):
    listed = {Path(m).stem for m in _builder().compiled_modules()}
    built = {p.name.split(".")[0] for p in (tree / "geomap").glob("*.so")}
    assert built == listed
    assert list(tree.glob("*__mypyc*.so")), "mypyc's shared library is missing"
    assert _geomap(["--version"], tree).decode().endswith("(stages compiled with mypyc)\n")
    assert _geomap(["--version"], None).decode().endswith("(pure Python)\n")


@pytest.mark.parametrize("mode", [["--fast"], []], ids=["fast", "default"])
def test_compiled_output_is_byte_identical_on_the_seeds(tree, mode):
    args = ["parse", str(SEEDS), "-f", "jsonl", "--explain", *mode]
    pure, compiled = _geomap(args, None), _geomap(args, tree)
    assert pure.count(b"\n") >= 5 and b'"Sirte"' in pure
    assert compiled == pure


def test_compiled_output_is_byte_identical_on_geowebnews(tree, tmp_path):
    from geomap.evaluate import find_eval_dir, load_corpus

    if find_eval_dir() is None:
        pytest.skip("evaluation corpora (../shared/eval) not present")
    src = tmp_path / "gwn.jsonl"
    src.write_text("".join(json.dumps({"id": d.id, "text": d.text}) + "\n" for d in load_corpus("geowebnews")),
                   encoding="utf-8")
    args = ["parse", str(src), "-f", "jsonl", "--explain", "--fast"]
    pure, compiled = _geomap(args, None), _geomap(args, tree)
    assert pure.count(b"\n") == 200
    assert compiled == pure


def test_the_suite_passes_against_the_compiled_package(tree):
    # The whole suite but what checks the source itself (ruff, mypy), the
    # browser tests (rendering is not compiled) and this file.
    skip = ["test_static.py", "test_browser.py", "test_compiled.py"]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--import-mode=append",
         *[f"--ignore={ROOT / 'tests' / name}" for name in skip], str(ROOT / "tests")],
        capture_output=True, text=True, env=_env(tree), cwd=tree, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "passed" in proc.stdout


def test_a_pure_python_wheel_when_compiling_is_off(tmp_path):
    proc = _builder().build_wheel(tmp_path, GEOMAP_COMPILE="0")
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("geomap-*.whl")
    assert wheel.name.endswith("-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "geomap/extract.py" in names and not [n for n in names if n.endswith(".so")]


def test_without_a_c_compiler_the_install_falls_back_to_pure_python(tmp_path):
    # GEOMAP_COMPILE unset: compile if possible. With a compiler that always
    # fails, the wheel must still build, without any compiled module.
    proc = _builder().build_wheel(tmp_path, CC="false", GEOMAP_COMPILE="")
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("geomap-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "geomap/extract.py" in names and not [n for n in names if n.endswith(".so")]
