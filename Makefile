# Two commands do everything on a fresh machine (see README.md):
#   make          builds the sample article into build/
#   make issue    builds the sample issue into build/issue/
#   make test     runs the whole test suite
# Both install what they need first, and only when it changed.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := libharfbuzz-subset0 poppler-utils chromium
APT_STAMP := $(VENV)/.apt-installed
PY_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
PYC_STAMP := $(VENV)/.compiled

.PHONY: all sample issue test setup lint regenerate docs-images bench clean

all: sample

sample: setup
	$(PY) build.py

# The sample issue (issues/sample/: the two samples and a book review) into build/issue/.
issue: setup
	$(PY) build.py build issues/sample --out build/issue --jobs 2

test: setup
	$(PY) -m ruff check .
	$(PY) -m pytest

setup: $(PY_STAMP) $(NPM_STAMP) $(APT_STAMP) $(PYC_STAMP)

$(PY_STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,bench,cluster]'
	touch $@

# Our package's bytecode, compiled ahead: where PYTHONDONTWRITEBYTECODE is set (as on the
# machines here), every run would otherwise compile it again.
$(PYC_STAMP): $(PY_STAMP) $(shell find typeset -name '*.py')
	$(PY) -m compileall -q typeset
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# From Debian: HarfBuzz's subsetter (fast font subsetting in WeasyPrint), poppler's tools
# (the tests read PDFs with them) and Chromium (the browser tests drive it through
# Playwright; Playwright's own browser download is never used). Installed only when missing.
$(APT_STAMP): Makefile $(PY_STAMP)
	@if dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); \
	else echo "please install the Debian packages: $(APT_PACKAGES)"; exit 1; fi
	touch $@

lint: setup
	$(PY) -m ruff check .

# Rewrite the golden files the tests compare against (review the diff before committing).
regenerate: setup
	$(PY) -m tests.golden

# Page images in docs/ (the sample's page 1 and a body page, the Turkish sample's table
# and math pages) and screenshots of the reading page at phone and desktop widths, for
# seeing the style without building.
docs-images: setup
	$(PY) -m tests.docs_images
	$(PY) -m tests.screenshots

# The speed and memory benchmark (figures in docs/performance.md).
bench: setup
	$(PY) bench/benchmark.py

clean:
	rm -rf build .pytest_cache
