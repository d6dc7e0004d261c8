"""The geopy fallback against a real HTTP server on 127.0.0.1 speaking Nominatim's search API."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from geomap.errors import ConfigurationError
from geomap.geocode import CIRCUIT_BREAKER, GeopyFallback

ES_SIDER = [{"place_id": 1, "osm_type": "node", "osm_id": 42, "lat": "30.6296", "lon": "18.3522",
             "display_name": "Es Sider, Sirte District, Libya", "class": "place", "type": "village",
             "importance": 0.3, "address": {"country_code": "ly"}}]


ZLITEN = [dict(ES_SIDER[0], osm_id=43, lat="32.467", lon="14.567", display_name="Zliten, Misrata, Libya")]
WADI = [dict(ES_SIDER[0], osm_id=44, lat="30.95", lon="16.93", display_name="Wadi Jaref, Sirte District, Libya")]
KNOWN = {"Es Sider": ES_SIDER, "Zliten": ZLITEN, "Wadi Jaref": WADI}


class Nominatim(BaseHTTPRequestHandler):
    mode = "ok"
    hits: list = []

    def do_GET(self):  # noqa: N802
        url = urlsplit(self.path)
        q = parse_qs(url.query)
        type(self).hits.append((url.path, q))
        mode = type(self).mode
        if mode == "slow":
            time.sleep(1.5)
        if mode in ("429", "500", "503"):
            self.send_response(int(mode))
            self.end_headers()
            return
        body = b"<html>not json" if mode == "garbage" else json.dumps(
            [{"display_name": "X"}] if mode == "nolatlon" else
            (KNOWN.get(q.get("q", [""])[0], []))).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def server():
    Nominatim.mode = "ok"
    Nominatim.hits = []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Nominatim)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def make(tmp_path, port, **kw):
    opts = {"domain": f"127.0.0.1:{port}", "scheme": "http"}
    return GeopyFallback("nominatim", user_agent="geomap-tests", options=opts, cache_path=tmp_path / "c.sqlite",
                         min_delay_seconds=0.0, timeout=kw.pop("timeout", 5), max_retries=0, **kw)


def test_hit_is_a_place_and_cached(tmp_path, server):
    gc = make(tmp_path, server.server_address[1])
    place = gc.geocode("Es Sider", country_code="LY")
    assert place.name == "Es Sider" and abs(place.lat - 30.6296) < 1e-6 and place.country_code == "LY"
    assert place.id == "geocoder:nominatim:node:42"
    path, q = Nominatim.hits[0]
    assert path == "/search" and q["q"] == ["Es Sider"] and q["countrycodes"] == ["ly"]
    # Second run: server gone, answer from the persistent cache.
    server.shutdown()
    gc2 = make(tmp_path, server.server_address[1])
    assert gc2.geocode("es sider", country_code="ly").lat == place.lat
    assert gc2.stats["cache_hits"] == 1 and gc2.stats["calls"] == 0


def test_misses_are_cached(tmp_path, server):
    gc = make(tmp_path, server.server_address[1])
    assert gc.geocode("Atlantis") is None
    assert gc.geocode("Atlantis") is None
    assert len(Nominatim.hits) == 1 and gc.stats["cache_hits"] == 1


# geopy itself classifies 503 and read timeouts (as unavailable or timed out).
@pytest.mark.parametrize(("mode", "kinds"), [("429", {"rate_limited"}), ("500", {"service_error"}),
                                              ("503", {"unavailable", "timeout"}), ("garbage", {"malformed"}),
                                              ("nolatlon", {"malformed"}), ("slow", {"timeout", "unavailable"})])
def test_faults_are_survived(tmp_path, server, caplog, mode, kinds):
    Nominatim.mode = mode
    gc = make(tmp_path, server.server_address[1], timeout=0.5)
    with caplog.at_level("WARNING", logger="geomap"):
        assert gc.geocode("Es Sider") is None
        assert gc.geocode("Tobruk Port") is None
    failures = {k: v for k, v in gc.stats.items() if k.startswith("failures_")}
    assert len(failures) == 1 and next(iter(failures)).removeprefix("failures_") in kinds, failures
    warnings = [r for r in caplog.records if "failed" in r.getMessage()]
    assert len(warnings) == 1  # once per kind, not per name
    # Faults are not cached: a later run may succeed.
    Nominatim.mode = "ok"
    assert make(tmp_path, server.server_address[1]).geocode("Es Sider") is not None


def test_connection_refused_trips_the_circuit_breaker(tmp_path, caplog):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens here
    gc = make(tmp_path, port)
    with caplog.at_level("WARNING", logger="geomap"):
        for i in range(CIRCUIT_BREAKER + 3):
            assert gc.geocode(f"Place {i}") is None
    assert gc.stats["calls"] == CIRCUIT_BREAKER and gc.stats["skipped"] == 3
    assert any("not asking it again" in r.getMessage() for r in caplog.records)


def test_user_agent_is_required(tmp_path):
    with pytest.raises(ConfigurationError, match="--user-agent"):
        GeopyFallback("nominatim", user_agent=None, cache_path=tmp_path / "c.sqlite")


def test_unknown_service_lists_the_options(tmp_path):
    with pytest.raises(ConfigurationError, match="options are: .*nominatim"):
        GeopyFallback("nosuch", user_agent="x", cache_path=tmp_path / "c.sqlite")


def test_pipeline_uses_the_geocoder_only_for_unknown_names(tmp_path, server, mini_gazetteer):
    from geomap.pipeline import Geoparser

    gc = make(tmp_path, server.server_address[1])
    gp = Geoparser(mini_gazetteer, fast=True, geocoder=gc)
    res = gp.parse_text("Fighting in Sirte, Libya, spread to the town of Zliten.")
    by_text = {g.mention.text: g.resolution for g in res.mentions}
    assert by_text["Zliten"].method == "geocoder" and by_text["Zliten"].place.country_code == "LY"
    assert by_text["Sirte"].method != "geocoder"
    assert [q["q"] for _p, q in Nominatim.hits] == [["Zliten"]]


def test_cli_geocoder_options(tmp_path, server):
    from click.testing import CliRunner

    from geomap.cli import cli

    port = server.server_address[1]
    args = ["parse", "-", "--fast", "--geocoder", "nominatim", "--geocoder-option", f"domain=127.0.0.1:{port}",
            "--geocoder-option", "scheme=http", "--geocoder-cache", str(tmp_path / "g.sqlite"),
            "--geocoder-delay", "0"]
    text = "Clashes in Sirte, Libya, reached the area of Wadi Jaref."
    res = CliRunner().invoke(cli, args, input=text)
    assert res.exit_code == 1 and "--user-agent" in res.output  # required
    res = CliRunner().invoke(cli, [*args, "--user-agent", "geomap-tests"], input=text)
    assert res.exit_code == 0, res.output
    rec = json.loads(res.stdout)
    zl = [m for m in rec["mentions"] if m["text"] == "Wadi Jaref"]
    assert zl and zl[0]["method"] == "geocoder" and zl[0]["place"]["id"].startswith("geocoder:nominatim")
    assert "geocoder nominatim: calls 1" in res.stderr


def test_only_names_the_grammar_calls_places_are_sent(tmp_path, server, full_gazetteer):
    # The NER calls people, groups and events "places" at times; a geocoder
    # answers nearly anything, so only cue-backed unknown names are asked.
    from geomap.model import Mention
    from geomap.pipeline import Geoparser, _geocodable

    def asked(text: str, name: str) -> bool:
        i = text.index(name)
        return _geocodable(text, Mention(i, i + len(name), name))

    assert asked("Clashes spread to the town of Zliten.", "Zliten")
    assert asked("Fighting in Wadi Jaref went on.", "Wadi Jaref") and asked("Zliten district", "Zliten")
    assert not asked("Egyptian Foreign Minister Sameh Shukri said so.", "Sameh Shukri")
    assert not asked("Speaking at the Ministerial Conference of the Coalition", "Ministerial Conference")
    assert not asked("The US backed the Syrian Democratic Forces.", "Syrian Democratic")
    # The seed articles: their NER "places" include ministers and a conference.
    from geomap.readers import read_paths

    from .conftest import SEEDS

    gp = Geoparser(full_gazetteer, geocoder=make(tmp_path, server.server_address[1]))
    list(gp.parse_many([a for a in read_paths([SEEDS]) if hasattr(a, "text")]))
    queries = [q["q"][0] for _p, q in Nominatim.hits]
    assert not any(w in q for q in queries for w in ("Shukri", "Missmari", "Gheit", "Sisi", "Conference")), queries
    res = gp.parse_text("Clashes near Sirte reached the area of Wadi Jaref on Monday.")
    assert [g.resolution.method for g in res.mentions if g.mention.text == "Wadi Jaref"] == ["geocoder"]


def test_cli_an_unreachable_geocoder_gives_warnings_not_tracebacks(tmp_path):
    # In a real process: pytest's own log handlers would swallow what a user sees.
    import subprocess
    import sys

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = [sys.executable, "-m", "geomap", "parse", "-", "--fast", "--geocoder", "nominatim",
            "--user-agent", "geomap-tests", "--geocoder-option", f"domain=127.0.0.1:{port}",
            "--geocoder-option", "scheme=http", "--geocoder-cache", str(tmp_path / "g.sqlite"),
            "--geocoder-delay", "0"]
    proc = subprocess.run(args, input="Clashes in Sirte, Libya, reached the area of Wadi Jaref.",
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "RateLimiter" not in proc.stderr, proc.stderr
    assert "geocoder nominatim" in proc.stderr  # geomap's own warning and summary remain
