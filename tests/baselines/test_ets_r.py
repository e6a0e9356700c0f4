"""The ETS engine against R's forecast 8.20 (``ets``, ``ses``, ``holt``), by hand and on M3.

R's numbers below come from R 4.2.2 with forecast 8.20; each block names the call. The series
are training spans (all but the last 18 points) of M3 monthly series, given to R as
``ts(y, frequency = 12)``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from shiftbench.baselines.ets import (
    ETSForm,
    Smoothing,
    admissible,
    auto_ets,
    fit_form,
    model_space,
    one_step,
    point_forecast,
)
from shiftbench.baselines.ets.init import LOWER, UPPER, start_params
from shiftbench.baselines.ets.neldermead import nelder_mead
from shiftbench.baselines.ets.recursions import one_step_loop
from shiftbench.baselines.statistical import ETS, SES


def _train(series: str) -> np.ndarray:
    from shiftbench.datasets.m3 import read_m3_monthly

    long, _ = read_m3_monthly()
    y = long.loc[long.unique_id == series, "y"].to_numpy()
    return np.asarray(y[:-18], dtype=np.float64)


# -- hand-worked ----------------------------------------------------------------------------


def test_ses_recursion_by_hand() -> None:
    # alpha 0.5, l0 10: f1 = 10; l1 = 10 + 0.5(12 - 10) = 11 = f2; l2 = 11 + 0.5(9 - 11) = 10;
    # l3 = 10 + 0.5(13 - 10) = 11.5; l4 = 11.5 + 0.5(11 - 11.5) = 11.25
    y = np.array([12.0, 9.0, 13.0, 11.0])
    f, state = one_step(ETSForm("A", "N", False, "N"), Smoothing(0.5), np.array([10.0]), y)
    np.testing.assert_allclose(f, [10.0, 11.0, 10.0, 11.5])
    assert state.tolist() == [11.25]


def test_damped_trend_recursion_and_forecast_by_hand() -> None:
    # alpha 0.5, beta 0.25, phi 0.9, l0 10, b0 2: q = 10 + 1.8 = 11.8 = f1;
    # l1 = 11.8 + 0.5(13 - 11.8) = 12.4; b1 = 1.8 + (0.25/0.5)(12.4 - 11.8) = 2.1;
    # forecasts: 12.4 + 2.1·0.9 = 14.29, 12.4 + 2.1·(0.9 + 0.81) = 15.991
    form = ETSForm("A", "A", True, "N")
    par = Smoothing(0.5, 0.25, 0.0, 0.9)
    f, state = one_step(form, par, np.array([10.0, 2.0]), np.array([13.0]))
    assert f.tolist() == pytest.approx([11.8])
    assert state.tolist() == pytest.approx([12.4, 2.1])
    assert point_forecast(form, par, state, 2).tolist() == pytest.approx([14.29, 15.991])


@pytest.mark.parametrize(
    "form",
    [
        ETSForm(e, t, d, s, 4 if s != "N" else 1)
        for e in ("A", "M")
        for t, d in (("N", False), ("A", False), ("A", True))
        for s in ("N", "A", "M")
    ],
    ids=lambda f: f.label,
)
def test_the_compiled_kernels_equal_the_transcribed_loop(form: ETSForm) -> None:
    """statsmodels' Holt-Winters kernels, as called, run R's ``etscalc`` recursions."""
    rng = np.random.default_rng(5)
    y = 100 + np.cumsum(rng.normal(size=30)) + 5 * np.sin(np.arange(30))
    state = [90.0] + ([1.5] if form.trend != "N" else [])
    if form.season == "A":
        state += [3.0, -1.0, -4.0, 2.0]
    elif form.season == "M":
        state += [1.03, 0.99, 0.96, 1.02]
    par = Smoothing(0.3, 0.1 if form.trend != "N" else 0.0, 0.2 if form.season != "N" else 0.0)
    par = Smoothing(par.alpha, par.beta, par.gamma, 0.9 if form.damped else 1.0)
    f, end = one_step(form, par, np.array(state), y)
    f_loop, end_loop = one_step_loop(form, par, np.array(state), y)
    np.testing.assert_allclose(f, f_loop, rtol=1e-12)
    np.testing.assert_allclose(end, end_loop, rtol=1e-12)


def test_nelder_mead_retraces_r_optim() -> None:
    # R: fr <- function(x) 100 * (x[2] - x[1]^2)^2 + (1 - x[1])^2; optim(c(-1.2, 1), fr)
    # $par 1.00026013872567 1.00050599930377; $value 8.82524109672275e-08; counts 195
    def rosenbrock(x: np.ndarray) -> float:
        return float(100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2)

    found = nelder_mead(rosenbrock, [-1.2, 1.0], maxit=500)
    assert found.x == pytest.approx([1.00026013872567, 1.00050599930377], rel=1e-12)
    assert found.value == pytest.approx(8.82524109672275e-08, rel=1e-9)
    assert found.evaluations == 195


def test_starting_values_are_r_initparam() -> None:
    # forecast:::initparam(NULL, NULL, NULL, NULL, "N", "M", FALSE, c(rep(1e-4, 3), .8),
    #                      c(rep(.9999, 3), .98), 12, "both") -> alpha 0.01676333 gamma 0.04925683
    assert start_params(ETSForm("M", "N", False, "M", 12)) == pytest.approx(
        [0.01676333, 0.04925683], abs=5e-9
    )
    # non-seasonal, damped: alpha = 1e-4 + 0.2·0.9998, beta = 1e-4 + 0.1(alpha − 1e-4),
    # phi = 0.8 + 0.99·0.18
    alpha = 1e-4 + 0.2 * 0.9998
    assert start_params(ETSForm("A", "A", True, "N")) == pytest.approx(
        [alpha, 1e-4 + 0.1 * (alpha - 1e-4), 0.9782]
    )


def test_admissibility_as_r_admissible() -> None:
    ses = ETSForm("A", "N", False, "N")
    assert admissible(Smoothing(1.5), ses)  # SES: alpha in [1 − 1/phi, 1 + 1/phi] = [0, 2]
    assert not admissible(Smoothing(2.1), ses)
    holt = ETSForm("A", "A", False, "N")  # beta in [alpha(phi − 1), (1 + phi)(2 − alpha)]
    assert admissible(Smoothing(0.5, 2.9), holt)
    assert not admissible(Smoothing(0.5, 3.1), holt)
    # R: a <- forecast:::admissible; c(a(0.2, NULL, 0.1, NULL, 12), a(0.2, NULL, 1.9, NULL, 12),
    #   a(0.9, NULL, 0.9, NULL, 12), a(0.5, 0.4, 0.4, NULL, 12), a(0.05, 0.04, 0.9, 0.9, 12),
    #   a(0.95, 0.9, 0.5, 0.98, 4)) -> 1 0 1 0 1 0
    # (the fourth and sixth pass the simple tests and fail on the characteristic roots)
    cases = [
        (ETSForm("A", "N", False, "A", 12), Smoothing(0.2, 0.0, 0.1), True),
        (ETSForm("A", "N", False, "A", 12), Smoothing(0.2, 0.0, 1.9), False),
        (ETSForm("A", "N", False, "A", 12), Smoothing(0.9, 0.0, 0.9), True),
        (ETSForm("A", "A", False, "A", 12), Smoothing(0.5, 0.4, 0.4), False),
        (ETSForm("A", "A", True, "A", 12), Smoothing(0.05, 0.04, 0.9, 0.9), True),
        (ETSForm("A", "A", True, "A", 4), Smoothing(0.95, 0.9, 0.5, 0.98), False),
    ]
    assert [admissible(par, form) for form, par, _ in cases] == [ok for _, _, ok in cases]


def test_the_model_space_is_r_default() -> None:
    labels = [f.label for f in model_space(12, 100, True)]
    assert len(labels) == 15  # 6 additive-error, 9 multiplicative-error forms
    assert "ETS(A,N,M)" not in labels
    assert "ETS(M,M,N)" not in labels
    assert all(label[4] == "A" for label in (f.label for f in model_space(12, 100, False)))
    assert all(f.season == "N" for f in model_space(12, 12, True))  # n <= m


# -- against R on M3 --------------------------------------------------------------------------

#: R: f <- ets(ts(y, frequency = 12)); f$method; f$aicc; f$par; forecast(f, h = 3)$mean
R_ETS = {
    "N1679": ("ETS(M,N,M)", 2098.20816109, (0.1721869024134, None, 0.0002930642581, None),
              (3848.17716768, 3556.30633031, 3327.40260771)),
    "N1719": ("ETS(M,A,M)", 1791.87706637, (0.0017636180640, 0.0017587432853, 0.0001055139717,
              None), (3152.62737736, 3015.65804674, 3144.66603047)),
    "N1839": ("ETS(M,A,N)", 1819.01456399, (0.1928352406393, 0.0001000081422, None, None),
              (4413.86859914, 4440.76638458, 4467.66417002)),
    "N2279": ("ETS(A,Ad,N)", 1531.87595627, (0.7636876785629, 0.0008845957508, None,
              0.9469180634605), (4748.02689188, 4748.04188780, 4748.05608770)),
}  # fmt: skip


@pytest.mark.parametrize("series", sorted(R_ETS))
def test_automatic_ets_chooses_and_estimates_as_r(series: str) -> None:
    label, aicc, params, forecast = R_ETS[series]
    model = ETS(season_length=12).fit(_train(series))
    fit = model.results_.fit
    assert model.info()["model"] == label
    assert fit.aicc == pytest.approx(aicc, abs=1e-4)
    ours = (fit.par.alpha, fit.par.beta, fit.par.gamma, fit.par.phi)
    for mine, theirs in zip(ours, params, strict=True):
        if theirs is not None:
            assert mine == pytest.approx(theirs, rel=1e-6, abs=1e-9)
    np.testing.assert_allclose(model.forecast(3).mean, forecast, rtol=1e-8)


#: R: ses(ts(y, frequency = 12), h = 3)$model$par[c("alpha", "l")];
#: holt(..., h = 3)$model$par[c("alpha", "beta", "l", "b")] and $mean;
#: holt(..., h = 3, damped = TRUE)$model$par[c("alpha", "beta", "phi", "l", "b")] and $mean
R_SMOOTHING = {
    ("N1839", "ses"): ((0.475981345413, 0.0, 1.0, 316.196465648977, None), (5305.43975999,) * 3),
    ("N1839", "holt"): ((4.35027480214e-01, 1.00005111372e-04, 1.0, 3.09759469967e02,
                         2.56546575637e01), (5284.01969127, 5310.17584839, 5336.33200552)),
    ("N1839", "damped"): ((0.4146427380132, 0.0180687802892, 0.9799999953831, 282.2692140539482,
                           30.0423678696391), (5393.90278051, 5501.59791486, 5607.13914602)),
    ("N2279", "ses"): ((0.852935582064, 0.0, 1.0, 4042.998726222922, None), (4745.52292464,) * 3),
    ("N2279", "holt"): ((0.785938017293, 0.043971111116, 1.0, 4013.584139088056,
                         29.624085339839), (4744.27750589, 4741.57893961, 4738.88037333)),
    ("N2279", "damped"): ((7.63734539151e-01, 8.81554231131e-04, 9.46801647192e-01,
                           4.02882099301e03, 5.02266341365e01),
                          (4748.02504288, 4748.03955057, 4748.05328648)),
}  # fmt: skip

_FORMS = {
    "ses": ETSForm("A", "N", False, "N"),
    "holt": ETSForm("A", "A", False, "N"),
    "damped": ETSForm("A", "A", True, "N"),
}


@pytest.mark.parametrize(("series", "method"), sorted(R_SMOOTHING))
def test_ses_holt_damped_estimate_as_r(series: str, method: str) -> None:
    (alpha, beta, phi, l0, b0), forecast = R_SMOOTHING[series, method]
    y = _train(series)
    fit = fit_form(y, _FORMS[method], "mse")
    assert fit.par.alpha == pytest.approx(alpha, rel=1e-6)
    assert fit.par.beta == pytest.approx(beta, rel=1e-6, abs=1e-12)
    assert fit.par.phi == pytest.approx(phi, rel=1e-8)
    assert fit.initial_state[0] == pytest.approx(l0, rel=1e-8)
    if b0 is not None:
        assert fit.initial_state[1] == pytest.approx(b0, rel=1e-6)
    _, state = one_step(fit.form, fit.par, fit.initial_state, y)
    np.testing.assert_allclose(point_forecast(fit.form, fit.par, state, 3), forecast, rtol=1e-8)


def test_the_ses_forecaster_on_an_unadjusted_series_is_r_ses() -> None:
    # N2279 is not seasonally adjusted (season_length 1): SES is ses(y) itself
    model = SES().fit(_train("N2279"))
    assert model.info()["alpha"] == pytest.approx(0.852935582064, rel=1e-6)
    assert model.forecast(2).mean == pytest.approx([4745.52292464] * 2, rel=1e-8)


@pytest.mark.parametrize("series", ["N1679", "N1719"])
def test_fitted_parameters_lie_in_r_bounds(series: str) -> None:
    y = _train(series)
    for form in model_space(12, len(y), True):
        fit = fit_form(y, form)
        par = fit.par
        assert LOWER[0] <= par.alpha <= UPPER[0]
        if form.trend != "N":
            assert LOWER[1] <= par.beta <= min(UPPER[1], par.alpha)
        if form.season != "N":
            assert LOWER[2] <= par.gamma <= min(UPPER[2], 1 - par.alpha)
        if form.damped:
            assert LOWER[3] <= par.phi <= UPPER[3]
        assert admissible(par, form)
        assert math.isfinite(fit.aicc)


def test_a_constant_series_gets_r_constant_fit() -> None:
    # R: ets(rep(5, 20)) returns ses(y, alpha = 0.99999, initial = "simple")$model
    selection = auto_ets(np.full(20, 5.0), 1)
    assert selection.best.form.label == "ETS(A,N,N)"
    assert selection.best.par.alpha == 0.99999


def test_the_schur_cohn_root_test_decides_as_the_companion_matrix_eigenvalues() -> None:
    from shiftbench.baselines.ets.fit import max_root, roots_within

    rng = np.random.default_rng(5)
    rejected = 0
    for m in (4, 12):
        for _ in range(2000):
            alpha = rng.uniform(0, 1)
            beta = rng.uniform(0, alpha)
            gamma = rng.uniform(0, 1 - alpha)
            phi = 1.0 if rng.uniform() < 0.5 else rng.uniform(0.8, 0.98)
            a = alpha + beta - alpha * phi
            coef = [
                1.0,
                alpha + beta - phi,
                *[a] * (m - 2),
                a + gamma - 1,
                phi * (1 - alpha - gamma),
            ]
            inside = max_root(coef) <= 1 + 1e-10
            rejected += not inside
            assert roots_within(coef, 1 + 1e-10) == inside, (m, alpha, beta, gamma, phi)
    assert rejected > 500  # both kinds of point were tried
    # by hand: z² − 1.44 has roots ±1.2; z³ − 0.5 z² has roots 0, 0, 0.5
    assert not roots_within([1.0, 0.0, -1.44], 1.1)
    assert roots_within([1.0, 0.0, -1.44], 1.25)
    assert roots_within([1.0, -0.5, 0.0, 0.0], 0.6)
    assert not roots_within([1.0, -0.5, 0.0, 0.0], 0.4)
