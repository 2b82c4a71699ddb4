"""Faults around a build and failures inside it: one sentence each, from `rfm` and from plain `dbt`."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from conftest import MESSY, MESSY_AS_OF, PROJECT
from rfm.cli import main
from rfm.project import DbtError, describe_failures, run_dbt

DBT = Path(sys.executable).parent / "dbt"
RUN_MESSY = ["run", "--transactions", str(MESSY), "--as-of-date", MESSY_AS_OF]
IN_USE = (
    "is open in another process (PID {pid}): DuckDB lets one process write a database file and no other"
    " open it meanwhile, so wait for that build to finish or close that reader (BI tools should read the"
    " publication), or set RFM_DUCKDB_PATH to another file."
)
MISSING = (
    "The folder {folder} for the DuckDB database does not exist; create it, or set RFM_DUCKDB_PATH to a file"
    " in a folder that exists."
)
READ_ONLY = (
    r"The folder {folder} for the DuckDB database is not writable \([^)]+\); DuckDB writes the database and"
    r" its \.wal and \.tmp files there, so set RFM_DUCKDB_PATH to a file in a writable folder\."
)
LOTS = (
    "RFM_DUCKDB_MEMORY_LIMIT is 'lots', which DuckDB refuses as memory_limit (Parser Error: Memory must have"
    " a number (e.g. 1GB)); set a size such as 4GB or a share of memory such as 50%, or unset it for"
    " DuckDB's default, 80%."
)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """`folder`, made so that no one can create files in it, or another such folder. chmod does not stop root,
    so as root: the immutable attribute (chattr +i) where the file system and the container allow it, else
    /sys, where root can't create files either."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    try:
        subprocess.run(["chattr", "+i", str(folder)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        if not Path("/sys/kernel").is_dir():
            pytest.skip("no folder here that root cannot write to")
        yield Path("/sys")
        return
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the plain dbt runs keep their artifacts: shared, so that runs with the same profile (the same
    database path) parse the project once."""
    return tmp_path_factory.mktemp("plain-dbt")


@contextlib.contextmanager
def held(database: Path, read_only: bool) -> Iterator[int]:
    """`database` open in a second process, as another build (or a reader) holds it; yields that PID."""
    duckdb.connect(str(database)).close()
    opener = f"import duckdb, sys; c = duckdb.connect({str(database)!r}, read_only={read_only})"
    with subprocess.Popen(
        [sys.executable, "-c", f"{opener}; print('open', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "open\n"
        yield holder.pid  # leaving closes its stdin, and it exits


def rfm_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 1
    return capsys.readouterr().err.strip()


def plain_dbt(plain: Path, database: Path, **env: str) -> str:
    """What `dbt build` prints, run as a user runs it: its own process, the repo's profiles.yml."""
    completed = subprocess.run(
        [
            str(DBT),
            "build",
            *("--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT)),
            *("--target-path", str(plain / "target"), "--log-path", str(plain / "logs")),
            *("--vars", json.dumps({"transactions_path": str(MESSY), "as_of_date": MESSY_AS_OF})),
        ],
        cwd=PROJECT,
        env={**os.environ, "RFM_DUCKDB_PATH": str(database), **env},
        capture_output=True,
        text=True,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 2, output[-2000:]
    assert "Traceback" not in output
    return " ".join(output.split())


# ---------- 1. A second build, or a reader, holding the database


@pytest.mark.parametrize("read_only", [False, True], ids=["build", "reader"])
def test_rfm_says_the_database_is_in_use(
    read_only: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "rfm.duckdb"
    monkeypatch.setenv("RFM_DUCKDB_PATH", str(database))
    with held(database, read_only) as pid:
        assert rfm_error(capsys, RUN_MESSY) == f"rfm: The DuckDB database {database} {IN_USE.format(pid=pid)}"


def test_dbt_says_the_database_is_in_use(plain: Path) -> None:
    database = plain / "place" / "rfm.duckdb"
    database.parent.mkdir(exist_ok=True)
    with held(database, read_only=True) as pid:
        output = plain_dbt(plain, database)
    assert f"The DuckDB database {database} {IN_USE.format(pid=pid)}" in output


# ---------- 2. The database's folder missing or read-only


def test_rfm_says_the_folder_is_missing(tmp_path: Path) -> None:
    # rfm run makes a missing folder; builds through run_dbt (tests, rfm diff) don't.
    database = tmp_path / "nowhere" / "rfm.duckdb"
    with pytest.raises(DbtError) as failure:
        run_dbt(["build"], PROJECT, {"transactions_path": str(MESSY)}, database)
    assert str(failure.value) == MISSING.format(folder=database.parent)


def test_rfm_says_the_folder_is_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with read_only(tmp_path / "read-only") as folder:
        monkeypatch.setenv("RFM_DUCKDB_PATH", str(folder / "rfm.duckdb"))
        sentence = READ_ONLY.format(folder=re.escape(str(folder)))
        assert re.fullmatch(f"rfm: {sentence}", rfm_error(capsys, RUN_MESSY))
        # A folder that rfm run cannot make, inside a read-only one, is said to be missing.
        monkeypatch.setenv("RFM_DUCKDB_PATH", str(folder / "sub" / "rfm.duckdb"))
        assert rfm_error(capsys, RUN_MESSY) == f"rfm: {MISSING.format(folder=folder / 'sub')}"


def test_dbt_says_the_folder_is_missing(plain: Path) -> None:
    database = plain / "place" / "rfm.duckdb"  # the path of the test above: the same profile, parsed once
    shutil.rmtree(database.parent, ignore_errors=True)
    assert MISSING.format(folder=database.parent) in plain_dbt(plain, database)


def test_dbt_says_the_folder_is_read_only(plain: Path) -> None:
    with read_only(plain / "place") as folder:
        output = plain_dbt(plain, folder / "rfm.duckdb")
    assert re.search(READ_ONLY.format(folder=re.escape(str(folder))), output)


# ---------- 3. A memory_limit DuckDB can't read


def test_rfm_says_the_memory_limit_is_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RFM_DUCKDB_PATH", str(tmp_path / "rfm.duckdb"))
    monkeypatch.setenv("RFM_DUCKDB_MEMORY_LIMIT", "lots")
    assert rfm_error(capsys, RUN_MESSY) == f"rfm: {LOTS}"


def test_dbt_says_the_memory_limit_is_unreadable(plain: Path, tmp_path: Path) -> None:
    assert LOTS in plain_dbt(plain, tmp_path / "rfm.duckdb", RFM_DUCKDB_MEMORY_LIMIT="lots")


# ---------- 4. An unquoted impossible date in --vars (plain dbt's YAML parser crashes on it: see README)


def test_rfm_says_vars_are_json_with_quoted_dates(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["run", "--vars", "{as_of_date: 2025-02-30}"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "rfm run: error: argument --vars: --vars takes a JSON object, with names, texts and dates in double"
        ' quotes, e.g. \'{"as_of_date": "2025-07-01", "rfm_bins": 4}\''
    )


# ---------- Failures inside a build: the project's sentence, without dbt's wrapping

GUARD = (
    "Runtime Error in model int_scoring_window (models/intermediate/int_scoring_window.sql)\n"
    "  Invalid Input Error: [rfm] Nothing to score as of 2025-09-01: lookback_days 30 starts the window on"
    " 2025-08-02, after the latest usable transaction (2025-06-30); use a longer lookback_days or an earlier"
    " as_of_date."
)
SENTENCE = (
    "Nothing to score as of 2025-09-01: lookback_days 30 starts the window on 2025-08-02, after the latest"
    " usable transaction (2025-06-30); use a longer lookback_days or an earlier as_of_date."
)
# DuckDB's own input errors share the guards' "Invalid Input Error" prefix: they keep the node's name.
SNIFF = (
    "Runtime Error in model stg_transactions_classified (models/staging/stg_transactions_classified.sql)\n"
    '  Invalid Input Error: Error when sniffing file "x.csv".'
)
OWN_CHECK = (
    "Compilation Error in model int_scoring_window (models/intermediate/int_scoring_window.sql)\n"
    "  var lookback_days must be a whole number, got 'x'.\n  \n"
    "  > in macro rfm_lookback_days (macros/rfm_vars.sql)\n"
    "  > called by model int_scoring_window (models/intermediate/int_scoring_window.sql)"
)
ENGINE = (
    "Runtime Error in model rfm_cell_summary (models/marts/rfm_cell_summary.sql)\n"
    '  Binder Error: Referenced column "no_such_column" not found in FROM clause!'
)
BUILTIN = (
    "Compilation Error in model customer_rfm (models/marts/customer_rfm.sql)\n"
    "  Invalid incremental strategy provided: merge\n  \n"
    "  > in macro dbt_duckdb_validate_get_incremental_strategy (macros/materializations/incremental.sql)"
)


@pytest.mark.parametrize(
    ("failures", "sentence"),
    [
        ([("int_scoring_window", "error", GUARD)], SENTENCE),
        (
            [("stg_transactions_classified", "error", SNIFF)],
            'stg_transactions_classified: Invalid Input Error: Error when sniffing file "x.csv"; see dbt\'s'
            " output above.",
        ),
        ([("int_scoring_window", "error", OWN_CHECK)], "var lookback_days must be a whole number, got 'x'."),
        (
            [("rfm_cell_summary", "error", ENGINE)],
            'rfm_cell_summary: Binder Error: Referenced column "no_such_column" not found in FROM clause!;'
            " see dbt's output above.",
        ),
        (
            [("customer_rfm", "error", BUILTIN)],
            "customer_rfm: Invalid incremental strategy provided: merge; see dbt's output above.",
        ),
        (
            [
                ("int_scoring_window", "error", GUARD),
                ("expression_is_true_x", "fail", "Got 1 result, configured to fail if != 0"),
            ],
            SENTENCE.rstrip(".") + ";"
            " expression_is_true_x (fail: Got 1 result, configured to fail if != 0); see dbt's output above.",
        ),
    ],
    ids=["guard", "engine-input-error", "own-check", "engine", "builtin-macro", "guard-and-data-test"],
)
def test_failures_read_as_one_sentence(failures: list[tuple[str, str, str]], sentence: str) -> None:
    assert describe_failures(failures, PROJECT) == sentence


def test_rfm_prints_the_projects_sentence_for_a_failing_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RFM_DUCKDB_PATH", str(tmp_path / "rfm.duckdb"))
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("customer_id,when,amount\n1,2025-01-01,3\n")
    error = rfm_error(capsys, ["run", "--transactions", str(wrong)])
    assert error.startswith(f"rfm: dbt build failed: The transactions file '{wrong}' has no column")
    assert error.endswith("; rename it or map it with var transactions_columns.")
    assert "\n" not in error and "Compilation Error" not in error and "stg_transactions" not in error
