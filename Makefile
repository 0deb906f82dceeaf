# The course's commands. Quick start (README): `make lab` for learners, `make test` for everyone.
#   PYTHON=python3.13 make test    picks the interpreter that builds .venv
#   make lab LAB_ARGS="--no-browser --port 8899"
PYTHON    ?= python3
VENV      ?= .venv
# The course's language: en, or zh for the Chinese edition (make lab EDITION=zh). A course
# variable of its own, not LANG, which every shell sets for its locale. Each edition has its
# own workspace, so a learner's work in one is never touched by the other.
EDITION   ?= en
ifeq ($(filter $(EDITION),en zh),)
$(error EDITION=$(EDITION): the editions are en and zh)
endif
WORKSPACE ?= $(if $(filter en,$(EDITION)),workspace,workspace-$(EDITION))
LAB_ARGS  ?=
# make test's own choice of tests and workers; given other PYTEST_ARGS, make test runs
# what they name and leaves out the adversarial step (tests/test_attacks.py).
SUITE_ARGS := -n auto --dist worksteal
PYTEST_ARGS ?= $(SUITE_ARGS)

ROOT := $(abspath .)
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
BIN  := $(abspath $(VENV))/bin
PY   := $(BIN)/python

.PHONY: help venv edition lab validate test check test-browser test-all bench bench-all bench-autograde bench-timeline handouts chromium sandbox lock clean release collect autograde feedback grades formgrader corpus hub hub-proxy bench-hub

# LESSON="05-gather-and-wait 06-blocking" limits the instructor and build targets to those
# lessons; empty means every lesson. A lesson you name that has nothing to do is an error.
LESSON ?=
# Every instructor and build command goes through coursetools (the one layer over nbgrader):
# paths absolute, each nbgrader call in the course folder, several lessons all done.
COURSE = PATH="$(BIN):$$PATH" $(PY) -m coursetools --course autograder

# The learner's lab: autograder/learner/ for every edition; the Chinese edition's lab also
# reads autograder/learner-zh/ first (JupyterLab in Chinese).
EDITION_BUILD := build/learner-edition$(if $(filter en,$(EDITION)),,-$(EDITION))
LAB_CONFIG := $(if $(filter en,$(EDITION)),,$(ROOT)/autograder/learner-$(EDITION):)$(ROOT)/autograder/learner

