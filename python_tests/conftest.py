from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from rfm.project import project_dir, run_dbt

PROJECT = project_dir()
# Builds in tests publish to a scratch folder, not the checkout's published/ (tests that check the publication
# point RFM_PUBLISH_DIR at their own folder).
os.environ.setdefault("RFM_PUBLISH_DIR", tempfile.mkdtemp(prefix="rfm-test-published-"))
# pytest-xdist (scripts/test.sh) runs tests in several processes at once: each keeps its own dbt target and
# log folders, because two dbt runs in one project folder overwrite each other's manifest and partial-parse
# file. The target path is relative, so it lands inside whichever project a test builds (checkout or copy).
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if WORKER:
    os.environ["DBT_TARGET_PATH"] = f"target-{WORKER}"
    os.environ.setdefault("DBT_LOG_PATH", tempfile.mkdtemp(prefix=f"rfm-test-logs-{WORKER}-"))
TARGET = os.environ.get("DBT_TARGET_PATH", "target")
FIXTURES = PROJECT / "fixtures"
MESSY = FIXTURES / "transactions_messy.csv"
MESSY_AS_OF = "2025-07-01"
MESSY_REJECT_RATE_ERROR = 0.9

Build = Callable[..., Path]


def build_project(database: Path, transactions: Path | str, **variables: Any) -> Path:
    """dbt build on `transactions` into its own DuckDB file; raises DbtError unless every test passes."""
    if Path(transactions) == MESSY:
        # The fixture is mostly bad rows by design (every reason, twice): past the guard's default limit.
        variables.setdefault("reject_rate_error", MESSY_REJECT_RATE_ERROR)
    # The cluster models (Python, scikit-learn) add seconds to every build: only the tests of clustering
    # (test_clustering.py) and the builds the CLI runs build them.
    variables.setdefault("clustering", False)
    run_dbt(["build"], PROJECT, {"transactions_path": str(transactions), **variables}, database)
    return database


@pytest.fixture
def build(tmp_path: Path) -> Build:
    def _build(transactions: Path | str, **variables: Any) -> Path:
        return build_project(tmp_path / "rfm.duckdb", transactions, **variables)

    return _build


@pytest.fixture(scope="session")
def messy_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    database = tmp_path_factory.mktemp("messy") / "rfm.duckdb"
    return build_project(database, MESSY, as_of_date=MESSY_AS_OF)


def query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project's files as they are now (tracked or untracked, not ignored) in a fresh repo, one commit;
    the test runs in it."""
    listed = subprocess.run(
        ["git", "-C", str(PROJECT), "ls-files", "--cached", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    target = tmp_path / "repo"
    for name in listed:
        source = PROJECT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git(target, "init", "-q")
    commit(target, "project as it is")
    # `rfm` acts on the project it stands in, as dbt does.
    monkeypatch.chdir(target)
    return target
