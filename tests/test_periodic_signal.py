"""companion.datasets.periodic_signal: the chapter-1 signal, its windows and the two baselines."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from companion.datasets import periodic_signal
from companion.models import classical_forecasts

SEEDS = [0, 1, 7]


# --- noisy_periodic_signal ------------------------------------------------------------------

def test_signal_without_noise_is_the_sine():
    period = 12.5
    series = periodic_signal.noisy_periodic_signal(200, period=period, noise_std=0.0)
    t = np.arange(200)
    assert series.dtype == np.float32 and series.shape == (200,)
    np.testing.assert_allclose(series, np.sin(2 * np.pi * t / period), atol=1e-6)


def test_second_sine_is_added():
    one = periodic_signal.noisy_periodic_signal(300, period=25, noise_std=0.0)
    two = periodic_signal.noisy_periodic_signal(300, period=25, noise_std=0.0, second_period=9.0,
                                        second_amplitude=0.3)
    t = np.arange(300)
    np.testing.assert_allclose(two - one, 0.3 * np.sin(2 * np.pi * t / 9.0), atol=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_noise_is_seeded_and_has_the_requested_scale(seed):
    a = periodic_signal.noisy_periodic_signal(20_000, period=25, noise_std=0.2, seed=seed)
    b = periodic_signal.noisy_periodic_signal(20_000, period=25, noise_std=0.2, seed=seed)
    other = periodic_signal.noisy_periodic_signal(20_000, period=25, noise_std=0.2, seed=seed + 100)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, other)
    residual = a - periodic_signal.noisy_periodic_signal(20_000, period=25, noise_std=0.0)
    # the standard error of a sample std over 20,000 draws is about 0.5 %
    assert abs(residual.std() / 0.2 - 1) < 0.03
    assert abs(residual.mean()) < 0.01


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"n_steps": 0}, "n_steps"),
        ({"n_steps": 2.5}, "n_steps"),
        ({"n_steps": 10, "period": 0}, "period"),
        ({"n_steps": 10, "period": -3}, "period"),
        ({"n_steps": 10, "noise_std": -0.1}, "noise_std"),
        ({"n_steps": 10, "noise_std": float("nan")}, "noise_std"),
        ({"n_steps": 10, "second_period": 0.0}, "second_period"),
    ],
)
def test_signal_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        periodic_signal.noisy_periodic_signal(**kwargs)


# --- next_step_windows -----------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("window", [1, 5, 30])
def test_each_pair_is_a_slice_and_the_next_value(seed, window):
    series = np.random.default_rng(seed).standard_normal(60)
    inputs, targets = periodic_signal.next_step_windows(series, window)
    assert inputs.shape == (60 - window, window, 1)
    assert targets.shape == (60 - window, 1)
    for i in range(len(inputs)):
        np.testing.assert_array_equal(inputs[i, :, 0], series[i:i + window])
        assert targets[i, 0] == series[i + window]


def test_multivariate_series_keeps_its_features():
    series = np.arange(24.0).reshape(8, 3)
    inputs, targets = periodic_signal.next_step_windows(series, 4)
    assert inputs.shape == (4, 4, 3) and targets.shape == (4, 3)
    np.testing.assert_array_equal(inputs[2], series[2:6])
    np.testing.assert_array_equal(targets[2], series[6])


def test_windows_do_not_alias_the_series():
    series = np.arange(10.0)
    inputs, targets = periodic_signal.next_step_windows(series, 3)
    inputs[0, 0, 0] = targets[0, 0] = -1.0
    np.testing.assert_array_equal(series, np.arange(10.0))


@pytest.mark.parametrize(
    "series, window, name",
    [
        (np.arange(10.0), 0, "window"),
        (np.arange(10.0), 2.5, "window"),
        (np.arange(10.0), 10, "window"),
        (np.zeros((2, 3, 4)), 1, "series"),
    ],
)
def test_windows_reject_bad_arguments(series, window, name):
    with pytest.raises(ValueError, match=name):
        periodic_signal.next_step_windows(series, window)


# --- baselines -------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_last_value_forecast_is_the_last_input(seed):
    series = np.random.default_rng(seed).standard_normal(40)
    inputs, targets = periodic_signal.next_step_windows(series, 6)
    forecast = classical_forecasts.last_value_forecast(inputs)
    assert forecast.shape == targets.shape
    # the last value of window i is the target of window i - 1
    np.testing.assert_array_equal(forecast[1:], targets[:-1])


def test_last_value_forecast_rejects_flat_inputs():
    with pytest.raises(ValueError, match="inputs"):
        classical_forecasts.last_value_forecast(np.zeros((5, 3)))


def test_linear_ar_recovers_the_sine_recurrence():
    """A clean sine obeys s_t = 2 cos(w) s_{t-1} - s_{t-2} exactly: an AR(2) with no intercept."""
    period = 25.0
    series = periodic_signal.noisy_periodic_signal(400, period=period, noise_std=0.0).astype(np.float64)
    inputs, targets = periodic_signal.next_step_windows(series, 2)
    coef, intercept = classical_forecasts.fit_linear_ar(inputs, targets)
    omega = 2 * np.pi / period
    # the window is oldest first: [s_{t-2}, s_{t-1}]
    np.testing.assert_allclose(coef[:, 0], [-1.0, 2 * np.cos(omega)], atol=1e-4)
    np.testing.assert_allclose(intercept, [0.0], atol=1e-5)
    forecast = classical_forecasts.linear_ar_forecast(inputs, coef, intercept)
    assert classical_forecasts.mean_squared_error(forecast, targets) < 1e-10


@pytest.mark.parametrize("seed", SEEDS)
def test_linear_ar_recovers_random_linear_maps(seed):
    rng = np.random.default_rng(seed)
    inputs = rng.standard_normal((200, 5, 2))
    true_coef = rng.standard_normal((10, 2))
    true_intercept = rng.standard_normal(2)
    targets = inputs.reshape(200, -1) @ true_coef + true_intercept
    coef, intercept = classical_forecasts.fit_linear_ar(inputs, targets)
    assert coef.shape == (10, 2) and intercept.shape == (2,)
    np.testing.assert_allclose(coef, true_coef, atol=1e-9)
    np.testing.assert_allclose(intercept, true_intercept, atol=1e-9)


def test_linear_ar_on_noisy_sine_beats_naive_but_not_the_noise_floor():
    noise_std = 0.1
    series = periodic_signal.noisy_periodic_signal(6000, period=25, noise_std=noise_std, seed=3)
    inputs, targets = periodic_signal.next_step_windows(series, 20)
    train, test = slice(0, 4000), slice(4000, None)
    coef, intercept = classical_forecasts.fit_linear_ar(inputs[train], targets[train])
    ar = classical_forecasts.mean_squared_error(classical_forecasts.linear_ar_forecast(inputs[test], coef, intercept),
                                    targets[test])
    naive = classical_forecasts.mean_squared_error(classical_forecasts.last_value_forecast(inputs[test]), targets[test])
    # the next noise draw is unpredictable: no forecaster can do much better than sigma^2
    assert 0.9 * noise_std**2 < ar < naive


def test_fit_linear_ar_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="inputs"):
        classical_forecasts.fit_linear_ar(np.zeros((10, 3, 1)), np.zeros((9, 1)))
    with pytest.raises(ValueError, match="inputs"):
        classical_forecasts.fit_linear_ar(np.zeros((10, 3)), np.zeros((10, 1)))


def test_mean_squared_error():
    assert classical_forecasts.mean_squared_error([[1.0], [3.0]], [[0.0], [0.0]]) == pytest.approx(5.0)
    # (N,) against (N, 1) would broadcast to (N, N) silently: refused instead
    with pytest.raises(ValueError, match="shape"):
        classical_forecasts.mean_squared_error(np.zeros(4), np.zeros((4, 1)))


def test_docstring_examples_run():
    results = [doctest.testmod(module)[:2] for module in (periodic_signal, classical_forecasts)]
    assert sum(attempted for _, attempted in results) >= 3
    assert all(failed == 0 for failed, _ in results)
