# pkgsandbox: `make analyze` and `make test` each set up what they need first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PKGSANDBOX := $(VENV)/bin/pkgsandbox
TARGET ?= pypi:requests==2.32.3

.PHONY: setup venv host images test-deps analyze test test-fast lint bench bench-quick eval eval-quick clean

setup: host venv images

host:
	@bash sandbox_images/setup-host.sh

# --isolated: this machine's pip configuration must not choose our dependencies.
$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install --isolated --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

# Bytecode for the editable install, as a regular install compiles it: with
# PYTHONDONTWRITEBYTECODE set, every command would otherwise compile the modules it
# imports on each start (a third of `pkgsandbox rules`'s time). Only stale files are redone.
venv: $(VENV)/.installed
	@$(PY) -m compileall -q analyzer

images: host venv
	@$(PKGSANDBOX) images build --if-missing

analyze: setup
	$(PKGSANDBOX) analyze $(TARGET)

# PostgreSQL and Redis for the store, queue and Celery tests (they start throwaway
# servers of their own), Chromium for the tests that load the HTML reports in a browser.
test-deps:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v chromium >/dev/null \
	  && command -v redis-server >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq postgresql chromium redis-server >/dev/null; }

test: setup test-deps
	$(PY) -m pytest

test-fast: venv
	$(PY) -m pytest -m "not sandbox and not network"

SHELL_SCRIPTS := sandbox_images/setup-host.sh sandbox_images/build.sh sandbox_images/lib.sh .ci/run

lint: venv
	@command -v shellcheck >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null; }
	shellcheck -x $(SHELL_SCRIPTS)
	$(VENV)/bin/ruff check analyzer tests sandbox_images/driver
	$(VENV)/bin/mypy analyzer
# The driver runs inside the images on Debian's Python 3.11, stdlib (and the simulator's
# scapy) only: checked on its own, without the project's strict settings.
	$(VENV)/bin/mypy --config-file= --python-version 3.11 --ignore-missing-imports sandbox_images/driver/*.py

bench: setup
	$(PY) tests/bench/run.py

# The same figures from one run each and smaller large packages (a few minutes): CI runs
# it so that the benchmark cannot rot. A failed measurement fails it; a missed target not.
bench-quick: setup
	$(PY) tests/bench/run.py --quick

# The project's malicious corpus, real malware from ../shared/samples/real and popular
# packages, through the sandbox: figures on stdout, reports/eval/{summary.json,report.html}.
eval: setup
	$(PY) -m tests.eval.evaluate

# What CI runs: the corpus, the real malware and a few popular packages; fails on a
# missed target.
eval-quick: setup
	$(PY) -m tests.eval.evaluate --quick --check --out reports/eval-quick

clean:
	rm -rf $(VENV) sandbox_images/.build .pytest_cache .mypy_cache .ruff_cache
