"""Where the dbt project, the sample and the database live, and how dbt is invoked in-process."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_SAMPLE = Path("data/sample/transactions.csv")
DEFAULT_DATABASE = Path("data/rfm.duckdb")


class DbtError(RuntimeError):
    """dbt finished without success; the message is dbt's own one-line summary where it has one."""


def project_dir() -> Path:
    """The dbt project: RFM_PROJECT_DIR, else the checkout this package was installed from, else the cwd."""
    if env := os.environ.get("RFM_PROJECT_DIR"):
        return Path(env).resolve()
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "dbt_project.yml").is_file():
        return checkout
    return Path.cwd()


def database_path(project: Path) -> Path:
    """The DuckDB file dbt writes: RFM_DUCKDB_PATH (relative to the cwd, as dbt reads it) or the default."""
    if env := os.environ.get("RFM_DUCKDB_PATH"):
        return Path(env).resolve()
    return project / DEFAULT_DATABASE


@dataclass(frozen=True)
class DbtRun:
    success: bool
    results: Sequence[Any]


def release_duckdb() -> None:
    """dbt-duckdb keeps its database open in-process after a run; close it so other readers can lock it."""
    from dbt.adapters.factory import reset_adapters

    reset_adapters()
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # another adapter: nothing held open here
        return
    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def run_dbt(
    command: Sequence[str],
    project: Path,
    variables: Mapping[str, Any] | None = None,
    database: Path | None = None,
) -> DbtRun:
    """Invoke one dbt command in-process against `project`, raising DbtError unless it succeeds."""
    from dbt.cli.main import dbtRunner

    args = [*command, "--project-dir", str(project), "--profiles-dir", str(project)]
    if variables:
        args += ["--vars", json.dumps(dict(variables))]
    previous = os.environ.get("RFM_DUCKDB_PATH")
    os.environ["RFM_DUCKDB_PATH"] = str(database or database_path(project))
    try:
        result = dbtRunner().invoke(args)
    finally:
        release_duckdb()
        if previous is None:
            os.environ.pop("RFM_DUCKDB_PATH", None)
        else:
            os.environ["RFM_DUCKDB_PATH"] = previous
    if result.exception is not None:
        raise DbtError(f"dbt {' '.join(command)} could not run: {result.exception}")
    if not result.success:
        failed = [
            f"{r.node.name} ({r.status}: {' '.join(str(r.message or '').split())})"
            for r in (result.result or [])
            if str(r.status) in {"error", "fail", "runtime error"}
        ]
        detail = f": {'; '.join(failed)}" if failed else ""
        raise DbtError(f"dbt {' '.join(command)} failed{detail}; see dbt's output above.")
    return DbtRun(success=True, results=list(result.result or []))
