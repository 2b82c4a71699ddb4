#!/usr/bin/env bash
# Slim CI: build and test only what a change touched and everything downstream of it (state:modified+),
# deferring every other node to the base's build.
#
#   scripts/slim_ci.sh BASE_REF [VARS_YAML]
#
# 1. The base ("production"): a git worktree of BASE_REF built into the CI database, its manifest kept as the
#    state to compare with. In a real pipeline this is the production build's artifacts and database
#    (`dbt build` on main, then keep target/ and the DuckDB file); here it is built on the spot.
# 2. The change: `dbt build --select state:modified+ --defer --state <base artifacts>` into the same database,
#    so unmodified parents are read from the base's relations and nothing else is rebuilt.
# Env: RFM_DUCKDB_PATH (default: a temporary file), RFM_SLIM_CI_STATE (default: a temporary folder) keeps the
# base's artifacts.
set -euo pipefail
base_ref=${1:?usage: scripts/slim_ci.sh BASE_REF [VARS_YAML]}
vars=${2:-"{}"}
cd "$(dirname "$0")/.."
repo=$(pwd)

work=$(mktemp -d)
state=${RFM_SLIM_CI_STATE:-$work/state}
export RFM_DUCKDB_PATH=${RFM_DUCKDB_PATH:-$work/rfm.duckdb}
cleanup() {
    git -C "$repo" worktree remove --force "$work/base" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

git -C "$repo" worktree add --detach --quiet "$work/base" "$base_ref"

echo "== base $base_ref: full build (the state to defer to)"
dbt build --project-dir "$work/base" --profiles-dir "$work/base" --target-path "$state" --vars "$vars"

echo "== this change: state:modified+ only, deferring the rest to the base"
dbt build --select state:modified+ --defer --state "$state" --vars "$vars"
