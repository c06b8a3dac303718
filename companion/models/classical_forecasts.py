"""The forecasts a recurrent network has to beat.

* On a monthly series: naive, seasonal naive, Holt-Winters and SARIMA (statsmodels), each a
  function of the training values and the horizon only.
* On next-step windows ``(n, window)`` of a signal: the last value (the naive forecast) and a
  linear autoregression on the same window, fitted by least squares.
"""

from __future__ import annotations

import warnings

import numpy as np


def _checked(train, horizon, minimum=1):
    values = np.asarray(train, dtype=float)
    if values.ndim != 1 or len(values) < minimum or not np.all(np.isfinite(values)):
        raise ValueError(f"Argument `train`: shape {values.shape}; expected a 1-D array of at "
                         f"least {minimum} finite values.")
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ValueError(f"Argument `horizon`: got {horizon!r}; expected a positive int.")
    return values


def naive(train, horizon):
    """The last observed value, repeated: $\\hat y_{T+h} = y_T$."""
    values = _checked(train, horizon)
    return np.full(horizon, values[-1])


def seasonal_naive(train, horizon, period=12):
    """The value one season earlier: $\\hat y_{T+h} = y_{T+h-m\\lceil h/m \\rceil}$ (same
    month of the last observed year)."""
    if not isinstance(period, (int, np.integer)) or period < 1:
        raise ValueError(f"Argument `period`: got {period!r}; expected a positive int.")
    values = _checked(train, horizon, minimum=period)
    return np.resize(values[-period:], horizon)  # repeats the last season as often as needed


def holt_winters(train, horizon, period=12, trend="add", seasonal="add"):
    """Holt-Winters exponential smoothing (statsmodels ``ExponentialSmoothing``), parameters
    fitted by maximum likelihood on ``train``."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    values = _checked(train, horizon, minimum=2 * period)
    model = ExponentialSmoothing(values, trend=trend, seasonal=seasonal, seasonal_periods=period)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter of the optimiser
        return np.asarray(model.fit().forecast(horizon))


def sarima(train, horizon, order=(0, 1, 1), seasonal_order=(0, 1, 1, 12), log=True,
           return_fit=False):
    """Seasonal ARIMA (statsmodels ``SARIMAX``); by default the "airline model"
    $(0,1,1)(0,1,1)_{12}$ on $\\log y$, whose forecast is exponentiated back.

    With ``return_fit=True`` also returns the fitted results (for in-sample residuals)."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    values = _checked(train, horizon, minimum=2 * seasonal_order[3] + 2)
    if log and np.any(values <= 0):
        raise ValueError("Argument `log`: True needs positive `train` values; got a minimum of "
                         f"{values.min()}.")
    endog = np.log(values) if log else values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # start-parameter and convergence chatter
        fit = SARIMAX(endog, order=order, seasonal_order=seasonal_order).fit(disp=False)
    forecast = fit.forecast(horizon)
    forecast = np.exp(forecast) if log else np.asarray(forecast)
    return (forecast, fit) if return_fit else forecast


def last_value_forecast(inputs) -> np.ndarray:
    """The naive forecast: the next value equals the last one seen.

    Args:
        inputs: windows of shape ``(N, window, D)``, as from :func:`next_step_windows`.

    Returns:
        ``inputs[:, -1, :]``, shape ``(N, D)``.
    """
    inputs = np.asarray(inputs)
    if inputs.ndim != 3:
        raise ValueError(f"inputs must have shape (N, window, D), got {inputs.shape}")
    return inputs[:, -1, :].copy()


def fit_linear_ar(inputs, targets) -> tuple[np.ndarray, np.ndarray]:
    r"""Least-squares linear autoregression on the same windows a network sees.

    Fits :math:`\hat y = \operatorname{vec}(x_{t-w+1..t})\,A + c` by ordinary least squares
    (``numpy.linalg.lstsq``) on the flattened windows.

    Args:
        inputs: windows of shape ``(N, window, D)``.
        targets: next values of shape ``(N, D)``.

    Returns:
        ``(coef, intercept)`` with shapes ``(window * D, D)`` and ``(D,)``, in float64.
    """
    inputs = np.asarray(inputs, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    if inputs.ndim != 3 or targets.ndim != 2 or inputs.shape[0] != targets.shape[0]:
        raise ValueError(
            f"expected inputs (N, window, D) and targets (N, D), got {inputs.shape} and {targets.shape}"
        )
    design = inputs.reshape(inputs.shape[0], -1)
    design = np.hstack([design, np.ones((design.shape[0], 1))])  # last column: intercept
    solution, *_ = np.linalg.lstsq(design, targets, rcond=None)
    return solution[:-1], solution[-1]


def linear_ar_forecast(inputs, coef, intercept) -> np.ndarray:
    """Apply a linear autoregression from :func:`fit_linear_ar` to windows ``(N, window, D)``."""
    inputs = np.asarray(inputs, dtype=np.float64)
    if inputs.ndim != 3:
        raise ValueError(f"inputs must have shape (N, window, D), got {inputs.shape}")
    return inputs.reshape(inputs.shape[0], -1) @ coef + intercept


def mean_squared_error(predictions, targets) -> float:
    """Mean of the squared differences, over every element; shapes must match exactly."""
    predictions = np.asarray(predictions, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    if predictions.shape != targets.shape:
        raise ValueError(
            f"shape mismatch: predictions {predictions.shape} vs targets {targets.shape}"
        )
    return float(np.mean((predictions - targets) ** 2))
