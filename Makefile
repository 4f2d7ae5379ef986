# Two commands for a fresh machine:
#   make demo       - create .venv, install ClassMood, run the demo
#   make test       - create .venv, install ClassMood with its training and test extras, run the suite
#   make test-fast  - the same without browser, X11, training, slow and PostgreSQL tests (tests/lanes.py)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The runtime (bot, report, admin): no PyTorch.
$(VENV)/.installed-base: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# Training and tests: torch/torchvision are pinned in the `train` extra.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[train,dev]'
	touch $(VENV)/.installed-base $@

demo: $(VENV)/.installed-base
	$(BIN)/classmood demo

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

test-fast: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n 2 -m "not slow and not browser and not x11 and not training and not postgres"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
