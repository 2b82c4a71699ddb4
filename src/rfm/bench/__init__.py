"""`rfm bench`: the project's full dbt build against the floor (one hand-written DuckDB script) and the peers
a user would pick instead (polars, pandas), on the same generated files."""
