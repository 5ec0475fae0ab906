# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.runtime-installed
TSTAMP := $(VENV)/.test-installed
PORT   ?= 8501
PIP    := $(PY) -m pip install --disable-pip-version-check -q

.PHONY: run test lint typecheck clean

run: $(STAMP)
	@echo "App Key Console: open http://localhost:$(PORT) (Ctrl-C to stop)"
	$(PY) -m console team status
	$(PY) -m streamlit run Home.py --server.port $(PORT)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(VENV)/bin/python
	$(PIP) -r requirements.txt
	@touch $(STAMP)

$(TSTAMP): requirements.txt requirements-test.txt | $(VENV)/bin/python
	$(PIP) -r requirements-test.txt
	@touch $(STAMP) $(TSTAMP)

test: $(TSTAMP)
	bash scripts/install-test-deps.sh
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest

lint: $(TSTAMP)
	$(PY) -m ruff check .

typecheck: $(TSTAMP)
	$(PY) -m mypy

clean:
	rm -rf $(VENV) .console artifacts .pytest_cache .ruff_cache .mypy_cache