help:
	@echo "make lab        set up, build the learner's edition in $(WORKSPACE)/ and open JupyterLab"
	@echo "make lab EDITION=zh   the same in Chinese (中文版), in workspace-zh/"
	@echo "make test       set up, then run the whole test suite"
	@echo "make check      the fast gate: unit tests, static notebook checks, Makefile dry runs"
	@echo "make test-browser  JupyterLab in Chromium: run a lesson, see its charts, press Validate"
	@echo "make test-all   run the suite on every python3.11 to 3.15 found, a venv each (.venv-3.X);"
	@echo "                PYTHONS=\"3.14 3.15\" for only those"
	@echo "make validate NB=path   run a notebook and report failing tests, like the Validate button"
	@echo "make edition    (re)build the learner's edition without starting JupyterLab"
	@echo "instructors (see autograder/README.md):"
	@echo "  make release                        student version of every lesson in autograder/release/"
	@echo "  make release EDITION=zh             the same in Chinese (same notebook names and grade ids)"
	@echo "  make collect FROM=path              a folder or zip of <student>/<notebook>.ipynb into submitted/"
	@echo "  make autograde [JOBS=n]             grade the submissions, each in a sandbox, n at once; ends with a table"
	@echo "  make feedback                       an HTML page per student and lesson in autograder/feedback/"
	@echo "  make grades                         all scores as CSV: build/grades.csv"
	@echo "  make formgrader                     JupyterLab on the course, for nbgrader's Formgrader"
	@echo "  make corpus                         grade the sample submissions of autograder/corpus/, compare every score"
	@echo "  make corpus RUNS=20 BUSY=2          the same 20 times with 2 busy processes alongside: no grade may move"
	@echo "  LESSON=\"id id\" limits release, collect, autograde, feedback, edition and handouts to those lessons"
	@echo "make hub        the course for a class on JupyterHub (127.0.0.1:\$$HUB_PORT, default 8000): each learner's"
	@echo "                lab in their own home, instructors ($(HUB_INSTRUCTORS)) with the formgrader, nbgrader's"
	@echo "                exchange in $(HUB_DATA)/; HUB_PASSWORD and HUB_ADMIN_PASSWORD must be set (README)"
	@echo "make hub HUB_EDITIONS=\"en zh\"   the same, each learner choosing English or Chinese at sign-in"
	@echo "make handouts  every lesson executed, as HTML and A4 PDF, learner's and solutions editions: build/handouts/"
	@echo "make bench      a million concurrent tasks: the ladder of improvements, threads, and Go's twins of"
	@echo "                plain, shared timer and pool when go is installed (apt-get install golang-go);"
	@echo "                ends with Python's best vs Go's best, time and memory (build/bench/)"
	@echo "make bench-all  the same ladder on every python3.11 to 3.15 found (or PYTHONS), a venv each as in"
	@echo "                test-all (build/bench/3.X/); BENCH_ARGS=\"--n 100000\" for a quicker run"
	@echo "make bench-autograde  grading speed: SUBMISSIONS=100 of lesson 05, one at a time vs JOBS at once, sandbox cost"
	@echo "make bench-hub  the hub under load: HUB_N=\"10 20 30\" learners' servers at once running lesson 02;"
	@echo "                time to spawn, memory per learner (build/bench/hub.json)"
	@echo "make bench-timeline  what recording costs (100,000 tasks traced vs untraced) and the chart's render time"
	@echo "make lock       re-pin constraints.txt from a fresh install of requirements.txt"
	@echo "make clean      remove generated files (keeps $(WORKSPACE)/ and .venv)"

venv:
	@$(PYTHON) tools/ensure_venv.py --venv $(VENV)

edition: venv
	@$(COURSE) edition --edition $(EDITION) --build $(EDITION_BUILD) --workspace $(WORKSPACE) $(LESSON)

lab: edition
	cd $(WORKSPACE) && JUPYTER_CONFIG_PATH=$(LAB_CONFIG) $(BIN)/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS) contents.ipynb

# The same check as the Validate button in JupyterLab, with the same settings
# (autograder/learner/nbgrader_config.py); the exit status says whether every test passed.
validate: venv
	@$(COURSE) validate "$(NB)"

# The adversarial corpus runs on its own, after the rest: its attacks load the machine on
# purpose (CPU, processes, memory), which must not become the load other tests run under.
test: venv sandbox hub-proxy
	$(PY) -m ruff check --quiet .
	$(PY) -m pytest -m "not attacks and not browser" $(PYTEST_ARGS)
ifeq ($(PYTEST_ARGS),$(SUITE_ARGS))
	$(PY) -m pytest -m attacks tests/test_attacks.py
else
	@echo "PYTEST_ARGS chose the tests: the adversarial step (pytest -m attacks tests/test_attacks.py) was left out"
endif

# The fast gate for developers: aiolab's and coursetools' unit tests, the static notebook
# checks and the Makefile dry runs; everything marked slow or executing a notebook is left
# to make test.
check: venv sandbox
	$(PY) -m ruff check --quiet .
	$(PY) -m pytest -m "not slow and not notebook and not browser" $(PYTEST_ARGS)

# The course in a real browser (Debian's Chromium, driven by Playwright); screenshots in build/browser/.
test-browser: venv chromium hub-proxy
	$(PY) -m pytest -m browser tests/test_browser.py tests/test_browser_zh.py tests/test_browser_hub.py

# One venv per interpreter, so the versions never rebuild each other's environment.
# An interpreter counts as found when `pythonX.Y` runs, or pyenv has that version installed.
find_python = p=$$(command -v python$(1) >/dev/null 2>&1 && python$(1) -c "" 2>/dev/null && echo python$(1)); \
	[ -n "$$p" ] || p=$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$(1).*/bin/python$(1) 2>/dev/null | sort -V | tail -n 1)

