"""The same input gives byte-identical output: JSONL and GeoJSON, default and fast pipelines."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner

from geomap.cli import cli

from .conftest import SEEDS


def run(tmp_path, name, *args):
    out = tmp_path / name
    res = CliRunner().invoke(cli, ["parse", str(SEEDS), "-q", "-o", str(out), *args])
    assert res.exit_code == 0, res.output
    return out.read_bytes()


@pytest.mark.parametrize("fmt", ["jsonl", "geojson", "csv"])
@pytest.mark.parametrize("mode", [[], ["--fast"]], ids=["default", "fast"])
def test_two_runs_give_identical_bytes(tmp_path, fmt, mode):
    a = run(tmp_path, f"a.{fmt}", "-f", fmt, *mode)
    b = run(tmp_path, f"b.{fmt}", "-f", fmt, *mode)
    assert a and hashlib.sha256(a).hexdigest() == hashlib.sha256(b).hexdigest()


def test_input_order_does_not_change_an_articles_result(tmp_path):
    # Each article is geoparsed on its own: reading it alone or among others gives the same line.
    import json

    whole = {json.loads(line)["id"]: line for line in run(tmp_path, "all.jsonl").decode().splitlines()}
    one = next(iter(sorted(SEEDS.glob("*.txt"))))
    out = tmp_path / "one.jsonl"
    res = CliRunner().invoke(cli, ["parse", str(one), "-q", "-o", str(out)])
    assert res.exit_code == 0
    assert out.read_text(encoding="utf-8").strip() == whole[one.stem]
