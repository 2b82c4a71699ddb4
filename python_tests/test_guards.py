"""Guards against publishing a wrong answer (issue 12): empty scoring windows, hostile vars, non-default
weights, implausible dates, null tokens and invisible characters, runaway reject rates, and the input faults
that used to fail only as a test name. Each case fails the build with one sentence and leaves the last
publication as it was, or builds the right answer."""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import PROJECT, build_project, query
from reference import compute
from rfm.cli import main
from rfm.project import DbtError, run_dbt

HEADER = ["transaction_id", "customer_id", "transaction_at", "amount"]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def good_rows(count: int = 40, last_day: dt.date = dt.date(2025, 6, 30)) -> list[list[str]]:
    """count usable transactions of 8 customers, one a day back from last_day."""
    return [
        [f"g{n}", f"c{n % 8}", (last_day - dt.timedelta(days=n)).isoformat(), f"{10 + n}.00"]
        for n in range(count)
    ]


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """What a reader finds under folder: each file's bytes, each link's target (publications swap links)."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            found[name] = "-> " + os.readlink(path)
        elif path.is_file():
            found[name] = path.read_bytes()
    return found


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(database, publication folder) of one good build; every failing build below reuses both."""
    root = tmp_path_factory.mktemp("guards")
    previous = os.environ.get("RFM_PUBLISH_DIR")
    os.environ["RFM_PUBLISH_DIR"] = str(root / "published")
    database = build_project(root / "rfm.duckdb", write_csv(root / "good.csv", good_rows()))
    yield database, root / "published"
    if previous is None:
        os.environ.pop("RFM_PUBLISH_DIR", None)
    else:
        os.environ["RFM_PUBLISH_DIR"] = previous


def fails_and_publishes_nothing(
    published: tuple[Path, Path], transactions: Path, message: str, **variables: Any
) -> None:
    database, folder = published
    before = snapshot(folder)
    assert before, "the good build published nothing"
    with pytest.raises(DbtError) as failure:
        build_project(database, transactions, **variables)
    assert message in " ".join(str(failure.value).split())
    assert snapshot(folder) == before


# ---------- 1. An empty scoring window blanks nothing


def test_a_lookback_that_holds_no_customer_fails_in_one_sentence(
    published: tuple[Path, Path], tmp_path: Path
) -> None:
    good = write_csv(tmp_path / "good.csv", good_rows())
    fails_and_publishes_nothing(
        published,
        good,
        "Nothing to score as of 2025-09-01: lookback_days 30 starts the window on 2025-08-02, after the"
        " latest usable transaction (2025-06-30); use a longer lookback_days or an earlier as_of_date.",
        as_of_date="2025-09-01",
        lookback_days=30,
    )


def test_the_cli_says_the_same_and_exits_non_zero(
    published: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database, folder = published
    before = snapshot(folder)
    good = write_csv(tmp_path / "good.csv", good_rows())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_DUCKDB_PATH", str(database))
        status = main(
            [
                "run",
                "--transactions",
                str(good),
                "--as-of-date",
                "2025-09-01",
                "--vars",
                '{"lookback_days": 1}',
            ]
        )
    assert status != 0
    assert "Nothing to score as of 2025-09-01: lookback_days 1 starts the window on 2025-08-31" in (
        " ".join(capsys.readouterr().err.split())
    )
    assert snapshot(folder) == before


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"lookback_days": True},
            "var lookback_days must be a whole number from 1 to 365000 or null, got true",
        ),
        (
            {"as_of_date": "2999-01-01", "lookback_days": 365},
            "var as_of_date 2999-01-01 is outside the plausible range",
        ),
    ],
    ids=["boolean-lookback", "as-of-in-the-future"],
)
def test_vars_that_make_no_sense_for_the_data_are_refused(
    published: tuple[Path, Path], tmp_path: Path, variables: dict[str, Any], message: str
) -> None:
    fails_and_publishes_nothing(
        published, write_csv(tmp_path / "good.csv", good_rows()), message, **variables
    )


def test_a_history_start_after_the_as_of_date_is_refused(
    published: tuple[Path, Path], tmp_path: Path
) -> None:
    good = write_csv(tmp_path / "good.csv", good_rows())
    # With the default as-of date (2025-07-01, from the data) the start is only known to be late at run time.
    fails_and_publishes_nothing(
        published,
        good,
        "var history_start_date 2025-08-01 must be before the as-of date (2025-07-01).",
        history_start_date="2025-08-01",
    )


