# The two commands: `make demo` and `make test`. Each creates .venv on first use and
# installs relunet with what it needs; nothing else has to be on the machine but python3.
PYTHON ?= python3
# One BLAS thread: on a busy 2-core machine threaded BLAS spins and runs 10-100x slower
# on the small matrices used here; results do not depend on it.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-all bench clean

# The dask extra (~40 MB installed, pure-Python wheels) so that `make test` runs the
# chunked recovery (tests/recover/test_dask.py, tests/cli/test_dask_cli.py, ~10 s).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,fast,dask]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/relunet demo

# Includes tests/test_readme.py: a plain `pip install` (no extras) of the checkout into a
# fresh venv, then every README snippet and command run there (needs the package index).
test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -q

test-all: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/relunet bench --suite quick --out benchmarks/results

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
