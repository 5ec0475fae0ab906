# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.runtime-installed
TSTAMP := $(VENV)/.test-installed
PORT   ?= 8501
# 127.0.0.1: this machine only. Another address (HOST=0.0.0.0 for every interface) serves the
# network: the pages then refuse to run unless the access gate is on or CONSOLE_LISTEN_ANYWHERE=1.
HOST   ?= 127.0.0.1
# pytest-xdist workers for `make test` (TEST_WORKERS=0: serial): one per core. Four on two cores finished no
# sooner and starved the tests that time a deadline or wait for a browser.
# --dist loadgroup: tests spread one by one; a module marked xdist_group stays on one worker.
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
# The tests' temporary files (SQLite files, the PostgreSQL server's data folder, the servers' and browsers'
# files) go to memory when /dev/shm is there, writable and has 2 GB free (and TMPDIR is not set already): on
# this machine's disk a CREATE DATABASE took 0.3-0.5 s against 0.03 s in memory, and a sandbox test module 43 s
# against 28 s. The files are as real, only not on a disk. TEST_TMP= (empty) keeps them where TMPDIR says.
TEST_TMP ?= $(if $(TMPDIR),,$(shell [ -d /dev/shm ] && [ -w /dev/shm ] && \
              [ "$$(df -Pk /dev/shm 2>/dev/null | awk 'NR==2 {print $$4}')" -gt 2000000 ] 2>/dev/null && \
              echo /dev/shm/console-tests-$$(id -u)))
PIP    := $(PY) -m pip install --disable-pip-version-check -q
# uv installs the requirements several times faster than pip on a cold cache (measured: 26 s against
# 59 s for the runtime requirements); it is bootstrapped from PyPI into the venv, and pip is the
# fallback when it cannot be had (UV=0 forces pip).
UV     ?= 1
# Installed modules are compiled to bytecode at install (uv does not unless asked; pip does): a process started
# where PYTHONDONTWRITEBYTECODE is set (as on this machine and in CI) otherwise compiles pandas, Altair, numpy
# ... from source each time it imports them: `import pandas, altair` 4.3 s against 1.3 s compiled.
INSTALL = if [ "$(UV)" = "1" ] && [ -x $(VENV)/bin/uv ]; then $(VENV)/bin/uv pip install -q --compile-bytecode --python $(PY) -r $(1); \
          else $(PIP) -r $(1); fi

.PHONY: run test lint typecheck clean

run: $(STAMP)
	@echo "App Key Console: open http://localhost:$(PORT) (Ctrl-C to stop)"
	@case "$(HOST)" in 127.*|::1|localhost) echo "Listening on $(HOST) only: reachable from this machine." ;; \
	  *) echo "Listening on $(HOST): reachable from the network. The pages refuse to run unless the access" \
	          "gate is on (CONSOLE_ACCESS_TOKEN or team invite) or CONSOLE_LISTEN_ANYWHERE=1 is set." ;; esac
	@$(PY) -m compileall -q console ui pages Home.py >/dev/null || true  # once, not in every process (see INSTALL)
	$(PY) -m console team status
	$(PY) -m streamlit run Home.py --server.port $(PORT) --server.address $(HOST)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	@if [ "$(UV)" = "1" ]; then $(PIP) uv==0.13.9 || echo "uv not available: installing with pip"; fi

$(STAMP): requirements.txt | $(VENV)/bin/python
	@$(call INSTALL,requirements.txt)
	@touch $(STAMP)

$(TSTAMP): requirements.txt requirements-test.txt | $(VENV)/bin/python
	@$(call INSTALL,requirements-test.txt)
	@touch $(STAMP) $(TSTAMP)

test: $(TSTAMP)
	bash scripts/install-test-deps.sh
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports --no-cache
	@$(PY) -m compileall -q console ui pages tests Home.py >/dev/null || true  # the console's modules too (see INSTALL)
	$(if $(TEST_TMP),mkdir -p $(TEST_TMP) && TMPDIR=$(TEST_TMP)) $(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup

lint: $(TSTAMP)
	$(PY) -m ruff check .

typecheck: $(TSTAMP)
	$(PY) -m mypy

clean:
	rm -rf $(VENV) .console artifacts .pytest_cache .ruff_cache .mypy_cache
