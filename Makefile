# The two commands of the README are `make lab` and `make test`; both create
# .venv when it is missing and install the pinned requirements and lstm_edu.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# repo2docker lives in its own venv: its dependencies must not mix with the course's.
R2D_VENV  := .venv-r2d
R2D_STAMP := $(R2D_VENV)/.installed
R2D_VERSION := 2026.4.0
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test install notebooks bench screenshots clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

$(R2D_STAMP):
	@test -x $(R2D_VENV)/bin/python || $(PYTHON) -m venv $(R2D_VENV)
	$(R2D_VENV)/bin/python -m pip install --quiet jupyter-repo2docker==$(R2D_VERSION)
	@touch $@

# Serve the whole repository and land on the start notebook; the printed URL opens it too.
# The extension manager is read-only: the course needs no extensions fetched at run time.
lab: install
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=. \
		--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb \
		--LabApp.extension_manager=readonly

test: install $(R2D_STAMP)
	$(BIN)/python -m pytest

# Re-execute every notebook in place and strip volatile metadata.
notebooks: install
	$(BIN)/python scripts/execute_notebooks.py notebooks/*.ipynb

# Budgets, measured (not a test): notebook time and memory, slider response, the
# source's program against ours. Writes benchmarks/RESULTS.md; takes ~10 minutes.
bench: install
	$(BIN)/python benchmarks/bench.py

# The real-browser test over every notebook, then the README's gallery from its
# screenshots (small PNGs in docs/screenshots/).
screenshots: install
	$(BIN)/python -m pytest tests/browser -q
	$(BIN)/python benchmarks/gallery.py

clean:
	rm -rf $(VENV) $(R2D_VENV)
