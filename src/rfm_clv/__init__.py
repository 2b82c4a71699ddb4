"""Churn risk and future value (issue 17), for the dbt project's Python models: the BG/NBD model of repeat
purchases and dropout (Fader, Hardie and Lee 2005) and the Gamma-Gamma model of spend (Fader, Hardie and Lee
2005b, as lifetimes implements it), fitted by maximum likelihood with scipy on sufficient statistics.

A customer is summarised as (x, t_x, T): repeat purchase days (the first purchase day not counted), the time
from the first to the last purchase day, and the time from the first purchase day to the end of the window,
in one time unit (a week by default); and m, the mean spend of the repeat purchase days. Customers with the
same (x, t_x, T) share a likelihood term: the fits take `weights`, the number of customers per row. The build
fits on at most FIT_SAMPLE customers (hash-sampled) and scores every customer.

The dbt project imports this package (not the `rfm` CLI), as it does rfm_clustering."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: The fits use at most this many customers, the first by md5 of their id (the same customers whatever the
#: row order): the parameters describe the population, and with t_x and T in days / 7 almost every customer is
#: its own (x, t_x, T) group, so the likelihood's cost grows with the customers fitted.
FIT_SAMPLE = 50_000
#: Parameters on the log scale start here (r = alpha = a = b = 1; p = q = v = 1).
START = 0.0
#: A fitted parameter this close to zero, or this large, is on the boundary of the search: not trusted.
BOUNDARY_LOW = 1e-6
BOUNDARY_HIGH = 1e6
#: Converged: no partial derivative of the log-likelihood (in log parameters) above this, relative to it.
GRADIENT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Fit:
    """A maximum-likelihood fit: the parameters by name, the log-likelihood at them, the customers used, and
    whether the optimiser converged away from the boundary (else `problem` says why in one sentence)."""

    model: str
    parameters: dict[str, float]
    log_likelihood: float
    customers: int
    problem: str | None


def _maximise(
    model: str, names: tuple[str, ...], negative_ll: Callable[[np.ndarray], float], customers: int
) -> Fit:
    """Minimise `negative_ll` over the parameters' logarithms (so they stay positive): Nelder-Mead finds the
    basin, L-BFGS-B polishes. Converged means a flat gradient at the best point (whatever each optimiser's
    own message), away from the boundary."""
    from scipy.optimize import approx_fprime, minimize

    # Bounds a little past the boundary test's: a fit running off along a ridge stops there, fast.
    bounds = [(np.log(BOUNDARY_LOW) - 1, np.log(BOUNDARY_HIGH) + 1)] * len(names)
    rough = minimize(
        negative_ll,
        np.full(len(names), START),
        method="Nelder-Mead",
        bounds=bounds,
        options={"maxiter": 5_000, "xatol": 1e-8, "fatol": 1e-10},
    )
    fine = minimize(
        negative_ll, rough.x, method="L-BFGS-B", bounds=bounds, options={"gtol": 1e-9, "ftol": 1e-14}
    )
    best = fine if fine.fun <= rough.fun else rough
    values = {name: float(np.exp(value)) for name, value in zip(names, best.x, strict=True)}
    gradient = approx_fprime(best.x, negative_ll, 1e-7)
    edge = [name for name, value in values.items() if not BOUNDARY_LOW < value < BOUNDARY_HIGH]
    problem = None
    if not np.isfinite(best.fun) or best.fun >= 1e300:
        problem = f"The {model} fit found no finite likelihood."
    elif edge:
        shown = ", ".join(f"{name} = {values[name]:.3g}" for name in edge)
        problem = (
            f"The {model} fit landed on the boundary ({shown}): the model does not describe these customers,"
            " so its estimates are not to be trusted."
        )
    elif np.abs(gradient).max() > GRADIENT_TOLERANCE * (1 + abs(best.fun)):
        problem = f"The {model} fit did not converge (the likelihood is not flat at its best point)."
    return Fit(model, values, float(-best.fun), customers, problem)


def bg_nbd_log_likelihood(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, t: np.ndarray, weights: np.ndarray
) -> float:
    """The BG/NBD log-likelihood (FHL 2005, eq. 6) summed over rows, each weighted by its customers."""
    from scipy.special import betaln, gammaln

    r, alpha, a, b = params
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    alive = -(r + x) * np.log(alpha + t)
    # Dropped out right after the last purchase: only customers with repeat purchases.
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return float((weights * (common + np.logaddexp(alive, dropped))).sum())


def fit_bg_nbd(x: np.ndarray, t_x: np.ndarray, t: np.ndarray, weights: np.ndarray) -> Fit:
    """r, alpha, a, b maximising the BG/NBD likelihood."""
    x, t_x, t, weights = (np.asarray(v, dtype=float) for v in (x, t_x, t, weights))

    def negative(log_params: np.ndarray) -> float:
        value = -bg_nbd_log_likelihood(np.exp(log_params), x, t_x, t, weights)
        return value if np.isfinite(value) else 1e300

    return _maximise("bg_nbd", ("r", "alpha", "a", "b"), negative, int(weights.sum()))


def gamma_gamma_log_likelihood(
    params: np.ndarray, x: np.ndarray, m: np.ndarray, weights: np.ndarray
) -> float:
    """The Gamma-Gamma log-likelihood of the mean spend m of x repeat purchases (as lifetimes writes it)."""
    from scipy.special import gammaln

    p, q, v = params
    terms = (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(x * m + v)
    )
    return float((weights * terms).sum())


def fit_gamma_gamma(x: np.ndarray, m: np.ndarray, weights: np.ndarray) -> Fit:
    """p, q, v maximising the Gamma-Gamma likelihood (customers with repeat purchases and positive spend)."""
    x, m, weights = (np.asarray(v, dtype=float) for v in (x, m, weights))

    def negative(log_params: np.ndarray) -> float:
        value = -gamma_gamma_log_likelihood(np.exp(log_params), x, m, weights)
        return value if np.isfinite(value) else 1e300

    fit = _maximise("gamma_gamma", ("p", "q", "v"), negative, int(weights.sum()))
    if fit.problem is None and fit.parameters["q"] <= 1:
        problem = (
            f"The gamma_gamma fit has q = {fit.parameters['q']:.3g}, at most 1: the mean spend it implies is"
            " not finite, so its estimates are not to be trusted."
        )
        return Fit(fit.model, fit.parameters, fit.log_likelihood, fit.customers, problem)
    return fit


def p_alive(bg: dict[str, float], x: np.ndarray, t_x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """P(alive | x, t_x, T) (FHL 2005, eq. 11): 1 without repeat purchases."""
    r, alpha, a, b = bg["r"], bg["alpha"], bg["a"], bg["b"]
    x, t_x, t = (np.asarray(v, dtype=float) for v in (x, t_x, t))
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.where(x > 0, a / (b + x - 1) * ((alpha + t) / (alpha + t_x)) ** (r + x), 0.0)
    return 1.0 / (1.0 + odds)


def expected_purchases(
    bg: dict[str, float], x: np.ndarray, t_x: np.ndarray, t: np.ndarray, horizon: float | np.ndarray
) -> np.ndarray:
    """E[Y(horizon) | x, t_x, T] (FHL 2005, eq. 10): the repeat purchases expected in the next `horizon`
    time units, with the Gaussian hypergeometric function from scipy."""
    from scipy.special import hyp2f1

    r, alpha, a, b = bg["r"], bg["alpha"], bg["a"], bg["b"]
    x, t_x, t = (np.asarray(v, dtype=float) for v in (x, t_x, t))
    horizon = np.asarray(horizon, dtype=float)
    z = horizon / (alpha + t + horizon)
    first = (a + b + x - 1) / (a - 1)
    # ((alpha + T) / (alpha + T + t)) ** (r + x) * 2F1(r + x, b + x; a + b + x - 1; z), by Euler's
    # transformation (1 - z = (alpha + T) / (alpha + T + t)): the same value, but bounded where a heavy
    # buyer's 2F1 overflows over a long horizon and the power underflows (inf * 0).
    second = 1 - (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.where(x > 0, a / (b + x - 1) * ((alpha + t) / (alpha + t_x)) ** (r + x), 0.0)
    return first * second / (1 + odds)


def expected_spend(gg: dict[str, float], x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """E[M | x, m]: the Gamma-Gamma conditional mean spend of a purchase; the population mean p v / (q - 1)
    without repeat purchases (m unknown)."""
    p, q, v = (np.float64(gg[name]) for name in ("p", "q", "v"))
    x = np.asarray(x, dtype=float)
    m = np.nan_to_num(np.asarray(m, dtype=float))
    # q <= 1 has no finite population mean (fit_gamma_gamma flags it): inf or negative, never a crash.
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, p * (v + x * m) / (p * x + q - 1), p * v / (q - 1))


def lifetime_value(
    bg: dict[str, float],
    gg: dict[str, float],
    x: np.ndarray,
    t_x: np.ndarray,
    t: np.ndarray,
    m: np.ndarray,
    horizon: float,
    unit_days: int,
    annual_discount_rate: float,
    steps: int = 12,
) -> np.ndarray:
    """The discounted value of the purchases expected over `horizon` time units: the horizon in `steps` equal
    steps, each step's expected purchases times the expected spend, discounted at the annual rate from the
    step's end (as lifetimes' customer_lifetime_value does monthly)."""
    spend = expected_spend(gg, x, m)
    value = np.zeros(len(np.asarray(x)))
    previous = np.zeros_like(value)
    for step in range(1, steps + 1):
        until = horizon * step / steps
        cumulative = expected_purchases(bg, x, t_x, t, until)
        years = until * unit_days / 365.0
        value += (cumulative - previous) * spend / (1 + annual_discount_rate) ** years
        previous = cumulative
    return value


@dataclass(frozen=True)
class SummaryFit:
    """Both fits on one date's summary, or the sentence saying why a model was not fitted."""

    fits: dict[str, Fit]
    customers: int
    repeaters: int
    skipped: str | None


