"""RFM customer segmentation: a dbt project on DuckDB and the small CLI around it."""

__version__ = "0.1.0"
