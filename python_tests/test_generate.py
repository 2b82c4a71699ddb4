from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

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


def test_rejects_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"must end in \.csv or \.parquet"):
        generate(tmp_path / "s.json", 10, 5)
