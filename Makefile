# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export COUNCILFLOW_DATABASE_URL ?= sqlite:///./councilflow.db

.PHONY: run test lint typecheck assets migrate demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.runtime

# GOV.UK Frontend's styles, scripts, fonts and images, from the npm registry at build time.
assets: api/static/govuk/.installed

api/static/govuk/.installed: package.json
	npm install --no-audit --no-fund --silent
	rm -rf api/static/govuk && mkdir -p api/static/govuk
	cp -r node_modules/govuk-frontend/dist/govuk/. api/static/govuk/
	touch $@

migrate: $(VENV)/.runtime
	$(BIN)/councilflow db upgrade

run: $(VENV)/.runtime assets migrate
	$(BIN)/councilflow serve --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

demo: $(VENV)/.runtime migrate
	$(BIN)/councilflow demo

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint Dockerfile

typecheck: $(VENV)/.dev
	$(BIN)/mypy

test: $(VENV)/.dev assets lint typecheck
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

bench: $(VENV)/.dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules api/static/govuk .pytest_cache .mypy_cache .ruff_cache
