"""The publication: every mart for readers, switched atomically as a set after a green build (whatever the
moment of a kill), untouched by a failed one, readable by DuckDB 1.x and while builds run, and refused in one
sentence when RFM_PUBLISH_DIR cannot hold it (src/rfm_publication/__init__.py)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import MESSY, MESSY_AS_OF, PROJECT, build_project, query
from rfm.project import DbtError, run_dbt
from rfm_publication import (
    CURRENT,
    LEGACY_VERSION,
    LOCK_FILE,
    MANIFEST_FILE,
    PUBLISHED_MARTS,
    SERVING_FILE,
    VERSIONS,
    BuildContext,
    PublishError,
    current_version,
    publish,
    read_manifest,
)

#: The stable names BI tools read.
NAMES = [f"{mart}.parquet" for mart in PUBLISHED_MARTS] + [SERVING_FILE, MANIFEST_FILE]


@dataclass(frozen=True)
class Built:
    database: Path  # one dbt build of MESSY
    published: Path  # what that build published
    older: Path  # its marts with one row more each: "old" publications, told apart by their row counts


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("built")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_PUBLISH_DIR", str(folder / "published"))
        database = build_project(folder / "rfm.duckdb", MESSY, as_of_date=MESSY_AS_OF)
    older = folder / "older.duckdb"
    with duckdb.connect(str(older)) as connection:
        connection.execute(f"attach '{database}' as built (read_only)")
        connection.execute("create schema marts")
        for mart in PUBLISHED_MARTS:
            connection.execute(f"create table marts.{mart} as select * from built.marts.{mart}")
            connection.execute(f"insert into marts.{mart} default values")  # a row of nulls, even when empty
    return Built(database, folder / "published", older)


def row_counts(database: Path) -> dict[str, int]:
    return {mart: query(database, f"select count(*) from marts.{mart}")[0][0] for mart in PUBLISHED_MARTS}


def publish_from(
    database: Path, target: Path, invocation_id: str, on_step: Callable[[str], None] | None = None
) -> list[dict[str, Any]]:
    """What rfm_publication does at the end of a build, from a built database, without the build."""
    with duckdb.connect() as connection:
        connection.execute(f"attach '{database}' as source (read_only)")
        context = BuildContext(invocation_id, "2025-07-01T00:00:00Z", str(MESSY))
        return publish(connection, "source", "marts", context, target, on_step=on_step)


@pytest.fixture
def published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "published"
    monkeypatch.setenv("RFM_PUBLISH_DIR", str(target))
    return target


def serving_counts(path: Path) -> dict[str, tuple[int, int]]:
    """Per mart: (rows the manifest says, rows the serving file holds)."""
    with duckdb.connect(str(path), read_only=True) as connection:
        manifest = connection.execute("select mart, row_count from publication").fetchall()
        return {
            mart: (rows, connection.execute(f'select count(*) from "{mart}"').fetchall()[0][0])
            for mart, rows in manifest
        }


def snapshot(folder: Path) -> dict[str, Any]:
    """All a reader can see: what each stable name resolves to, byte for byte, where `current` points, and
    every name in the folder."""
    return {
        CURRENT: os.readlink(folder / CURRENT),
        "tree": sorted(str(path.relative_to(folder)) for path in folder.rglob("*")),
        **{name: (folder / name).read_bytes() for name in NAMES},
    }


def test_a_green_build_publishes_every_mart(built: Built) -> None:
    published = built.published
    manifest = read_manifest(published)
    assert [row["mart"] for row in manifest] == list(PUBLISHED_MARTS)
    invocation = query(built.database, "select invocation_id from intermediate.int_build_context")[0][0]
    for row in manifest:
        built_rows = query(built.database, f"select count(*) from marts.{row['mart']}")[0][0]
        parquet_rows = duckdb.sql(f"select count(*) from '{published / row['file']}'").fetchall()[0][0]
        assert row["row_count"] == built_rows == parquet_rows, row["mart"]
        assert row["invocation_id"] == invocation and row["as_of_date"] == MESSY_AS_OF
    counts = serving_counts(published / SERVING_FILE)
    assert set(counts) == set(PUBLISHED_MARTS) and all(a == b for a, b in counts.values())
    # The layout: one version folder, `current` pointing at it, every stable name a link through `current`.
    version = current_version(published)
    assert version is not None and os.readlink(published / CURRENT) == f"{VERSIONS}/{version.name}"
    assert [row["invocation_id"] for row in read_manifest(version)] == [invocation] * len(PUBLISHED_MARTS)
    assert sorted(path.name for path in current_version(published).iterdir()) == sorted(NAMES)  # no WAL
    assert all(os.readlink(published / name) == f"{CURRENT}/{name}" for name in NAMES)
    assert sorted(path.name for path in published.iterdir()) == sorted([*NAMES, CURRENT, VERSIONS, LOCK_FILE])


def test_a_failed_build_leaves_the_last_publication(built: Built, published: Path, tmp_path: Path) -> None:
    publish_from(built.database, published, "last-good")
    before = snapshot(published)

    only_bad = tmp_path / "only_bad.csv"
    only_bad.write_text("customer_id,transaction_at,amount\n,2025-01-01,10\nc1,not a date,10\n")
    with pytest.raises(DbtError):  # whichever guard stops it: what matters is that nothing is published
        build_project(tmp_path / "rfm.duckdb", only_bad)
    assert snapshot(published) == before


@pytest.fixture(scope="session")
def duckdb_1x(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DuckDB 1.1 (as BI drivers embed it), installed aside from the project's own DuckDB."""
    target = tmp_path_factory.mktemp("duckdb_1x")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), "duckdb==1.1.3"],
        check=True,
    )
    return target


