"""The forecasts a recurrent network has to beat: naive, seasonal naive, Holt-Winters and
SARIMA (statsmodels), each a function of the training values and the horizon only."""

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
