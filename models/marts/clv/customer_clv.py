"""One row per customer of the scoring window: the BG/NBD probability of being alive (closed form), the repeat
purchases expected over var clv_horizon_days, the Gamma-Gamma expected spend of a purchase, the value of those
purchases over the horizon discounted at var clv_discount_rate (annual), and a churn band from p_alive (vars
clv_churn_high_below and clv_churn_medium_below). Estimates are null when clv_model_parameters has no fit.
src/rfm_clv does the arithmetic (scipy's hypergeometric function); DuckDB only."""

import numpy as np
import pyarrow as pa


def model(dbt, session):
    dbt.config(materialized="table")
    from rfm_clv import expected_purchases, expected_spend, lifetime_value, p_alive

    summary = (
        dbt.ref("int_customers_summarised_for_clv")
        .filter("is_current")
        .project(
            "as_of_date, customer_id, x, t_x, t_cal, cast(mean_repeat_spend as double) as mean_repeat_spend,"
            " clv_time_unit"
        )
        .order("customer_id")
        .fetchnumpy()
    )
    settings = dbt.ref("int_clv_settings")
    (unit_days, horizon_days, discount_rate, high, medium) = settings.project(
        "unit_days, horizon_days, discount_rate, churn_high_below, churn_medium_below"
    ).fetchall()[0]
    parameters = dbt.ref("clv_model_parameters").filter("is_fitted").project("model, parameter, value")
    fitted = {}
    for model_name, name, value in parameters.fetchall():
        fitted.setdefault(model_name, {})[name] = value
    n = len(summary["customer_id"])
    x = np.asarray(summary["x"], dtype=float)
    t_x = np.asarray(summary["t_x"], dtype=float)
    t_cal = np.asarray(summary["t_cal"], dtype=float)
    spend = np.ma.filled(np.ma.asarray(summary["mean_repeat_spend"], dtype=float), np.nan)
    horizon = horizon_days / unit_days
    alive = purchases = average = value = np.full(n, np.nan)
    if "bg_nbd" in fitted and "gamma_gamma" in fitted:
        alive = p_alive(fitted["bg_nbd"], x, t_x, t_cal)
        purchases = expected_purchases(fitted["bg_nbd"], x, t_x, t_cal, horizon)
        average = expected_spend(fitted["gamma_gamma"], x, spend)
        value = lifetime_value(
            fitted["bg_nbd"],
            fitted["gamma_gamma"],
            x,
            t_x,
            t_cal,
            spend,
            horizon,
            unit_days,
            discount_rate,
        )
    band = np.where(alive < high, "high", np.where(alive < medium, "medium", "low"))
    known = ~np.isnan(alive)
    return pa.table(
        {
            "as_of_date": pa.array(summary["as_of_date"], pa.date32()),
            "customer_id": pa.array(summary["customer_id"], pa.string()),
            "x": pa.array(x.astype(np.int64), pa.int64()),
            "t_x": pa.array(t_x, pa.float64()),
            "t_cal": pa.array(t_cal, pa.float64()),
            "p_alive": pa.array(alive, pa.float64(), from_pandas=True),
            "expected_purchases": pa.array(purchases, pa.float64(), from_pandas=True),
            "expected_avg_spend": pa.array(average, pa.float64(), from_pandas=True),
            "expected_value": pa.array(value, pa.float64(), from_pandas=True),
            "churn_band": pa.array(np.where(known, band, None), pa.string()),
        }
    )
