# The two commands of the README are `make lab` and `make test`; both create
# .venv when it is missing and install the pinned requirements and lstm_edu.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# PyTorch's CPU wheel index, as named in requirements.txt, and how long
# `make install` waits for it to answer before leaving it out.
TORCH_INDEX := $(shell sed -n 's/^--extra-index-url[ =]*//p' requirements.txt)
TORCH_INDEX_WAIT ?= 5
# JupyterLab settings that hold for every user of this venv (and on Binder).
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: lab refresh test test-float install notebooks bench stress screenshots fonts poet clean

# The second arithmetic of `make test`: strict nbval runs every notebook again with other
# float kernels, so an output that holds on one CPU only fails here, not on the next machine.
# Each setting changes the bits of some operation the course uses (measured on an AVX-512
# machine): ATen's generic kernels instead of the CPU's SIMD ones (elementwise ops, matmul);
# oneDNN (nn.LSTM) limited to SSE4.1; MKL's conditional-numerical-reproducibility path; and on
# x86_64 NumPy's OpenBLAS run with an older core's kernels.
FLOAT_PATH := ATEN_CPU_CAPABILITY=default ONEDNN_MAX_CPU_ISA=SSE41 MKL_CBWR=COMPATIBLE \
	$(if $(filter x86_64,$(shell uname -m)),OPENBLAS_CORETYPE=Prescott,)
# The learner's copies of the notebooks (git-ignored); see scripts/workcopy.py.
WORK := my-notebooks

install: $(STAMP)

# A clear message instead of a failure deep inside pip: the course needs
# Python >= 3.11 with venv and ensurepip (Debian/Ubuntu ship them separately).
$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "make: no python3 found. Install Python 3.11 or newer, then run make again" \
	       "(or point to it: make PYTHON=/path/to/python3.11)." >&2; exit 1; fi
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "make: lstm-edu needs Python 3.11 or newer; $(PYTHON) is" \
	       "$$($(PYTHON) -c 'import platform; print(platform.python_version())' 2>/dev/null || echo 'not runnable')." \
	       "Install Python 3.11+ and run: make PYTHON=/path/to/python3.11" >&2; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  echo "make: $(PYTHON) has no working venv/ensurepip module, so it cannot create .venv." \
	       "On Debian/Ubuntu: sudo apt install python3-venv (or python3.X-venv for your version)." >&2; \
	  exit 1; }
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "make: '$(PYTHON) -m venv $(VENV)' failed (see above). On Debian/Ubuntu:" \
	       "sudo apt install python3-venv." >&2; exit 1; }

# The CPU index is probed once: when it does not answer, it is left out, because
# pip would retry it (with backoff) for each of the ~100 packages it resolves.
$(STAMP): requirements.txt pyproject.toml binder/overrides.json | $(BIN)/python
	@if $(BIN)/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1].rstrip("/") + "/torch/", timeout=float(sys.argv[2]))' \
	      "$(TORCH_INDEX)" $(TORCH_INDEX_WAIT) >/dev/null 2>&1; then \
	  echo "$(BIN)/python -m pip install --quiet -r requirements.txt"; \
	  $(BIN)/python -m pip install --quiet -r requirements.txt; \
	else \
	  echo "make: PyTorch's CPU index ($(TORCH_INDEX)) cannot be reached (no answer within $(TORCH_INDEX_WAIT) s);" \
	       "installing without it: torch==2.13.0+cpu must then come from another source pip is configured with."; \
	  grep -v '^--extra-index-url' requirements.txt > $(VENV)/requirements-without-torch-index.txt; \
	  echo "$(BIN)/python -m pip install --quiet -r $(VENV)/requirements-without-torch-index.txt"; \
	  $(BIN)/python -m pip install --quiet -r $(VENV)/requirements-without-torch-index.txt; \
	fi
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@mkdir -p $(dir $(LAB_SETTINGS))
	cp binder/overrides.json $(LAB_SETTINGS)
	@touch $@

# Open the learner's own copies (my-notebooks/, made on first use, never overwritten), so a
# session never dirties the checkout; `make refresh` brings course updates into them.
# The whole repository is served (the notebooks link to ../benchmarks/RESULTS.md), with the
# originals in notebooks/ hidden from the file browser. The extension manager is read-only:
# the course needs no extensions fetched at run time. No news feed and no update check:
# nothing pops up over the notebook (the same settings are in binder/overrides.json, which
# install copies into the venv).
lab: install
	$(BIN)/python scripts/workcopy.py ensure
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=. \
		--LabApp.default_url=/lab/tree/$(WORK)/00_start_here.ipynb \
		--ContentsManager.hide_globs="['__pycache__', '*.pyc', '*.pyo', '.DS_Store', '*~', 'notebooks']" \
		--LabApp.extension_manager=readonly \
		--LabApp.news_url=None \
		--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate

# Update the copies you did not edit, keep the ones you did (and say which). To take the
# course's version of an edited one (yours is saved beside it):
#   make refresh RESET=03_long_term_dependencies
refresh: install
	$(BIN)/python scripts/workcopy.py refresh $(if $(RESET),--reset $(RESET),)

# The whole suite, then strict nbval over the notebooks again under the second arithmetic.
test: install
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory test-float

test-float: install
	$(FLOAT_PATH) $(BIN)/python -m pytest notebooks

# Re-execute every notebook in place and strip volatile metadata.
notebooks: install
	$(BIN)/python scripts/execute_notebooks.py notebooks/*.ipynb

# Budgets, measured (not a test): notebook time and memory, slider response, the
# source's program against ours. Writes benchmarks/RESULTS.md; takes ~10 minutes.
bench: install
	$(BIN)/python benchmarks/bench.py

# Not in CI: the no-network harness 30 times over 03 and 10 in a row, counting hangs (a
# run past the watchdog) and keeping the stacks of any hang. Long: ~30 x both notebooks.
STRESS_PASSES ?= 30
stress: install
	nice $(BIN)/python scripts/stress_offline.py --passes $(STRESS_PASSES) \
		notebooks/03_long_term_dependencies.ipynb notebooks/10_pytorch_sin_to_cos.ipynb

# The real-browser test over every notebook, then the README's gallery from its
# screenshots (small PNGs in docs/screenshots/).
screenshots: install
	$(BIN)/python -m pytest tests/browser -q
	$(BIN)/python benchmarks/gallery.py

# Re-subset the shipped CJK font to the Chinese characters the course uses
# (after text changes). Needs the system's Noto Sans CJK (fonts-noto-cjk) and
# fontTools (a matplotlib dependency); the course itself needs neither.
fonts: install
	$(BIN)/python scripts/subset_cjk_font.py

# Train notebook 15's LSTM poet (seeded, two threads; the record says how long it took) and
# write lstm_edu/weights/poet.pt with poet_record.json beside it (command, steps, time, load,
# torch, held-out figures); then
# `make notebooks` re-executes 15 against it.
poet: install
	$(BIN)/python scripts/train_poet.py

# Removes the venvs only; your copies in my-notebooks/ stay.
clean:
	rm -rf $(VENV) .venv-r2d
