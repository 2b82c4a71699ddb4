"""Publish the marts for readers who must never block a build, or be blocked by one.

The dbt model `rfm_publication` calls `publish` as the last node of `dbt build` (after every test: dbt skips
it when anything upstream failed). Everything is written under a temporary name first and then renamed into
place, so a reader sees the previous publication or the new one, never a mix within one file:

- `<mart>.parquet`, one file per mart;
- `rfm.duckdb`, a serving database with every mart and the `publication` table (the manifest), written in
  DuckDB's v1.0.0 storage format so that BI drivers embedding DuckDB 1.x can open it. It is one file, so a
  reader of it always sees one complete publication;
- `manifest.json`, the same manifest, written last.

The build's own database is never opened by readers, and the published files are never opened for writing:
renaming a new file over an old one leaves readers of the old one undisturbed (POSIX rename semantics).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The marts published, in this order; history marts are published even when they hold one date.
PUBLISHED_MARTS = (
    "customer_rfm",
    "rfm_segment_summary",
    "rfm_cell_summary",
    "rfm_score_thresholds",
    "customer_rfm_history",
    "segment_migration",
    "segment_trends",
)
#: Oldest DuckDB storage format the serving file is written in (readable by DuckDB 1.0 and later).
SERVING_STORAGE_VERSION = "v1.0.0"
SERVING_FILE = "rfm.duckdb"
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class BuildContext:
    invocation_id: str
    run_started_at: str
    transactions_path: str


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish_dir(configured: str | None) -> Path:
    """RFM_PUBLISH_DIR (the model's `publish_dir` config), relative to the directory dbt runs in."""
    return Path(configured or "published")


def publish(
    connection: Any,
    database: str,
    schema: str,
    context: BuildContext,
    target: Path,
    marts: Sequence[str] = PUBLISHED_MARTS,
) -> list[dict[str, Any]]:
    """Write every mart of `database.schema` to `target` atomically; returns the manifest rows."""
    target.mkdir(parents=True, exist_ok=True)
    staging = target / f".publishing-{context.invocation_id}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        source = {mart: f"{quote(database)}.{quote(schema)}.{quote(mart)}" for mart in marts}
        as_of_date = connection.execute(f"select max(as_of_date) from {source['customer_rfm']}").fetchall()[
            0
        ][0]
        published_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        manifest: list[dict[str, Any]] = []
        for mart in marts:
            rows = connection.execute(f"select count(*) from {source[mart]}").fetchall()[0][0]
            connection.execute(
                f"copy (select * from {source[mart]}) to {literal(str(staging / f'{mart}.parquet'))} "
                "(format parquet)"
            )
            manifest.append(
                {
                    "mart": mart,
                    "row_count": rows,
                    "file": f"{mart}.parquet",
                    "as_of_date": str(as_of_date),
                    "transactions_path": context.transactions_path,
                    "invocation_id": context.invocation_id,
                    "build_started_at": context.run_started_at,
                    "published_at": published_at,
                }
            )
        write_serving_database(connection, staging / SERVING_FILE, source, manifest)
        (staging / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")

        # Into place: every file is a rename (atomic on one file system); the manifest goes last.
        for mart in marts:
            os.replace(staging / f"{mart}.parquet", target / f"{mart}.parquet")
        os.replace(staging / SERVING_FILE, target / SERVING_FILE)
        os.replace(staging / MANIFEST_FILE, target / MANIFEST_FILE)
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_serving_database(
    connection: Any, path: Path, source: dict[str, str], manifest: list[dict[str, Any]]
) -> None:
    """A new DuckDB file with every mart and the manifest as table `publication`."""
    alias = "rfm_serving_" + path.parent.name.replace("-", "_").replace(".", "_")
    connection.execute(
        f"attach {literal(str(path))} as {quote(alias)} (storage_version {literal(SERVING_STORAGE_VERSION)})"
    )
    try:
        for mart, relation in source.items():
            connection.execute(f"create table {quote(alias)}.main.{quote(mart)} as select * from {relation}")
        connection.execute(f"create table {quote(alias)}.main.publication as {manifest_sql(manifest)}")
    finally:
        connection.execute(f"detach {quote(alias)}")


MANIFEST_COLUMNS = (
    "mart",
    "row_count",
    "file",
    "as_of_date",
    "transactions_path",
    "invocation_id",
    "build_started_at",
    "published_at",
)


def manifest_sql(manifest: list[dict[str, Any]]) -> str:
    """The manifest as a typed select (the `publication` table, and the rfm_publication model's rows)."""
    values = ", ".join(
        "(" + ", ".join(literal(str(row[key])) for key in MANIFEST_COLUMNS) + ")" for row in manifest
    )
    return (
        "select * replace (cast(row_count as bigint) as row_count, "
        "try_cast(as_of_date as date) as as_of_date) "
        f"from (values {values}) as manifest ({', '.join(MANIFEST_COLUMNS)})"
    )


def read_manifest(target: Path) -> list[dict[str, Any]]:
    """The manifest of the current publication, or an empty list before the first one."""
    path = target / MANIFEST_FILE
    return json.loads(path.read_text()) if path.exists() else []
