"""Publish the marts for readers who must never block a build, or be blocked by one, or see half of one.

The dbt model `rfm_publication` calls `publish` as the last node of `dbt build` (after every test: dbt skips
it when anything upstream failed). A publication is one set of files:

- `<mart>.parquet`, one file per mart;
- `rfm.duckdb`, a serving database with every mart and the `publication` table (the manifest), written in
  DuckDB's v1.0.0 storage format so that BI drivers embedding DuckDB 1.x can open it;
- `manifest.json`, the same manifest.

The set is switched atomically, whatever the moment of a kill:

    published/versions/<time>-<random>/  every file of one publication, written complete before it is shown
    published/current -> versions/<id>   the one pointer, swapped last (a new symlink renamed over it)
    published/<file> -> current/<file>   the stable names BI tools use, so they all switch with `current`

A reader that opens one file (say `rfm.duckdb`, which holds every mart and the manifest) sees one whole
publication. A reader that reads several files and needs them from the same publication resolves `current`
once (`current_version`, or `os.readlink("published/current")`) and reads the manifest and the files in that
folder; it has until the end of the next publication to open them, since the folder `current` just left is
kept until then. Files already open stay readable after that too (POSIX unlink semantics).

Leftovers of killed publications (version folders `current` does not point at, except the one it last
replaced, temporary links, and `.publishing-*` folders of the previous layout) are removed by the next
publication, after its swap. The build's own database is never opened by readers, and published files are
never opened for writing.

The first publication over the previous layout (regular files at the stable names) moves it into
`versions/legacy/` first: each file is hard-linked there (copied where the file system has no hard links),
`current` is pointed at it, and only then is each stable name replaced by a link to the same bytes. Killed
during that one-time move, readers still see the old publication whole; what can be left is a partial
`versions/legacy/` that nothing points at (redone by the next build) or `current -> versions/legacy` with some
stable names still regular files holding the same bytes (the next build links them). An old layout that was
already mixed (killed under the old code) stays mixed until the first new publication replaces it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
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
    "revenue_concentration",
    # Empty with var clustering false.
    "customer_clusters",
    "cluster_centroids",
    "cluster_profiles",
    "cluster_k_selection",
    "cluster_dendrogram",
    "cluster_scaling",
    "customer_clusters_history",
    "cluster_migration",
    "clv_model_parameters",
    "customer_clv",
    "churn_alerts",
    "clv_backtest",
)
#: Oldest DuckDB storage format the serving file is written in (readable by DuckDB 1.0 and later).
SERVING_STORAGE_VERSION = "v1.0.0"
SERVING_FILE = "rfm.duckdb"
MANIFEST_FILE = "manifest.json"
#: The pointer to the current publication's folder, and the folder that holds every publication's folder.
CURRENT = "current"
VERSIONS = "versions"
#: Held while a publication runs.
LOCK_FILE = ".lock"
#: Where the first publication in this layout moves a publication of the previous layout.
LEGACY_VERSION = "legacy"


@dataclass(frozen=True)
class BuildContext:
    invocation_id: str
    run_started_at: str
    transactions_path: str


class PublishError(Exception):
    """The marts must not be published as they are; the message is one sentence saying why."""

    # dbt-duckdb reports a Python model's exception as traceback.format_exception(error), which reads
    # __traceback__: with none to show, dbt prints the sentence alone instead of a traceback of its own
    # frames. The interpreter keeps the real traceback (sys.exc_info(), pytest) where it always does.
    @property  # type: ignore[override]
    def __traceback__(self) -> None:
        return None

    @__traceback__.setter
    def __traceback__(self, value: object) -> None:
        pass


class PublishDirError(PublishError):
    """RFM_PUBLISH_DIR cannot hold a publication; the message is one sentence saying why and what to do."""


#: The marts that hold the current as-of date: one date each, or (history) that date among others.
CURRENT_DATE_MARTS = (
    "rfm_segment_summary",
    "customer_rfm_history",
    "segment_trends",
    "revenue_concentration",
)


def check_consistent(connection: Any, source: dict[str, str]) -> None:
    """Refuse marts that are not one answer: no customer scored, or marts that lack customer_rfm's as-of date
    (left by a build whose guard stopped some of them, then published with --select rfm_publication)."""
    if "customer_rfm" not in source:
        return
    as_of_date = connection.execute(f"select max(as_of_date) from {source['customer_rfm']}").fetchall()[0][0]
    if as_of_date is None:
        raise PublishError(
            "Nothing to publish: marts.customer_rfm holds no customer; the last publication stays."
        )
    lacking = [
        mart
        for mart in CURRENT_DATE_MARTS
        if mart in source
        and not connection.execute(
            f"select count(*) from {source[mart]} where as_of_date = ?", [as_of_date]
        ).fetchall()[0][0]
    ]
    if lacking:
        raise PublishError(
            f"The marts are not one build's: customer_rfm is as of {as_of_date} but {', '.join(lacking)} not,"
            " as a build that stopped part way leaves them; build them all again (the last publication"
            " stays)."
        )


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish_dir(configured: str | None) -> Path:
    """RFM_PUBLISH_DIR (the model's `publish_dir` config), relative to the directory dbt runs in."""
    return Path(configured or "published")


def current_version(target: Path) -> Path | None:
    """The folder of the current publication, resolved once; None before the first one (or in the previous
    layout). Read the manifest and the files in this folder to see one publication whole."""
    try:
        return target / os.readlink(target / CURRENT)
    except FileNotFoundError:
        return None


def publish(
    connection: Any,
    database: str,
    schema: str,
    context: BuildContext,
    target: Path,
    marts: Sequence[str] = PUBLISHED_MARTS,
    on_step: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Write every mart of `database.schema` to `target` as one new publication, switched atomically; returns
    the manifest rows. `on_step` is called after each step with its name (tests kill the process there)."""
    step = on_step or (lambda name: None)
    check_writable(target)
    check_consistent(connection, {mart: f"{quote(database)}.{quote(schema)}.{quote(mart)}" for mart in marts})
    step("checked")
    with taking_turns(target):
        names = [f"{mart}.parquet" for mart in marts] + [SERVING_FILE, MANIFEST_FILE]
        migrate_previous_layout(target, names, step)

        replaced = current_version(target)
        # A new name for every publication, sortable by time: not the invocation id, which a deferred
        # int_build_context (slim CI's --defer) can repeat from the run it was deferred to.
        version = target / VERSIONS / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"
        version.mkdir(parents=True)
        manifest = write_version(connection, database, schema, context, version, marts, step)

        # Stable names missing (the first publication, a new mart) are created before the swap: until then
        # they point at nothing (or into the old publication, which lacks the file); then all switch at once.
        for name in names:
            if not (target / name).is_symlink():
                relink(target / name, Path(CURRENT) / name)
                step(f"linked {name}")
        relink(target / CURRENT, Path(VERSIONS) / version.name)
        sync(target)
        step("swapped current")

        keep = {version.name} | ({replaced.name} if replaced else set())
        remove_leftovers(target, keep, step)
        return manifest


@contextlib.contextmanager
def taking_turns(target: Path) -> Iterator[None]:
    """Publications into one folder take turns: one's cleanup would remove the folder another is writing."""
    with open(target / LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released by the kernel when the process ends, even when killed
        yield


def check_writable(target: Path) -> None:
    """Fail in one sentence, before anything is published, when `target` cannot hold a publication."""
    folder = target.absolute()
    if folder.exists() and not folder.is_dir():
        raise PublishDirError(
            f"RFM_PUBLISH_DIR points at {folder}, which is a file, not a folder: point RFM_PUBLISH_DIR at a "
            "folder (it is created if missing)."
        )
    try:
        for path in (folder, folder / VERSIONS):
            path.mkdir(parents=True, exist_ok=True)
            # Tested by writing: permission bits say nothing for root, while a read-only mount or an
            # immutable folder (chattr +i) refuses root too.
            descriptor, probe = tempfile.mkstemp(prefix=".tmp-check-", dir=path)
            os.close(descriptor)
            Path(probe).unlink(missing_ok=True)  # a publication cleaning up may have removed it already
    except OSError as error:
        raise PublishDirError(
            f"RFM_PUBLISH_DIR points at {folder}, which cannot be written ({error.strerror}): make it "
            "writable, or point RFM_PUBLISH_DIR at a folder that is."
        ) from None


def migrate_previous_layout(target: Path, names: Sequence[str], step: Callable[[str], None]) -> None:
    """Turn regular files at the stable names (the previous layout) into `versions/legacy` and links to it,
    with readers seeing the old publication whole at every moment (see the module's docstring)."""
    regular = [name for name in names if (target / name).is_file() and not (target / name).is_symlink()]
    if not regular:
        return
    if current_version(target) is None:
        legacy = target / VERSIONS / LEGACY_VERSION
        shutil.rmtree(legacy, ignore_errors=True)
        legacy.mkdir()
        for name in regular:
            try:
                os.link(target / name, legacy / name)
            except OSError:  # a file system without hard links: the same bytes, twice the space
                shutil.copy2(target / name, legacy / name)
        step("wrote legacy")
        relink(target / CURRENT, Path(VERSIONS) / LEGACY_VERSION)
        sync(target)
        step("pointed current at legacy")
    # Either just done, or done by a migration killed before it linked every name: the regular files left
    # hold the same bytes as current's.
    for name in regular:
        relink(target / name, Path(CURRENT) / name)
        step(f"migrated {name}")


def write_version(
    connection: Any,
    database: str,
    schema: str,
    context: BuildContext,
    version: Path,
    marts: Sequence[str],
    step: Callable[[str], None],
) -> list[dict[str, Any]]:
    """Every file of one publication into the folder `version`, flushed to disk; returns the manifest."""
    source = {mart: f"{quote(database)}.{quote(schema)}.{quote(mart)}" for mart in marts}
    as_of_date = connection.execute(f"select max(as_of_date) from {source['customer_rfm']}").fetchall()[0][0]
    published_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    manifest: list[dict[str, Any]] = []
    for mart in marts:
        rows = connection.execute(f"select count(*) from {source[mart]}").fetchall()[0][0]
        connection.execute(
            f"copy (select * from {source[mart]}) to {literal(str(version / f'{mart}.parquet'))} "
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
        step(f"wrote {mart}.parquet")
    write_serving_database(connection, version / SERVING_FILE, source, manifest)
    step(f"wrote {SERVING_FILE}")
    (version / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    step(f"wrote {MANIFEST_FILE}")
    # Flushed before `current` names them: after a power cut it must not name files whose data was lost.
    for path in version.iterdir():
        sync(path)
    sync(version)
    step("synced")
    return manifest


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


def relink(link: Path, destination: Path) -> None:
    """Point `link` at `destination` in one step: a new symlink renamed over the name (atomic on POSIX)."""
    temporary = link.with_name(f".tmp-{link.name}-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    os.symlink(destination, temporary)
    os.replace(temporary, link)


def sync(path: Path) -> None:
    """Flush a file, or a folder's entries, to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_leftovers(target: Path, keep: set[str], step: Callable[[str], None]) -> None:
    """Remove what killed publications left: version folders other than `keep`, temporary links and probes,
    and the previous layout's `.publishing-*` folders. Readers never open any of these."""
    leftovers = [
        *target.glob(".publishing-*"),
        *target.glob(".tmp-*"),
        *(path for path in (target / VERSIONS).iterdir() if path.name not in keep),
    ]
    for path in sorted(leftovers):
        # A probe of a publication waiting for the lock (check_writable) may vanish under us: not an error.
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        step(f"removed {path.name}")


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
