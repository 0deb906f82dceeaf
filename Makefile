# The course's commands. Quick start (README): `make lab` for learners, `make test` for everyone.
#   PYTHON=python3.13 make test    picks the interpreter that builds .venv
#   make lab LAB_ARGS="--no-browser --port 8899"
PYTHON    ?= python3
VENV      ?= .venv
WORKSPACE ?= workspace
LAB_ARGS  ?=
PYTEST_ARGS ?= -n auto

ROOT := $(abspath .)
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
BIN  := $(abspath $(VENV))/bin
PY   := $(BIN)/python

.PHONY: help venv edition lab validate test test-all lock clean

help:
	@echo "make lab        set up, build the learner's edition in $(WORKSPACE)/ and open JupyterLab"
	@echo "make test       set up, then run the whole test suite"
	@echo "make test-all   run the suite on every python3.11/3.12/3.13 found"
	@echo "make validate NB=path   run a notebook and report failing tests, like the Validate button"
	@echo "make edition    (re)build the learner's edition without starting JupyterLab"
	@echo "make lock       re-pin constraints.txt from a fresh install of requirements.txt"
	@echo "make clean      remove generated files (keeps $(WORKSPACE)/ and .venv)"

venv:
	@$(PYTHON) tools/ensure_venv.py --venv $(VENV)

edition: venv
	@$(PY) -m aiolab.edition --workspace $(WORKSPACE)

lab: edition
	cd $(WORKSPACE) && JUPYTER_CONFIG_PATH=$(ROOT)/autograder/learner $(BIN)/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS)

# The same check as the Validate button in JupyterLab, with the same settings.
validate: venv
	@mkdir -p build
	@test -n "$(NB)" || { echo "usage: make validate NB=path/to/notebook.ipynb"; exit 2; }
	@# nbgrader validate exits 0 even when tests fail; make's exit status should say it.
	@cd autograder/learner && $(BIN)/nbgrader validate "$(abspath $(NB))" 2>&1 | tee $(ROOT)/build/validate.log; \
	grep -q "Success! Your notebook passes all the tests." $(ROOT)/build/validate.log

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

# One venv per interpreter, so the versions never rebuild each other's environment.
# An interpreter counts as found when `pythonX.Y` runs, or pyenv has that version installed.
find_python = p=$$(command -v python$(1) >/dev/null 2>&1 && python$(1) -c "" 2>/dev/null && echo python$(1)); \
	[ -n "$$p" ] || p=$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$(1).*/bin/python$(1) 2>/dev/null | sort -V | tail -n 1)

test-all:
	@status=0; summary=""; \
	for v in 3.11 3.12 3.13; do \
	  $(call find_python,$$v); \
	  if [ -z "$$p" ]; then r="not found"; \
	  elif $(MAKE) --no-print-directory test PYTHON=$$p VENV=.venv-$$v; then r="passed ($$p)"; \
	  else r="FAILED ($$p)"; status=1; fi; \
	  summary="$$summary\n  python$$v: $$r"; \
	done; \
	printf "make test-all:$$summary\n"; exit $$status

lock:
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet -r requirements.txt
	{ sed -n '1,3p' constraints.txt; build/lock-venv/bin/pip freeze; } > constraints.new && mv constraints.new constraints.txt
	rm -rf build/lock-venv

clean:
	rm -rf build autograder/release autograder/submitted autograder/autograded autograder/feedback
