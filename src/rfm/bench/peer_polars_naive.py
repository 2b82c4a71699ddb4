"""The yardstick a user holds up: a naive polars script with no validation at all (no quarantine, no
duplicate rule, no tie rule: `rank` splits ties by order of appearance). Its scores are not the project's, so
it is timed but never compared. Run as `python -m rfm.bench.peer_polars_naive GLOB parquet|csv`; prints the
customer count."""

from __future__ import annotations

import sys

import polars as pl

BINS = 5


def main(path: str, file_format: str) -> int:
    scanned = pl.scan_csv(path, infer_schema=False) if file_format == "csv" else pl.scan_parquet(path)
    # Order lines (no amount column): a line is worth quantity x unit price, an order is a purchase.
    lines = "amount" not in scanned.collect_schema().names()
    numbers = ["quantity", "unit_price"] if lines else ["amount"]
    if file_format == "csv":
        scanned = scanned.with_columns(
            pl.col("transaction_at").str.to_datetime(strict=False),
            pl.col(numbers).cast(pl.Float64, strict=False),
        )
    amount = pl.col("quantity") * pl.col("unit_price") if lines else pl.col("amount")
    customers = scanned.group_by("customer_id").agg(
        pl.col("transaction_at").max().alias("last_at"),
        (pl.col("order_id").n_unique() if lines else pl.len()).alias("frequency"),
        amount.sum().alias("monetary"),
    )
    count = pl.len()
    result = customers.select(
        "customer_id",
        (pl.col("last_at").rank("ordinal") * BINS / count).ceil().alias("r_score"),
        (pl.col("frequency").rank("ordinal") * BINS / count).ceil().alias("f_score"),
        (pl.col("monetary").rank("ordinal") * BINS / count).ceil().alias("m_score"),
    ).collect()
    print(result.height)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
