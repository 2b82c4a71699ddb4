"""Churn risk and future value (issue 17): the build's BG/NBD and Gamma-Gamma fits reproduce the published
CDNOW estimates, P(alive) is the closed form of an independent computation, and the expected purchases agree
with the model integrated numerically."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURES, MESSY, Build, query
from rfm.project import DbtError
from rfm_clv import expected_purchases, p_alive
from test_pipeline import cdnow_as_csv

#: Fader, Hardie and Lee (2005), BG/NBD on CDNOW's 2,357 customers, weeks 1-39 of 1997; Gamma-Gamma as
#: lifetimes' documentation fits it on the same calibration period.
PUBLISHED = {
    ("bg_nbd", "r"): 0.243,
    ("bg_nbd", "alpha"): 4.414,
    ("bg_nbd", "a"): 0.793,
    ("bg_nbd", "b"): 2.426,
    ("gamma_gamma", "p"): 6.25,
    ("gamma_gamma", "q"): 3.74,
    ("gamma_gamma", "v"): 15.44,
}
CALIBRATION_END = dt.date(1997, 9, 30)


def cdnow_summary() -> dict[str, tuple[int, float, float]]:
    """Straight from the raw file: per customer (x, t_x, T) in weeks through CALIBRATION_END."""
    days: dict[str, set[dt.date]] = defaultdict(set)
    for line in (FIXTURES / "cdnow_sample.txt").read_text().splitlines():
        fields = line.split()
        day = dt.datetime.strptime(fields[2], "%Y%m%d").date()
        if day <= CALIBRATION_END:
            days[fields[0]].add(day)
    return {
        customer: (
            len(dates) - 1,
            (max(dates) - min(dates)).days / 7,
            (CALIBRATION_END - min(dates)).days / 7,
        )
        for customer, dates in days.items()
    }


def closed_form_p_alive(params: dict[str, float], x: int, t_x: float, t: float) -> float:
    """FHL (2005) eq. 11, written out again."""
    if x == 0:
        return 1.0
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    return 1 / (1 + (a / (b + x - 1)) * ((alpha + t) / (alpha + t_x)) ** (r + x))


@pytest.fixture(scope="module")
def cdnow_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import build_project

    folder = tmp_path_factory.mktemp("cdnow_clv")
    return build_project(
        folder / "rfm.duckdb",
        cdnow_as_csv(folder / "cdnow.csv"),
        transaction_at_format="%Y%m%d",
        as_of_date="1997-10-01",
    )


def test_cdnow_reproduces_the_published_parameters(cdnow_build: Path) -> None:
    rows = query(
        cdnow_build,
        "select model, parameter, value, customers, problem, calibration_end_date, clv_time_unit"
        " from marts.clv_model_parameters",
    )
    fitted = {(model, name): value for model, name, value, *_ in rows}
    assert fitted.keys() == PUBLISHED.keys()
    for key, published in PUBLISHED.items():
        assert fitted[key] == pytest.approx(published, rel=0.01), key
    customers = {model: count for model, _, _, count, *_ in rows}
    assert customers == {"bg_nbd": 2357, "gamma_gamma": 946}
    assert {(problem, end, unit) for *_, problem, end, unit in rows} == {(None, CALIBRATION_END, "week")}


def test_p_alive_is_the_closed_form_of_an_independent_summary(cdnow_build: Path) -> None:
    params = dict(
        query(cdnow_build, "select parameter, value from marts.clv_model_parameters where model = 'bg_nbd'")
    )
    expected = cdnow_summary()
    rows = query(cdnow_build, "select customer_id, x, t_x, t_cal, p_alive from marts.customer_clv")
    assert len(rows) == len(expected) == 2357
    for customer, x, t_x, t_cal, alive in rows:
        assert (x, t_x, t_cal) == pytest.approx(expected[customer], abs=1e-12)
        assert alive == pytest.approx(closed_form_p_alive(params, *expected[customer]), rel=1e-12)
        if x == 0:
            assert alive == 1.0
    bands = dict(query(cdnow_build, "select churn_band, count(*) from marts.customer_clv group by 1"))
    assert set(bands) <= {"low", "medium", "high"} and sum(bands.values()) == 2357


def test_p_alive_falls_as_the_time_since_the_last_purchase_grows() -> None:
    params = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    observed = np.linspace(20, 80, 13)
    alive = p_alive(params, np.full(13, 3), np.full(13, 15.0), observed)
    assert np.all(np.diff(alive) < 0) and np.all((alive > 0) & (alive < 1))
    assert p_alive(params, np.array([0]), np.array([0.0]), np.array([50.0])).tolist() == [1.0]


def test_expected_purchases_equal_the_model_integrated_numerically() -> None:
    """A new customer (x = t_x = T = 0): E[X(t)] = E[(1 - exp(-lambda p t)) / p] over lambda ~ gamma(r, alpha)
    and p ~ beta(a, b) (FHL 2005, eq. 7), by numerical integration, against eq. 10 with scipy's 2F1."""
    from scipy import integrate, stats

    params = {"r": 0.8, "alpha": 3.0, "a": 1.6, "b": 2.5}
    horizon = 20.0
    rate = stats.gamma(params["r"], scale=1 / params["alpha"])
    dropout = stats.beta(params["a"], params["b"])
    integral, _ = integrate.dblquad(
        lambda lam, p: (1 - np.exp(-lam * p * horizon)) / p * rate.pdf(lam) * dropout.pdf(p),
        0,
        1,
        0,
        np.inf,
        epsabs=1e-10,
    )
    closed = expected_purchases(params, np.array([0]), np.array([0.0]), np.array([0.0]), horizon)[0]
    assert closed == pytest.approx(integral, rel=1e-6)


def test_too_few_repeat_customers_are_not_fitted_and_say_so(build: Build) -> None:
    database = build(MESSY)
    problems = query(database, "select distinct is_fitted, problem from marts.clv_model_parameters")
    assert len(problems) == 1 and problems[0][0] is False
    assert problems[0][1].startswith("Not fitted: ") and "var clv_min_repeat_customers (20)" in problems[0][1]
    assert query(database, "select count(*), count(p_alive) from marts.customer_clv")[0][1] == 0


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"clv_time_unit": "month"}, "var clv_time_unit must be one of week, day"),
        (
            {"clv_churn_high_below": 0.8, "clv_churn_medium_below": 0.5},
            r"var clv_churn_high_below \(0.8\) must not be above clv_churn_medium_below \(0.5\)\.",
        ),
        ({"clv_horizon_days": 0}, "var clv_horizon_days must be a whole number from 1 to 3650"),
    ],
)
def test_bad_clv_vars_fail_in_one_sentence(build: Build, variables: dict, message: str) -> None:
    with pytest.raises(DbtError, match=message):
        build(MESSY, **variables)


def test_expected_purchases_stay_finite_for_heavy_buyers_over_long_horizons() -> None:
    """Where 2F1(r + x, ...) alone overflows (x = 700 repeat weeks, a 260-week horizon, a < 1), the
    expectation is finite and close to the buyer's own rate, and one-time buyers get the same value as the
    numerically integrated model gives a new customer (x = 0, T = 0)."""
    params = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    heavy = expected_purchases(params, np.array([700]), np.array([104.0]), np.array([104.0]), 260.0)
    assert np.isfinite(heavy).all() and 900 < heavy[0] < 1_100
    counts = expected_purchases(
        params, np.arange(0, 1_500, 100), np.full(15, 104.0), np.full(15, 104.0), 520.0
    )
    assert np.isfinite(counts).all() and np.all(np.diff(counts) > 0)
