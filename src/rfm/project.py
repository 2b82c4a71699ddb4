"""Where the dbt project, the sample and the database live, and how dbt is invoked in-process."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rfm_preflight import database_problem

DEFAULT_SAMPLE = Path("data/sample/transactions.csv")
DEFAULT_DATABASE = Path("data/rfm.duckdb")
# dbt's wrapping of a message: "Runtime Error in model x (models/x.sql)", "Database Error", the macro stack.
WRAPPING = re.compile(r"[\w ]+ Error(?: in \w+ \S+ \(.*\))?")
STACK = re.compile(r"> (?:in|called by) \w+ \S+ \((?P<path>.*)\)")
# What comes before the project's own sentences: the guards' marker after DuckDB's or Spark's prefix for the
# text of error() / raise_error() (macros/rfm_raise_error.sql), and dbt-duckdb's for the publication's
# PublishDirError (src/rfm_publication/__init__.py).
OWN_PREFIXES = (
    "Invalid Input Error: [rfm] ",
    "[USER_RAISED_EXCEPTION] [rfm] ",
    "Python model failed: rfm_publication.PublishDirError: ",
    "Python model failed: rfm_publication.PublishError: ",
)


class DbtError(RuntimeError):
    """dbt could not build: one sentence, the project's own where it has one, else dbt's unwrapped."""


def project_dir() -> Path:
    """The dbt project `rfm` acts on, as dbt finds its own: the nearest folder from the current directory up
    that holds a dbt_project.yml, else RFM_PROJECT_DIR, else the checkout this package was installed from
    (else the current directory, where dbt then says what is missing). Inside another clone, `rfm` acts on
    that clone."""
    here = Path.cwd()
    if found := next(
        (folder for folder in [here, *here.parents] if (folder / "dbt_project.yml").is_file()), None
    ):
        return found.resolve()
    if env := os.environ.get("RFM_PROJECT_DIR"):
        return Path(env).resolve()
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "dbt_project.yml").is_file():
        return checkout
    return here


def database_path(project: Path) -> Path:
    """The DuckDB file dbt writes: RFM_DUCKDB_PATH (relative to the cwd, as dbt reads it) or the default."""
    if env := os.environ.get("RFM_DUCKDB_PATH"):
        return Path(env).resolve()
    return project / DEFAULT_DATABASE


def unwrap(message: str, project: Path) -> tuple[str, bool]:
    """dbt's message on one line without dbt's wrapping, and whether it is the project's own sentence.

    Own: the text of a guard's error() in SQL or of the publication's PublishDirError, or a compile error
    raised in the project's own files (the innermost frame of the macro stack); such a sentence says what is
    wrong without the node's name.
    """
    lines = [line.strip() for line in message.strip().splitlines()]
    while lines and WRAPPING.fullmatch(lines[0]):
        lines.pop(0)
    stack = [match["path"] for line in lines if (match := STACK.fullmatch(line))]
    text = " ".join(" ".join(line for line in lines if not STACK.fullmatch(line)).split())
    for prefix in OWN_PREFIXES:
        if text.startswith(prefix):
            return text.removeprefix(prefix), True
    return text, bool(stack) and (project / stack[0]).is_file()


def describe_failures(failures: Iterable[tuple[str, str, str]], project: Path) -> str:
    """One sentence for failed nodes, each given as (name, status, message)."""
    parts, complete = [], True
    for name, status, message in failures:
        text, own = unwrap(message, project)
        if status == "fail":  # a data test: dbt's count here, the failing rows' query in dbt's output
            parts.append(f"{name} ({status}: {text})")
            complete = False
        else:
            parts.append(text if own else f"{name}: {text}")
            complete &= own
    return "; ".join(part.rstrip(".") for part in parts) + ("." if complete else "; see dbt's output above.")


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
    database = database or database_path(project)
    # The DuckDB target (the default) opens the database first: a problem there is said before dbt starts.
    if not any(word in {"--target", "-t"} or word.startswith("--target=") for word in command):
        problem = database_problem(database, os.environ.get("RFM_DUCKDB_MEMORY_LIMIT"))
        if problem:
            raise DbtError(problem)
    previous = os.environ.get("RFM_DUCKDB_PATH")
    os.environ["RFM_DUCKDB_PATH"] = str(database)
    try:
        result = dbtRunner().invoke(args)
    finally:
        release_duckdb()
        if previous is None:
            os.environ.pop("RFM_DUCKDB_PATH", None)
        else:
            os.environ["RFM_DUCKDB_PATH"] = previous
    if result.exception is not None:
        text, _ = unwrap(str(result.exception), project)
        raise DbtError(f"dbt {' '.join(command)} could not run: {text}")
    if not result.success:
        failed = [
            (r.node.name, str(r.status), str(r.message or ""))
            for r in (result.result or [])
            if str(r.status) in {"error", "fail", "runtime error"}
        ]
        detail = f": {describe_failures(failed, project)}" if failed else "; see dbt's output above."
        raise DbtError(f"dbt {' '.join(command)} failed{detail}")
    return DbtRun(success=True, results=list(result.result or []))
