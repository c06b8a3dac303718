"""Real monthly series read offline from statsmodels' and sktime's data files, hold-out
splits, scaling fitted on the training part only, windows and seasonal differencing.

The loaders read the CSV files that statsmodels ships (``statsmodels/datasets/*/*.csv``),
never a pickle, so they do not depend on how a pandas version unpickles a data frame.
"""

from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from companion.datasets import real_files

ELEC_EQUIP_COLUMN = "STS.M.I7.W.TOVT.NS0016.4.000"
AIRLINE_FILE = "sktime/datasets/data/Airline/Airline.csv"
AIRLINE_SHA256 = "28af0eb869db6d9fbd31d5af03993a0cbf36c0857c3eb046a068c094b60da851"


def _dataset_csv(package, name):
    return resources.files(f"statsmodels.datasets.{package}").joinpath(name)


def validate_monthly(series, argument="series"):
    """Raise ValueError unless ``series`` is a pandas Series of finite numbers on a gapless,
    strictly increasing month-start index; return it unchanged."""
    if not isinstance(series, pd.Series):
        raise ValueError(f"Argument `{argument}`: got {type(series).__name__}; expected a pandas Series.")
    if not isinstance(series.index, pd.DatetimeIndex):
        raise ValueError(f"Argument `{argument}`: index is {type(series.index).__name__}; "
                         "expected a DatetimeIndex.")
    if len(series) < 2:
        raise ValueError(f"Argument `{argument}`: {len(series)} values; expected at least 2.")
    expected = pd.date_range(series.index[0], periods=len(series), freq="MS")
    if not series.index.equals(expected):
        raise ValueError(f"Argument `{argument}`: the index is not consecutive month starts "
                         f"from {series.index[0]:%Y-%m-%d}; expected one value per month, no gaps.")
    values = series.to_numpy(dtype=float)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"Argument `{argument}`: {int(np.sum(~np.isfinite(values)))} missing or "
                         "infinite values; expected finite numbers only.")
    return series


def load_elec_equip():
    """Euro-area turnover index of the manufacture of electrical equipment (Eurostat, 2005 =
    100, working-day adjusted, not seasonally adjusted), monthly from January 1995."""
    with _dataset_csv("elec_equip", "elec_equip.csv").open() as handle:
        frame = pd.read_csv(handle)
    index = pd.DatetimeIndex(pd.to_datetime(frame["DATE"], format="%b-%d-%Y"), freq="MS")
    series = pd.Series(frame[ELEC_EQUIP_COLUMN].to_numpy(dtype=float), index=index, name="elec_equip")
    return validate_monthly(series)


def load_co2_monthly():
    """Mauna Loa CO2 (ppm), the weekly series of statsmodels averaged per calendar month.

    Months without any weekly value are filled by linear interpolation between the
    neighbouring monthly means; how many were filled is in ``series.attrs["interpolated"]``.
    """
    with _dataset_csv("co2", "co2.csv").open() as handle:
        frame = pd.read_csv(handle)
    weekly = pd.Series(frame["co2"].to_numpy(dtype=float),
                       index=pd.to_datetime(frame["date"].astype(str), format="%Y%m%d"))
    monthly = weekly.resample("MS").mean()
    missing = int(monthly.isna().sum())
    series = monthly.interpolate(method="linear").rename("co2")
    series.index = pd.DatetimeIndex(series.index, freq="MS")
    series.attrs["interpolated"] = missing
    return validate_monthly(series)


def load_airline():
    """Monthly totals of international airline passengers, thousands, 1949-1960 (Box &
    Jenkins' series G), from the CSV in sktime's wheel, read by path."""
    import io

    data = real_files.read_file("sktime", real_files.PINNED["sktime"], AIRLINE_FILE,
                                AIRLINE_SHA256)
    frame = pd.read_csv(io.BytesIO(data))
    index = pd.DatetimeIndex(pd.to_datetime(frame["Date"], format="%Y-%m"), freq="MS")
    series = pd.Series(frame["Passengers"].to_numpy(dtype=float), index=index, name="airline")
    return validate_monthly(series)


#: The series of the forecasting chapter, by name.
LOADERS = {"elec_equip": load_elec_equip, "co2": load_co2_monthly, "airline": load_airline}


def split_holdout(series, horizon):
    """The last ``horizon`` values held out: ``(train, test)``."""
    if not isinstance(horizon, (int, np.integer)) or not 1 <= horizon < len(series):
        raise ValueError(f"Argument `horizon`: got {horizon!r}; expected an int from 1 to "
                         f"{len(series) - 1} (the series has {len(series)} values).")
    return series.iloc[:-horizon], series.iloc[-horizon:]


@dataclass(frozen=True)
class Scaler:
    """Standardisation ``(x - mean) / std`` with statistics of the training part only."""

    mean: float
    std: float

    @classmethod
    def fit(cls, train):
        values = np.asarray(train, dtype=float)
        if values.size < 2 or not np.all(np.isfinite(values)) or values.std() == 0:
            raise ValueError(f"Argument `train`: {values.size} values with std "
                             f"{values.std() if values.size else float('nan')}; expected at least "
                             "2 finite values that are not all equal.")
        return cls(float(values.mean()), float(values.std()))

    def transform(self, values):
        return (np.asarray(values, dtype=float) - self.mean) / self.std

    def inverse(self, values):
        return np.asarray(values, dtype=float) * self.std + self.mean


def windows(values, window, horizon):
    """Every ``(input, target)`` pair of a 1-D array: ``window`` consecutive values, then the
    ``horizon`` values that follow. Returns ``x`` of shape ``(n, window, 1)`` (float32, the
    feature axis Keras' recurrent layers expect) and ``y`` of shape ``(n, horizon)``, with
    ``n = len(values) - window - horizon + 1``; pair ``i`` starts at ``values[i]``."""
    values = np.asarray(values, dtype="float32")
    if values.ndim != 1:
        raise ValueError(f"Argument `values`: shape {values.shape}; expected a 1-D array.")
    for name, size in (("window", window), ("horizon", horizon)):
        if not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"Argument `{name}`: got {size!r}; expected a positive int.")
    if window + horizon > len(values):
        raise ValueError(f"Argument `window`: {window} + horizon {horizon} exceeds the "
                         f"{len(values)} values; expected window + horizon <= len(values).")
    pairs = np.lib.stride_tricks.sliding_window_view(values, window + horizon)
    return pairs[:, :window, None].copy(), pairs[:, window:].copy()


def seasonal_difference(values, period=12):
    """``d_t = y_t - y_{t - period}``, for t from ``period`` on (length ``len - period``)."""
    values = np.asarray(values, dtype=float)
    if not isinstance(period, (int, np.integer)) or not 1 <= period < len(values):
        raise ValueError(f"Argument `period`: got {period!r}; expected an int from 1 to "
                         f"{len(values) - 1}.")
    return values[period:] - values[:-period]


def undo_seasonal_difference(history, differences, period=12):
    """Invert ``seasonal_difference`` forward in time: ``y_t = d_t + y_{t - period}``, where
    ``y_{t - period}`` comes from ``history`` (the values before the first difference) or from
    values already rebuilt."""
    history = np.asarray(history, dtype=float)
    if len(history) < period:
        raise ValueError(f"Argument `history`: {len(history)} values; expected at least "
                         f"period = {period}.")
    rebuilt = list(history[-period:])
    for difference in np.asarray(differences, dtype=float):
        rebuilt.append(difference + rebuilt[-period])
    return np.array(rebuilt[period:])
