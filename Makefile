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

# GOV.UK Frontend's scripts and images from the npm registry at build time, and our stylesheet
# compiled from its Sass (Arial, not the GOV.UK-only font; asset URLs under /static/govuk/);
# Swagger UI's for the API docs (/static/swagger/). Nothing is loaded from a CDN. The dev
# dependencies come too, whatever NODE_ENV says: the tests run npm oidc-provider.
assets: api/static/govuk/.installed

api/static/govuk/.installed: package.json package-lock.json $(wildcard api/web/assets/*)
	npm ci --include=dev --no-audit --no-fund --silent
	npm run --silent build
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

# The whole tree as far as its libraries' types reach, then the domain with --strict.
typecheck: $(VENV)/.dev
	$(BIN)/mypy
	$(BIN)/mypy --strict workflow

# Schemathesis gives every generated operation the same test id, and xdist's loadgroup
# scheduler keys work by id (it would run one operation of 33), so it has a run of its own.
SCHEMA_TESTS := tests/api/test_http_schema.py

test: $(VENV)/.dev assets lint typecheck
	$(BIN)/pytest -n 2 --dist loadgroup --ignore=$(SCHEMA_TESTS) $(PYTEST_ARGS)
	$(BIN)/pytest -n 2 --dist load $(SCHEMA_TESTS) $(PYTEST_ARGS)

# On PostgreSQL (COUNCILFLOW_TEST_DATABASE_URL, else postgres@127.0.0.1:5432): every benchmark,
# or one with its options, e.g. make bench BENCH="transitions --seconds 5 --profile /tmp/defer".
bench: $(VENV)/.dev
	$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) node_modules api/static/govuk api/static/swagger .pytest_cache .mypy_cache .ruff_cache