def test_the_serving_file_opens_in_duckdb_1x(built: Built, duckdb_1x: Path) -> None:
    script = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
        "print(duckdb.__version__, c.execute('select count(*) from customer_rfm').fetchall()[0][0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(built.published / SERVING_FILE)],  # through the stable link
        env={**os.environ, "PYTHONPATH": str(duckdb_1x)},
        capture_output=True,
        text=True,
        check=True,
    )
    version, customers = result.stdout.split()
    assert version.startswith("1.") and int(customers) == read_manifest(built.published)[0]["row_count"]


READER = textwrap.dedent(
    """
    import json, os, sys, time
    import duckdb

    folder, stop, out = sys.argv[1], sys.argv[2], sys.argv[3]
    reads, errors, invocations = 0, [], set()
    while True:
        try:
            # One file: the serving database, through its stable name.
            with duckdb.connect(os.path.join(folder, "rfm.duckdb"), read_only=True) as connection:
                manifest = connection.execute(
                    "select mart, row_count, invocation_id from publication"
                ).fetchall()
                for mart, rows, invocation in manifest:
                    found = connection.execute(f'select count(*) from "{mart}"').fetchall()[0][0]
                    if found != rows:
                        errors.append(f"{mart}: manifest {rows}, data {found}")
                    invocations.add(invocation)
            # Several files: `current` resolved once, then the manifest and the Parquet files beside it.
            version = os.path.join(folder, os.readlink(os.path.join(folder, "current")))
            with open(os.path.join(version, "manifest.json")) as file:
                for row in json.load(file):
                    path = os.path.join(version, row["file"])
                    found = duckdb.sql(f"select count(*) from '{path}'").fetchall()[0][0]
                    if found != row["row_count"]:
                        errors.append(f"{row['file']}: manifest {row['row_count']}, data {found}")
            reads += 1
        except Exception as error:  # every failure is a finding
            errors.append(f"{type(error).__name__}: {error}")
        if os.path.exists(stop):
            break
        time.sleep(0.01)
    json.dump({"reads": reads, "errors": errors, "invocations": sorted(invocations)}, open(out, "w"))
    """
)


