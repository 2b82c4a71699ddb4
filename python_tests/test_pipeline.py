"""dbt build on fixture files, checked against the fixtures' own expected values and an independent
computation (python_tests/reference.py)."""

from __future__ import annotations

import csv
import datetime as dt
import math
from decimal import Decimal
from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from conftest import FIXTURES, MESSY, MESSY_AS_OF, MESSY_REJECT_RATE_ERROR, PROJECT, TARGET, Build, query
from reference import compute
from rfm.generate import generate
from rfm.project import DbtError, run_dbt

CUSTOMER_COLUMNS = (
    "customer_id, recency_days, frequency, refunds, monetary, avg_order_value, tenure_days, "
    "r_score, f_score, m_score, rfm_cell, segment"
)


def expected_reasons() -> dict[int, str | None]:
    with MESSY.open(newline="") as handle:
        return {
            number: record["expected_reject_reason"] or None
            for number, record in enumerate(csv.DictReader(handle), start=1)
        }


def test_every_bad_row_is_quarantined_with_its_reason(messy_build: Path) -> None:
    rejected = dict(
        query(messy_build, "select source_row_number, reject_reason from staging.rejected_transactions")
    )
    expected = {number: reason for number, reason in expected_reasons().items() if reason}
    assert rejected == expected


def test_rejected_rows_keep_their_original_values(messy_build: Path) -> None:
    rows = query(
        messy_build,
        "select raw_customer_id, raw_transaction_at, raw_amount, raw_transaction_id "
        "from staging.rejected_transactions where source_row_number in (9, 10, 13) "
        "order by source_row_number",
    )
    assert rows == [
        ("   ", "2025-03-03", "20", "t09"),
        ("0005", "2025-02-30", "20", "t10"),
        ("0005", "2025-04-04", "n/a", "t13"),
    ]


def test_raw_rows_equal_staged_plus_rejected(messy_build: Path) -> None:
    staged, rejected = query(
        messy_build,
        "select (select count(*) from staging.stg_transactions), "
        "(select count(*) from staging.rejected_transactions)",
    )[0]
    assert staged + rejected == len(expected_reasons()) == 26
    assert rejected == 14


def test_customer_rfm_matches_hand_worked_values(messy_build: Path) -> None:
    with (MESSY.parent / "transactions_messy_expected_customers.csv").open(newline="") as handle:
        expected = [
            (
                r["customer_id"],
                int(r["recency_days"]) if r["recency_days"] else None,
                int(r["frequency"]),
                int(r["refunds"]),
                Decimal(r["monetary"]),
                Decimal(r["avg_order_value"]) if r["avg_order_value"] else None,
                int(r["tenure_days"]) if r["tenure_days"] else None,
                int(r["r_score"]),
                int(r["f_score"]),
                int(r["m_score"]),
                r["rfm_cell"],
                r["segment"],
            )
            for r in csv.DictReader(handle)
        ]
    actual = query(messy_build, f"select {CUSTOMER_COLUMNS} from marts.customer_rfm order by customer_id")
    assert actual == expected


def test_customer_rfm_matches_independent_computation_on_the_fixture(messy_build: Path) -> None:
    reasons, customers = compute(MESSY, dt.date.fromisoformat(MESSY_AS_OF))
    assert {n: r for n, r in reasons.items()} == expected_reasons()
    assert_matches_reference(messy_build, customers)


def test_empty_score_levels_are_listed_in_thresholds(messy_build: Path) -> None:
    # Two customers share the best recency (1 day): both take the bin of the first of them (4): R 5 is empty.
    rows = query(
        messy_build,
        "select dimension, score, customers, min_value, max_value from marts.rfm_score_thresholds "
        "where dimension = 'recency' order by score",
    )
    assert rows == [
        ("recency", 1, 2, Decimal("180.00"), Decimal("180.00")),
        ("recency", 2, 2, Decimal("11.00"), Decimal("30.00")),
        ("recency", 3, 2, Decimal("9.00"), Decimal("10.00")),
        ("recency", 4, 2, Decimal("1.00"), Decimal("1.00")),
        ("recency", 5, 0, None, None),
    ]


