# Dukkan: `make run` starts the bot on the demo store, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench check-config chat clean system-deps

# Debian packages the test suite needs: a throwaway redis-server for the Redis backend, and
# Chromium for the console's browser tests (Playwright drives it; no browser is downloaded).
system-deps:
	@missing=""; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium fonts-noto-color-emoji"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
	  else echo "please install:$$missing (apt-get)"; exit 1; fi; \
	  echo "installing$$missing"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot serve

test: $(STAMP) system-deps
	$(PY) -m pytest -q

# ruff (E, F, W, B, I, UP at 120 columns) over the whole tree, mypy over bot/ (pyproject.toml).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) -m bench

check-config: $(STAMP)
	$(PY) -m bot check-config

chat: $(STAMP)
	$(PY) -m bot chat

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis test-artifacts