# $(1) for every supported interpreter found, one after another ($$v is its version, $$p its
# path), and a summary line each: "$(2) (path)", "FAILED (path)" or "not found".
# PYTHONS="3.14 3.15" limits test-all and bench-all to those versions.
PYTHONS ?= 3.11 3.12 3.13 3.14 3.15
each_python = status=0; summary=""; \
	for v in $(PYTHONS); do \
	  $(call find_python,$$v); \
	  if [ -z "$$p" ]; then r="not found"; \
	  elif $(1); then r="$(2) ($$p)"; \
	  else r="FAILED ($$p)"; status=1; fi; \
	  summary="$$summary\n  python$$v: $$r"; \
	done; \
	printf "make $@:$$summary\n"; exit $$status

test-all:
	@$(call each_python,$(MAKE) --no-print-directory test PYTHON=$$p VENV=.venv-$$v,passed)

# Handouts print with Debian's Chromium, installed with apt-get when missing (never a
# browser downloaded by a tool).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
chromium:
	@command -v chromium >/dev/null 2>&1 || { echo "Installing Debian's chromium (for PDFs and the browser test)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }
	@fc-list :lang=zh | grep -q . || { echo "Installing Debian's Noto CJK fonts (the notes' Chinese terms, in print)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq fonts-noto-cjk >/dev/null; }
	@command -v pdftoppm >/dev/null 2>&1 || { echo "Installing Debian's poppler-utils (the handout test looks at each printed page)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq poppler-utils >/dev/null; }

# Grading sandboxes are made by Debian's bubblewrap (and util-linux's prlimit/setpriv),
# installed with apt-get when missing; `make autograde` refuses to grade without them.
SANDBOX ?=
NOTEBOOK_TIMEOUT ?=
sandbox:
	@command -v bwrap >/dev/null 2>&1 || { echo "Installing Debian's bubblewrap (the grading sandbox)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq bubblewrap >/dev/null; }

handouts: venv chromium
	@$(COURSE) handouts --edition $(EDITION) --out build/handouts$(if $(filter en,$(EDITION)),,-$(EDITION)) $(LESSON)

# Benchmarks print ratios measured side by side in one run; results go to build/.
# A million concurrent waits: the ladder of improvements (lesson 10), threads, and Go when installed.
BENCH_ARGS ?=
bench: venv
	@mkdir -p build/bench
	$(PY) benchmarks/bench_million.py --out build/bench $(BENCH_ARGS)

# The same ladder on every interpreter test-all finds, one after another (never two at
# once: they would share the CPU), each in its own venv (.venv-3.X, as test-all) and with
# Go in its run; results in build/bench/3.X/ (a later --out in BENCH_ARGS wins).
bench-all:
	@$(call each_python,$(MAKE) --no-print-directory bench PYTHON=$$p VENV=.venv-$$v \
	  BENCH_ARGS="$(BENCH_ARGS) --out build/bench/$$v",build/bench/$$v)

# The sample submissions graded by real nbgrader and compared with their manifests;
# RUNS=20 BUSY=2 repeats that under load (a benchmark of the checks' robustness, not a test).
RUNS ?= 1
BUSY ?= 0
corpus: venv sandbox
	@$(COURSE) corpus --runs $(RUNS) --busy $(BUSY) $(LESSON)

# make autograde's speed: SUBMISSIONS of lesson 05 graded one at a time and JOBS at once,
# with and without the sandbox, side by side in one run (build/bench/autograde.json).
SUBMISSIONS ?= 100
bench-autograde: venv sandbox
	@mkdir -p build/bench
	$(PY) benchmarks/bench_autograde.py --submissions $(SUBMISSIONS) --jobs $(JOBS) \
	  $(if $(LESSON),--lesson $(LESSON)) --json build/bench/autograde.json

# The hub under load: N learners' servers started at once, each running lesson 02's cells;
# time to spawn and memory per learner (build/bench/hub.json). HUB_N="10 20 30".
HUB_N ?= 10 20 30
bench-hub: venv hub-proxy
	@mkdir -p build/bench
	$(PY) benchmarks/bench_hub.py --n $(HUB_N) --json build/bench/hub.json

bench-timeline: venv
	@mkdir -p build
	$(PY) benchmarks/bench_timeline.py --repeat 3 --json build/bench-timeline.json

# ---- instructors: thin layers over nbgrader's own commands (coursetools.course) --------
release: venv
	@$(COURSE) release --edition $(EDITION) $(LESSON)

collect: venv
	@$(COURSE) collect --from "$(FROM)" $(LESSON)

# JOBS submissions graded at once (default: the number of cores), each in a sandbox;
# NOTEBOOK_TIMEOUT the real seconds one notebook may take; SANDBOX=off grades without one.
JOBS ?= 0
autograde: venv sandbox
	@NOTEBOOK_TIMEOUT=$(NOTEBOOK_TIMEOUT) COURSE_SANDBOX=$(SANDBOX) $(COURSE) autograde --jobs $(JOBS) $(LESSON)

feedback: venv
	@$(COURSE) feedback $(LESSON)

grades: venv
	@$(COURSE) grades --to build/grades.csv

formgrader: venv
	cd autograder && PATH="$(BIN):$$PATH" $(BIN)/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS)

# ---- a class on JupyterHub (autograder/hub/jupyterhub_config.py; README "A class on JupyterHub") ----
# The hub's proxy, configurable-http-proxy, from the npm registry at the versions pinned by
# autograder/hub/proxy/package-lock.json (npm ci, into build/hub-proxy/: never a global
# install); Debian's nodejs and npm with apt-get when missing.
HUB_PROXY_DIR := build/hub-proxy
HUB_IP        ?= 127.0.0.1
HUB_PORT      ?= 8000
HUB_DATA      ?= build/hub
HUB_INSTRUCTORS ?= instructor
# The editions learners choose from when their server starts (e.g. HUB_EDITIONS="en zh");
# EDITION is the one chosen by default.
HUB_EDITIONS  ?= $(EDITION)
ifneq ($(filter-out en zh,$(HUB_EDITIONS)),)
$(error HUB_EDITIONS=$(HUB_EDITIONS): the editions are en and zh)
endif
hub-proxy:
	@command -v npm >/dev/null 2>&1 || { echo "Installing Debian's nodejs and npm (for JupyterHub's proxy)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; }
	@cmp -s autograder/hub/proxy/package-lock.json $(HUB_PROXY_DIR)/package-lock.json || { \
	  echo "Installing configurable-http-proxy (autograder/hub/proxy/package-lock.json) in $(HUB_PROXY_DIR)/"; \
	  rm -rf $(HUB_PROXY_DIR) && mkdir -p $(HUB_PROXY_DIR) && \
	  cp autograder/hub/proxy/package.json autograder/hub/proxy/package-lock.json $(HUB_PROXY_DIR)/ && \
	  npm ci --prefix $(HUB_PROXY_DIR) --no-audit --no-fund >/dev/null; }

hub: venv sandbox hub-proxy
	@$(foreach e,$(sort $(EDITION) $(HUB_EDITIONS)),$(COURSE) edition --edition $(e) \
	  --build build/learner-edition$(if $(filter en,$(e)),,-$(e)) --workspace $(HUB_DATA)/edition-$(e) $(LESSON) &&) true
	HUB_IP=$(HUB_IP) HUB_PORT=$(HUB_PORT) HUB_DATA=$(abspath $(HUB_DATA)) HUB_INSTRUCTORS=$(HUB_INSTRUCTORS) \
	  HUB_EDITION=$(EDITION) HUB_EDITIONS="$(HUB_EDITIONS)" \
	  HUB_PROXY=$(abspath $(HUB_PROXY_DIR))/node_modules/.bin/configurable-http-proxy \
	  $(BIN)/jupyterhub -f autograder/hub/jupyterhub_config.py

lock:
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet -r requirements.txt
	build/lock-venv/bin/pip freeze | build/lock-venv/bin/python tools/keep_markers.py constraints.txt > constraints.new && mv constraints.new constraints.txt
	rm -rf build/lock-venv

clean:
	rm -rf build autograder/release autograder/submitted autograder/autograded autograder/feedback autograder/downloaded