def test_summaries_add_up(messy_build: Path) -> None:
    segments = query(messy_build, "select segment, customers, revenue from marts.rfm_segment_summary")
    assert len(segments) == 11  # every classic_11 segment is listed, empty or not
    assert sum(row[1] for row in segments) == 8
    assert sum(row[2] for row in segments) == Decimal("289.00")
    cells = query(messy_build, "select sum(customers), count(*) from marts.rfm_cell_summary")
    assert cells == [(8, 8)]


def assert_matches_reference(database: Path, customers: list) -> None:
    actual = {
        row[0]: row[1:]
        for row in query(
            database,
            "select customer_id, recency_days, frequency, refunds, monetary, avg_order_value, tenure_days, "
            "r_score, f_score, m_score, rfm_score, value_code from marts.customer_rfm",
        )
    }
    expected = {
        c.customer_id: (
            c.recency_days,
            c.frequency,
            c.refunds,
            c.monetary,
            c.avg_order_value,
            c.tenure_days,
            c.r_score,
            c.f_score,
            c.m_score,
            c.rfm_score,
            c.value_code,
        )
        for c in customers
    }
    assert actual.keys() == expected.keys()
    mismatched = {k: (actual[k], expected[k]) for k in expected if actual[k] != expected[k]}
    assert not mismatched, f"{len(mismatched)} customers differ, e.g. {list(mismatched.items())[:3]}"


def test_generated_sample_matches_independent_computation(build: Build, tmp_path: Path) -> None:
    sample = generate(tmp_path / "sample.csv", 30_000, 2_000, seed=7).path
    as_of = dt.date(2026, 1, 1)
    database = build(sample, as_of_date=as_of.isoformat())
    reasons, customers = compute(sample, as_of)
    rejected = dict(
        query(database, "select reject_reason, count(*) from staging.rejected_transactions group by 1")
    )
    expected_rejected: dict[str, int] = {}
    for reason in reasons.values():
        if reason:
            expected_rejected[reason] = expected_rejected.get(reason, 0) + 1
    assert rejected == expected_rejected
    assert set(rejected) == {
        "missing_customer_id",
        "invalid_transaction_at",
        "invalid_amount",
        "after_as_of_date",
        "duplicate_transaction_id",
    }
    assert_matches_reference(database, customers)


def test_lookback_window_and_default_as_of_date(build: Build, tmp_path: Path) -> None:
    sample = generate(tmp_path / "sample.csv", 20_000, 1_500, seed=11).path
    database = build(sample, lookback_days=180)
    # Without as_of_date nothing is after it: the late rows count and the as-of date follows the latest.
    reasons, customers = compute(sample, None, lookback_days=180)
    assert "after_as_of_date" not in set(reasons.values())
    assert_matches_reference(database, customers)
    window = query(
        database,
        "select as_of_date, window_start_date, latest_transaction_date from intermediate.int_scoring_window",
    )
    as_of, start, latest = window[0]
    assert as_of == latest + dt.timedelta(days=1)
    assert start == as_of - dt.timedelta(days=180)


def test_parquet_with_other_column_names_and_a_path_with_spaces_and_quotes(
    build: Build, tmp_path: Path
) -> None:
    folder = tmp_path / "shop's exports" / "q 2"
    folder.mkdir(parents=True)
    table = pa_csv.read_csv(
        MESSY,
        convert_options=pa_csv.ConvertOptions(
            column_types={"customer_id": "string", "transaction_at": "string", "amount": "string"}
        ),
    )
    renamed = table.rename_columns(["order_no", "client", "booked_at", "net_value", "channel", "expected"])
    pq.write_table(renamed, folder / "it's here.parquet")
    database = build(
        folder / "it's here.parquet",
        as_of_date=MESSY_AS_OF,
        transactions_columns={
            "customer_id": "client",
            "transaction_at": "booked_at",
            "amount": "net_value",
            "transaction_id": "order_no",
        },
    )
    assert query(database, "select count(*) from marts.customer_rfm") == [(8,)]
    assert query(database, "select count(*) from staging.rejected_transactions") == [(14,)]


