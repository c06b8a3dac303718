"""A generated, irregularly sampled vital-sign stream with injected anomalies, and detectors.

A heart rate follows a daily rhythm plus slow random drift (an Ornstein-Uhlenbeck process,
simulated exactly at each observation time) and measurement noise. Observations arrive at
irregular times: usually every few minutes, sometimes after a gap of hours, as when a patch
loses contact. A few observations are artefacts: a jump of 6 to 15 beats per minute up or down.
The detectors score every observation: a rolling z-score against the previous observations
(blind to time), and the residual of a forecaster that also sees the time gaps.
"""

from collections import namedtuple

import numpy as np

from companion import checks

VitalStream = namedtuple("VitalStream", "times gaps values is_anomaly")
VitalStream.__doc__ = """``times`` (hours), ``gaps`` (hours since the previous observation, the
first one 0), ``values`` (beats per minute) and ``is_anomaly`` (bool), all of one length."""


def vital_signs_stream(n_observations, seed=None, anomaly_rate=0.02, mean_gap=0.2,
                       long_gap_rate=0.1, long_gap_hours=(1.0, 4.0)):
    """A generated heart-rate stream (see the module docstring).

    Gaps are exponential with mean ``mean_gap`` hours, except a fraction ``long_gap_rate`` drawn
    uniformly from ``long_gap_hours``. The clean signal is
    ``70 + 12 sin(2 pi t / 24 + phase) + drift(t)``, with drift an Ornstein-Uhlenbeck process of
    stationary sd 2 and time constant 2 h, plus measurement noise of sd 1. Each observation is an
    artefact with probability ``anomaly_rate``.
    """
    n = checks.positive_int("n_observations", n_observations, minimum=2)
    if not 0 <= anomaly_rate < 1:
        raise ValueError(f"Argument `anomaly_rate` must be in [0, 1), got {anomaly_rate!r}.")
    if not mean_gap > 0:
        raise ValueError(f"Argument `mean_gap` must be > 0 hours, got {mean_gap!r}.")
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(mean_gap, n)
    long = rng.random(n) < long_gap_rate
    gaps[long] = rng.uniform(*long_gap_hours, long.sum())
    gaps[0] = 0.0
    times = np.cumsum(gaps)
    drift = np.zeros(n)
    drift[0] = 2.0 * rng.standard_normal()
    for k in range(1, n):  # exact OU transition over a gap of any length
        decay = np.exp(-gaps[k] / 2.0)
        drift[k] = decay * drift[k - 1] + 2.0 * np.sqrt(1 - decay**2) * rng.standard_normal()
    phase = rng.uniform(0, 2 * np.pi)
    values = 70 + 12 * np.sin(2 * np.pi * times / 24 + phase) + drift + rng.standard_normal(n)
    is_anomaly = rng.random(n) < anomaly_rate
    is_anomaly[0] = False
    jumps = rng.uniform(6, 15, n) * rng.choice([-1, 1], n)
    values = np.where(is_anomaly, values + jumps, values)
    return VitalStream(times, gaps, values, is_anomaly)


def rolling_zscore(values, window=10):
    """|x_i - mean| / sd of the ``window`` observations before i (0 for the first ``window``)."""
    values = np.asarray(values, dtype=float)
    window = checks.positive_int("window", window, minimum=2)
    scores = np.zeros(len(values))
    for i in range(window, len(values)):
        previous = values[i - window:i]
        scores[i] = abs(values[i] - previous.mean()) / max(previous.std(ddof=1), 1e-9)
    return scores


def forecaster_arrays(stream, center, scale):
    """Inputs and targets for a next-observation forecaster over the whole stream.

    Step i reads the standardised value ``(x_i - center) / scale`` and the gap to the next
    observation (hours), and is trained to output the standardised ``x_{i+1}``: the forecaster
    knows *when* the next observation comes, not what it is.

    Returns:
        ``(inputs, targets)`` of shapes ``(n - 1, 2)`` and ``(n - 1,)``.
    """
    if not scale > 0:
        raise ValueError(f"Argument `scale` must be > 0, got {scale!r}.")
    standard = (np.asarray(stream.values, dtype=float) - center) / scale
    inputs = np.stack([standard[:-1], np.asarray(stream.gaps, dtype=float)[1:]], axis=1)
    return inputs.astype("float32"), standard[1:].astype("float32")


def windows(inputs, targets, length):
    """Non-overlapping windows ``(n_windows, length, ...)`` of a long stream, for training."""
    length = checks.positive_int("length", length)
    n_windows = len(inputs) // length
    if n_windows < 1:
        raise ValueError(f"Argument `length` must be <= the stream length {len(inputs)}, got {length}.")
    cut = n_windows * length
    return (inputs[:cut].reshape(n_windows, length, *inputs.shape[1:]),
            targets[:cut].reshape(n_windows, length, *targets.shape[1:]))


def precision_recall(flags, is_anomaly):
    """``(precision, recall)`` of boolean ``flags`` against the true anomalies (precision 1 when
    nothing is flagged)."""
    flags, is_anomaly = np.asarray(flags, dtype=bool), np.asarray(is_anomaly, dtype=bool)
    if flags.shape != is_anomaly.shape:
        raise ValueError(
            f"Argument `flags` must have the shape of `is_anomaly` {is_anomaly.shape}, got {flags.shape}."
        )
    true_positives = np.sum(flags & is_anomaly)
    precision = true_positives / flags.sum() if flags.any() else 1.0
    recall = true_positives / is_anomaly.sum() if is_anomaly.any() else 1.0
    return float(precision), float(recall)
