#!/usr/bin/env bash
# The test command (README "Run every test"): sets up .venv, then lint, dbt build on a fixture, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "set up .venv"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
# shellcheck disable=SC1091
source .venv/bin/activate

step "lint: ruff"
ruff check src python_tests
ruff format --check src python_tests

step "lint: sqlfluff (dbt templater, in-memory target)"
sqlfluff lint models tests macros analyses

# A throwaway database, so the test run never touches (or waits on a lock of) the main job's file.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export RFM_DUCKDB_PATH="$scratch/fixture.duckdb"

step "dbt build on fixtures/transactions_messy.csv (every model, data test and unit test)"
dbt build --vars '{transactions_path: fixtures/transactions_messy.csv, as_of_date: "2025-07-01"}'

step "dbt docs generate"
dbt docs generate --vars '{transactions_path: fixtures/transactions_messy.csv, as_of_date: "2025-07-01"}' --quiet

step "pytest"
unset RFM_DUCKDB_PATH
pytest