def test_a_glob_of_several_files_reads_them_all(build: Build, tmp_path: Path) -> None:
    lines = MESSY.read_text().splitlines()
    (tmp_path / "part-1.csv").write_text("\n".join(lines[:13]) + "\n")
    (tmp_path / "part-2.csv").write_text("\n".join([lines[0], *lines[13:]]) + "\n")
    # The fixture is half bad rows by design, and its second part more: past the reject-rate guard's default.
    database = build(
        tmp_path / "part-*.csv", as_of_date=MESSY_AS_OF, reject_rate_error=MESSY_REJECT_RATE_ERROR
    )
    assert query(database, "select count(*) from marts.customer_rfm") == [(8,)]
    per_file = query(
        database,
        "select min(source_row_number), max(source_row_number), count(*) "
        "from staging.stg_transactions_classified group by source_file order by source_file",
    )
    assert per_file == [(1, 12, 12), (1, 14, 14)]  # rows are numbered within their own file
    # t01's resend is fixture row 18, row 6 of part-2: the copy in the earlier file stays.
    rejected = query(
        database,
        "select source_file like '%part-2.csv', source_row_number from staging.rejected_transactions "
        "where reject_reason = 'duplicate_transaction_id' order by 1, 2",
    )
    assert rejected == [(True, 6), (True, 8)]


def test_parquet_rows_are_numbered_by_the_reader_even_beside_columns_of_its_names(
    build: Build, tmp_path: Path
) -> None:
    """DuckDB numbers Parquet rows with its virtual columns file_index and file_row_number; a file with its
    own column of either name (here in one file of a glob) is numbered in read order instead, so the earliest
    copy of a duplicate still stays. A file with no rows (an empty day) is no missing row."""
    import pyarrow as pa

    names = ["customer_id", "transaction_at", "amount", "transaction_id"]

    def write(name: str, rows: list[list[str]], **extra: list[int]) -> None:
        columns = {column: pa.array([row[i] for row in rows], pa.string()) for i, column in enumerate(names)}
        pq.write_table(pa.table({**columns, **extra}), tmp_path / name)

    # day-1's file_row_number is the export's own column, not a row number.
    write(
        "day-1.parquet",
        [["c1", "2025-01-01", "10.00", "t1"], ["c2", "2025-01-01", "20.00", "t2"]],
        file_row_number=[7, 7],
    )
    write("day-2.parquet", [])
    write("day-3.parquet", [["c3", "2025-01-02", "30.00", "t1"], ["c4", "2025-01-02", "40.00", "t4"]])
    database = build(tmp_path / "day-*.parquet")
    rejected = query(
        database,
        "select source_file like '%day-3.parquet', source_row_number, reject_reason "
        "from staging.rejected_transactions",
    )
    assert rejected == [(True, 1, "duplicate_transaction_id")]  # t1's copy in the later file
    numbered = query(
        database,
        "select source_row_number from staging.stg_transactions_classified order by source_file, 1",
    )
    assert numbered == [(1,), (2,), (1,), (2,)]


def test_without_transaction_id_nothing_is_deduplicated(build: Build, tmp_path: Path) -> None:
    no_ids = tmp_path / "no_ids.csv"
    no_ids.write_text(
        "customer_id,transaction_at,amount\n"
        "0042,2025-03-01 10:00:00,10\n"
        "0042,2025-03-01 10:00:00,10\n"
        "0043,2025-03-02,5\n"
    )
    database = build(no_ids)
    assert query(database, "select customer_id, frequency, monetary from marts.customer_rfm order by 1") == [
        ("0042", 2, Decimal("20.00")),
        ("0043", 1, Decimal("5.00")),
    ]
    assert query(database, "select count(*) from staging.rejected_transactions") == [(0,)]


R5_F3_M5 = {"recency": 5, "frequency": 3, "monetary": 5}


