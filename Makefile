# evimap: the two set-up commands are `make demo` and `make test`; each works on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB := build/demo.duckdb

.PHONY: demo test lint typecheck lock vocab bench clean train-ner

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

test: $(STAMP) lint
	$(BIN)/pytest -q

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
