"""Timing helpers: layer kinds keep the shape, timings are positive, the curve maths is right."""

import keras
import numpy as np
import pytest
from companion.experiments.scan_timing import (
    LAYER_KINDS,
    crossover_length,
    growth_exponent,
    make_layer,
    time_against_length,
)
from companion.experiments.timing import median_ms
from companion.layers.causal_self_attention import CausalSelfAttention


@pytest.mark.parametrize("kind", LAYER_KINDS)
def test_every_kind_keeps_the_shape(kind):
    x = np.random.default_rng(0).standard_normal((2, 12, 8)).astype("float32")
    assert tuple(make_layer(kind, 8)(x).shape) == (2, 12, 8)


def test_self_attention_is_causal():
    layer = CausalSelfAttention(8, num_heads=2)
    x = np.random.default_rng(1).standard_normal((1, 10, 8)).astype("float32")
    changed = x.copy()
    changed[:, 6:] += 5.0  # change the future only
    np.testing.assert_allclose(layer(x)[:, :6], layer(changed)[:, :6], atol=1e-5)
    assert np.abs(np.asarray(layer(x)[:, 6:]) - np.asarray(layer(changed)[:, 6:])).max() > 1e-2
    restored = CausalSelfAttention.from_config(layer.get_config())
    assert (restored.width, restored.num_heads) == (8, 2)


def test_time_against_length_returns_positive_times():
    keras.utils.set_random_seed(0)
    wall, cpu = time_against_length(["conv1d", "min_gru_parallel"], [8, 16], width=4, batch=1,
                                    repeats=1, warmup=1)
    for times in (wall, cpu):
        assert set(times) == {"conv1d", "min_gru_parallel"}
        assert all(len(v) == 2 and min(v) >= 0 for v in times.values())
    assert min(min(v) for v in wall.values()) > 0


def test_median_ms_repeats_fast_calls_until_the_time_is_filled():
    import tensorflow as tf

    calls = []

    def fn(x):
        calls.append(x)
        return tf.constant(x)

    wall, cpu = median_ms(fn, 1.0, repeats=3, warmup=2, min_seconds=0)
    assert wall > 0 and cpu >= 0
    assert len(calls) == 5
    calls.clear()
    median_ms(fn, 1.0, repeats=1, warmup=0, min_seconds=60, max_repeats=7)
    assert len(calls) == 7


def test_growth_exponent_and_crossover():
    lengths = [64, 128, 256, 512]
    linear = [2.0 * t for t in lengths]
    quadratic = [0.01 * t * t for t in lengths]
    assert growth_exponent(lengths, linear) == pytest.approx(1.0)
    assert growth_exponent(lengths, quadratic, first=0) == pytest.approx(2.0)
    # 2 T = 0.01 T^2 at T = 200; power laws are straight in log-log, so interpolation is exact
    assert crossover_length(lengths, linear, quadratic) == pytest.approx(200, rel=1e-9)
    assert crossover_length(lengths, quadratic, linear) == pytest.approx(200, rel=1e-9)
    assert crossover_length(lengths, linear, [t / 10 for t in linear]) is None


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: make_layer("rnn", 4), "kind"),
        (lambda: make_layer("gru", 0), "width"),
        (lambda: time_against_length(["gru"], [0]), "lengths"),
        (lambda: time_against_length(["nope"], [4]), "kinds"),
        (lambda: time_against_length([], [4]), "kinds"),
        (lambda: CausalSelfAttention(6, num_heads=4), "num_heads"),
        (lambda: growth_exponent([4, 4], [1.0, 2.0]), "different"),
        (lambda: growth_exponent([4], [1.0, 2.0]), "same length"),
    ],
)
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()