@pytest.mark.parametrize(
    ("scheme", "bins", "segments"),
    [
        ("value_8", 4, 8),
        ("value_8", 3, 8),
        ("lifecycle_5", 5, 5),
        ("classic_11", 5, 11),
        ("value_loyalty_4", 3, 4),
        ("value_8", R5_F3_M5, 8),
        ("lifecycle_5", R5_F3_M5, 5),
        ("value_loyalty_4", R5_F3_M5, 4),
    ],
)
def test_every_scheme_builds_and_segments_everyone(
    build: Build, tmp_path: Path, scheme: str, bins: int | dict[str, int], segments: int
) -> None:
    sample = generate(tmp_path / "sample.parquet", 10_000, 800, seed=3).path
    database = build(sample, segment_scheme=scheme, rfm_bins=bins)
    assert query(database, "select count(*) from marts.rfm_segment_summary") == [(segments,)]
    per = bins if isinstance(bins, dict) else {"recency": bins, "frequency": bins, "monetary": bins}
    missing = query(
        database,
        "select count(*) from marts.customer_rfm where segment is null or segment_level is null"
        f" or r_score > {per['recency']} or f_score > {per['frequency']} or m_score > {per['monetary']}",
    )
    assert missing == [(0,)]
    _, customers = compute_from_parquet(sample, bins)
    assert_matches_reference(database, customers)


