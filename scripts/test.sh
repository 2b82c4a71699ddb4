#!/usr/bin/env bash
# The test command (README "Run every test"): sets up .venv, then lint (pre-commit), dbt build on a fixture
# with deprecations as errors, docs, coverage and metadata checks, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "set up .venv"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
# shellcheck disable=SC1091
source .venv/bin/activate

step "lint: pre-commit run --all-files (ruff, sqlfluff with the dbt templater, YAML and whitespace checks)"
pre-commit run --all-files --show-diff-on-failure

# A throwaway database and state, so the test run never touches (or waits on a lock of) the main job's file.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export RFM_DUCKDB_PATH="$scratch/fixture.duckdb"
export RFM_PUBLISH_DIR="$scratch/published"
export RFM_SPARK_WAREHOUSE="$scratch/spark-warehouse"
# The fixture is half bad rows by design: the reject-rate guard's error limit is raised for it.
fixture_vars='{transactions_path: fixtures/transactions_messy.csv, as_of_date: "2025-07-01", reject_rate_error: 0.9}'

step "dbt debug (profile, project, connection)"
dbt debug --quiet

step "dbt build on fixtures/transactions_messy.csv (every model, data test and unit test; deprecations are errors)"
dbt build --vars "$fixture_vars" --warn-error-options '{"error": ["Deprecations"]}'

step "dbt docs generate"
dbt docs generate --vars "$fixture_vars" --quiet

step "documentation coverage (every column of every model and seed: 100%)"
dbt-coverage compute doc --cov-fail-under 1.0 --cov-report "$scratch/coverage-doc.json"

step "test coverage of columns (at least 25%; every model's grain is tested)"
dbt-coverage compute test --cov-fail-under 0.25 --cov-report "$scratch/coverage-test.json"

step "dbt-score: metadata quality (project at least 9.5 of 10, no item under 8)"
dbt-score lint --fail-project-under 9.5 --fail-any-item-under 8.0

step "pytest, one worker per core (RFM_SKIP_SPARK=1 skips the Spark parity test, and the summary says so)"
unset RFM_DUCKDB_PATH
# Most of a test's time is dbt's single-threaded Python (parsing, compiling): two workers on two cores nearly
# halve the run. RFM_TEST_WORKERS=0 runs in one process.
# --dist loadscope: each test module runs whole on one worker, so a build its tests share (a module-scoped
# fixture; the Spark parity builds above all) is made once, not once per worker. (loadgroup with xdist_group
# marks did not group under pytest 9: xdist 3.8 renames a test by an attribute pytest 9 no longer reads.)
pytest -n "${RFM_TEST_WORKERS:-auto}" --dist loadscope --durations 15
