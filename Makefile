# Dukkan: `make run` starts the bot on the demo store, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench check-config chat clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot serve

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m bench

check-config: $(STAMP)
	$(PY) -m bot check-config

chat: $(STAMP)
	$(PY) -m bot chat

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis test-artifacts