# ---------- 8 (input side). Files with nothing to score: one sentence, not a test name


@pytest.mark.parametrize(
    ("rows", "variables", "message"),
    [
        ([], {}, "Nothing to score: the input has no usable transaction (an empty file, only rejected rows"),
        (
            [["b1", "", "2025-01-01", "3"], ["b2", "c1", "never", "3"]],
            {"reject_rate_error": 1},
            "Nothing to score: the input has no usable transaction",
        ),
        (
            good_rows(),
            {"as_of_date": "2025-01-01"},
            "Nothing to score as of 2025-01-01: the input has no usable transaction before that date",
        ),
    ],
    ids=["header-only", "only-bad-rows", "as-of-before-all-data"],
)
def test_nothing_to_score_is_one_sentence(
    published: tuple[Path, Path], tmp_path: Path, rows: list[list[str]], variables: dict, message: str
) -> None:
    fails_and_publishes_nothing(published, write_csv(tmp_path / "input.csv", rows), message, **variables)


# ---------- 2. Every var validated before any SQL runs, under --select of one model too

HOSTILE_VARS: list[tuple[str, Any, str]] = [
    ("segment_scheme", "classic_11' or '1'='1", "var segment_scheme must be the name of a scheme"),
    (
        "segment_scheme",
        "classic_11'; create table pwned as select 1; --",
        "var segment_scheme must be the name of a scheme",
    ),
    ("transactions_path", 42, "var transactions_path must be a file path or glob as text, got 42"),
    ("transactions_columns", "customer_id: client", "var transactions_columns must map contract columns"),
    ("transactions_columns", {"customer_id": ""}, "var transactions_columns must map contract columns"),
    ("transactions_columns", {"client": "x"}, "var transactions_columns maps 'client'"),
    ("as_of_date", "2025-07-01' or '1'='1", "var as_of_date must be a real date written YYYY-MM-DD"),
    ("as_of_date", 20250701, "var as_of_date must be a real date written YYYY-MM-DD"),
    ("lookback_days", "30; drop table x", "var lookback_days must be a whole number"),
    ("lookback_days", 0, "var lookback_days must be a whole number from 1 to 365000 or null, got 0"),
    ("rfm_bins", 4.5, "var rfm_bins must be a whole number from 2 to 9, or one for each of recency"),
    ("rfm_bins", {"recency": 5, "frequency": "3) --", "monetary": 5}, "var rfm_bins must be a whole number"),
    ("rfm_bins", "5) union select 1", "var rfm_bins must be a whole number from 2 to 9"),
    (
        "rfm_score_weights",
        {"recency": "1); drop table x; --", "frequency": 10, "monetary": 1},
        "var rfm_score_weights must give a number from 0 to 1000000",
    ),
    ("rfm_score_weights", {"recency": "1e3", "frequency": 10, "monetary": 1}, "var rfm_score_weights"),
    ("rfm_binning", "nested; --", "var rfm_binning must be one of independent, nested"),
    ("cluster_features", ["monetary); drop table x; --"], "var cluster_features must list customer_rfm"),
    ("rfm_score_weights", {"recency": True, "frequency": 10, "monetary": 1}, "var rfm_score_weights"),
    ("rfm_score_weights", {"recency": 100, "frequency": 10}, "var rfm_score_weights"),
    ("history_start_date", "2025-01-01'); drop table x; --", "var history_start_date must be a real date"),
    ("history_interval", "month'; --", "var history_interval must be one of week, month, quarter"),
    ("history_snapshots", "false", "var history_snapshots must be true or false, got 'false'"),
    ("earliest_plausible_date", "1970", "var earliest_plausible_date must be a real date"),
    ("latest_plausible_date", "1960-01-01", "var latest_plausible_date (1960-01-01) must be after"),
    ("missing_id_tokens", "null", "var missing_id_tokens must be a list of texts"),
    ("missing_id_tokens", ["null", 1], "var missing_id_tokens must be a list of texts"),
    ("reject_rate_warn", "5%", "var reject_rate_warn must be a share from 0 to 1"),
    ("reject_rate_error", 2, "var reject_rate_error must be a share from 0 to 1 (0.05 is 5%), got 2"),
    ("reject_rate_error", 0.01, "var reject_rate_warn (0.05) must not be above reject_rate_error (0.01)"),
]


