"""The BG/NBD (r, alpha, a, b) and Gamma-Gamma (p, q, v) parameters, fitted by maximum likelihood in the
build (src/rfm_clv, scipy) on the customers of int_customers_summarised_for_clv (at most rfm_clv.FIT_SAMPLE,
chosen by md5 of their id), grouped first by (x, t_x, T) and by (x, mean repeat spend). Long format, one row
per model and parameter, with the customers used, the log-likelihood, the calibration window and, when the
fit is not to be trusted, the problem in one sentence (a data test warns on it). With var clv_parameters
(fitted elsewhere) those values instead, with this data's log-likelihood at them. Fewer customers with repeat
purchases than var clv_min_repeat_customers: no fit (null values, the problem says so; customer_clv's
estimates are then null). DuckDB only (dbt-spark runs Python models only on Databricks)."""

import pyarrow as pa

PARAMETERS = {"bg_nbd": ("r", "alpha", "a", "b"), "gamma_gamma": ("p", "q", "v")}


def model(dbt, session):
    dbt.config(materialized="table")
    from rfm_clv import fit_summary

    summary = dbt.ref("int_customers_summarised_for_clv").filter("is_current")
    settings = dbt.ref("int_clv_settings")
    names = [name for model_names in PARAMETERS.values() for name in model_names]
    (minimum, *values) = settings.project(
        "min_repeat_customers, " + ", ".join(f"given_{name}" for name in names)
    ).fetchall()[0]
    # var clv_parameters: fitted elsewhere, used instead of a fit.
    given = None if values[0] is None else dict(zip(names, values, strict=True))
    (window_end, unit) = summary.aggregate("max(as_of_date) - 1, max(clv_time_unit)").fetchall()[0]
    window = dbt.ref("int_scoring_window").project("window_start_date").fetchall()[0][0]
    result = fit_summary(summary, int(minimum), given)
    fits = result.fits
    rows = []
    for model_name, names in PARAMETERS.items():
        fit = fits.get(model_name)
        for name in names:
            rows.append(
                {
                    "model": model_name,
                    "parameter": name,
                    "value": fit.parameters[name] if fit else None,
                    "customers": fit.customers
                    if fit
                    else (result.customers if model_name == "bg_nbd" else result.repeaters),
                    "log_likelihood": fit.log_likelihood if fit else None,
                    "calibration_start_date": window,
                    "calibration_end_date": window_end,
                    "clv_time_unit": unit,
                    "problem": fit.problem if fit else result.skipped,
                    "is_fitted": fit is not None,
                    "estimated_by": "var clv_parameters" if given else "build",
                }
            )
    return pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [
                ("model", pa.string()),
                ("parameter", pa.string()),
                ("value", pa.float64()),
                ("customers", pa.int64()),
                ("log_likelihood", pa.float64()),
                ("calibration_start_date", pa.date32()),
                ("calibration_end_date", pa.date32()),
                ("clv_time_unit", pa.string()),
                ("problem", pa.string()),
                ("is_fitted", pa.bool_()),
                ("estimated_by", pa.string()),
            ]
        ),
    )
