import json

import pytest
from click.testing import CliRunner

from geomap import is_compiled
from geomap.cli import cli

from .conftest import SEEDS


@pytest.fixture()
def runner():
    return CliRunner()


def test_version(runner):
    from geomap import __version__

    res = runner.invoke(cli, ["--version"])
    build = "stages compiled with mypyc" if is_compiled() else "pure Python"
    assert res.exit_code == 0 and res.output == f"geomap {__version__} ({build})\n"


@pytest.mark.parametrize(
    "command",
    [[], ["parse"], ["map"], ["lookup"], ["eval"], ["gazetteer"], ["gazetteer", "info"], ["gazetteer", "build"]],
)
def test_every_help_has_an_example(runner, command):
    res = runner.invoke(cli, [*command, "--help"])
    assert res.exit_code == 0
    assert "Example" in res.output and "geomap " in res.output


def test_lookup_uses_the_given_gazetteer(runner, mini_gazetteer_path):
    res = runner.invoke(cli, ["lookup", "Tripoli", "--gazetteer", str(mini_gazetteer_path), "--json"])
    assert res.exit_code == 0
    rows = json.loads(res.output)
    assert rows[0]["country_code"] == "LY" and rows[0]["match"] == "exact"
    res = runner.invoke(cli, ["lookup", "Tripoli", "-c", "LB", "--gazetteer", str(mini_gazetteer_path)])
    assert res.exit_code == 0 and "LB" in res.output and "LY " not in res.output


@pytest.mark.slow
def test_lookup_marks_readings_that_need_context(runner, full_gazetteer):
    res = runner.invoke(cli, ["lookup", "Gwinnett", "--gazetteer", str(full_gazetteer.path)])
    assert res.exit_code == 0, res.output
    assert "Gwinnett County" in res.output and "alias*" in res.output and "state in view" in res.output
    rows = json.loads(runner.invoke(cli, ["lookup", "Gwinnett", "--gazetteer", str(full_gazetteer.path),
                                          "--json"]).output)
    assert [(r["name"], r["needs_context"]) for r in rows] == [("Gwinnett County", True)]


def test_lookup_unknown_name_exits_1(runner, mini_gazetteer_path):
    res = runner.invoke(cli, ["lookup", "Xyzzyville", "--gazetteer", str(mini_gazetteer_path)])
    assert res.exit_code == 1 and "no place named" in res.output


def test_missing_gazetteer_is_a_clear_error(runner, tmp_path):
    res = runner.invoke(cli, ["lookup", "Sirte", "--gazetteer", str(tmp_path / "gone.sqlite")])
    assert res.exit_code == 1 and "geomap gazetteer build" in res.output
    assert "Traceback" not in res.output


def test_gazetteer_info(runner, mini_gazetteer_path):
    res = runner.invoke(cli, ["gazetteer", "info", "--gazetteer", str(mini_gazetteer_path), "--check", "--json"])
    assert res.exit_code == 0
    info = json.loads(res.output)
    assert info["integrity"] == "ok" and info["places"] == "57"


