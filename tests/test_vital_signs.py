"""The generated vital-sign stream, the rolling z-score, windowing and precision/recall."""

import numpy as np
import pytest
from companion.datasets import vital_signs


def test_stream_is_irregular_seeded_and_has_anomalies():
    stream = vital_signs.vital_signs_stream(5000, seed=0, anomaly_rate=0.02)
    assert all(len(a) == 5000 for a in stream)
    assert stream.gaps[0] == 0 and np.all(stream.gaps[1:] > 0)
    np.testing.assert_allclose(np.diff(stream.times), stream.gaps[1:])
    assert np.mean(stream.gaps[1:] >= 1.0) > 0.05  # some long gaps
    assert np.median(stream.gaps[1:]) < 0.3  # mostly frequent observations
    assert 0.01 < stream.is_anomaly.mean() < 0.03
    again = vital_signs.vital_signs_stream(5000, seed=0, anomaly_rate=0.02)
    assert np.array_equal(stream.values, again.values)
    clean = vital_signs.vital_signs_stream(5000, seed=0, anomaly_rate=0.0)
    assert not clean.is_anomaly.any()
    with pytest.raises(ValueError, match="`anomaly_rate`"):
        vital_signs.vital_signs_stream(10, anomaly_rate=1.5)


def test_rolling_zscore_flags_an_isolated_jump():
    values = np.r_[np.tile([60.0, 61.0], 10), 80.0, np.tile([60.0, 61.0], 5)]
    scores = vital_signs.rolling_zscore(values, window=10)
    assert np.all(scores[:10] == 0)
    assert scores.argmax() == 20 and scores[20] > 10
    with pytest.raises(ValueError, match="`window`"):
        vital_signs.rolling_zscore(values, window=1)


def test_forecaster_arrays_and_windows():
    stream = vital_signs.vital_signs_stream(101, seed=1)
    inputs, targets = vital_signs.forecaster_arrays(stream, center=70.0, scale=10.0)
    assert inputs.shape == (100, 2) and targets.shape == (100,)
    np.testing.assert_allclose(inputs[1:, 0], targets[:-1], atol=1e-6)  # x_{i+1} is next input
    np.testing.assert_allclose(inputs[:, 1], stream.gaps[1:], atol=1e-6)  # gap to the target
    x, y = vital_signs.windows(inputs, targets, 30)
    assert x.shape == (3, 30, 2) and y.shape == (3, 30)
    assert np.array_equal(x[1, 0], inputs[30])
    with pytest.raises(ValueError, match="`length`"):
        vital_signs.windows(inputs, targets, 500)
    with pytest.raises(ValueError, match="`scale`"):
        vital_signs.forecaster_arrays(stream, 70.0, 0.0)


def test_precision_recall():
    truth = np.array([1, 1, 0, 0, 0], dtype=bool)
    assert vital_signs.precision_recall([1, 0, 1, 0, 0], truth) == (0.5, 0.5)
    assert vital_signs.precision_recall([0, 0, 0, 0, 0], truth) == (1.0, 0.0)
    with pytest.raises(ValueError, match="`flags`"):
        vital_signs.precision_recall([1, 0], truth)
