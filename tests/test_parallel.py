"""--jobs N: worker processes give the same output, order and failures as a serial run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from geomap.cli import cli
from geomap.export import to_jsonl
from geomap.model import Article, ArticleResult, InputFailure
from geomap.parallel import GeoparserSpec, failure_for, geoparse_parallel, jsonl_parallel
from geomap.readers import read_paths

from .conftest import SEEDS


def make_mixed_inputs(root: Path) -> Path:
    """The seeds plus bad items between them: an empty file and a malformed JSON line."""
    root.mkdir(parents=True, exist_ok=True)
    for p in sorted(SEEDS.glob("*.txt")):
        shutil.copy(p, root / p.name)
    (root / "001b_empty.txt").write_bytes(b"")
    (root / "002b_items.jsonl").write_text(
        '{"id": "j1", "text": "Clashes were reported in Sirte and Derna on Monday."}\n'
        "this is not json\n"
        '{"id": "j2", "title": "Egypt strikes", "text": "Egyptian jets struck Tripoli, Libya."}\n',
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_mixed_inputs(tmp_path_factory.mktemp("mixed") / "in")


def run_parse(args: list[str], tmp_path: Path, tag: str) -> tuple[bytes, str, str]:
    """Run `geomap parse`; return (output bytes, --errors file text, stderr)."""
    out, errs = tmp_path / f"{tag}.out", tmp_path / f"{tag}.errors.jsonl"
    res = CliRunner().invoke(cli, ["parse", *args, "-o", str(out), "--errors", str(errs)])
    assert res.exit_code == 0, res.output
    return out.read_bytes(), errs.read_text(encoding="utf-8"), res.stderr


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "geojson"])
def test_jobs_output_is_byte_identical_fast(mixed, tmp_path, fmt):
    serial = run_parse([str(mixed), "--fast", "-f", fmt], tmp_path, "serial")
    parallel = run_parse([str(mixed), "--fast", "-f", fmt, "--jobs", "2"], tmp_path, "jobs2")
    assert parallel[0] == serial[0]
    assert parallel[1] == serial[1]  # the same failures, in the same order
    assert "9 read, 7 parsed, 2 failed" in serial[2] and "9 read, 7 parsed, 2 failed" in parallel[2]
    if fmt == "jsonl":
        ids = [json.loads(line)["id"] for line in parallel[0].decode().splitlines()]
        assert ids == ["000_12ccbaaaeb147c1b", "001_8854355e78538612", "002_266a2a7d547dd743",
                       "j1", "j2", "003_a515cb56a3bc3877", "004_8ad1177173e4a897"]
        assert [json.loads(x)["reason"][:9] for x in parallel[1].splitlines()] == ["empty fil", "malformed"]


@pytest.mark.slow
def test_jobs_output_is_byte_identical_default_pipeline(mixed, tmp_path):
    serial = run_parse([str(mixed)], tmp_path, "serial")
    parallel = run_parse([str(mixed), "-j", "0"], tmp_path, "jobs0")
    assert parallel[:2] == serial[:2]
    assert any(m["recognizer"] == "ner" for line in parallel[0].decode().splitlines()
               for m in json.loads(line)["mentions"])


@pytest.mark.slow
def test_map_takes_jobs(mixed, tmp_path):
    out = tmp_path / "m.html"
    res = CliRunner().invoke(cli, ["map", str(mixed), "--fast", "--jobs", "2", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "7 parsed, 2 failed" in res.stderr and "Sirte" in out.read_text(encoding="utf-8")


def seed_articles() -> list[Article]:
    return [a for a in read_paths([SEEDS]) if isinstance(a, Article)]


@pytest.mark.slow
def test_an_article_that_raises_in_a_worker_becomes_a_failure(fast_geoparser):
    arts = seed_articles()
    # text=None makes the pipeline raise inside the worker: a stand-in for any bug.
    poison = Article(id="poison", title=None, text=None, source="news.jsonl:7")  # type: ignore[arg-type]
    items = list(geoparse_parallel([*arts[:3], poison, *arts[3:]], jobs=2, chunk_size=2, fast=True))
    assert len(items) == len(arts) + 1
    fail = items[3]
    assert isinstance(fail, InputFailure)
    assert (fail.source, fail.line) == ("news.jsonl", 7) and fail.reason.startswith("geoparsing failed: ")
    good = [r for r in items if isinstance(r, ArticleResult)]
    # The poison's chunk-mate is retried alone and still succeeds, identical to serial.
    assert list(to_jsonl(good)) == list(to_jsonl(fast_geoparser.parse_many(arts)))


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_workers_can_build_the_json_lines(fast_geoparser, jobs):
    # What `geomap parse --jobs N` writes: the lines come from the workers,
    # identical to encoding serial results here, failures in their place.
    arts = seed_articles()
    poison = Article(id="poison", title=None, text=None, source="news.jsonl:7")  # type: ignore[arg-type]
    items = list(jsonl_parallel([*arts[:3], poison, *arts[3:]], jobs=jobs, chunk_size=2, explain=True, fast=True))
    assert isinstance(items[3], InputFailure) and items[3].line == 7
    lines = [x for x in items if isinstance(x, str)]
    assert lines == list(to_jsonl(fast_geoparser.parse_many(arts), explain=True))
    assert all(line.endswith("\n") and "explain" in line for line in lines)


@pytest.mark.slow
def test_one_job_runs_in_process_with_the_same_results(fast_geoparser):
    arts = seed_articles()
    items = list(geoparse_parallel(arts, jobs=1, fast=True))
    assert list(to_jsonl(items)) == list(to_jsonl(fast_geoparser.parse_many(arts)))  # type: ignore[arg-type]


@pytest.mark.slow
def test_in_flight_work_is_bounded():
    arts = seed_articles() * 8
    consumed = 0

    def feed():
        nonlocal consumed
        for a in arts:
            consumed += 1
            yield a

    ahead = []
    for n, _item in enumerate(geoparse_parallel(feed(), jobs=2, chunk_size=2, max_pending=3, fast=True), 1):
        ahead.append(consumed - n)
    assert len(ahead) == len(arts)
    # At most max_pending chunks (plus the one being filled) are read ahead.
    assert max(ahead) <= 3 * 2 + 2


def test_failure_for_splits_json_lines_sources():
    art = Article(id="a", title=None, text="x", source="/data/news.jsonl:12")
    fail = failure_for(art, ValueError("boom"))
    assert (fail.source, fail.line, fail.reason) == ("/data/news.jsonl", 12, "geoparsing failed: ValueError: boom")
    assert failure_for(Article("b", None, "x", "a.txt"), KeyError("k")).line is None


def test_spec_reads_option_files_once(tmp_path):
    tsv = tmp_path / "extra.tsv"
    tsv.write_text("name\tlat\tlon\tcountry_code\nEs Sider Oil Terminal\t30.63\t18.35\tLY\n", encoding="utf-8")
    spec = GeoparserSpec.from_options(extra_gazetteer=[tsv], fast=True)
    assert [p.name for p in spec.extra_places] == ["Es Sider Oil Terminal"] and spec.fast
    assert spec.token() == GeoparserSpec.from_options(extra_gazetteer=str(tsv), fast=True).token()
    assert spec.token() != GeoparserSpec.from_options(fast=True).token()


def test_missing_gazetteer_fails_before_any_worker_starts(tmp_path):
    res = CliRunner().invoke(cli, ["parse", str(SEEDS), "--fast", "-j", "2", "--gazetteer", str(tmp_path / "no.db")])
    assert res.exit_code == 1 and "geomap gazetteer build" in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("extra", [["--geocoder", "nominatim", "--user-agent", "t"], ["--dask", "tcp://127.0.0.1:1"]])
def test_jobs_conflicts_are_usage_errors(extra):
    res = CliRunner().invoke(cli, ["parse", str(SEEDS), "--jobs", "2", *extra])
    assert res.exit_code == 2


def test_negative_jobs_is_a_usage_error():
    assert CliRunner().invoke(cli, ["parse", str(SEEDS), "--jobs", "-1"]).exit_code == 2
