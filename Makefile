# Two commands a new user needs: `make demo` and `make test`. Each sets up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.installed

.PHONY: demo demos test lint bench clean

# Only the project's own .venv: nothing from an activated environment or PYTHONPATH
# (another package named `autograd`, HIPS autograd, would shadow this one).
unexport PYTHONPATH PYTHONHOME VIRTUAL_ENV

# pip's and setuptools' messages go to .venv/install.log, shown only if the install fails.
$(READY): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing gradwalk and its extras into $(VENV) (log: $(VENV)/install.log)"
	@( $(BIN)/python -m pip install --upgrade pip && $(BIN)/python -m pip install -e '.[test,demo,playground]' ) \
		> $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	touch $(READY)

demo: $(READY)
	$(BIN)/python demos/walkthrough.py --brief

# `make demos`: every demo of the README's gallery, one after another, pictures in out/.
DEMOS := walkthrough moons optimizers early_stopping activations nonlinearity gradcheck higher_order
demos: $(READY)
	for demo in $(DEMOS); do $(BIN)/python demos/$$demo.py || exit 1; done

test: $(READY)
	$(BIN)/python -m pytest

lint: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# `make bench` (see benchmarks/README.md) has its own venv: micrograd 0.1.0 is a peer to measure,
# never a dependency of gradwalk. PyTorch is measured when that venv can import it (from the
# base Python's packages, or installed there by hand). `make bench BENCH_ARGS=--quick`: a smoke test.
BENCH_VENV := benchmarks/.venv
BENCH_READY := $(BENCH_VENV)/.installed

$(BENCH_READY): setup.cfg pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv --system-site-packages $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e '.[playground]' micrograd==0.1.0
	touch $(BENCH_READY)

bench: $(BENCH_READY)
	$(BENCH_VENV)/bin/python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(BENCH_VENV) out build *.egg-info
