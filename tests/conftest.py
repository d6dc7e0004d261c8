"""Shared fixtures: a small real gazetteer, the full one, and the seed results."""

from __future__ import annotations

from pathlib import Path

import pytest

from geomap.gazetteer import Gazetteer, read_extra, write

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def mini_gazetteer_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 57-place slice of the real gazetteer, stored by the same code as the full build."""
    path = tmp_path_factory.mktemp("gaz") / "mini.sqlite"
    return write(path, read_extra(DATA / "mini_gazetteer.tsv"), meta={"fixture": "mini"})


@pytest.fixture(scope="session")
def mini_gazetteer(mini_gazetteer_path: Path) -> Gazetteer:
    return Gazetteer(mini_gazetteer_path)


@pytest.fixture(scope="session")
def full_gazetteer() -> Gazetteer:
    """The default gazetteer (built from the installed packages on first use)."""
    return Gazetteer.open()


@pytest.fixture(scope="session")
def geoparser(full_gazetteer: Gazetteer):
    from geomap.pipeline import Geoparser

    return Geoparser(full_gazetteer)


@pytest.fixture(scope="session")
def fast_geoparser(full_gazetteer: Gazetteer):
    from geomap.pipeline import Geoparser

    return Geoparser(full_gazetteer, fast=True)


@pytest.fixture(scope="session")
def seed_results(geoparser):
    from geomap.readers import read_paths

    articles = list(read_paths([SEEDS]))
    return {r.article.id: r for r in geoparser.parse_many(articles)}
