"""Work grows linearly with article length, even on texts built to be pathological.

No timings (they belong in benchmarks): the tests count the function calls
(Python and built-in) the pipeline makes on a text and on the same text twice
as long. A
quadratic step (re-counting every vote after each update, rescanning the
text for every repeated word, comparing every new span with every taken one)
makes the count grow about four-fold instead of two-fold.
"""

from __future__ import annotations

import sys

import pytest

from geomap import is_compiled
from geomap.pipeline import Geoparser

# Compiled stages make no Python calls to count: these tests measure the pure-Python
# package (what `make test` runs); tests/test_compiled.py shows the compiled one gives the same output.
pytestmark = pytest.mark.skipif(is_compiled(), reason="counts Python calls, which compiled stages do not make")

# Texts that made earlier versions quadratic: a list of places repeated
# (election results, weather tables), sentence-initial capitalised words
# repeated, and one endless sentence of the same place.
PATHOLOGICAL = {
    "repeated place list": "Paris, London, Cairo, Sirte, Derna, Tripoli, Rome, Berlin. ",
    "repeated capitalised words": "Abc Def Ghi Jkl Mno Pqr Stu Vwx. ",
    "one endless sentence": "in Sirte and ",
    # Each known name after a comma asks for the mention before the comma.
    "known names after commas": "He said, Smith went on. ",
}


def _calls(gp: Geoparser, text: str) -> int:
    count = 0

    def profiler(frame, event, arg):  # noqa: ARG001 - the sys.setprofile signature
        nonlocal count
        if event in ("call", "c_call"):  # (C calls too: a quadratic scan may call only builtins)
            count += 1

    sys.setprofile(profiler)
    try:
        gp.parse_text(text)
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("unit", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_fast_pipeline_work_is_linear_in_length(full_gazetteer, unit):
    gp = Geoparser(full_gazetteer, fast=True)
    gp.parse_text(unit * 50)  # warm the caches, so both counts are steady-state
    small, large = _calls(gp, unit * 300), _calls(gp, unit * 600)
    assert large < 2.3 * small, (small, large)


def test_default_pipeline_work_is_linear_in_length(full_gazetteer):
    gp = Geoparser(full_gazetteer)
    unit = PATHOLOGICAL["one endless sentence"]
    gp.parse_text(unit * 50)
    small, large = _calls(gp, unit * 300), _calls(gp, unit * 600)
    assert large < 2.3 * small, (small, large)
