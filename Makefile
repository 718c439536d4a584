# Two commands do everything on a fresh machine (see README):
#   make serve   set up, build the site with its quizzes and drills, and serve it on http://127.0.0.1:8000
#   make test    set up and run the whole test suite
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
NODE    := node_modules/.package-lock.json

.PHONY: setup serve edit site test lint conformance bench bench-site weigh-site clean

$(STAMP): pyproject.toml constraints.txt
	bash scripts/system-deps.sh
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# KaTeX (math rendered to HTML when the site is built), pinned by package-lock.json; node/npm from Debian
$(NODE): package.json package-lock.json
	bash scripts/system-deps.sh
	npm ci --no-audit --no-fund
	touch $(NODE)

# the project's own modules byte-compiled (pip does it for an installed package, not for an editable one): a
# Python with PYTHONDONTWRITEBYTECODE set compiles them again at every start otherwise (0.2 s of a drill sheet)
setup: $(STAMP) $(NODE)
	$(BIN)/python -m compileall -q quizgen optimizers

site: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

serve: site
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8000

# for authors: rebuild only the edited page on each save (about 1-2 s; other pages' navigation may be stale)
edit: site
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dirty --dev-addr 127.0.0.1:8000

# cold site build (empty cache), warm and live rebuilds after editing one page, plain MkDocs: in a temporary copy
# then every page's weight as Chromium loads it (raw and gzip, largest first; limits in quizgen/site/weigh.py)
bench-site: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m quizgen.site.bench
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m quizgen.site.weigh

weigh-site: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m quizgen.site.weigh

lint: setup
	$(BIN)/ruff check .

test: setup lint
	$(BIN)/pytest

conformance: setup
	$(BIN)/quizgen conformance

clean:
	rm -rf $(VENV) node_modules site build .cache .pytest_cache
