from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from rfm.project import project_dir, run_dbt

PROJECT = project_dir()
FIXTURES = PROJECT / "fixtures"
MESSY = FIXTURES / "transactions_messy.csv"
MESSY_AS_OF = "2025-07-01"

Build = Callable[..., Path]


def build_project(database: Path, transactions: Path | str, **variables: Any) -> Path:
    """dbt build on `transactions` into its own DuckDB file; raises DbtError unless every test passes."""
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
