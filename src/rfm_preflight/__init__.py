"""Checks before dbt-duckdb opens the project's database, as a dbt-duckdb plugin (profiles.yml) and for `rfm`.

dbt opens the DuckDB file before any macro or hook of the project runs, and a failed open ends in a traceback
of some 230 lines. This module is the dbt project's own preflight: it imports DuckDB and dbt only, never the
`rfm` CLI package (which imports it, to say the same sentences before it starts dbt).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import duckdb


def database_problem(database: Path, memory_limit: object = None) -> str | None:
    """Why DuckDB cannot open `database` for a build under `memory_limit`, in one sentence, or None.

    dbt opens the database before any project code runs, and dbt-duckdb then ends in a traceback.
    """
    folder = database.parent
    if not folder.is_dir():
        return (
            f"The folder {folder} for the DuckDB database does not exist; create it, or set"
            " RFM_DUCKDB_PATH to a file in a folder that exists."
        )
    try:
        # Create a file rather than ask os.access, which tells root yes on a read-only mount such as /sys.
        # DuckDB writes <file>.wal and <file>.tmp beside the database, so an existing one there fails too.
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        return (
            f"The folder {folder} for the DuckDB database is not writable ({error.strerror}); DuckDB writes"
            " the database and its .wal and .tmp files there, so set RFM_DUCKDB_PATH to a file in a"
            " writable folder."
        )
    if memory_limit is not None:
        try:
            duckdb.connect(":memory:", config={"memory_limit": str(memory_limit)}).close()
        except duckdb.Error as error:
            return (
                f"RFM_DUCKDB_MEMORY_LIMIT is '{memory_limit}', which DuckDB refuses as memory_limit"
                f" ({str(error).splitlines()[0]}); set a size such as 4GB or a share of memory such as"
                " 50%, or unset it for DuckDB's default, 80%."
            )
    if database.exists():
        try:
            duckdb.connect(str(database)).close()
        except duckdb.IOException as error:
            # DuckDB gives no error code for another process's lock: its message is the only sign.
            if "lock" not in str(error):
                return f"DuckDB cannot open the database {database}: {str(error).splitlines()[0]}"
            holder = re.search(r" \(PID \d+\)", str(error))
            return (
                f"The DuckDB database {database} is open in another process{holder[0] if holder else ''}:"
                " DuckDB lets one process write a database file and no other open it meanwhile, so wait"
                " for that build to finish or close that reader (BI tools should read the publication),"
                " or set RFM_DUCKDB_PATH to another file."
            )
    return None


def __getattr__(name: str) -> Any:
    """`Plugin`, which profiles.yml has dbt-duckdb load from here; built on first use, so that `rfm` can use
    database_problem without importing dbt."""
    if name != "Plugin":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from dbt.adapters.duckdb.plugins import BasePlugin
    from dbt_common.exceptions import DbtRuntimeError

    class Plugin(BasePlugin):
        """Checks the database and memory_limit before dbt-duckdb connects: the project's only code that runs
        before the connection, so that plain dbt says what is wrong in one sentence."""

        checked = False

        def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
            # dbt-duckdb reconnects whenever its last cursor closes: once per run is enough.
            if self.checked:
                return
            problem = database_problem(Path(creds.path), (creds.settings or {}).get("memory_limit"))
            if problem:
                raise DbtRuntimeError(problem)
            self.checked = True

    return Plugin
