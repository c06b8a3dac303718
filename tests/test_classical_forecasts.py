"""Naive, seasonal naive, Holt-Winters and SARIMA baselines on series whose forecast is known."""

import numpy as np
import pytest
from companion.models import classical_forecasts as baselines

SEASON = np.array([3.0, 5.0, 4.0, 8.0, 9.0, 7.0, 6.0, 2.0, 1.0, 4.0, 6.0, 5.0])


def test_naive_on_a_constant_and_on_a_ramp():
    np.testing.assert_array_equal(baselines.naive(np.full(20, 7.5), 5), np.full(5, 7.5))
    np.testing.assert_array_equal(baselines.naive(np.arange(10.0), 3), [9.0, 9.0, 9.0])


def test_seasonal_naive_is_exact_on_a_periodic_series():
    periodic = np.tile(SEASON, 6)
    train, test = periodic[:-18], periodic[-18:]  # a horizon longer than one season
    np.testing.assert_array_equal(baselines.seasonal_naive(train, 18), test)
    assert not np.array_equal(baselines.naive(train, 18), test)


def test_holt_winters_and_sarima_follow_a_trend_plus_season():
    months = np.arange(96)
    noise = np.random.default_rng(0).normal(scale=0.05, size=96)  # an exact fit makes SARIMA slow
    values = 50 + 0.3 * months + np.tile(SEASON, 8) + noise
    train, test = values[:-12], values[-12:]
    sarima_forecast, fit = baselines.sarima(train, 12, return_fit=True)
    assert len(fit.resid) == len(train)  # in-sample residuals, on the log scale
    for forecast in (baselines.holt_winters(train, 12), sarima_forecast):
        assert forecast.shape == (12,)
        assert np.abs(forecast - test).max() < 0.5  # seasonal naive misses the trend by 3.6
    assert np.abs(baselines.seasonal_naive(train, 12) - test).min() > 3


@pytest.mark.parametrize("call, argument", [
    (lambda: baselines.naive([], 3), "train"),
    (lambda: baselines.naive([1.0, np.nan], 3), "train"),
    (lambda: baselines.naive([1.0, 2.0], 0), "horizon"),
    (lambda: baselines.seasonal_naive(np.arange(30.0), 4, period=0), "period"),
    (lambda: baselines.seasonal_naive(np.arange(5.0), 4), "train"),
    (lambda: baselines.holt_winters(np.arange(20.0), 4), "train"),
    (lambda: baselines.sarima(np.arange(40.0) - 5, 4), "log"),
])
def test_bad_arguments_are_named(call, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        call()