def compute_from_parquet(path: Path, bins: int | dict[str, int]):
    as_csv = path.with_suffix(".csv")
    pa_csv.write_csv(pq.read_table(path), as_csv)
    return compute(as_csv, None, bins=bins)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"transactions_path": "does/not/exist.csv"}, "does not exist (no file matches that path)"),
        (
            {"segment_scheme": "lifecycle_5", "rfm_bins": 4},
            "There is no segment map for segment_scheme 'lifecycle_5'",
        ),
        ({"as_of_date": "2025-02-30"}, "var as_of_date must be a real date written YYYY-MM-DD"),
        ({"rfm_bins": 12}, "var rfm_bins must be a whole number from 2 to 9"),
        ({"transactions_columns": {"client": "x"}}, "var transactions_columns maps 'client'"),
        ({"transaction_at_format": "%Q"}, "var transaction_at_format must be a strptime format"),
        ({"monetary_measure": "median"}, "var monetary_measure must be one of total, mean"),
        ({"frequency_unit": "week"}, "var frequency_unit must be one of transaction, day"),
        ({"rfm_binning": "stacked"}, "var rfm_binning must be one of independent, nested"),
        ({"value_8_cut": "median"}, "var value_8_cut must be one of score, mean"),
        (
            {"rfm_bins": {"recency": 5, "frequency": 3}},
            "var rfm_bins must be a whole number from 2 to 9, or one for each of recency, frequency and",
        ),
        (
            {"rfm_bins": {"recency": 4, "frequency": 3, "monetary": 5}},
            "There is no segment map for segment_scheme 'classic_11' with rfm_bins=R4 F3 M5",
        ),
        (
            {"rfm_score_weights": {"recency": 1, "frequency": -1, "monetary": 1}},
            "var rfm_score_weights must give a number from 0 to 1000000 (at most 6 decimals)",
        ),
        (
            {"rfm_score_weights": {"recency": 0.1234567, "frequency": 1, "monetary": 1}},
            "var rfm_score_weights must give a number from 0 to 1000000 (at most 6 decimals)",
        ),
    ],
)
def test_bad_configuration_fails_in_one_sentence(build: Build, variables: dict, message: str) -> None:
    transactions = variables.pop("transactions_path", MESSY)
    with pytest.raises(DbtError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build(transactions, **variables)


def test_a_missing_required_column_is_named(build: Build, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("customer_id,when,amount\n1,2025-01-01,3\n")
    with pytest.raises(DbtError, match="has no column 'transaction_at' for transaction_at"):
        build(wrong)


def test_a_file_with_no_usable_row_fails_the_build(build: Build, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,transaction_at,amount\n,2025-01-01,3\n1,never,3\n")
    # The reject-rate guard stops it first, in one sentence (test_guards.py: past it, "Nothing to score").
    with pytest.raises(
        DbtError, match=r"Rejected 2 of the 2 rows read \(100\.0%\), past var reject_rate_error"
    ):
        build(bad)


def test_analyses_compile_and_run_on_the_marts(messy_build: Path) -> None:
    run_dbt(
        ["compile", "--select", "resource_type:analysis"],
        PROJECT,
        {"transactions_path": str(MESSY)},
        messy_build,
    )
    compiled = PROJECT / TARGET / "compiled" / "rfm" / "analyses"
    profile = query(messy_build, (compiled / "segment_profile.sql").read_text())
    assert sum(row[1] for row in profile) == 8
    assert [row[0] for row in profile][:2] == ["Loyal Customers", "Promising"]  # by segment priority
    cells = query(messy_build, (compiled / "rfm_cell_means_comparison.sql").read_text())
    assert len(cells) == 8 and cells[0][0] == "435"


def test_odd_timestamps_are_quarantined_and_extra_columns_never_clash(build: Build, tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text(
        "customer_id,transaction_at,amount,source_file\n"
        "1,infinity,10,a\n"
        "1,-infinity,10,a\n"
        "1,epoch,10,a\n"
        "1,25-06-30,10,a\n"
        "1,-2025-06-30,10,a\n"
        "1,2025-06-30T10:00:00Z,10,a\n"
        "1, 2025-06-29 ,5,a\n"
    )
    database = build(odd, reject_rate_error=MESSY_REJECT_RATE_ERROR)  # five of seven rows are bad on purpose
    reasons = query(database, "select source_row_number, reject_reason from staging.rejected_transactions")
    assert sorted(reasons) == [(n, "invalid_transaction_at") for n in range(1, 6)]
    assert query(database, "select as_of_date, frequency, monetary from marts.customer_rfm") == [
        (dt.date(2025, 7, 1), 2, Decimal("15.00"))
    ]


def test_ids_stored_as_doubles_and_timestamptz_in_any_machine_zone(
    build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow as pa

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    table = pa.table(
        {
            "customer_id": pa.array([101.0, None, 101.0, 7.5], pa.float64()),
            "transaction_at": pa.array(
                [dt.datetime(2025, 6, 30, 23, 30, tzinfo=dt.UTC)] * 4, pa.timestamp("us", tz="UTC")
            ),
            "amount": [10.0, 1.0, 5.0, 2.0],
        }
    )
    pq.write_table(table, tmp_path / "typed.parquet")
    database = build(tmp_path / "typed.parquet", as_of_date="2025-07-01")
    rows = query(database, "select customer_id, frequency from marts.customer_rfm order by 1")
    assert rows == [("101", 2), ("7.5", 1)]  # 101.0 is customer '101'; 23:30 UTC is still June 30
    assert query(database, "select reject_reason from staging.rejected_transactions") == [
        ("missing_customer_id",)
    ]


def test_a_build_that_spills_to_disk_completes(
    build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Far below what 600k rows need in memory: DuckDB must spill, and every later node must still connect.
    monkeypatch.setenv("RFM_DUCKDB_MEMORY_LIMIT", "64MB")
    sample = generate(tmp_path / "sample.parquet", 600_000, 30_000, seed=5).path
    database = build(sample)
    # Every customer with a usable row (counted straight from the file) is scored.
    assert query(database, "select count(*) from marts.customer_rfm") == [(29_959,)]


def test_malformed_csv_lines_are_quarantined_with_their_line(build: Build, tmp_path: Path) -> None:
    header = "customer_id,transaction_at,amount,transaction_id"
    # Folders named key=value, as partitioned writers name them: not a column of the files.
    (tmp_path / "d=1").mkdir()
    (tmp_path / "d=2").mkdir()
    (tmp_path / "d=1" / "day-1.csv").write_text(
        "\n".join(
            [
                header,
                "c1,2025-01-01,10,t1",
                "c2,2025-01-02,20,t2,extra",  # one field too many
                "c3,2025-01-03",  # two too few
                '"c4, ""the"" fourth",2025-01-04,40,t4',  # quoted delimiter and quotes: a good row
                "c5,2025-01-05,50,t5",
            ]
        )
        + "\n"
    )
    # Another column order in the next file, each file read with its own header; an unnamed first column
    # (pandas' to_csv with its index) and Windows line ends.
    (tmp_path / "d=2" / "day-2.csv").write_text(
        ",amount,transaction_id,customer_id,transaction_at\r\n0,8,t8,c8,2025-01-08\r\n1,9,t9\r\n"
    )
    database = build(tmp_path / "d=*" / "day-*.csv", as_of_date="2025-02-01", reject_rate_error=0.9)
    rows = query(
        database,
        "select regexp_extract(source_file, 'day-.', 0), source_row_number, customer_id, reject_reason, "
        "raw_line from staging.stg_transactions_classified order by 1, 2",
    )
    assert rows == [
        ("day-1", 1, "c1", None, None),
        ("day-1", 2, None, "malformed_line", "c2,2025-01-02,20,t2,extra"),
        ("day-1", 3, None, "malformed_line", "c3,2025-01-03"),
        ("day-1", 4, 'c4, "the" fourth', None, None),
        ("day-1", 5, "c5", None, None),
        ("day-2", 1, "c8", None, None),
        ("day-2", 2, None, "malformed_line", "1,9,t9"),
    ]
    malformed = "select count(*) from staging.rejected_transactions where raw_line is not null"
    assert query(database, malformed) == [(3,)]
    assert query(database, "select count(*) from marts.customer_rfm") == [(4,)]


def test_a_quote_never_closed_fails_the_build_naming_its_line(build: Build, tmp_path: Path) -> None:
    # The reader would take the rest of the file as one value, and in a big file lose rows without a trace.
    (tmp_path / "t.csv").write_text(
        'customer_id,transaction_at,amount\nc1,2025-01-01,10\nc2,"2025-01-02,20\nc3,2025-01-03,30\n'
    )
    message = r"Line 3 of .*t\.csv cannot be read \(unquoted value; a quote never closed"
    with pytest.raises(DbtError, match=message):
        build(tmp_path / "t.csv", as_of_date="2025-02-01")


def test_lifecycle_5_gives_each_type_the_source_studys_strategy() -> None:
    """The Shenyang J company study's five types and their strategies: eliminated (lapsed) customers get
    retention, potential customers (prospects) SEO and SEM promotion."""
    with (PROJECT / "seeds" / "rfm_segment_definitions.csv").open(newline="") as handle:
        actions = {
            record["segment"]: record["segment_action"].split(":")[0]
            for record in csv.DictReader(handle)
            if record["segment_scheme"] == "lifecycle_5"
        }
    assert actions == {
        "VIP": "Personalised service",
        "Maintained": "Product promotion",
        "Developing": "Interactive marketing",
        "Potential": "SEO and SEM promotion",
        "Eliminated": "Retention",
    }


def test_lifecycle_5_types_mean_what_the_study_means() -> None:
    """Potential are prospects (recent, barely bought), eliminated are lapsed, whatever they bought before."""
    cells: dict[tuple[int, int, int], str] = {}
    with (PROJECT / "seeds" / "rfm_segment_map.csv").open(newline="") as handle:
        for record in csv.DictReader(handle):
            if record["segment_scheme"] != "lifecycle_5":
                continue
            bounds = [int(record[f"{d}_score_{edge}"]) for d in "rfm" for edge in ("min", "max")]
            for r in range(bounds[0], bounds[1] + 1):
                for f in range(bounds[2], bounds[3] + 1):
                    for m in range(bounds[4], bounds[5] + 1):
                        cells[(r, f, m)] = record["segment"]
    assert len(cells) == 125
    assert cells[(5, 5, 5)] == "VIP"
    assert cells[(3, 4, 2)] == cells[(5, 5, 3)] == "Maintained"
    assert cells[(4, 2, 5)] == "Developing"
    assert cells[(5, 1, 5)] == cells[(3, 1, 1)] == "Potential"
    assert cells[(2, 5, 5)] == cells[(1, 1, 1)] == "Eliminated"


def cdnow_as_csv(out: Path) -> Path:
    """The CDNOW sample's space-aligned columns as CSV, its YYYYMMDD dates as they are."""
    rows = [line.split() for line in (FIXTURES / "cdnow_sample.txt").read_text().splitlines() if line.strip()]
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["customer_id", "customer_index", "transaction_at", "number_of_cds", "amount"])
        writer.writerows(rows)
    return out


def test_cdnow_with_its_own_date_format_is_scored_whole(build: Build, tmp_path: Path) -> None:
    cdnow = cdnow_as_csv(tmp_path / "cdnow.csv")
    database = build(cdnow, transaction_at_format="%Y%m%d")
    reasons, customers = compute(cdnow, time_format="%Y%m%d")
    assert not any(reasons.values())
    assert query(database, "select count(*) from staging.rejected_transactions") == [(0,)]
    assert len(customers) == 2_357
    assert_matches_reference(database, customers)


def test_a_date_format_quarantines_texts_it_does_not_match(build: Build, tmp_path: Path) -> None:
    us_dates = tmp_path / "us_dates.csv"
    us_dates.write_text(
        "customer_id,transaction_at,amount\n"
        "a,12/1/2010 8:26,10\n"
        "a,1/13/2011 17:05,5\n"
        "b,13/1/2010 8:26,7\n"  # no 13th month
        "b,2011-01-13 17:05:00,7\n"  # ISO, but not this format
        "b,2/3/2011 9:00,7\n"
    )
    database = build(us_dates, transaction_at_format="%m/%d/%Y %H:%M", reject_rate_error=0.9)
    rejected = query(
        database, "select source_row_number, reject_reason from staging.rejected_transactions order by 1"
    )
    assert rejected == [(3, "invalid_transaction_at"), (4, "invalid_transaction_at")]
    reasons, customers = compute(us_dates, time_format="%m/%d/%Y %H:%M")
    assert {number for number, reason in reasons.items() if reason} == {3, 4}
    assert_matches_reference(database, customers)


def concentration(customers: list) -> tuple[int, Decimal, list[Decimal], float | None]:
    """(customers, revenue, revenue of the top 1, 5, 10 and 20%, Gini of monetary with net refunds as 0),
    computed from the reference's customers."""
    count = len(customers)
    by_revenue = sorted(customers, key=lambda c: (-c.monetary, c.customer_id))
    firsts = [by_revenue[: math.ceil(share * count / 100)] for share in (1, 5, 10, 20)]
    tops = [sum((c.monetary for c in first), Decimal(0)) for first in firsts]
    ascending = sorted(customers, key=lambda c: (max(c.monetary, Decimal(0)), c.customer_id))
    spent = [max(c.monetary, Decimal(0)) for c in ascending]
    total = sum(spent, Decimal(0))
    weighted = sum((rank * value for rank, value in enumerate(spent, start=1)), Decimal(0))
    gini = float(2 * weighted / (count * total) - Decimal(count + 1) / count) if total else None
    return count, sum((c.monetary for c in customers), Decimal(0)), tops, gini


@pytest.mark.parametrize("source", ["fixture", "generated"])
def test_revenue_concentration_matches_an_independent_computation(
    messy_build: Path, build: Build, tmp_path: Path, source: str
) -> None:
    if source == "fixture":
        database = messy_build
        _, customers = compute(MESSY, dt.date.fromisoformat(MESSY_AS_OF))
    else:
        sample = generate(tmp_path / "sample.csv", 20_000, 1_500, seed=5).path
        database = build(sample)
        _, customers = compute(sample)
    count, revenue, tops, gini = concentration(customers)
    row = query(
        database,
        "select customers, revenue, top_1_percent_revenue, top_5_percent_revenue, top_10_percent_revenue, "
        "top_20_percent_revenue, top_20_percent_share, gini_coefficient from marts.revenue_concentration",
    )
    assert row[0][:6] == (count, revenue, *tops)
    assert row[0][6] == pytest.approx(float(tops[3] / revenue))
    assert row[0][7] == pytest.approx(gini)


def test_days_between_purchases_match_an_independent_computation(build: Build, tmp_path: Path) -> None:
    sample = generate(tmp_path / "sample.csv", 20_000, 1_500, seed=9).path
    database = build(sample)
    _, customers = compute(sample)
    actual = dict(query(database, "select customer_id, avg_days_between_purchases from marts.customer_rfm"))
    expected = {c.customer_id: c.avg_days_between_purchases for c in customers}
    assert actual.keys() == expected.keys()
    assert sum(value is None for value in expected.values()) > 0  # one-time buyers have no gap
    assert {k: v for k, v in actual.items() if v != pytest.approx(expected[k])} == {}


def test_m_scores_the_average_purchase_with_monetary_measure_mean(build: Build, tmp_path: Path) -> None:
    sample = generate(tmp_path / "sample.csv", 20_000, 1_500, seed=4).path
    database = build(sample, monetary_measure="mean")
    _, customers = compute(sample, monetary_measure="mean")
    assert_matches_reference(database, customers)
    _, by_total = compute(sample)
    assert {c.customer_id: c.m_score for c in customers} != {c.customer_id: c.m_score for c in by_total}
    measured = query(
        database, "select distinct measure from marts.rfm_score_thresholds where dimension = 'monetary'"
    )
    assert measured == [("avg_order_value",)]


@pytest.mark.parametrize(
    "variables",
    [
        pytest.param({"frequency_unit": "day"}, id="purchase-days"),
        pytest.param({"rfm_binning": "nested", "rfm_bins": 4, "segment_scheme": "value_8"}, id="nested"),
        pytest.param(
            {"rfm_binning": "nested", "rfm_bins": R5_F3_M5, "segment_scheme": "lifecycle_5"},
            id="nested-per-dimension",
        ),
        pytest.param(
            {"rfm_score_weights": {"recency": 0.637, "frequency": 0.258, "monetary": 0.105}},
            id="ahp-weights",
        ),
        pytest.param(
            {"segment_scheme": "value_8", "value_8_cut": "mean", "monetary_measure": "mean"},
            id="value-8-at-the-means",
        ),
    ],
)
def test_the_seeds_definitions_of_r_f_m_match_an_independent_computation(
    build: Build, tmp_path: Path, variables: dict
) -> None:
    """Each var of the case studies' own RFM (frequency_unit, rfm_bins per dimension, rfm_binning, decimal
    rfm_score_weights, value_8_cut), built and recomputed by python_tests/reference.py."""
    sample = generate(tmp_path / "sample.csv", 20_000, 1_500, seed=13).path
    database = build(sample, **variables)
    weights = variables.get("rfm_score_weights")
    _, customers = compute(
        sample,
        bins=variables.get("rfm_bins", 5),
        monetary_measure=variables.get("monetary_measure", "total"),
        frequency_unit=variables.get("frequency_unit", "transaction"),
        binning=variables.get("rfm_binning", "independent"),
        weights={k: Decimal(str(v)) for k, v in weights.items()} if weights else None,
        value_8_cut=variables.get("value_8_cut", "score"),
    )
    assert_matches_reference(database, customers)
    # Each option changes the answer on this sample (else the comparison proves nothing about it).
    _, default = compute(sample)
    changed = {
        c.customer_id: (c.frequency, c.f_score, c.m_score, c.rfm_score, c.value_code) for c in customers
    }
    assert changed != {
        c.customer_id: (c.frequency, c.f_score, c.m_score, c.rfm_score, c.value_code) for c in default
    }
    if variables.get("value_8_cut") == "mean":
        # value_8 at the means: the segment is the one whose code the customer has, not the cell's.
        with (PROJECT / "seeds" / "rfm_segment_definitions.csv").open() as handle:
            by_code = {
                row["value_code"]: row["segment"] for row in csv.DictReader(handle) if row["value_code"]
            }
        segments = dict(query(database, "select customer_id, segment from marts.customer_rfm"))
        assert segments == {c.customer_id: by_code[c.value_code] for c in customers}
