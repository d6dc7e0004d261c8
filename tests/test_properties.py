"""Property-based tests: no input crashes the readers or the pipeline, and offsets always hold."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomap.model import Article, InputFailure
from geomap.readers import decode, read_paths

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text that looks like news more often than uniform noise does: place names,
# punctuation, newlines, quotes and a sprinkle of arbitrary characters.
WORDS = st.sampled_from([
    "Sirte", "Derna", "Beni Jawad", "Tripoli", "Libya", "Egypt", "Rome", "Paris, Texas", "al-Sisi", "IS",
    "seized", "met", "in", "the", "near", "air strikes", "Read More", "Photo:", "\n", "\n\n", ",", ".", "—",
    "“", "”", "'s", "U.S.", "SIRTE —", "Libyan", "<script>alert(1)</script>", "&amp;", "Ras Lanuf",
])
NEWSY = st.lists(st.one_of(WORDS, st.text(max_size=8)), max_size=40).map(" ".join)


@SETTINGS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".txt", ".jsonl", ".csv", ".html"]))
def test_readers_never_crash_and_account_for_every_file(tmp_path_factory, data, suffix):
    p = tmp_path_factory.mktemp("prop") / f"input{suffix}"
    p.write_bytes(data)
    got = list(read_paths([p]))
    assert got, "every file yields at least one article or failure"
    for item in got:
        assert isinstance(item, Article | InputFailure)
        if isinstance(item, Article):
            assert item.text.strip()
        else:
            assert item.reason and item.source == str(p)


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_stdin_never_crashes(data):
    got = list(read_paths(["-"], stdin=io.BytesIO(data)))
    assert got and all(isinstance(x, Article | InputFailure) for x in got)


@SETTINGS
@given(text=st.text(max_size=300))
def test_decode_round_trips_utf8(text):
    assert decode(text.encode("utf-8"))[0] == text


@pytest.fixture(scope="module")
def fast(full_gazetteer):
    from geomap.pipeline import Geoparser

    return Geoparser(full_gazetteer, fast=True)


@SETTINGS
@given(text=NEWSY, title=st.one_of(st.none(), NEWSY))
def test_pipeline_never_crashes_and_offsets_hold(fast, text, title):
    if not text.strip():
        return
    result = fast.parse(Article(id="p", title=title or None, text=text, source="prop"))
    for g in result.mentions:
        m = g.mention
        base = result.article.title if m.field == "title" else result.article.text
        assert base[m.start : m.end] == m.text
        assert 0.0 <= g.resolution.score <= 1.0 and 0.0 <= g.event.score <= 1.0
        if g.event.trigger is not None:
            t = g.event.trigger
            assert base[t.start : t.end] == t.text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=NEWSY)
def test_default_pipeline_offsets_hold(geoparser, text):
    if not text.strip():
        return
    result = geoparser.parse(Article(id="p", title=None, text=text, source="prop"))
    for g in result.mentions:
        assert text[g.mention.start : g.mention.end] == g.mention.text
