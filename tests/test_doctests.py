"""The examples in geomap's docstrings run and give what they show."""

import doctest
import importlib
import pkgutil

import pytest

import geomap

MODULES = sorted(m.name for m in pkgutil.iter_modules(geomap.__path__, "geomap.") if m.name != "geomap.__main__")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