def relations(database: Path) -> list[tuple[object, ...]]:
    """Every table and view with its row count: what any SQL a hostile value ran would have changed."""
    names = query(database, "select table_schema, table_name from information_schema.tables order by all")
    return [
        (schema, name, query(database, f'select count(*) from "{schema}"."{name}"')[0][0])
        for schema, name in names
    ]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    HOSTILE_VARS,
    ids=[f"{name}-{n}" for n, (name, _, _) in enumerate(HOSTILE_VARS)],
)
def test_a_hostile_var_runs_no_sql(published: tuple[Path, Path], name: str, value: Any, message: str) -> None:
    database, folder = published
    before, published_before = relations(database), snapshot(folder)
    # What slim CI runs when only this mart changed: a single model, whose own SQL reads segment_scheme only.
    with pytest.raises(DbtError) as failure:
        run_dbt(["build", "--select", "rfm_segment_summary"], PROJECT, {name: value}, database)
    assert message in " ".join(str(failure.value).split())
    assert relations(database) == before  # no table made, dropped or changed
    assert snapshot(folder) == published_before


def test_quoted_numbers_are_accepted(tmp_path: Path) -> None:
    good = write_csv(tmp_path / "good.csv", good_rows())
    database = build_project(
        tmp_path / "rfm.duckdb", good, rfm_bins="4", lookback_days=" 365 ", segment_scheme="value_8"
    )
    assert query(database, "select max(r_score) from marts.customer_rfm") == [(4,)]


# ---------- 3. Any valid weights build; a mapped column name with a quote in it is one name


def test_non_default_weights_build_and_weigh_the_score(tmp_path: Path) -> None:
    rows = [[t, c, a, m] for t, c, a, m in good_rows()]
    header = ["transaction_id", "customer_id", "transaction_at", 'net "amount"']
    transactions = write_csv(tmp_path / "quoted.csv", rows, header)
    database = build_project(
        tmp_path / "rfm.duckdb",
        transactions,
        rfm_score_weights={"recency": 1, "frequency": "7", "monetary": 49},
        transactions_columns={"amount": 'net "amount"'},
    )
    wrong = query(
        database,
        "select count(*) from marts.customer_rfm where rfm_score != r_score + 7 * f_score + 49 * m_score",
    )
    assert wrong == [(0,)]
    assert query(database, "select count(*), sum(monetary) from marts.customer_rfm") == [
        (8, Decimal(sum(10 + n for n in range(40))).quantize(Decimal("0.01")))
    ]


# ---------- 5 and 6. Plausible dates only; null tokens and invisible characters; plain numbers only

ODD_ROWS = [
    ["o1", "c1", "2999-12-31", "10"],  # a typo date: implausible, and it must not move the as-of date
    ["o2", "c1", "1900-01-01", "10"],  # implausible
    ["o3", "c1", "2025-03-03 (BC)", "10"],  # BC: invalid
    ["o4", "c1", "0000-01-01", "10"],  # year 0: invalid
    ["o5", "NULL", "2025-06-01", "10"],  # null tokens: missing customer
    ["o6", "null", "2025-06-01", "10"],
    ["o7", "N/A", "2025-06-01", "10"],
    ["o8", " none ", "2025-06-01", "10"],
    ["o9", "nan", "2025-06-01", "10"],
    ["o10", "\tc1", "2025-06-01", "1"],  # invisible characters around c1: still customer c1
    # (A carriage return inside a quoted CSV field stops DuckDB's CSV reader before any trim: see README.)
    ["o11", "c1\x0b\x85", "2025-06-01", "1"],
    ["o12", "\u200bc1\u00a0", "2025-06-01", "1"],
    ["o13", "\ufeffc1", "2025-06-01", "1"],
    ["o14", "c2", "2025-06-01", "1_000"],  # digit groups: invalid amount
    ["NULL", "c3", "2025-06-01", "5"],  # null-token transaction ids are no ids: two transactions, no copy
    ["null", "c3", "2025-06-02", "5"],
    ["o15", "c2", "2025-06-01", "+2.5e1"],  # a plain number: sign and exponent are fine
]


