# The course's commands. Quick start (README): `make lab` for learners, `make test` for everyone.
#   PYTHON=python3.13 make test    picks the interpreter that builds .venv
#   make lab LAB_ARGS="--no-browser --port 8899"
PYTHON    ?= python3
VENV      ?= .venv
WORKSPACE ?= workspace
LAB_ARGS  ?=
PYTEST_ARGS ?= -n auto --dist worksteal

ROOT := $(abspath .)
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
BIN  := $(abspath $(VENV))/bin
PY   := $(BIN)/python

.PHONY: help venv edition lab validate test test-browser test-all bench bench-timeline handouts chromium lock clean release collect autograde feedback grades formgrader

# Every lesson folder (one nbgrader assignment each), in order. LESSON=... picks one.
LESSONS := $(sort $(patsubst notebooks/%/,%,$(dir $(wildcard notebooks/*/*.ipynb))))
LESSON  ?= $(LESSONS)
# nbgrader runs `alembic` from PATH when it creates the gradebook: put the venv first.
NBGRADER = cd autograder && PATH="$(BIN):$$PATH" $(BIN)/nbgrader

help:
	@echo "make lab        set up, build the learner's edition in $(WORKSPACE)/ and open JupyterLab"
	@echo "make test       set up, then run the whole test suite"
	@echo "make test-browser  JupyterLab in Chromium: run a lesson, see its charts, press Validate"
	@echo "make test-all   run the suite on every python3.11/3.12/3.13 found"
	@echo "make validate NB=path   run a notebook and report failing tests, like the Validate button"
	@echo "make edition    (re)build the learner's edition without starting JupyterLab"
	@echo "instructors (see autograder/README.md):"
	@echo "  make release                        student version of every lesson in autograder/release/"
	@echo "  make collect LESSON=id FROM=path    a folder or zip of <student>/<notebook>.ipynb into submitted/"
	@echo "  make autograde [LESSON=id]          grade the submissions (hidden tests restored)"
	@echo "  make feedback [LESSON=id]           an HTML page per student and lesson in autograder/feedback/"
	@echo "  make grades                         all scores as CSV: build/grades.csv"
	@echo "  make formgrader                     JupyterLab on the course, for nbgrader's Formgrader"
	@echo "make handouts  every lesson executed, as HTML and A4 PDF, learner's and solutions editions: build/handouts/"
	@echo "make bench      a million concurrent tasks: the ladder of improvements, threads and Go (build/bench/)"
	@echo "make bench-timeline  what recording costs (100,000 tasks traced vs untraced) and the chart's render time"
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

# The course in a real browser (Debian's Chromium, driven by Playwright); screenshots in build/browser/.
test-browser: venv chromium
	$(PY) -m pytest -m browser tests/test_browser.py

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

# Handouts print with Debian's Chromium, installed with apt-get when missing (never a
# browser downloaded by a tool).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
chromium:
	@command -v chromium >/dev/null 2>&1 || { echo "Installing Debian's chromium (for PDFs and the browser test)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

handouts: venv chromium
	$(PY) -m aiolab.handouts --out build/handouts

# Benchmarks print ratios measured side by side in one run; results go to build/.
# A million concurrent waits: the ladder of improvements (lesson 10), threads, and Go when installed.
BENCH_ARGS ?=
bench: venv
	@mkdir -p build/bench
	$(PY) benchmarks/bench_million.py --out build/bench $(BENCH_ARGS)

bench-timeline: venv
	@mkdir -p build
	$(PY) benchmarks/bench_timeline.py --repeat 3 --json build/bench-timeline.json

# ---- instructors: thin layers over nbgrader's own commands, run in autograder/ ----------
release: venv
	@for a in $(LESSON); do $(NBGRADER) generate_assignment "$$a" --force || exit 1; done
	@echo "Released: $(LESSON) -> autograder/release/"

collect: venv
	@test -n "$(FROM)" -a "$(words $(LESSON))" = 1 || { \
	  echo "usage: make collect LESSON=<one lesson id> FROM=<folder or .zip of <student>/<notebook>.ipynb>"; exit 2; }
	@test -e "$(FROM)" || { echo "make collect: $(FROM) does not exist"; exit 2; }
	rm -rf "autograder/downloaded/$(LESSON)" && mkdir -p "autograder/downloaded/$(LESSON)/archive"
	cp -R "$(abspath $(FROM))" "autograder/downloaded/$(LESSON)/archive/"
	$(NBGRADER) zip_collect "$(LESSON)" --force
	@ls autograder/submitted 2>/dev/null | sed 's/^/  submitted: /'

autograde: venv
	@for a in $(LESSON); do \
	  if ls -d autograder/submitted/*/"$$a" >/dev/null 2>&1; then $(NBGRADER) autograde "$$a" --force || exit 1; \
	  else echo "autograde: no submissions for $$a"; fi; done

feedback: venv
	@for a in $(LESSON); do \
	  if ls -d autograder/autograded/*/"$$a" >/dev/null 2>&1; then $(NBGRADER) generate_feedback "$$a" --force || exit 1; \
	  else echo "feedback: nothing autograded for $$a"; fi; done
	@find autograder/feedback -name '*.html' 2>/dev/null | sort | sed 's/^/  /'

grades: venv
	@mkdir -p build
	$(NBGRADER) export --to $(ROOT)/build/grades.csv
	@echo "Grades: build/grades.csv"

formgrader: venv
	cd autograder && PATH="$(BIN):$$PATH" $(BIN)/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS)

lock:
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet -r requirements.txt
	{ sed -n '1,3p' constraints.txt; build/lock-venv/bin/pip freeze; } > constraints.new && mv constraints.new constraints.txt
	rm -rf build/lock-venv

clean:
	rm -rf build autograder/release autograder/submitted autograder/autograded autograder/feedback autograder/downloaded
