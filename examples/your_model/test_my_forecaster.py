"""The conformance test of the example forecaster: three lines, one test per check."""

from my_forecaster import Smoothing

from shiftbench.testing import parametrize_with_checks


@parametrize_with_checks([Smoothing(), Smoothing(alpha=0.8)])
def test_smoothing_keeps_the_forecaster_contract(estimator, check):
    check(estimator)
