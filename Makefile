# evimap: the two set-up commands are `make demo` and `make test`; each works on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB := build/demo.duckdb

.PHONY: demo test lint typecheck lock vocab bench clean train-ner browser-deps

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p build
	rm -f $(DEMO_DB)
	$(BIN)/evimap --db $(DEMO_DB) ingest examples/corpus
	$(BIN)/evimap --db $(DEMO_DB) report --out build/demo-report.html
	@echo "Evidence report written to build/demo-report.html"

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy

# `make test` installs nothing outside .venv. The browser test of `evimap serve` needs
# chromium and chromedriver; without them it is skipped, and pytest's summary says so.
test: $(STAMP) lint
	@{ [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || echo "note: chromium or \
	chromedriver missing: the browser test will be skipped (install them with: sudo make browser-deps)"
	$(BIN)/pytest -q

# An explicit step (CI runs it before `make test`): installs Debian's chromium and
# chromium-driver with apt-get (needs root) for the browser test, saying so first.
browser-deps:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium and chromium-driver for the browser test"; \
		( apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium chromium-driver ) \
		|| echo "note: could not install chromium/chromium-driver; the browser test will be skipped"; \
	else echo "note: chromium or chromedriver missing (and not root with apt-get); the browser test will be skipped"; fi

# Re-resolve the lockfile (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

vocab: $(STAMP)
	$(BIN)/evimap vocab build

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache

# Rebuild the shipped NER model from BC5CDR Training (then check it: evimap eval ner ...).
train-ner: $(STAMP)
	$(BIN)/evimap train ner

# Rebuild the shipped CID relation classifier (then check it: evimap eval cid ...).
.PHONY: train-cid
train-cid: $(STAMP)
	$(BIN)/evimap train cid

# Rebuild the shipped typed relation model (then check it: evimap eval relations ...).
.PHONY: train-relations
train-relations: $(STAMP)
	$(BIN)/evimap train relations

# Rebuild the shipped sentence-level pair model from pages-dev 001-040 (then: evimap eval pages).
.PHONY: train-pairs
train-pairs: $(STAMP)
	$(BIN)/evimap train pairs

# Rebuild the cleaner's line model (chrome vs content) from pages-dev 001-040 and own pages
# (then: evimap eval pages).
.PHONY: train-boilerplate
train-boilerplate: $(STAMP)
	$(BIN)/evimap train boilerplate