def test_odd_dates_ids_and_amounts(tmp_path: Path) -> None:
    transactions = write_csv(tmp_path / "odd.csv", good_rows() + ODD_ROWS)
    database = build_project(tmp_path / "rfm.duckdb", transactions, reject_rate_error=1)
    offset = len(good_rows())
    reasons = dict(
        query(database, "select source_row_number, reject_reason from staging.rejected_transactions")
    )
    assert reasons == {
        offset + 1: "implausible_transaction_at",
        offset + 2: "implausible_transaction_at",
        offset + 3: "invalid_transaction_at",
        offset + 4: "invalid_transaction_at",
        **{offset + n: "missing_customer_id" for n in range(5, 10)},
        offset + 14: "invalid_amount",
    }
    # The default as-of date is the day after the latest plausible transaction, not the year 3000.
    assert query(database, "select distinct as_of_date from marts.customer_rfm") == [(dt.date(2025, 7, 1),)]
    customers = dict(query(database, "select customer_id, frequency from marts.customer_rfm"))
    assert set(customers) == {f"c{n}" for n in range(8)}
    assert customers["c1"] == 5 + 4 and customers["c3"] == 5 + 2  # four padded c1 rows; both c3 rows count
    expected_reasons, expected_customers = compute(transactions)
    assert {n: r for n, r in expected_reasons.items() if r} == reasons
    assert {c.customer_id: c.frequency for c in expected_customers} == customers


def test_own_missing_id_tokens_are_quoted_into_sql(tmp_path: Path) -> None:
    # Tokens with a quote and a backslash: text that reaches SQL as a literal, never as SQL.
    odd = [
        ["q1", "O'Brien", "2025-06-01", "1"],
        ["q2", "a\\b", "2025-06-01", "1"],
        ["q3", "null", "2025-06-01", "1"],
    ]
    transactions = write_csv(tmp_path / "tokens.csv", good_rows() + odd)
    database = build_project(
        tmp_path / "rfm.duckdb", transactions, missing_id_tokens=["o'brien", "a\\b"], reject_rate_warn=0.1
    )
    rejected = query(database, "select raw_customer_id, reject_reason from staging.rejected_transactions")
    assert sorted(rejected) == [("O'Brien", "missing_customer_id"), ("a\\b", "missing_customer_id")]
    assert ("null",) in query(database, "select customer_id from marts.customer_rfm")  # not a token here


# ---------- 7. Runaway reject rates


def test_daily_files_whose_ids_restart_fail_the_reject_rate_guard_every_time(
    published: tuple[Path, Path], tmp_path: Path
) -> None:
    _, folder = published
    daily, database = tmp_path / "daily", tmp_path / "rfm.duckdb"
    daily.mkdir()

    def deliver(day: int) -> None:
        # Every day's ids restart at 1: from the second day on, each row looks like a copy of an earlier one.
        date = dt.date(2025, 6, 1) + dt.timedelta(days=day)
        write_csv(
            daily / f"{date}.csv", [[str(n), f"c{n % 7}", date.isoformat(), "5"] for n in range(1, 101)]
        )

    deliver(0)
    build_project(database, daily / "*.csv")
    before = snapshot(folder)
    deliver(1)
    deliver(2)
    for _ in range(2):  # the daily (incremental) run fails, and so does running it again
        with pytest.raises(DbtError) as failure:
            build_project(database, daily / "*.csv")
        assert (
            "Rejected 200 of the 300 rows read (66.7%), past var reject_rate_error (50%); the most"
            " common reason is duplicate_transaction_id (66.7%)"
        ) in " ".join(str(failure.value).split())
        assert snapshot(folder) == before


def test_one_bad_file_among_many_good_ones_is_not_diluted(tmp_path: Path) -> None:
    daily = tmp_path / "daily"
    daily.mkdir()
    for day in range(10):
        date = dt.date(2025, 6, 1) + dt.timedelta(days=day)
        rows = [[f"{date}-{n}", f"c{n % 7}", date.isoformat(), "5" if day != 9 else "n/a"] for n in range(50)]
        write_csv(daily / f"{date}.csv", rows)
    with pytest.raises(DbtError) as failure:
        build_project(tmp_path / "rfm.duckdb", daily / "*.csv")
    assert (
        f"Rejected 50 of the 50 rows of {daily / '2025-06-10.csv'} (100.0%), past var reject_rate_error"
        " (50%); the most common reason is invalid_amount (100.0%)"
    ) in " ".join(str(failure.value).split())


