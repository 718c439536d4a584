# Two commands do everything on a fresh machine (see README):
#   make serve   set up, build the site with its quizzes and drills, and serve it on http://127.0.0.1:8000
#   make test    set up and run the whole test suite
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: setup serve site test lint conformance bench clean

$(STAMP): pyproject.toml constraints.txt
	bash scripts/system-deps.sh
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

site: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

serve: site
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

lint: setup
	$(BIN)/ruff check .

test: setup lint
	$(BIN)/pytest

conformance: setup
	$(BIN)/quizgen conformance

clean:
	rm -rf $(VENV) site build .pytest_cache
