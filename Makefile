# The two commands of the README: `make demo` and `make test`. Each bootstraps .venv from the
# pinned, hashed requirements on a machine with nothing but Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test lint typecheck audit bench requirements clean

$(STAMP): requirements/runtime.txt requirements/dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/runtime.txt -r requirements/dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/vqs demo

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

audit: $(STAMP)
	scripts/audit.sh

bench: $(STAMP)
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

# Re-pin after editing requirements/*.in (needs uv: pip install uv).
requirements:
	cd requirements && uv pip compile --generate-hashes --python-version 3.11 --quiet runtime.in -o runtime.txt
	cd requirements && uv pip compile --generate-hashes --python-version 3.11 --quiet dev.in -o dev.txt
	cd requirements && uv pip compile --generate-hashes --python-version 3.11 --quiet build.in -o build.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
