# geomap: two commands on a fresh machine.
#   make demo   create .venv, install, build the gazetteer, geoparse seeds/ and write seeds-map.html
#   make test   install if needed, then run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test lint gazetteer bench clean assets

ASSETS := geomap/assets/MANIFEST.json

# Map assets (Leaflet, markercluster, Natural Earth basemap) come from the npm
# registry, pinned by package-lock.json, and are copied into the package.
$(ASSETS): package.json package-lock.json geomap/render_assets.py
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(PYTHON) -m geomap.render_assets sync

assets: $(ASSETS)

$(STAMP): pyproject.toml $(ASSETS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

gazetteer: install
	$(BIN)/geomap gazetteer build

demo: install gazetteer
	$(BIN)/geomap parse seeds/ --format jsonl -o seeds.jsonl
	$(BIN)/geomap map seeds/ -o seeds-map.html
	@echo "Open seeds-map.html in a browser (works offline). Data: seeds.jsonl"

test: install gazetteer
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

bench: install gazetteer
	$(BIN)/python benchmarks/gazetteer.py
	$(BIN)/python benchmarks/accuracy.py
	$(BIN)/python benchmarks/events.py
	$(BIN)/python benchmarks/speed.py
	$(BIN)/python benchmarks/scaling.py
	$(BIN)/python benchmarks/maps.py

clean:
	rm -rf $(VENV) build *.egg-info seeds-map.html seeds.jsonl .pytest_cache .mypy_cache node_modules geomap/assets
