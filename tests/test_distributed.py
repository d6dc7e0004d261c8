"""Dask: bags, dataframes and `geomap parse --dask` on a local two-worker cluster."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from geomap.cli import cli
from geomap.errors import DependencyError
from geomap.export import flat_rows, result_dict
from geomap.model import Article

from .test_parallel import make_mixed_inputs, run_parse, seed_articles


@pytest.fixture(scope="module")
def cluster():
    pytest.importorskip("dask.bag")
    pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("dask.distributed")
    # Worker processes, as on a real cluster: each builds its own Geoparser.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as lc, distributed.Client(lc) as client:
        yield lc, client


@pytest.fixture(scope="module")
def serial_fast(full_gazetteer):
    from geomap.pipeline import Geoparser

    return {r.article.id: r for r in Geoparser(full_gazetteer, fast=True).parse_many(seed_articles())}


def _worker_cache_sizes(client) -> list[int]:
    def size() -> int:
        from geomap import distributed

        return len(distributed._CACHE)

    return sorted(client.run(size).values())


@pytest.mark.slow
def test_bag_gives_the_contract_records_in_order(cluster, serial_fast):
    import dask.bag as db

    from geomap.distributed import geoparse_bag

    _lc, client = cluster
    arts = seed_articles()
    records = [*arts[:2], {"text": "   "}, {"id": "d1", "text": "Clashes in Sirte, Libya."}, *arts[2:]]
    out = geoparse_bag(db.from_sequence(records, npartitions=3), fast=True).compute(scheduler=client)
    assert [r["id"] for r in out] == [a.id for a in arts[:2]] + [None, "d1"] + [a.id for a in arts[2:]]
    for rec in out:
        if rec["id"] in serial_fast:
            assert rec == result_dict(serial_fast[rec["id"]])
    assert out[2]["mentions"] == [] and '"text" is empty' in out[2]["error"]
    assert out[3]["mentions"][0]["place"]["country_code"] == "LY" and "error" not in out[3]
    # One Geoparser per worker process, reused by every partition.
    geoparse_bag(db.from_sequence(arts, npartitions=4), fast=True).compute(scheduler=client)
    assert _worker_cache_sizes(client) in ([1, 1], [0, 1])


@pytest.mark.slow
def test_dataframe_has_one_row_per_mention(cluster, serial_fast):
    import dask.dataframe as dd
    import pandas as pd

    from geomap.distributed import FRAME_COLUMNS, geoparse_dataframe

    _lc, client = cluster
    arts = seed_articles()
    pdf = pd.DataFrame([{"id": a.id, "title": a.title, "text": a.text, "source": a.source} for a in arts])
    ddf = dd.from_pandas(pdf, npartitions=2)
    frame = geoparse_dataframe(ddf, fast=True).compute(scheduler=client)
    assert tuple(frame.columns) == FRAME_COLUMNS
    got = [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in frame.to_dict("records")]
    expected = [{**row, "error": None} for row in flat_rows(serial_fast[a.id] for a in arts)]
    # Sources differ on purpose (a dataframe has rows, not files): compare the rest.
    for g, e in zip(got, expected, strict=True):
        g.pop("article_source"), e.pop("article_source")
        assert g == e
    assert frame["error"].isna().all()
    resolved = frame[frame["place_id"].notna()]
    assert resolved["lat"].between(-90, 90).all() and resolved["lon"].between(-180, 180).all()


@pytest.mark.slow
def test_dataframe_reports_a_bad_row(cluster):
    import dask.dataframe as dd
    import pandas as pd

    from geomap.distributed import geoparse_dataframe

    _lc, client = cluster
    pdf = pd.DataFrame({"text": ["Fighting near Derna, Libya.", ""]}, index=[10, 11])
    frame = geoparse_dataframe(dd.from_pandas(pdf, npartitions=1), fast=True, id_column=None).compute(
        scheduler=client)
    assert set(frame["article_id"]) == {"10", "11"}
    bad = frame[frame["article_id"] == "11"]
    assert len(bad) == 1 and '"text" is empty' in bad["error"].iloc[0] and pd.isna(bad["place_id"].iloc[0])


@pytest.mark.slow
def test_cli_dask_output_is_byte_identical(cluster, tmp_path):
    lc, _client = cluster
    mixed = make_mixed_inputs(tmp_path / "in")
    serial = run_parse([str(mixed), "--fast"], tmp_path, "serial")
    remote = run_parse([str(mixed), "--fast", "--dask", lc.scheduler_address], tmp_path, "dask")
    assert remote[:2] == serial[:2]
    assert "9 read, 7 parsed, 2 failed" in remote[2]


def test_unreachable_scheduler_is_a_clear_error():
    pytest.importorskip("dask.distributed")
    from geomap.distributed import DistributedError, geoparse_distributed

    arts = [Article("a", None, "Sirte", "x")]
    with pytest.raises(DistributedError, match="cannot reach the dask scheduler"):
        list(geoparse_distributed(arts, "tcp://127.0.0.1:1", timeout=0.5, fast=True))


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_refused_connection_says_so_rather_than_timed_out():
    pytest.importorskip("dask.distributed")
    from geomap.distributed import DistributedError, geoparse_distributed

    arts = [Article("a", None, "Sirte", "x")]
    with pytest.raises(DistributedError, match="connection refused"):
        list(geoparse_distributed(arts, f"tcp://127.0.0.1:{_closed_port()}", timeout=30, fast=True))


@pytest.mark.parametrize(("address", "message"), [
    ("foo", "'foo' is not a dask scheduler address"),
    ("tcp://localhost", "is not a dask scheduler address"),
    ("tcp://no-such-host.invalid:8786", "unknown host 'no-such-host.invalid'"),
])
def test_a_bad_scheduler_address_is_one_clean_error_from_the_cli(tmp_path: Path, address, message):
    # A real process: with "foo", dask's half-built Client used to print a
    # traceback from its destructor after hanging 20 s on exit.
    import subprocess

    pytest.importorskip("dask.distributed")
    (tmp_path / "a.txt").write_text("Clashes in Sirte.", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "geomap", "parse", str(tmp_path / "a.txt"), "--fast",
                           "--dask", address], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr


def test_missing_dask_is_a_dependency_error(monkeypatch, tmp_path: Path):
    from geomap import distributed

    monkeypatch.setitem(sys.modules, "dask", None)  # import dask now raises ImportError
    with pytest.raises(DependencyError, match=r"geomap\[dask\]"):
        distributed.geoparse_bag(object(), fast=True)
    res = CliRunner().invoke(cli, ["parse", str(tmp_path), "--dask", "tcp://127.0.0.1:1"])
    assert res.exit_code == 1 and "geomap[dask]" in res.output
