# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.requirements-installed
PORT   ?= 8501

.PHONY: run test lint clean

run: $(STAMP)
	@echo "App Key Console: open http://localhost:$(PORT) (Ctrl-C to stop)"
	$(PY) -m streamlit run Home.py --server.port $(PORT)

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $(STAMP)

test: $(STAMP)
	bash scripts/install-test-deps.sh
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) .console artifacts .pytest_cache .ruff_cache
