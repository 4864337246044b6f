# The two commands a new engineer needs:  make demo   and   make test
# Everything is installed from the lockfiles into the project folder (.tools, .venv, web/node_modules).

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test env lint typecheck pytest bench web clean-data

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

env: $(UV)
	$(UV) sync --frozen --quiet

web:
	@if [ -f web/package.json ]; then bash scripts/build-web.sh; fi

demo: env web
	KASSA_COOKIE_SECURE=$${KASSA_COOKIE_SECURE:-false} $(BIN)/kassa demo

lint: env
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: env
	$(BIN)/mypy

pytest: env
	$(BIN)/pytest

test: env web lint typecheck
	bash scripts/run-tests.sh

bench: $(UV)
	$(UV) sync --frozen --quiet --group bench

clean-data:
	rm -rf var