def given_fit(model: str, parameters: dict[str, float], log_likelihood: float, customers: int) -> Fit:
    """Parameters fitted elsewhere (var clv_parameters) as a Fit: the log-likelihood is this data's at them,
    and a Gamma-Gamma q at most 1 is flagged as a fit's would be."""
    problem = None
    if model == "gamma_gamma" and parameters["q"] <= 1:
        problem = (
            f"The given gamma_gamma q = {parameters['q']:.3g} is at most 1: the mean spend it implies is not"
            " finite, so its estimates are not to be trusted."
        )
    return Fit(model, parameters, log_likelihood, customers, problem)


def fit_summary(summary, minimum_repeaters: int, given: dict[str, float] | None = None) -> SummaryFit:
    """Fit BG/NBD and Gamma-Gamma on a DuckDB relation of one date's customers (columns x, t_x, t_cal,
    mean_repeat_spend, customer_id): at most FIT_SAMPLE customers, the first by md5 of their id (the same
    customers whatever the row order), grouped by (x, t_x, T) and by (x, mean repeat spend) first. Fewer
    customers with repeat purchases than `minimum_repeaters`: nothing is fitted, and `skipped` says why.
    `given` (var clv_parameters: r, alpha, a, b, p, q, v) are used instead of fitting, with the sample's
    log-likelihood at them."""
    customers, repeaters = summary.aggregate("count(*), count(*) filter (where x > 0)").fetchall()[0]
    if given is None and repeaters < minimum_repeaters:
        return SummaryFit(
            {},
            customers,
            repeaters,
            f"Not fitted: {repeaters:,} customers with repeat purchases, fewer than var"
            f" clv_min_repeat_customers ({minimum_repeaters:,}).",
        )
    sample = summary.order("md5(customer_id), customer_id").limit(FIT_SAMPLE)
    # Groups in a fixed order: the likelihood sums them in it, so the same data gives the same fit to the last
    # bit (a daily incremental build equals a full one), whatever order the engine grouped them in.
    groups = (
        sample.aggregate("x, t_x, t_cal, count(*) as customers", "x, t_x, t_cal")
        .order("x, t_x, t_cal")
        .fetchnumpy()
    )
    spend = (
        sample.filter("x > 0 and mean_repeat_spend > 0")
        .aggregate("x, cast(mean_repeat_spend as double) as m, count(*) as customers", "x, m")
        .order("x, m")
        .fetchnumpy()
    )
    if given is not None:
        bg = {name: given[name] for name in ("r", "alpha", "a", "b")}
        gg = {name: given[name] for name in ("p", "q", "v")}
        bg_columns = [np.asarray(groups[c], dtype=float) for c in ("x", "t_x", "t_cal", "customers")]
        gg_columns = [np.asarray(spend[c], dtype=float) for c in ("x", "m", "customers")]
        fits = {
            "bg_nbd": given_fit(
                "bg_nbd",
                bg,
                bg_nbd_log_likelihood(np.array(list(bg.values())), *bg_columns),
                int(bg_columns[-1].sum()),
            ),
            "gamma_gamma": given_fit(
                "gamma_gamma",
                gg,
                gamma_gamma_log_likelihood(np.array(list(gg.values())), *gg_columns),
                int(gg_columns[-1].sum()),
            ),
        }
        return SummaryFit(fits, customers, repeaters, None)
    fits = {"bg_nbd": fit_bg_nbd(groups["x"], groups["t_x"], groups["t_cal"], groups["customers"])}
    # The sample may hold no repeat customer with positive spend: then Gamma-Gamma is not fitted.
    if len(spend["x"]):
        fits["gamma_gamma"] = fit_gamma_gamma(spend["x"], spend["m"], spend["customers"])
        return SummaryFit(fits, customers, repeaters, None)
    return SummaryFit(
        fits,
        customers,
        repeaters,
        "Not fitted: no customer of the fit's sample has repeat purchases with positive spend.",
    )
