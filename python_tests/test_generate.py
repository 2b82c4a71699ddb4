from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from reference import compute
from rfm.generate import generate


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_same_file_other_seed_other_file(tmp_path: Path) -> None:
    first = generate(tmp_path / "a.csv", 5_000, 400, seed=1).path
    again = generate(tmp_path / "b.csv", 5_000, 400, seed=1).path
    other = generate(tmp_path / "c.csv", 5_000, 400, seed=2).path
    assert digest(first) == digest(again)
    assert digest(first) != digest(other)


def test_csv_sample_looks_like_a_real_log(tmp_path: Path) -> None:
    path = generate(tmp_path / "s.csv", 50_000, 2_500, seed=5, end_date=dt.date(2025, 6, 30)).path
    with duckdb.connect() as connection:
        rows, customers, refunds, leading_zero, blank_ids, bad_times, bad_amounts, late = connection.execute(
            f"""
            select
                count(*),
                count(distinct customer_id),
                avg(case when try_cast(amount as double) < 0 then 1 else 0 end),
                bool_and(customer_id like '0%' or nullif(trim(customer_id), '') is null),
                count(*) filter (where nullif(trim(customer_id), '') is null),
                count(*) filter (where try_cast(transaction_at as timestamp) is null),
                count(*) filter (where try_cast(amount as decimal(18, 2)) is null),
                count(*) filter (where try_cast(transaction_at as timestamp) >= date '2025-07-01')
            from read_csv('{path}', all_varchar = true)
            """
        ).fetchall()[0]
        top_share = connection.execute(
            f"""
            with spend as (
                select customer_id, sum(try_cast(amount as double)) as total
                from read_csv('{path}', all_varchar = true) group by 1
            )
            select sum(total) filter (where rank <= 0.1 * (select count(*) from spend)) / sum(total)
            from (select total, row_number() over (order by total desc, customer_id) as rank from spend)
            """
        ).fetchall()[0][0]
    assert rows == 50_000
    assert 2_300 <= customers <= 2_501  # every customer buys at least once; blank ids add one "customer"
    assert 0.015 <= refunds <= 0.025  # about 2% refunds
    assert leading_zero  # ids are zero-padded text
    for bad in (blank_ids, bad_times, bad_amounts, late):
        assert 20 <= bad <= 300  # a small share of each kind of bad row
    assert top_share > 0.4  # heavy tail: the top 10% of customers bring far more than 10% of revenue


def test_parquet_sample_is_typed(tmp_path: Path) -> None:
    path = generate(tmp_path / "s.parquet", 10_000, 500).path
    schema = pq.read_schema(path)
    assert pa.types.is_timestamp(schema.field("transaction_at").type)
    assert str(schema.field("amount").type) == "double"
    assert str(schema.field("customer_id").type) == "string"
    assert pq.read_metadata(path).num_rows == 10_000


def test_parquet_order_lines_are_typed(tmp_path: Path) -> None:
    schema = pq.read_schema(generate(tmp_path / "lines.parquet", 2_000, 100, lines=True).path)
    assert [schema.field(name).type for name in ("order_id", "quantity", "unit_price")] == [
        pa.string(),
        pa.float64(),
        pa.float64(),
    ]
    assert "amount" not in schema.names


def test_rejects_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"must end in \.csv or \.parquet"):
        generate(tmp_path / "s.json", 10, 5)


def test_order_lines_have_multi_line_orders_and_cancellations(tmp_path: Path) -> None:
    path = generate(tmp_path / "lines.csv", 5_000, 300, seed=9, lines=True).path
    assert digest(path) == digest(generate(tmp_path / "again.csv", 5_000, 300, seed=9, lines=True).path)
    with duckdb.connect() as connection:
        lines = f"read_csv('{path}', all_varchar = true)"
        columns = [row[0] for row in connection.execute(f"describe select * from {lines}").fetchall()]
        orders, multi_line, cancellations, refunding, lines_in_cancellations = connection.execute(
            f"""
            with orders as (
                select
                    order_id,
                    count(*) as lines,
                    bool_and(try_cast(quantity as decimal(18, 4)) < 0) as all_negative
                from {lines}
                group by order_id
            )
            select
                count(*),
                count(*) filter (where lines > 1),
                count(*) filter (where order_id like 'C%'),
                count(*) filter (where order_id like 'C%' and all_negative),
                sum(lines) filter (where order_id like 'C%')
            from orders
            """
        ).fetchall()[0]
    assert columns == [
        "order_id",
        "transaction_id",
        "customer_id",
        "transaction_at",
        "quantity",
        "unit_price",
    ]
    assert 1_500 <= orders <= 2_500  # about 2.4 lines an order
    assert multi_line > 0.4 * orders
    assert 0.01 * orders <= cancellations <= 0.04 * orders  # about 2% of orders are cancellations
    assert refunding >= 0.9 * cancellations  # negative quantities (a few are spoiled)
    assert lines_in_cancellations > cancellations  # some take back several lines
    # The contract's own names: no transactions_columns needed. Lines are grouped into orders, cancellations
    # are refunds, and every kind of bad row is there.
    reasons, customers = compute(path, dt.date(2026, 1, 1))
    assert {reason for reason in reasons.values() if reason} == {
        "missing_customer_id",
        "invalid_transaction_at",
        "invalid_amount",
        "after_as_of_date",
        "duplicate_transaction_id",
    }
    assert sum(c.frequency for c in customers) + sum(c.refunds for c in customers) < 0.5 * len(reasons)
    assert sum(c.refunds for c in customers) >= 0.9 * cancellations