def test_readers_and_builds_never_block_each_other(published: Path, tmp_path: Path) -> None:
    database = tmp_path / "rfm.duckdb"
    build_project(database, MESSY, as_of_date=MESSY_AS_OF)
    stop, out = tmp_path / "stop", tmp_path / "reads.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(published), str(stop), str(out)])
    try:
        time.sleep(1)
        for as_of_date in ("2025-06-01", MESSY_AS_OF):  # two more publications while the reader reads
            build_project(database, MESSY, as_of_date=as_of_date)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    result = json.loads(out.read_text())
    assert result["errors"] == []
    assert result["reads"] >= 10
    assert len(result["invocations"]) >= 2  # it saw publications replaced under it
    assert json.loads((published / MANIFEST_FILE).read_text())[0]["as_of_date"] == MESSY_AS_OF
    # Three publications: the current one and the one it replaced are kept, the first was removed.
    assert len(list((published / VERSIONS).iterdir())) == 2


# Kills: the publication runs in a process that SIGKILLs itself after one named step of `publish`.
KILLED = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import duckdb
    from rfm_publication import BuildContext, publish

    database, target, invocation_id, kill_at = sys.argv[1:]

    def on_step(step):
        if step == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    with duckdb.connect() as connection:
        connection.execute(f"attach '{database}' as source (read_only)")
        context = BuildContext(invocation_id, "2025-07-01T00:00:00Z", "killed")
        publish(connection, "source", "marts", context, Path(target), on_step=on_step)
    """
)


def seen(folder: Path | None, expected: dict[str, dict[str, int]]) -> str | None:
    """The invocation id of the one publication a reader of `folder` (the stable names, or a version folder)
    sees, checking that every file of it is from that publication; None when it shows none."""
    if folder is None:
        return None
    present = [name for name in NAMES if (folder / name).exists()]
    if not present:
        return None
    assert present == NAMES, f"a partial publication: only {present}"
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    (invocation,) = {row["invocation_id"] for row in manifest}
    with duckdb.connect(str(folder / SERVING_FILE), read_only=True) as connection:
        assert {row[0] for row in connection.execute("select invocation_id from publication").fetchall()} == {
            invocation
        }
    serving = serving_counts(folder / SERVING_FILE)
    for row in manifest:
        parquet = duckdb.sql(f"select count(*) from '{folder / row['file']}'").fetchall()[0][0]
        rows = expected[invocation][row["mart"]]
        assert row["row_count"] == parquet == rows and serving[row["mart"]] == (rows, rows), row["mart"]
    return invocation


def previous_layout(target: Path, built: Built) -> None:
    """A publication as the previous code left it: regular files at the stable names, a `.publishing-*` folder
    of a killed publication, and the report `rfm report` writes beside them."""
    scratch = target.parent / "scratch"
    publish_from(built.older, scratch, "old")
    target.mkdir()
    for name in NAMES:
        shutil.copy2(scratch / name, target / name)  # copies the files the links resolve to
    shutil.rmtree(scratch)
    (target / ".publishing-killed").mkdir()
    shutil.copy2(target / NAMES[0], target / ".publishing-killed" / NAMES[0])
    (target / "rfm_report.html").write_text("<html></html>\n")


def versions_layout(target: Path, built: Built) -> None:
    """Two publications (the one before `old` is kept as the one `old` replaced) and what kills left: the
    folder of a publication killed before its swap, and the temporary link of one killed while linking."""
    publish_from(built.older, target, "older")
    publish_from(built.older, target, "old")
    (target / VERSIONS / "killed").mkdir()
    shutil.copy2(target / NAMES[0], target / VERSIONS / "killed" / NAMES[0])
    os.symlink(f"{VERSIONS}/killed", target / f".tmp-{CURRENT}-12345")


SCENARIOS: dict[str, tuple[Callable[[Path, Built], None] | None, str | None]] = {
    # name: (how the folder looks before, the publication readers see then)
    "first publication": (None, None),
    "over a publication": (versions_layout, "old"),
    "over the previous layout": (previous_layout, "old"),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_a_kill_at_any_step_leaves_the_old_publication_or_the_new_one(
    scenario: str, built: Built, tmp_path: Path
) -> None:
    make, before = SCENARIOS[scenario]
    template = tmp_path / "template" / "published"  # the folder before the publication; each kill copies it
    template.parent.mkdir()
    if make is not None:
        make(template, built)
    new, older = row_counts(built.database), row_counts(built.older)
    expected = {"older": older, "old": older, "new": new, "next": new}

    def fresh(name: str) -> Path:
        target = tmp_path / name / "published"
        if template.exists():
            shutil.copytree(template, target, symlinks=True)
        return target

    steps: list[str] = []
    complete = fresh("complete")
    publish_from(built.database, complete, "new", steps.append)
    assert seen(complete, expected) == "new"
    swap = steps.index("swapped current")
    assert len(steps) == len(set(steps)) and swap > len(PUBLISHED_MARTS)  # every step is named once

    for index, step in enumerate(steps):
        target = fresh(f"killed-{index}")
        killed = subprocess.run(
            [sys.executable, "-c", KILLED, str(built.database), str(target), "new", step], capture_output=True
        )
        assert killed.returncode == -signal.SIGKILL, (step, killed.stderr.decode())

        # Readers: through the stable names and through `current` (none in the previous layout), the whole
        # old or the whole new publication; the old one up to the swap, the new one from it on.
        version = current_version(target)
        visible = seen(target, expected)
        assert visible == (before if index < swap else "new"), step
        if version is not None:
            assert seen(version, expected) == visible, step

        # The next publication succeeds and leaves nothing but itself and the one it replaced (the previous
        # layout's files, moved to versions/legacy, when killed before they were).
        publish_from(built.database, target, "next")
        assert seen(target, expected) == "next", step
        replaced = version.name if version else LEGACY_VERSION if visible else None
        now = current_version(target)
        assert now is not None, step
        kept = {now.name} | ({replaced} if replaced else set())
        assert {path.name for path in (target / VERSIONS).iterdir()} == kept, step
        assert not [*target.glob(".publishing-*"), *target.glob(".tmp-*")], step
        assert all((target / name).is_symlink() for name in NAMES), step
        if (template / "rfm_report.html").exists():
            assert (target / "rfm_report.html").exists(), step  # not ours: left alone


def test_publications_into_one_folder_take_turns(built: Built, tmp_path: Path) -> None:
    target = tmp_path / "published"
    expected = {"a": row_counts(built.database), "b": row_counts(built.older)}
    runs = [
        subprocess.Popen([sys.executable, "-c", KILLED, str(database), str(target), invocation, "never"])
        for database, invocation in ((built.database, "a"), (built.older, "b"))
    ]
    assert [run.wait(timeout=120) for run in runs] == [0, 0]
    assert seen(target, expected) in {"a", "b"}
    folders = (target / VERSIONS).iterdir()
    assert {read_manifest(folder)[0]["invocation_id"] for folder in folders} == {"a", "b"}


# RFM_PUBLISH_DIR that cannot hold a publication: one sentence from `dbt build`, nothing written.
def publish_only(database: Path) -> None:
    """`dbt build` of the publication alone, on a built database (the rest is not in question)."""
    variables = {"transactions_path": str(MESSY), "as_of_date": MESSY_AS_OF}
    run_dbt(["build", "--select", "rfm_publication"], PROJECT, variables, database)


def assert_one_sentence(error: pytest.ExceptionInfo[DbtError], printed: str, sentence: str) -> None:
    """dbt prints the sentence, and DbtError carries it (as one clause of its own sentence)."""
    assert sentence in printed and sentence.removesuffix(".") in str(error.value)
    assert "Traceback" not in str(error.value) and "Traceback" not in printed


@pytest.fixture
def unwritable(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder nobody can write, and the reason the system gives. As root (containers), permission bits are
    ignored, but the immutable attribute (`chattr +i`, ext4 and most Linux file systems) refuses root too;
    otherwise mode 0o555 does."""
    folder = tmp_path / "published"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield folder, "Permission denied"
        finally:
            folder.chmod(0o755)
        return
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("running as root where chattr +i is not available: no way to make a folder unwritable")
    try:
        yield folder, "Operation not permitted"
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_a_file_as_the_publish_dir_fails_in_one_sentence(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "published"
    path.write_text("not a folder\n")
    monkeypatch.setenv("RFM_PUBLISH_DIR", str(path))
    with pytest.raises(DbtError) as error:
        publish_only(built.database)
    sentence = (
        f"RFM_PUBLISH_DIR points at {path}, which is a file, not a folder: point RFM_PUBLISH_DIR at a folder "
        "(it is created if missing)."
    )
    assert_one_sentence(error, capfd.readouterr().out, sentence)
    assert path.read_text() == "not a folder\n"


def test_an_unwritable_publish_dir_fails_in_one_sentence(
    built: Built,
    unwritable: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    folder, reason = unwritable
    monkeypatch.setenv("RFM_PUBLISH_DIR", str(folder))
    with pytest.raises(DbtError) as error:
        publish_only(built.database)
    sentence = (
        f"RFM_PUBLISH_DIR points at {folder}, which cannot be written ({reason}): make it writable, or point "
        "RFM_PUBLISH_DIR at a folder that is."
    )
    assert_one_sentence(error, capfd.readouterr().out, sentence)
    assert not list(folder.iterdir())


def test_a_read_only_mount_as_the_publish_dir_fails_in_one_sentence(built: Built, tmp_path: Path) -> None:
    """The reported case: `dbt build` in a private mount namespace (`unshare -m`, root only) where the folder
    is bind-mounted read-only, so nothing needs undoing afterwards."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("a read-only bind mount needs root and unshare")
    folder = tmp_path / "published"
    folder.mkdir()
    mount_then_build = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" && shift && exec "$@"'
    dbt = [str(Path(sys.executable).parent / "dbt"), "build", "--select", "rfm_publication"]
    dbt += ["--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT)]
    dbt += ["--vars", json.dumps({"transactions_path": str(MESSY), "as_of_date": MESSY_AS_OF})]
    environment = {**os.environ, "RFM_DUCKDB_PATH": str(built.database), "RFM_PUBLISH_DIR": str(folder)}
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", mount_then_build, "sh", str(folder), *dbt],
        env=environment,
        capture_output=True,
        text=True,
    )
    if "mount:" in result.stderr:
        pytest.skip(f"no read-only bind mount here: {result.stderr.strip()}")
    assert result.returncode == 1
    sentence = (
        f"RFM_PUBLISH_DIR points at {folder}, which cannot be written (Read-only file system): make it "
        "writable, or point RFM_PUBLISH_DIR at a folder that is."
    )
    assert sentence in result.stdout and "Traceback" not in result.stdout
    assert not list(folder.iterdir())


def test_marts_of_different_builds_are_not_published(built: Built, tmp_path: Path) -> None:
    # What a build stopped by a guard after some marts were rebuilt leaves, published with --select.
    mixed = tmp_path / "mixed.duckdb"
    shutil.copy2(built.database, mixed)
    with duckdb.connect(str(mixed)) as connection:
        connection.execute("update marts.rfm_segment_summary set as_of_date = as_of_date - 1")
    target = tmp_path / "published"
    publish_from(built.database, target, "good")
    before = sorted((path.name, path.is_symlink()) for path in target.rglob("*"))
    with pytest.raises(PublishError, match="customer_rfm is as of 2025-07-01 but rfm_segment_summary not"):
        publish_from(mixed, target, "mixed")
    assert sorted((path.name, path.is_symlink()) for path in target.rglob("*")) == before
    assert read_manifest(target)[0]["invocation_id"] == "good"