def test_a_wrong_mapping_fails_the_reject_rate_guard_and_a_high_rate_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [[f"t{n}", f"c{n % 20}", "2025-06-01", "5"] for n in range(200)]
    transactions = write_csv(tmp_path / "mapped.csv", rows)
    with pytest.raises(DbtError, match=r"Rejected 180 of the 200 rows read \(90\.0%\)"):
        build_project(
            tmp_path / "rfm.duckdb", transactions, transactions_columns={"transaction_id": "customer_id"}
        )
    # Below the error limit but past the warning: the build passes and `rfm run` prints the sentence.
    monkeypatch.setenv("RFM_DUCKDB_PATH", str(tmp_path / "rfm.duckdb"))
    status = main(
        [
            "run",
            "--transactions",
            str(transactions),
            "--vars",
            '{"reject_rate_error": 0.95, "transactions_columns": {"transaction_id": "customer_id"}}',
        ]
    )
    assert status == 0
    assert "Rejected 180 of the 200 rows read (90.0%), past var reject_rate_warn (5%)" in (
        capsys.readouterr().out
    )


# ---------- 8 (input side). A repeated header is named, not guessed


def test_a_repeated_header_is_refused_and_an_explicit_mapping_settles_it(tmp_path: Path) -> None:
    header = ["transaction_id", "customer_id", "transaction_at", "amount", "amount"]
    transactions = write_csv(tmp_path / "twice.csv", [[*row, "999"] for row in good_rows()], header)
    with pytest.raises(DbtError, match="has two columns that read as 'amount' \\(amount and amount_1"):
        build_project(tmp_path / "rfm.duckdb", transactions)
    database = build_project(
        tmp_path / "rfm.duckdb", transactions, transactions_columns={"amount": "amount_1"}
    )
    assert query(database, "select min(monetary) from marts.customer_rfm") >= [(Decimal("999"),)]


# ---------- Cases that already behaved, kept as regression tests


@pytest.mark.parametrize("kind", ["bom", "crlf", "gzip"])
def test_a_byte_order_mark_crlf_lines_and_gzip_read_as_plain_csv(tmp_path: Path, kind: str) -> None:
    text = "\n".join(",".join(row) for row in [HEADER, *good_rows()]) + "\n"
    if kind == "bom":
        path = tmp_path / "bom.csv"
        path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    elif kind == "crlf":
        path = tmp_path / "crlf.csv"
        path.write_bytes(text.replace("\n", "\r\n").encode())
    else:
        import gzip

        path = tmp_path / "rows.csv.gz"
        path.write_bytes(gzip.compress(text.encode()))
    database = build_project(tmp_path / "rfm.duckdb", path)
    assert query(database, "select count(*), sum(frequency) from marts.customer_rfm") == [(8, 40)]
    assert query(database, "select count(*) from staging.rejected_transactions") == [(0,)]


def test_a_build_killed_during_staging_is_finished_by_the_next_one(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    from rfm.generate import generate

    transactions = generate(tmp_path / "sample.csv", 300_000, 20_000, seed=9).path
    database = tmp_path / "killed.duckdb"
    environment = {**os.environ, "RFM_DUCKDB_PATH": str(database)}
    command = [
        sys.executable, "-m", "dbt.cli.main", "build", "--project-dir", str(PROJECT), "--profiles-dir",
        str(PROJECT), "--vars", f'{{transactions_path: "{transactions}"}}',
    ]  # fmt: skip
    build = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, text=True)
    assert build.stdout is not None
    for line in build.stdout:
        if "START sql incremental model staging.stg_transactions_classified" in line:
            build.send_signal(signal.SIGKILL)
            break
    build.wait(timeout=120)
    assert build.returncode == -signal.SIGKILL, "the build ended before it could be killed in staging"
    build_project(database, transactions)
    fresh = build_project(tmp_path / "fresh.duckdb", transactions)
    columns = "customer_id, recency_days, frequency, monetary, rfm_cell, segment"
    assert query(database, f"select {columns} from marts.customer_rfm order by all") == query(
        fresh, f"select {columns} from marts.customer_rfm order by all"
    )
