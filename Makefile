# arviointi: two commands do everything on a fresh machine.
#   make report   set up (venv, Python packages, Chromium for PDF) and run every default evaluation
#   make test     the same set-up, then the test suite
# A second run reinstalls nothing: the stamp files below only go stale when the lock changes.
# `make report` installs the runtime dependencies only (what the pipeline and the report
# rendering import); `make test` adds the dev dependency group (pytest, ruff, mypy, the
# reference implementations the tests compare against).

SHELL := /bin/bash
VENV := .venv
RTSTAMP := $(VENV)/.arviointi-runtime
STAMP := $(VENV)/.arviointi-installed
SYSSTAMP := $(VENV)/.arviointi-system
NODESTAMP := $(VENV)/.arviointi-node
BIN := $(VENV)/bin
# The default evaluations: every params file in params/ (tests keep their own small ones).
DEFAULT_PARAMS ?= $(sort $(wildcard params/*.yaml))
PYTEST_ARGS ?=

.PHONY: report test test-fast test-unit test-sections test-e2e lab lint typecheck clean-env setup system-deps validate lock bench \
	bench-data bench-scale

setup: $(STAMP)

# runtime only (make report, make validate)
$(RTSTAMP): pyproject.toml uv.lock requirements/runtime.txt scripts/setup-python.sh
	bash scripts/setup-python.sh $(VENV) runtime
	@touch $@

# runtime + dev group (make test and the developer targets), added on top of the runtime
$(STAMP): pyproject.toml uv.lock requirements/dev.txt scripts/setup-python.sh | $(RTSTAMP)
	bash scripts/setup-python.sh $(VENV) dev
	@touch $@

system-deps: $(SYSSTAMP) $(NODESTAMP)

$(SYSSTAMP): scripts/setup-system.sh | $(RTSTAMP)
	bash scripts/setup-system.sh
	@touch $@

# axe-core for the accessibility tests (pinned in scripts/node/package-lock.json)
$(NODESTAMP): scripts/setup-node.sh scripts/node/package-lock.json | $(SYSSTAMP)
	bash scripts/setup-node.sh $(VENV)
	@touch $@

report: $(RTSTAMP) $(SYSSTAMP)
	$(BIN)/arviointi run $(DEFAULT_PARAMS)

validate: $(RTSTAMP)
	$(BIN)/arviointi validate $(DEFAULT_PARAMS)

test: $(STAMP) $(SYSSTAMP) $(NODESTAMP)
	$(BIN)/ruff check src tests notebooks
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests notebooks
	$(BIN)/ruff format --check src tests

typecheck: $(STAMP)
	$(BIN)/mypy

lab: $(STAMP)
	bash scripts/setup-python.sh $(VENV) lab
	$(BIN)/jupyter lab --notebook-dir=notebooks

clean-env:
	rm -rf $(VENV)

# Re-resolve the pins after editing dependencies in pyproject.toml (needs uv).
lock:
	UV_PYTHON_DOWNLOADS=never uv lock --python python3.11
	uv export --frozen --no-default-groups --no-emit-project --no-hashes -o requirements/runtime.txt >/dev/null
	uv export --frozen --group dev --no-emit-project --no-hashes -o requirements/dev.txt >/dev/null
	uv export --frozen --group dev --group lab --no-emit-project --no-hashes -o requirements/lab.txt >/dev/null

# Speed claims (see benchmarks/README.md); not part of `make test`. measure.py writes its
# table (start-up ratios, cold run against the baseline commit, reruns) into the README.
bench: $(STAMP)
	$(BIN)/python benchmarks/measure.py --write benchmarks/README.md
	$(BIN)/python -m pytest benchmarks --benchmark-only -p no:cacheprovider -o filterwarnings= -o python_files="bench_*.py"

# Register scale (benchmarks/README.md): a synthetic register of ROWS person-months as
# partitioned Parquet, then wall time and peak memory of each engine and pyfixest.
ROWS ?= 100000000
BENCH_DIR ?= data/bench
SCALE_ROWS ?= 1000000 10000000 20000000 100000000
bench-data: $(STAMP)
	PYTHONPATH=src $(BIN)/python benchmarks/make_register.py --rows $(ROWS) --out $(BENCH_DIR)

bench-scale: $(STAMP)
	PYTHONPATH=src $(BIN)/python benchmarks/bench_scale.py --rows $(SCALE_ROWS) --data $(BENCH_DIR)

# One tier of the tests (tests/README.md): unit, sections or e2e.
test-unit test-sections test-e2e: $(STAMP) $(SYSSTAMP) $(NODESTAMP)
	$(BIN)/python -m pytest tests/$(patsubst test-%,%,$@) $(PYTEST_ARGS)

# The quick loop while developing: everything but the slow end-to-end and browser tests.
test-fast: $(STAMP)
	$(BIN)/ruff check src tests notebooks
	$(BIN)/python -m pytest -m "not slow and not browser" -q
