"""Tests of the geoparsing scorer: every expected number is computed by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from geomap.errors import GeomapError
from geomap.evaluate import (
    EARTH_RADIUS_KM,
    EvalDataError,
    GoldDoc,
    GoldToponym,
    Prediction,
    Scores,
    evaluate,
    find_eval_dir,
    format_table,
    haversine_km,
    load_corpus,
    load_system_outputs,
    match,
    parse_eupeg_line,
    realign,
    score,
)


def gold(start: int, text: str, lat: float | None = 0.0, lon: float | None = 0.0) -> GoldToponym:
    return GoldToponym(start, start + len(text), text, lat, lon)


def pred(start: int, text: str, lat: float | None = 0.0, lon: float | None = 0.0) -> Prediction:
    return Prediction(start, start + len(text), text, lat, lon)


def lon_at_km(km: float) -> float:
    """Longitude on the equator that lies ``km`` east of (0, 0)."""
    return math.degrees(km / EARTH_RADIUS_KM)


def doc(toponyms: list[GoldToponym], id_: str = "d", text: str = "") -> GoldDoc:
    return GoldDoc(id=id_, text=text, toponyms=tuple(toponyms))


# ----------------------------------------------------------------------------- matching


def test_midpoint_nine_apart_matches_ten_apart_does_not():
    g = gold(100, "Paris")  # midpoint 102.5
    assert match([g], [pred(109, "Paris")]) == [(g, pred(109, "Paris"))]  # midpoint 111.5: 9 apart
    assert match([g], [pred(110, "Paris")]) == []  # midpoint 112.5: 10 apart
    assert match([g], [pred(90, "Paris")]) == []  # 10 apart on the other side
    assert len(match([g], [pred(91, "Paris")])) == 1


def test_midpoint_uses_both_ends_not_the_start():
    # Same start, but "Paris, Texas" (12 chars) vs "Paris" (5): midpoints 6 and 2.5.
    g = gold(0, "Paris, Texas")
    assert match([g], [pred(0, "paris, texas")]) != []
    # Different strings never match, whatever the overlap.
    assert match([g], [pred(0, "Paris")]) == []


def test_string_equality_ignores_case_only():
    g = gold(10, "New York")
    assert len(match([g], [pred(10, "NEW YORK")])) == 1
    assert len(match([g], [pred(10, "new york")])) == 1
    assert match([g], [pred(10, "New-York")]) == []
    assert match([g], [pred(10, "New Yor")]) == []


def test_eupeg_mode_ignores_the_string():
    g = gold(10, "New York")
    assert len(match([g], [pred(10, "York")], require_same_text=False)) == 1


def test_each_prediction_used_once():
    # "Paris Paris": two gold spans 6 apart, one prediction near both.
    g1, g2 = gold(0, "Paris"), gold(6, "Paris")
    p = pred(0, "Paris")
    assert match([g1, g2], [p]) == [(g1, p)]
    s = score([doc([g1, g2])], {"d": [p]})
    assert (s.tp, s.n_gold, s.n_pred) == (1, 2, 1)
    assert s.recall == 0.5 and s.precision == 1.0


def test_each_gold_used_once():
    g = gold(0, "Paris")
    s = score([doc([g])], {"d": [pred(0, "Paris"), pred(0, "Paris")]})
    assert (s.tp, s.precision, s.recall) == (1, 0.5, 1.0)


def test_gold_takes_nearest_prediction_so_neighbours_keep_theirs():
    # Gold "Paris" at 6 would also accept the prediction at 0 (6 apart); taking the
    # first eligible one would steal the first gold's prediction.
    g1, g2 = gold(0, "Paris"), gold(6, "Paris")
    p1, p2 = pred(0, "Paris"), pred(6, "Paris")
    assert match([g2, g1], [p2, p1]) == [(g1, p1), (g2, p2)]


# ----------------------------------------------------------------------------- distances


def test_haversine_known_distances():
    # One degree of longitude on the equator: 2 * pi * R / 360.
    assert haversine_km(0, 0, 0, 1) == pytest.approx(2 * math.pi * 6371.0088 / 360, rel=1e-12)
    # Antipodes: half the circumference.
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088, rel=1e-12)
    # Paris - London ~ 343.5 km; New York - Los Angeles ~ 3936 km (great circle).
    assert haversine_km(48.8566, 2.3522, 51.5074, -0.1278) == pytest.approx(343.5, abs=1.0)
    assert haversine_km(40.7128, -74.0060, 34.0522, -118.2437) == pytest.approx(3936, abs=2.0)
    # Symmetric.
    assert haversine_km(1, 2, 3, 4) == pytest.approx(haversine_km(3, 4, 1, 2))


def test_distance_metrics_on_two_city_pairs():
    # Gold Paris predicted at London (343.5 km), gold Los Angeles predicted at New York.
    g = [gold(0, "Paris", 48.8566, 2.3522), gold(20, "Los Angeles", 34.0522, -118.2437)]
    p = [pred(0, "Paris", 51.5074, -0.1278), pred(20, "Los Angeles", 40.7128, -74.0060)]
    s = score([doc(g)], {"d": p})
    d1 = haversine_km(48.8566, 2.3522, 51.5074, -0.1278)
    d2 = haversine_km(34.0522, -118.2437, 40.7128, -74.0060)
    assert s.n_matched == 2
    assert s.acc161 == 0.0
    assert s.mean_km == pytest.approx((d1 + d2) / 2)
    assert s.median_km == pytest.approx((d1 + d2) / 2)
    # Two points: the trapezoid is the mean of the two normalised log errors.
    expected_auc = (math.log(1 + d1) + math.log(1 + d2)) / 2 / math.log(20039)
    assert s.auc == pytest.approx(expected_auc)
    assert s.f1_161 == 0.0 and s.f1 == 1.0


def test_auc_is_the_trapezoid_not_the_mean():
    # Errors 0, 0 and sqrt(20039) - 1 km: normalised log errors 0, 0, 0.5.
    # Trapezoid over sorted values, unit steps: (0+0)/2 + (0+0.5)/2 = 0.25, / (n-1)=2 -> 0.125
    # (the plain mean would be 1/6).
    err = math.sqrt(20039) - 1
    g = [gold(0, "A"), gold(20, "B"), gold(40, "C")]
    p = [pred(0, "A"), pred(20, "B"), pred(40, "C", 0.0, lon_at_km(err))]
    s = score([doc(g)], {"d": p})
    assert s.auc == pytest.approx(0.125, abs=1e-9)
    assert s.median_km == pytest.approx(0.0, abs=1e-6)
    assert s.mean_km == pytest.approx(err / 3, rel=1e-9)


def test_auc_single_pair_is_its_normalised_error():
    g, p = gold(0, "A"), pred(0, "A", 0.0, lon_at_km(100))
    assert score([doc([g])], {"d": [p]}).auc == pytest.approx(math.log(101) / math.log(20039))


def test_acc161_is_strict():
    g = [gold(0, "A"), gold(20, "B")]
    p = [pred(0, "A", 0.0, lon_at_km(160.9)), pred(20, "B", 0.0, lon_at_km(161.1))]
    assert score([doc(g)], {"d": p}).acc161 == 0.5


# ----------------------------------------------------------------------------- coordinates


def test_predictions_without_coordinates_are_dropped():
    g = [gold(0, "Paris")]
    s = score([doc(g)], {"d": [pred(0, "Paris", None, None), pred(50, "Lyon", None, 4.8)]})
    assert (s.n_pred, s.tp, s.precision, s.recall, s.f1) == (0, 0, 0.0, 0.0, 0.0)
    assert math.isnan(s.acc161) and math.isnan(s.mean_km) and math.isnan(s.auc)


def test_gold_without_coordinates_is_excluded_and_its_match_is_a_false_positive():
    g = [gold(0, "Paris"), gold(20, "Atlantis", None, None)]
    p = [pred(0, "Paris"), pred(20, "Atlantis")]
    s = score([doc(g)], {"d": p})
    assert (s.n_gold, s.n_pred, s.tp) == (1, 2, 1)
    assert (s.precision, s.recall) == (0.5, 1.0)


def test_f1_at_161_by_hand():
    # 4 gold, 5 predictions; 3 matched, 2 of them within 161 km (0 and 100 km), 1 at 500 km.
    g = [gold(0, "A"), gold(20, "B"), gold(40, "C"), gold(60, "D")]
    p = [
        pred(0, "A"),
        pred(20, "B", 0.0, lon_at_km(100)),
        pred(40, "C", 0.0, lon_at_km(500)),
        pred(60, "E"),  # different string: false positive
        pred(80, "F"),  # nothing there: false positive
    ]
    s = score([doc(g)], {"d": p})
    assert (s.tp, s.tp161, s.n_gold, s.n_pred) == (3, 2, 4, 5)
    assert s.precision == pytest.approx(3 / 5) and s.recall == pytest.approx(3 / 4)
    assert s.f1 == pytest.approx(2 * 0.6 * 0.75 / 1.35)  # 0.6667
    assert s.f1_161 == pytest.approx(2 * 0.4 * 0.5 / 0.9)  # P@161 2/5, R@161 2/4 -> 0.4444
    assert s.acc161 == pytest.approx(2 / 3)
    assert s.mean_km == pytest.approx(200, rel=1e-9) and s.median_km == pytest.approx(100, rel=1e-9)


def test_scores_are_micro_averaged_over_documents_and_missing_docs_have_no_predictions():
    d1 = doc([gold(0, "A")], id_="1")
    d2 = doc([gold(0, "B"), gold(10, "C")], id_="2")
    s = score([d1, d2], {"1": [pred(0, "A")], "ignored": [pred(0, "B")]})
    assert (s.n_gold, s.n_pred, s.tp) == (3, 1, 1)
    assert s.recall == pytest.approx(1 / 3)


# ----------------------------------------------------------------------------- formats


def test_parse_eupeg_line():
    line = "Paris,,Paris,,48.85,,2.35,,0,,5||No Gaz,,Lyon,,,,,,10,,14||L,,London,,51.5,,-0.1,,20,,26,,3.2||"
    assert parse_eupeg_line(line) == [
        Prediction(0, 5, "Paris", 48.85, 2.35),
        Prediction(10, 14, "Lyon", None, None),
        Prediction(20, 26, "London", 51.5, -0.1),
    ]
    assert parse_eupeg_line("") == []
    with pytest.raises(ValueError, match="fields"):
        parse_eupeg_line("Paris,,Paris,,1,,2")


def test_realign_moves_to_the_nearest_occurrence():
    text = "Paris is far from Lyon; Lyon is near."
    assert realign(text, pred(20, "Lyon")) == pred(18, "Lyon")  # drifted by 2
    assert realign(text, pred(26, "lyon")) == pred(24, "lyon")
    assert realign(text, pred(0, "Paris")) == pred(0, "Paris")  # already right
    assert realign(text, pred(3, "Nice")) == pred(3, "Nice")  # nowhere: unchanged


def test_format_table():
    s = score([doc([gold(0, "A")])], {"d": [pred(0, "A")]})
    nan = Scores(0, 0, 0, math.nan, math.nan, math.nan, math.nan, math.nan, math.nan, math.nan,
                 math.nan, 0)
    table = format_table({"sys": s, "empty": nan})
    lines = table.splitlines()
    assert lines[0].startswith("| System |") and "F1@161" in lines[0]
    assert lines[2] == "| sys | 1 | 1 | 1 | 1.000 | 1.000 | 1.000 | 1.000 | 0 | 0.0 | 0.000 | 1.000 |"
    assert lines[3].count("–") == 8


# ----------------------------------------------------------------------------- loaders


@pytest.fixture
def eval_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    text = "Paris and Lyon."
    rec = {
        "id": "7",
        "title": "T",
        "text": text,
        "toponyms": [
            {"start": 0, "end": 5, "name": "Paris", "lat": 48.85, "lon": 2.35, "geocoding_gold": True},
            {"start": 10, "end": 14, "name": "Lyon", "lat": 45.76, "lon": 4.84, "geocoding_gold": False},
            {"start": 10, "end": 14, "name": "Lyon", "lat": None, "lon": None},
        ],
    }
    (tmp_path / "geowebnews").mkdir()
    (tmp_path / "geowebnews" / "gold.jsonl").write_text(json.dumps(rec) + "\n", encoding="utf-8")
    out = tmp_path / "_system_outputs" / "eupeg"
    out.mkdir(parents=True)
    (out / "GeoWebNews_Foo.txt").write_text("Paris,,Paris,,48.85,,2.35,,0,,5||\n", encoding="utf-8")
    (out / "GeoWebNews_gold.txt").write_text("x,,Paris,,1,,2,,0,,5||\n", encoding="utf-8")
    (tmp_path / "_system_outputs" / "pragmatic_gwn").mkdir()
    (tmp_path / "_system_outputs" / "pragmatic_gwn" / "gwn_edin.txt").write_text(
        "Lyon,,Lyon,,45.76,,4.84,,12,,16", encoding="utf-8"
    )
    monkeypatch.setenv("GEOMAP_EVAL_DIR", str(tmp_path))
    return tmp_path


def test_load_corpus_reads_gold_and_blanks_non_geocoding_toponyms(eval_root: Path):
    assert find_eval_dir() == eval_root
    docs = load_corpus("GWN")
    assert [d.id for d in docs] == ["7"] and docs[0].title == "T"
    assert docs[0].toponyms == (
        GoldToponym(0, 5, "Paris", 48.85, 2.35),
        GoldToponym(10, 14, "Lyon", None, None),
        GoldToponym(10, 14, "Lyon", None, None),
    )
    assert load_corpus(eval_root / "geowebnews") == docs
    assert load_corpus(eval_root / "geowebnews" / "gold.jsonl") == docs


def test_load_system_outputs_aligns_lines_with_documents(eval_root: Path):
    outs = load_system_outputs("geowebnews")
    assert set(outs) == {"Foo (EUPEG)", "Edinburgh (Gritta2020)"}  # *_gold.txt skipped
    assert outs["Foo (EUPEG)"] == {"7": [Prediction(0, 5, "Paris", 48.85, 2.35)]}
    # Edinburgh's offsets drifted by 2 chars: realign fixes them.
    assert outs["Edinburgh (Gritta2020)"]["7"][0].start == 12
    fixed = load_system_outputs("geowebnews", realign_offsets=True)
    assert fixed["Edinburgh (Gritta2020)"]["7"][0].start == 10
    assert load_system_outputs("lgl") == {}


def test_load_system_outputs_rejects_misaligned_files(eval_root: Path):
    path = eval_root / "_system_outputs" / "eupeg" / "GeoWebNews_Foo.txt"
    path.write_text("||\n||\n", encoding="utf-8")
    with pytest.raises(EvalDataError, match="2 lines for 1"):
        load_system_outputs("geowebnews")


def test_missing_eval_dir_and_unknown_corpus_raise_geomap_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOMAP_EVAL_DIR", str(tmp_path / "absent"))
    assert find_eval_dir() is None
    with pytest.raises(EvalDataError, match="GEOMAP_EVAL_DIR"):
        load_corpus("lgl")
    with pytest.raises(GeomapError, match="unknown corpus"):
        load_corpus("nope", eval_dir=tmp_path)
    with pytest.raises(FileNotFoundError):
        load_corpus(tmp_path / "missing.jsonl")


def test_evaluate_runs_the_callable_on_each_text(eval_root: Path):
    seen: list[str] = []
    progress: list[tuple[int, int]] = []

    def geoparser(text: str) -> list[Prediction]:
        seen.append(text)
        return [Prediction(0, 5, "PARIS", 48.85, 2.36)]

    s = evaluate(geoparser, "geowebnews", progress=lambda i, n: progress.append((i, n)))
    assert seen == ["Paris and Lyon."] and progress == [(1, 1)]
    assert (s.n_gold, s.tp, s.acc161) == (1, 1, 1.0)
    assert s.mean_km == pytest.approx(haversine_km(48.85, 2.35, 48.85, 2.36))
    assert evaluate(geoparser, [], limit=0).n_gold == 0


# ----------------------------------------------------------------------------- real corpora

REAL = find_eval_dir()
needs_corpora = pytest.mark.skipif(
    REAL is None or not (REAL / "geowebnews" / "gold.jsonl").is_file(), reason="eval corpora absent"
)


@needs_corpora
@pytest.mark.parametrize(
    ("corpus", "docs", "counted"),
    [("geowebnews", 200, 2401), ("lgl", 588, 4462), ("geovirus", 229, 2170)],
)
def test_real_corpus_counts(corpus, docs, counted):
    gold_docs = load_corpus(corpus, eval_dir=REAL)
    assert len(gold_docs) == docs
    assert sum(t.lat is not None for d in gold_docs for t in d.toponyms) == counted


@needs_corpora
def test_published_camcoder_f1_at_161_reproduced():
    docs = load_corpus("lgl", eval_dir=REAL)
    s = score(docs, load_system_outputs("lgl", eval_dir=REAL)["CamCoder (EUPEG)"])
    assert (round(s.f1, 3), round(s.f1_161, 3)) == (0.654, 0.469)


# ----------------------------------------------------------------------------- benchmark adapter


def test_benchmark_adapter_maps_article_result_to_predictions(monkeypatch):
    import importlib.util
    import sys
    import types

    from geomap.model import (
        Article,
        ArticleResult,
        Event,
        GeoMention,
        Mention,
        Place,
        Resolution,
    )

    text = "Floods in Lyon."
    lyon = Place(name="Lyon", id="2996944", lat=45.75, lon=4.85, feature="PPLA")
    ev = Event(type="disaster", score=0.9)

    def fake_geoparse_text(t: str) -> ArticleResult:
        assert t == text
        return ArticleResult(
            article=Article(id="x", title="Paris news", text=t, source="-"),
            mentions=(
                GeoMention(Mention(10, 14, "Lyon"), Resolution(lyon, 0.9, "gazetteer"), ev),
                GeoMention(Mention(0, 5, "Paris", field="title"), Resolution(lyon, 0.9, "gazetteer"), ev),
                GeoMention(Mention(0, 6, "Floods"), Resolution(None, 0.0, "none"), ev),
            ),
        )

    fake = types.ModuleType("geomap.pipeline")
    fake.geoparse_text = fake_geoparse_text  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "geomap.pipeline", fake)
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "accuracy.py"
    spec = importlib.util.spec_from_file_location("bench_accuracy", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    runner = module.load_geomap()
    assert isinstance(runner, module.GeomapRunner)
    assert runner(text) == [
        Prediction(10, 14, "Lyon", 45.75, 4.85),  # title mention skipped
        Prediction(0, 6, "Floods", None, None),  # unresolved: kept without coordinates
    ]
