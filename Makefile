# ferme: `make demo` and `make test` work on a fresh Debian 12 machine as root.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.ferme-setup
# Wheels and downloads are cached here (git-ignored) so that a second setup is fast.
export PIP_CACHE_DIR := $(CURDIR)/.cache/pip
export PIP_DISABLE_PIP_VERSION_CHECK := 1
EXAMPLES := inventories/mairie-exemple inventories/departement-exemple inventories/lab

.PHONY: setup test lint demo bench schema locale clean

setup: $(STAMP)

$(STAMP): pyproject.toml setup.py constraints.txt scripts/setup-debian.sh
	scripts/setup-debian.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	$(BIN)/pip install -q --no-deps fake-switches==1.5.0
	touch $@

lint: setup
	$(BIN)/ruff check ferme tests roles deploy bench setup.py
	$(BIN)/ruff format --check ferme tests roles deploy bench setup.py
	$(BIN)/mypy ferme roles deploy

test: lint
	$(BIN)/pytest -q

locale: setup
	$(BIN)/python scripts/compile-locale.py

schema: setup
	$(BIN)/ferme schema --out schema/inventory.schema.json

demo: setup
	@mkdir -p build/lab
	@scripts/demo.sh

# Ansible for the side-by-side runs lives in a venv of its own (its pins must not move ferme's).
ANSIBLE_VENV := .cache/bench/ansible
ANSIBLE_PINS := ansible==12.3.0 ansible-core==2.19.14 mitogen==0.3.54

bench: setup
	$(BIN)/pip install -q -c constraints.txt -e '.[bench]'
	test -x $(ANSIBLE_VENV)/bin/python || $(PYTHON) -m venv $(ANSIBLE_VENV)
	$(ANSIBLE_VENV)/bin/pip install -q $(ANSIBLE_PINS)
	for inventory in $(EXAMPLES); do $(BIN)/ferme secrets init "$$inventory" >/dev/null; done
	$(BIN)/python bench/run.py

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
