# Two commands a newcomer needs:   make demo   |   make test
# Both create .venv with a Python >= 3.12 found by scripts/find-python.sh and install syncd into it
# (editable, with the test tools). `make install` is the install for real use: see below.
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.syncd-installed

# make install: the package and its chart extra, not editable, no test tools, in $(PREFIX)/venv,
# with a `syncd` link in $(BINDIR). As root: /opt/syncd and /usr/local/bin, with an interpreter
# the service user can run (docs/service.md); as anyone else: under ~/.local.
ifeq ($(shell id -u),0)
PREFIX ?= /opt/syncd
BINDIR ?= /usr/local/bin
else
PREFIX ?= $(HOME)/.local/share/syncd
BINDIR ?= $(HOME)/.local/bin
endif

.PHONY: demo test install dev lint bench clean

demo: $(STAMP)
	$(BIN)/syncd demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

dev: $(STAMP)

install:
	@sh scripts/install.sh "$(PREFIX)" "$(BINDIR)"

$(STAMP): pyproject.toml
	@if [ ! -x $(BIN)/python ]; then \
		py=$$(sh scripts/find-python.sh) || exit 1; \
		echo "creating $(VENV) with $$py"; \
		"$$py" -m venv $(VENV) || exit 1; \
	fi
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,chart]'
	@touch $(STAMP)

# ruff check, ruff format --check and mypy strict on syncd/ (CI runs it after the tests)
lint: $(STAMP)
	$(BIN)/python -m pip install -q ruff mypy
	$(BIN)/ruff check syncd tests bench
	$(BIN)/ruff format --check syncd tests bench
	$(BIN)/mypy syncd

bench: $(STAMP)
	$(BIN)/python bench/bench_rules.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
