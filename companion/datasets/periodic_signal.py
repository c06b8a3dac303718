"""A generated noisy periodic signal, and its next-step windows.

Chapter 1 trains its first recurrent network on this signal. This module makes it and cuts it
into (window, next value) pairs; the baselines the chapter compares against (the last value,
a linear autoregression) are in ``companion.models.classical_forecasts``.

Everything is plain NumPy, deterministic given its ``seed``, and float32 where it feeds Keras.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "noisy_periodic_signal",
    "next_step_windows",
]


def noisy_periodic_signal(
    n_steps: int,
    period: float = 25.0,
    noise_std: float = 0.1,
    seed: int | None = 0,
    *,
    second_period: float | None = None,
    second_amplitude: float = 0.5,
) -> np.ndarray:
    r"""A sine wave (optionally plus a second one) observed through Gaussian noise.

    .. math::

        s_t = \sin(2\pi t / P) + a_2 \sin(2\pi t / P_2) + \varepsilon_t,
        \qquad \varepsilon_t \sim \mathcal N(0, \sigma^2) \text{ i.i.d.},

    for ``t = 0, ..., n_steps - 1``; the second term is present only when ``second_period``
    is given. Because the noise is independent from step to step, no forecaster can reach a
    next-step mean squared error below ``noise_std ** 2``: that is the floor the chapter's
    models are measured against.

    Args:
        n_steps: length of the series, a positive integer.
        period: period ``P`` of the main sine, in steps (> 0).
        noise_std: standard deviation ``sigma`` of the additive noise (>= 0).
        seed: seed of the NumPy generator that draws the noise.
        second_period: period ``P_2`` of an optional second sine (> 0), or ``None``.
        second_amplitude: amplitude ``a_2`` of the second sine.

    Returns:
        A float32 array of shape ``(n_steps,)``.

    >>> noisy_periodic_signal(4, period=4, noise_std=0.0).round(6).tolist()
    [0.0, 1.0, 0.0, -1.0]
    """
    if int(n_steps) != n_steps or n_steps < 1:
        raise ValueError(f"n_steps must be a positive integer, got {n_steps!r}")
    if not period > 0:
        raise ValueError(f"period must be > 0, got {period!r}")
    if not noise_std >= 0:
        raise ValueError(f"noise_std must be >= 0, got {noise_std!r}")
    if second_period is not None and not second_period > 0:
        raise ValueError(f"second_period must be > 0 or None, got {second_period!r}")

    t = np.arange(int(n_steps), dtype=np.float64)
    clean = np.sin(2.0 * np.pi * t / period)
    if second_period is not None:
        clean = clean + second_amplitude * np.sin(2.0 * np.pi * t / second_period)
    rng = np.random.default_rng(seed)
    noise = noise_std * rng.standard_normal(t.shape)
    return (clean + noise).astype(np.float32)


def next_step_windows(series, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into (past ``window`` values, next value) training pairs.

    Pair ``i`` has inputs ``series[i : i + window]`` and target ``series[i + window]``, so a
    series of length ``T`` gives ``T - window`` pairs, in time order.

    Args:
        series: array of shape ``(T,)`` (one feature) or ``(T, D)`` (``D`` features).
        window: number of past steps each input holds, ``1 <= window < T``.

    Returns:
        ``(inputs, targets)`` with shapes ``(T - window, window, D)`` and ``(T - window, D)``
        (``D = 1`` for a 1-D series): the ``(batch, time, features)`` layout Keras' recurrent
        layers expect. The inputs are copies, not views into ``series``.

    >>> x, y = next_step_windows(np.arange(5.0), window=3)
    >>> x[:, :, 0].tolist(), y[:, 0].tolist()
    ([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0]], [3.0, 4.0])
    """
    series = np.asarray(series)
    if series.ndim == 1:
        series = series[:, None]
    if series.ndim != 2:
        raise ValueError(f"series must have shape (T,) or (T, D), got {series.shape}")
    if int(window) != window or window < 1:
        raise ValueError(f"window must be a positive integer, got {window!r}")
    window = int(window)
    n_pairs = series.shape[0] - window
    if n_pairs < 1:
        raise ValueError(
            f"a series of length {series.shape[0]} has no pair for window={window}"
        )
    # index[i, k] = i + k picks series[i + k] for k = 0 .. window-1
    index = np.arange(n_pairs)[:, None] + np.arange(window)[None, :]
    inputs = series[index]
    targets = series[window:].copy()
    return inputs, targets
