"""The backtest's predictions, one row per customer at the calibration date (int_customers_summarised_for_clv,
is_backtest_calibration): BG/NBD and Gamma-Gamma fitted on that date's customers alone (src/rfm_clv, as
clv_model_parameters fits the current date), then each customer's expected repeat purchases from the
calibration date up to the current as-of date and their expected value, beside what the customer bought in
that period. Without a fit the predictions are null and fit_problem says why; without a calibration date
(history too short) there are no rows. DuckDB only."""

import numpy as np
import pyarrow as pa


def model(dbt, session):
    dbt.config(materialized="table")
    from rfm_clv import expected_purchases, expected_spend, fit_summary

    summaries = dbt.ref("int_customers_summarised_for_clv")
    settings = dbt.ref("int_clv_settings")
    minimum = int(settings.project("min_repeat_customers").fetchall()[0][0])
    (current_date,) = summaries.filter("is_current").aggregate("max(as_of_date)").fetchall()[0]
    calibration = summaries.filter("is_backtest_calibration")
    result = fit_summary(calibration, minimum)
    fitted = "bg_nbd" in result.fits and "gamma_gamma" in result.fits
    problems = [fit.problem for fit in result.fits.values() if fit.problem] + [result.skipped]
    problem = " ".join(p for p in problems if p) or None
    rows = (
        calibration.project(f"*, date '{current_date}' - as_of_date as holdout_days")
        .order("customer_id")
        .fetchnumpy()
    )
    n = len(rows["customer_id"])
    x = np.asarray(rows["x"], dtype=float)
    unit_days = 7 if n and rows["clv_time_unit"][0] == "week" else 1
    holdout = np.asarray(rows["holdout_days"], dtype=float) / unit_days
    purchases = spend = np.full(n, np.nan)
    if fitted:
        bg, gg = result.fits["bg_nbd"].parameters, result.fits["gamma_gamma"].parameters
        purchases = expected_purchases(bg, x, rows["t_x"], rows["t_cal"], holdout)
        mean_spend = np.ma.filled(np.ma.asarray(rows["mean_repeat_spend"], dtype=float), np.nan)
        spend = expected_spend(gg, x, mean_spend)
    return pa.table(
        {
            "calibration_date": pa.array(rows["as_of_date"], pa.date32()),
            "holdout_end_date": pa.array([current_date] * n, pa.date32()),
            "customer_id": pa.array(rows["customer_id"], pa.string()),
            "x": pa.array(x.astype(np.int64), pa.int64()),
            "holdout_units": pa.array(holdout, pa.float64()),
            "predicted_purchases": pa.array(purchases, pa.float64(), from_pandas=True),
            "predicted_revenue": pa.array(purchases * spend, pa.float64(), from_pandas=True),
            "actual_purchases": pa.array(np.asarray(rows["later_purchase_days"], dtype=np.int64), pa.int64()),
            "actual_revenue": pa.array(np.asarray(rows["later_spend"], dtype=float), pa.float64()),
            "fit_problem": pa.array([problem] * n, pa.string()),
        }
    )