@pytest.mark.slow
def test_parse_seeds_jsonl(runner):
    res = runner.invoke(cli, ["parse", str(SEEDS), "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [r["id"] for r in lines] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert "5 read, 5 parsed, 0 failed" in res.stderr


@pytest.mark.slow
def test_parse_ner_everywhere_lists_unknown_names(runner, tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("Yulia was discharged last week.\n", encoding="utf-8")
    plain = runner.invoke(cli, ["parse", str(src), "-q"])
    full = runner.invoke(cli, ["parse", str(src), "-q", "--ner-everywhere"])
    assert plain.exit_code == 0 and full.exit_code == 0, plain.output + full.output
    assert json.loads(plain.stdout)["mentions"] == []
    assert [m["text"] for m in json.loads(full.stdout)["mentions"]] == ["Yulia"]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["geojson", "csv"])
def test_parse_other_formats_to_file(runner, tmp_path, fmt):
    out = tmp_path / f"o.{fmt}"
    res = runner.invoke(cli, ["parse", str(SEEDS / "000_12ccbaaaeb147c1b.txt"), "-f", fmt, "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    body = out.read_text(encoding="utf-8")
    if fmt == "geojson":
        assert json.loads(body)["type"] == "FeatureCollection"
    else:
        assert body.startswith("article_id,")


@pytest.mark.slow
def test_bad_inputs_are_reported_and_the_run_goes_on(runner, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "news.jsonl").write_text('{"text": "Clashes in Sirte."}\n{broken\n', encoding="utf-8")
    errors = tmp_path / "errors.jsonl"
    res = runner.invoke(cli, ["parse", str(tmp_path), "--fast", "--errors", str(errors)])
    assert res.exit_code == 0
    assert "empty.txt: empty file" in res.stderr and "news.jsonl:2: malformed JSON" in res.stderr
    assert "3 read, 1 parsed, 2 failed" in res.stderr
    failures = [json.loads(x) for x in errors.read_text().splitlines()]
    assert [f["line"] for f in failures] == [None, 2]


@pytest.mark.slow
def test_nothing_parsed_exits_1(runner, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    res = runner.invoke(cli, ["parse", str(tmp_path / "empty.txt"), "--fast"])
    assert res.exit_code == 1 and "1 read, 0 parsed, 1 failed" in res.stderr


@pytest.mark.slow
def test_stdin(runner):
    res = runner.invoke(cli, ["parse", "-", "--fast", "-q"], input="Fighting near Sirte, Libya.")
    assert res.exit_code == 0
    rec = json.loads(res.stdout)
    assert {m["text"] for m in rec["mentions"]} >= {"Sirte", "Libya"}


@pytest.mark.slow
def test_eval_command_scores_a_corpus(runner):
    from geomap.evaluate import find_eval_dir

    if find_eval_dir() is None:
        pytest.skip("evaluation corpora (../shared/eval) not present")
    res = runner.invoke(cli, ["eval", "-c", "geovirus", "-n", "5", "--fast"])
    assert res.exit_code == 0, res.output
    assert "## geovirus (5 documents)" in res.stdout and "**geomap**" in res.stdout
    assert "CamCoder" in res.stdout


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["gpkg", "parquet"])
def test_parse_to_gis_formats(runner, tmp_path, fmt):
    import geopandas as gpd

    out = tmp_path / f"seeds.{fmt}"
    res = runner.invoke(cli, ["parse", str(SEEDS), "-f", fmt, "-o", str(out), "--fast", "-q"])
    assert res.exit_code == 0, res.output
    gdf = gpd.read_file(out) if fmt == "gpkg" else gpd.read_parquet(out)
    assert gdf.crs.to_epsg() == 4326 and len(gdf) > 50
    assert set(gdf["article_id"]) == {p.stem for p in SEEDS.glob("*.txt")}


def test_binary_format_needs_an_output_file(runner):
    res = runner.invoke(cli, ["parse", str(SEEDS), "-f", "gpkg"])
    assert res.exit_code == 2 and "-o FILE" in res.output


def test_parse_csv_with_text_column_and_html(tmp_path):
    import json

    csv_path = tmp_path / "news.csv"
    csv_path.write_text('id,body\nr1,"Militants seized Sirte, Libya."\nr2,\n', encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Talks in Rome</title></head><body><article><p>Foreign ministers "
                    "met in Rome on Tuesday to discuss Libya.</p></article></body></html>", encoding="utf-8")
    errors = tmp_path / "errors.jsonl"
    res = CliRunner().invoke(cli, ["parse", str(csv_path), str(page), "--fast", "--text-column", "body",
                                   "--errors", str(errors)])
    assert res.exit_code == 0, res.output
    out = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    assert [o["id"] for o in out] == ["r1", "page"]
    assert "Sirte" in {m["text"] for m in out[0]["mentions"]} and out[1]["title"] == "Talks in Rome"
    (err,) = [json.loads(line) for line in errors.read_text().splitlines()]
    assert err["line"] == 3 and "empty 'body'" in err["reason"] and err["id"] == "r2"


@pytest.mark.skipif(is_compiled(), reason="compiled stages call each other directly: a monkeypatch cannot reach them")
def test_an_article_that_breaks_the_pipeline_is_a_failure_not_a_crash(tmp_path, monkeypatch):
    # A stand-in for any bug a pathological text could hit inside the stages.
    import json

    import geomap.extract as extract_mod

    real = extract_mod.extract

    def flaky(text, *args, **kwargs):
        if "POISON" in text:
            raise RecursionError("pathological text")
        return real(text, *args, **kwargs)

    monkeypatch.setattr("geomap.pipeline.extract", flaky)
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in [
        {"id": "a", "text": "Clashes in Sirte."}, {"id": "b", "text": "POISON in Derna."},
        {"id": "c", "text": "Talks in Rome."}]) + "\n", encoding="utf-8")
    errors = tmp_path / "errors.jsonl"
    res = CliRunner().invoke(cli, ["parse", str(src), "--fast", "--errors", str(errors)])
    assert res.exit_code == 0, res.output
    assert [json.loads(x)["id"] for x in res.stdout.splitlines()] == ["a", "c"]
    (err,) = [json.loads(x) for x in errors.read_text().splitlines()]
    assert err["line"] == 2 and "RecursionError: pathological text" in err["reason"] and err["id"] == "b"
    assert "3 read, 2 parsed, 1 failed" in res.stderr


@pytest.mark.slow
def test_parse_never_destroys_an_input_or_a_previous_output(runner, tmp_path):
    news = tmp_path / "news.jsonl"
    news.write_text('{"id": "a", "text": "Fighting near Sirte, Libya."}\n', encoding="utf-8")
    before = news.read_bytes()
    # The output is the input: refused before anything is opened.
    res = runner.invoke(cli, ["parse", str(news), "-o", str(news), "--fast"])
    assert res.exit_code == 2 and "also an input" in res.output and news.read_bytes() == before
    # A readable file inside an input folder would be read as articles next time.
    res = runner.invoke(cli, ["parse", str(tmp_path), "-o", str(tmp_path / "places.jsonl"), "--fast"])
    assert res.exit_code == 2 and "input folder" in res.output
    # Nothing parsed: the previous output stays as it was, and no temporary file is left.
    out = tmp_path / "out" / "places.jsonl"
    res = runner.invoke(cli, ["parse", str(news), "-o", str(out), "--fast", "-q"])  # (creates out/)
    assert res.exit_code == 0 and json.loads(out.read_text())["id"] == "a"
    kept = out.read_bytes()
    (tmp_path / "empty.txt").write_text("")
    for fmt in ("jsonl", "geojson"):
        res = runner.invoke(cli, ["parse", str(tmp_path / "empty.txt"), "-o", str(out), "-f", fmt, "--fast"])
        assert res.exit_code == 1 and "left as it was" in res.stderr
        assert out.read_bytes() == kept
    assert sorted(p.name for p in out.parent.iterdir()) == ["places.jsonl"]


@pytest.mark.slow
def test_map_format_follows_the_file_name_and_refuses_a_mismatch(runner, tmp_path):
    src = tmp_path / "in" / "a.txt"
    src.parent.mkdir()
    src.write_text("Fighting near Sirte, Libya.", encoding="utf-8")
    res = runner.invoke(cli, ["map", str(src), "-o", str(tmp_path / "m.png"), "--fast", "-q"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "m.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for args in (["-o", str(tmp_path / "x.html"), "--png"], ["-o", str(tmp_path / "x.png"), "--svg"],
                 ["-o", str(tmp_path / "x.svg"), "--fragment"]):
        res = runner.invoke(cli, ["map", str(src), *args, "--fast", "-q"])
        assert res.exit_code == 2, (args, res.output)
    assert not (tmp_path / "x.html").exists() and not (tmp_path / "x.png").exists()


def test_an_errors_file_that_is_an_input_is_refused(runner, tmp_path):
    news = tmp_path / "news.jsonl"
    news.write_text('{"id": "a", "text": "Fighting near Sirte, Libya."}\n', encoding="utf-8")
    res = runner.invoke(cli, ["parse", str(news), "--errors", str(news), "--fast"])
    assert res.exit_code == 2 and "--errors" in res.output and news.read_text().startswith('{"id": "a"')


@pytest.mark.parametrize(("value", "message"), [
    ("Libya", "'Libya' is not a two-letter ISO country code; did you mean LY (Libya)?"),
    ("XX", "'XX' is not a two-letter ISO country code"),
])
def test_lookup_country_must_be_a_known_code_and_a_name_gets_a_hint(runner, mini_gazetteer_path, value, message):
    res = runner.invoke(cli, ["lookup", "Tripoli", "--country", value, "--gazetteer", str(mini_gazetteer_path)])
    assert res.exit_code == 2 and message in res.output, res.output


def test_lookup_country_code_in_lower_case_is_accepted(runner, mini_gazetteer_path):
    res = runner.invoke(cli, ["lookup", "Tripoli", "-c", "lb", "--gazetteer", str(mini_gazetteer_path)])
    assert res.exit_code == 0 and "LB" in res.output and "LY " not in res.output


@pytest.mark.parametrize("command", [["lookup", "Tripoli", "-n", "-3"], ["lookup", "Tripoli", "-n", "0"],
                                     ["eval", "-n", "-1", "--no-published"]])
def test_counts_below_one_are_usage_errors(runner, mini_gazetteer_path, command):
    res = runner.invoke(cli, command)
    assert res.exit_code == 2 and "--limit" in res.output and "x>=1" in res.output, res.output


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_explain_without_json_lines_is_refused_not_ignored(runner, fmt):
    res = runner.invoke(cli, ["parse", str(SEEDS), "--fast", "--explain", "-f", fmt])
    assert res.exit_code == 2 and "--explain" in res.output and "--format jsonl" in res.output


@pytest.mark.parametrize("option", [["--geocoder-option", "domain=x.org"], ["--geocoder-cache", "g.sqlite"],
                                    ["--geocoder-delay", "2"], ["--user-agent", "me"]])
def test_geocoder_settings_without_a_geocoder_are_refused_not_ignored(runner, option):
    res = runner.invoke(cli, ["parse", str(SEEDS), "--fast", *option])
    assert res.exit_code == 2 and option[0] in res.output and "--geocoder SERVICE" in res.output, res.output


def test_a_user_agent_from_the_environment_needs_no_geocoder(runner, mini_gazetteer_path):
    res = runner.invoke(cli, ["parse", "-", "--fast", "--gazetteer", str(mini_gazetteer_path)],
                        input="Clashes in Sirte.", env={"GEOMAP_USER_AGENT": "newsroom-tool"})
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("args", [["-vv", "lookup", "Sirte"], ["lookup", "Sirte", "-vv"],
                                  ["lookup", "-v", "Sirte", "-v"]])
def test_verbose_works_before_or_after_the_command(runner, mini_gazetteer_path, args):
    import logging

    res = runner.invoke(cli, [*args, "--gazetteer", str(mini_gazetteer_path)])
    assert res.exit_code == 0, res.output
    assert logging.getLogger("geomap").level == logging.DEBUG
    assert logging.getLogger("geopy").level == logging.DEBUG
