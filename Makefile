# Verbatim: `make run` to try it, `make test` to test it. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
VERBATIM := $(BIN)/verbatim
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: help install browser-deps bench bench-quality bench-ingest bench-query bench-scale bench-encode bench-highlight bench-provenance bench-excerpts bench-phrases bench-hostile bench-fusion bench-evidence bench-documents bench-feedback bench-repeats load es-up es-down es-status cluster-up cluster-down sample run serve test test-unit test-faults fuzz lint typecheck clean

help:
	@echo "make run        set up, start Elasticsearch, index the samples, serve http://$(HOST):$(PORT)"
	@echo "make test       set up, start Elasticsearch, run the whole test suite"
	@echo "make install    create .venv and install Verbatim into it"
	@echo "make es-up | es-down | es-status   manage the local Elasticsearch node"
	@echo "make cluster-up | cluster-down     a local three-node replica cluster"
	@echo "make lint       ruff"
	@echo "make typecheck  mypy (strict); make test runs it first"

# The venv is rebuilt only when pyproject.toml changes; pip's cache makes a rebuild offline.
install: $(STAMP)
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

es-up: install
	$(VERBATIM) es up

es-down: install
	$(VERBATIM) es down

es-status: install
	$(VERBATIM) es status

# A local three-node replica cluster (ports 9201-9203, 1 GB heap each); see README, Operations.
cluster-up: install
	$(VERBATIM) es cluster-up

cluster-down: install
	$(VERBATIM) es cluster-down

sample: es-up
	$(VERBATIM) index samples --collection samples --report .verbatim/samples-report.json

run: sample
	$(VERBATIM) serve --host $(HOST) --port $(PORT)

test: typecheck es-up browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Browser tests drive Debian's Chromium through Playwright (never `playwright install`).
browser-deps:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need /usr/bin/chromium: sudo apt-get install chromium"; fi; }

test-faults: es-up
	$(BIN)/python -m pytest tests/faults $(PYTEST_ARGS)

# A longer property-based run of the API against its OpenAPI description.
fuzz: es-up
	VERBATIM_FUZZ_EXAMPLES=1000 $(BIN)/python -m pytest tests/integration/test_fuzz.py $(PYTEST_ARGS)

test-unit: install
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

# Benchmarks (see BENCHMARKS.md). They need the shared data beside the checkout.
BENCH_DEPS := $(VENV)/.bench-stamp
$(BENCH_DEPS): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(BENCH_DEPS)

bench: bench-quality bench-ingest bench-query bench-scale bench-encode

bench-quality: es-up $(BENCH_DEPS)
	$(BIN)/python -m bench.quality $(BENCH_ARGS)

bench-ingest: es-up $(BENCH_DEPS)
	$(BIN)/python -m bench.ingest $(BENCH_ARGS)

bench-query: es-up $(BENCH_DEPS)
	$(BIN)/python -m bench.query $(BENCH_ARGS)

bench-scale: es-up $(BENCH_DEPS)
	$(BIN)/python -m bench.scale $(BENCH_ARGS)

# Load: 32 concurrent clients for 60 s against gunicorn over 100,000 passages, the three modes
# mixed with type, date and speaker filters.
load: es-up $(BENCH_DEPS)
	$(BIN)/python -m bench.query --passages 100000 --clients 32 --duration 60 --modes mixed \
	  --output load $(BENCH_ARGS)

# Two hostile clients beside 16 ordinary ones, in alternating windows of one run.
bench-hostile: es-up $(BENCH_DEPS)
	$(BIN)/python -m bench.hostile $(BENCH_ARGS)

# Each CPU encoder backend against PyTorch: speed, and SciFact nDCG@10 (indexes SciFact once
# per backend; BENCH_ARGS=--skip-quality for the speed only).
bench-encode: es-up $(BENCH_DEPS)
	$(BIN)/python -m bench.encode $(BENCH_ARGS)

bench-highlight: es-up $(BENCH_DEPS)
	$(BIN)/python -m bench.highlight $(BENCH_ARGS)

# Pasted quotations: hybrid ranks the speech first? (the archive of bench-provenance).
bench-excerpts: es-up $(BENCH_DEPS)
	$(BIN)/python -m bench.excerpts $(BENCH_ARGS)

# Misremembered phrases in quotation marks over the same archive (issue 13, item 2).
bench-phrases: es-up $(BENCH_DEPS)
	$(BIN)/python -m bench.phrases $(BENCH_ARGS)

# Fusions and evidence beyond the two legs on the quality sets (run bench-quality first).
bench-fusion: es-up $(BENCH_DEPS)
	$(BIN)/python -m bench.fusion $(BENCH_ARGS)

bench-evidence: es-up $(BENCH_DEPS)
	$(BIN)/python -m bench.evidence $(BENCH_ARGS)

bench-documents: es-up $(BENCH_DEPS)
	$(BIN)/python -m bench.documents $(BENCH_ARGS)

bench-feedback: es-up $(BENCH_DEPS)
	$(BIN)/python -m bench.feedback $(BENCH_ARGS)

bench-repeats: es-up $(BENCH_DEPS)
	$(BIN)/python -m bench.repeats $(BENCH_ARGS)

# Quote provenance on a labelled set built from ../shared/data (indexes the archive once).
bench-provenance: es-up $(BENCH_DEPS)
	$(BIN)/python -m bench.provenance $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check indexer localnode webapp bench tests

# mypy, strict on indexer, localnode and webapp (pyproject.toml lists any exemption and why).
typecheck: install
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .verbatim
