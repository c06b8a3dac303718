"""Loaders of the real monthly series, hold-out split, scaling, windows, seasonal differencing."""

import numpy as np
import pandas as pd
import pytest
from companion.datasets import monthly_series


@pytest.mark.parametrize("loader, first, name", [
    (monthly_series.load_elec_equip, "1995-01-01", "elec_equip"),
    (monthly_series.load_co2_monthly, "1958-03-01", "co2"),
])
def test_loaders_give_gapless_monthly_series(loader, first, name):
    data = loader()
    assert data.name == name and len(data) > 200
    assert data.index[0] == pd.Timestamp(first)
    assert data.index.is_monotonic_increasing and data.index.is_unique
    assert (np.diff(data.index.year * 12 + data.index.month) == 1).all()  # one value a month
    assert not data.isna().any() and (data > 0).all()
    assert monthly_series.validate_monthly(data) is data


def test_co2_monthly_means_and_interpolation():
    co2 = monthly_series.load_co2_monthly()
    assert co2.attrs["interpolated"] > 0  # the weekly file has whole months without a value
    assert 300 < co2.min() < co2.max() < 400
    # a yearly rise and a seasonal cycle: mean of the last year above that of the first
    assert co2.iloc[-12:].mean() > co2.iloc[:12].mean() + 40


def test_validate_monthly_rejects_gaps_nans_and_other_types():
    index = pd.date_range("2000-01-01", periods=6, freq="MS")
    good = pd.Series(np.arange(6.0), index=index)
    with pytest.raises(ValueError, match="`series`.*gaps"):
        monthly_series.validate_monthly(good.drop(index[2]))
    with pytest.raises(ValueError, match="`series`.*missing"):
        monthly_series.validate_monthly(good.where(good != 3))
    with pytest.raises(ValueError, match="`series`.*pandas Series"):
        monthly_series.validate_monthly(good.to_numpy())
    with pytest.raises(ValueError, match="`series`.*DatetimeIndex"):
        monthly_series.validate_monthly(good.reset_index(drop=True))


def test_split_holdout_keeps_order_and_rejects_bad_horizons():
    data = monthly_series.load_elec_equip()
    train, test = monthly_series.split_holdout(data, 24)
    assert len(test) == 24 and len(train) + 24 == len(data)
    assert train.index[-1] < test.index[0] and test.index[-1] == data.index[-1]
    for horizon in (0, len(data), 2.5):
        with pytest.raises(ValueError, match="`horizon`"):
            monthly_series.split_holdout(data, horizon)


def test_scaler_uses_only_the_values_it_is_fitted_on():
    train = np.array([1.0, 2.0, 3.0, 4.0])
    scaler = monthly_series.Scaler.fit(train)
    assert scaler.transform(train).mean() == pytest.approx(0)
    assert scaler.transform(train).std() == pytest.approx(1)
    later = np.array([10.0, 20.0])  # values outside the training range stay outside
    assert scaler.transform(later).min() > scaler.transform(train).max()
    np.testing.assert_allclose(scaler.inverse(scaler.transform(later)), later)
    with pytest.raises(ValueError, match="`train`"):
        monthly_series.Scaler.fit([5.0, 5.0, 5.0])


def test_windows_pair_each_input_with_the_values_that_follow():
    values = np.arange(10.0)
    x, y = monthly_series.windows(values, window=3, horizon=2)
    assert x.shape == (6, 3, 1) and y.shape == (6, 2)
    for i in range(len(x)):
        assert x[i, :, 0].tolist() == values[i:i + 3].tolist()
        assert y[i].tolist() == values[i + 3:i + 5].tolist()


def test_windows_match_keras_timeseries_dataset_from_array():
    keras = pytest.importorskip("keras")
    values = np.sin(np.arange(40.0)).astype("float32")
    x, y = monthly_series.windows(values, window=5, horizon=1)
    dataset = keras.utils.timeseries_dataset_from_array(values[:-1], values[5:], sequence_length=5,
                                                        batch_size=100)
    [(keras_x, keras_y)] = list(dataset)
    np.testing.assert_array_equal(x[:, :, 0], np.asarray(keras_x))
    np.testing.assert_array_equal(y[:, 0], np.asarray(keras_y))


@pytest.mark.parametrize("kwargs, argument", [
    ({"window": 0, "horizon": 1}, "window"), ({"window": 3, "horizon": 0}, "horizon"),
    ({"window": 8, "horizon": 3}, "window"), ({"window": 2.0, "horizon": 1}, "window"),
])
def test_windows_reject_bad_sizes(kwargs, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        monthly_series.windows(np.arange(10.0), **kwargs)
    with pytest.raises(ValueError, match="`values`"):
        monthly_series.windows(np.zeros((4, 2)), 1, 1)


def test_seasonal_difference_round_trip():
    rng = np.random.default_rng(0)
    values = rng.normal(size=60).cumsum() + np.tile(rng.normal(size=12), 5)
    differences = monthly_series.seasonal_difference(values, 12)
    assert differences.shape == (48,)
    np.testing.assert_allclose(differences, values[12:] - values[:-12])
    rebuilt = monthly_series.undo_seasonal_difference(values[:30], differences[18:], 12)
    np.testing.assert_allclose(rebuilt, values[30:])
    with pytest.raises(ValueError, match="`period`"):
        monthly_series.seasonal_difference(values, 0)
    with pytest.raises(ValueError, match="`history`"):
        monthly_series.undo_seasonal_difference(values[:5], differences, 12)
