"""Property-based tests: no input crashes the readers or the pipeline, and offsets always hold."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
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


# Bytes built from the pieces readers branch on (BOMs, NULs, quotes, JSON and CSV syntax, cut
# UTF-8 sequences, tags) reach deeper than uniform noise does.
PIECES = st.lists(
    st.one_of(
        st.sampled_from([
            b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00", b"{", b"}", b"[", b'"text"', b'"id"', b":", b",",
            b'"', b"\n", b"\r\n", b"\r", b"\xe9", b"\xc3", b"\xe2\x80", b"\x93", b"\\ud800", b"text,id\n",
            b"<html><body><article><p>", b"</p>", b"<script>", b"Sirte fell on Sunday, residents said. ",
        ]),
        st.binary(max_size=8),
    ),
    max_size=60,
).map(b"".join)


@SETTINGS
@given(
    data=st.one_of(st.binary(max_size=2000), PIECES),
    suffix=st.sampled_from([".txt", ".jsonl", ".json", ".csv", ".html", ".htm"]),
)
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
@given(data=st.one_of(st.binary(max_size=2000), PIECES))
def test_stdin_never_crashes(data):
    got = list(read_paths(["-"], stdin=io.BytesIO(data)))
    assert got and all(isinstance(x, Article | InputFailure) for x in got)


# Article text as a reader should hand it back unchanged: anything but NUL (which marks a binary
# file) and lone surrogates (which no encoding can store).
ARTICLE_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=300
).filter(lambda t: t.strip() != "")
# BOM-less UTF-16 is recognised by its NUL pattern, which only (mostly) Latin-1 text has, and
# only from two characters on (tests/test_readers.py checks U+0100 and the like amid Latin text).
LATIN_TEXT = st.text(st.characters(min_codepoint=1, max_codepoint=0xFF), min_size=2, max_size=300).filter(
    lambda t: t.strip() != ""
)


def texts_and_codec(max_texts: int) -> st.SearchStrategy[tuple[list[str], str]]:
    """Lists of article texts with an encoding able to carry them recognisably."""
    with_bom = st.tuples(st.lists(ARTICLE_TEXT, min_size=1, max_size=max_texts),
                         st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    bomless = st.tuples(st.lists(LATIN_TEXT, min_size=1, max_size=max_texts),
                        st.sampled_from(["utf-16-le", "utf-16-be"]))
    return st.one_of(with_bom, bomless)


@SETTINGS
@given(case=texts_and_codec(5))
def test_jsonl_gives_back_every_text_exactly(tmp_path_factory, case):
    texts, codec = case
    p = tmp_path_factory.mktemp("prop") / "a.jsonl"
    p.write_bytes("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts).encode(codec))
    got = list(read_paths([p]))
    assert [a.text for a in got] == texts, got


@SETTINGS
@given(case=texts_and_codec(5))
def test_csv_gives_back_every_text_exactly(tmp_path_factory, case):
    texts, codec = case
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(["id", "text"])
    writer.writerows([i, t] for i, t in enumerate(texts))
    p = tmp_path_factory.mktemp("prop") / "a.csv"
    p.write_bytes(buf.getvalue().encode(codec))
    got = list(read_paths([p]))
    assert [(a.id, a.text) for a in got] == [(str(i), t) for i, t in enumerate(texts)], got


@SETTINGS
@given(case=texts_and_codec(1))
def test_text_file_body_is_a_verbatim_part_of_the_file(tmp_path_factory, case):
    (text,), codec = case
    assume(not text.startswith("\ufeff"))  # a second BOM is not text
    p = tmp_path_factory.mktemp("prop") / "a.txt"
    p.write_bytes(text.encode(codec))
    (a,) = read_paths([p])
    if isinstance(a, InputFailure):
        assert "empty" in a.reason or "no article text" in a.reason or "binary" in a.reason
        return
    assert text.endswith(a.text)
    if a.title is not None:
        assert a.title in text


@SETTINGS
@given(texts=st.lists(ARTICLE_TEXT, min_size=1, max_size=6), cut=st.integers(min_value=0))
def test_truncated_jsonl_keeps_every_complete_line(tmp_path_factory, texts, cut):
    lines = [(json.dumps({"id": str(i), "text": t}, ensure_ascii=False) + "\n").encode() for i, t in enumerate(texts)]
    data = b"".join(lines)
    cut %= len(data) + 1
    p = tmp_path_factory.mktemp("prop") / "cut.jsonl"
    p.write_bytes(data[:cut])
    got = list(read_paths([p]))
    complete, end = 0, 0
    for line in lines:
        end += len(line)
        complete += end <= cut
    arts = [a for a in got if isinstance(a, Article)]
    assert [a.text for a in arts[:complete]] == texts[:complete]
    assert len(got) == max(complete + (cut > sum(len(x) for x in lines[:complete])), 1)


@SETTINGS
@given(text=st.text(max_size=300))
@example(text="000\x00")  # once read as BOM-less UTF-16 ("〰0"): four bytes are too few to tell
@example(text="\ufeffSirte")
def test_decode_round_trips_utf8(text):
    # A leading U+FEFF encodes to the UTF-8 byte-order mark, which the reader
    # drops, as every text editor does: the bytes cannot tell the two apart.
    expected = text.removeprefix("\ufeff")
    assert decode(text.encode("utf-8"))[0] == expected


@pytest.fixture(scope="module")
def fast(full_gazetteer):
    from geomap.pipeline import Geoparser

    return Geoparser(full_gazetteer, fast=True)


@SETTINGS
@given(text=st.one_of(NEWSY, st.text(max_size=400)), title=st.one_of(st.none(), NEWSY, st.text(max_size=60)))
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
