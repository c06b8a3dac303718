"""Tests of companion.reference: the NumPy forward passes and BPTT against
float64 Keras layers (outputs, and gradients from tf.GradientTape), against
central finite differences, and for the shape errors."""

import functools

import numpy as np
import pytest
from companion.reference import (
    gru_backward,
    gru_forward,
    lstm_backward,
    lstm_forward,
    simple_rnn_backward,
    simple_rnn_forward,
)

BATCH, TIME, FEATURES, UNITS = 3, 5, 4, 6
SEEDS = [0, 1, 2]

# (cell, use_bias, reset_after); reset_after only matters for the GRU.
VARIANTS = [
    ("simple_rnn", True, None),
    ("simple_rnn", False, None),
    ("lstm", True, None),
    ("lstm", False, None),
    ("gru", True, True),
    ("gru", False, True),
    ("gru", True, False),
    ("gru", False, False),
]
N_GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}
STATE_NAMES = {"simple_rnn": ["h0"], "lstm": ["h0", "c0"], "gru": ["h0"]}


def variant_id(variant):
    cell, use_bias, reset_after = variant
    name = cell + ("" if use_bias else "-nobias")
    if cell == "gru":
        name += "-reset_after" if reset_after else "-reset_before"
    return name


def rel_err(a, b):
    """max|a - b| / max|b|, guarded against an all-zero b."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)


def make_case(variant, seed, batch=BATCH, time=TIME, features=FEATURES, units=UNITS):
    """Random inputs, Keras-layout weights, initial states and output cotangent G.

    Weights are scaled like Glorot/orthogonal initialisations so that the
    pre-activations are O(1): the tanh and sigmoid are neither linear nor saturated.
    """
    cell, use_bias, reset_after = variant
    rng = np.random.default_rng(seed)
    k = N_GATES[cell] * units
    case = {
        "x": rng.normal(size=(batch, time, features)),
        "kernel": rng.normal(size=(features, k)) / np.sqrt(features),
        "recurrent_kernel": rng.normal(size=(units, k)) / np.sqrt(units),
        "bias": None,
        "h0": 0.5 * rng.normal(size=(batch, units)),
        "G": rng.normal(size=(batch, time, units)),
    }
    if use_bias:
        bias_shape = (2, k) if (cell == "gru" and reset_after) else (k,)
        case["bias"] = 0.5 * rng.normal(size=bias_shape)
    if cell == "lstm":
        case["c0"] = rng.normal(size=(batch, units))
    return case


def reference_forward(variant, case):
    cell, _, reset_after = variant
    args = (case["x"], case["kernel"], case["recurrent_kernel"], case["bias"])
    if cell == "simple_rnn":
        return simple_rnn_forward(*args, h0=case["h0"])
    if cell == "lstm":
        return lstm_forward(*args, h0=case["h0"], c0=case["c0"])
    return gru_forward(*args, h0=case["h0"], reset_after=reset_after)


def reference_backward(variant, d_outputs, cache):
    backward = {
        "simple_rnn": simple_rnn_backward,
        "lstm": lstm_backward,
        "gru": gru_backward,
    }[variant[0]]
    return backward(d_outputs, cache)


@functools.lru_cache(maxsize=None)
def keras_results(variant, seed):
    """Outputs and gradients of sum(outputs * G) from the float64 Keras layer."""
    import keras
    import tensorflow as tf

    cell, use_bias, reset_after = variant
    case = make_case(variant, seed)
    if cell == "simple_rnn":
        layer = keras.layers.SimpleRNN(
            UNITS, return_sequences=True, use_bias=use_bias, dtype="float64"
        )
    elif cell == "lstm":
        layer = keras.layers.LSTM(
            UNITS, return_sequences=True, use_bias=use_bias, dtype="float64"
        )
    else:
        layer = keras.layers.GRU(
            UNITS,
            return_sequences=True,
            use_bias=use_bias,
            reset_after=reset_after,
            dtype="float64",
        )
    layer.build((BATCH, TIME, FEATURES))
    weights = [case["kernel"], case["recurrent_kernel"]]
    if use_bias:
        weights.append(case["bias"])
    layer.set_weights(weights)

    x = tf.constant(case["x"])
    states = [tf.constant(case[name]) for name in STATE_NAMES[cell]]
    variables = [layer.cell.kernel, layer.cell.recurrent_kernel]
    if use_bias:
        variables.append(layer.cell.bias)
    with tf.GradientTape() as tape:
        tape.watch([x] + states)
        outputs = layer(x, initial_state=states)
        loss = tf.reduce_sum(outputs * case["G"])
    grads = tape.gradient(loss, [x] + states + variables)

    names = ["x"] + STATE_NAMES[cell] + ["kernel", "recurrent_kernel"]
    if use_bias:
        names.append("bias")
    return case, np.asarray(outputs), {n: np.asarray(g) for n, g in zip(names, grads)}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
def test_forward_matches_keras(variant, seed):
    case, keras_outputs, _ = keras_results(variant, seed)
    outputs, _ = reference_forward(variant, case)
    assert outputs.shape == (BATCH, TIME, UNITS)
    assert outputs.dtype == np.float64
    # The test is only meaningful if the units are not saturated.
    assert np.mean(np.abs(outputs) > 0.99) < 0.1
    assert np.max(np.abs(outputs - keras_outputs)) < 1e-10


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
def test_gradients_match_tensorflow(variant, seed):
    case, _, keras_grads = keras_results(variant, seed)
    _, cache = reference_forward(variant, case)
    grads = reference_backward(variant, case["G"], cache)

    expected_keys = {"x", "kernel", "recurrent_kernel", "bias"} | set(
        STATE_NAMES[variant[0]]
    )
    assert set(grads) == expected_keys
    if not variant[1]:
        assert grads["bias"] is None
    for name, expected in keras_grads.items():
        assert grads[name].shape == expected.shape, name
        assert rel_err(grads[name], expected) < 1e-8, name


def test_default_initial_state_is_zero():
    variant = ("lstm", True, None)
    case = make_case(variant, seed=3)
    args = (case["x"], case["kernel"], case["recurrent_kernel"], case["bias"])
    outputs_default, _ = lstm_forward(*args)
    zeros = np.zeros((BATCH, UNITS))
    outputs_zero, _ = lstm_forward(*args, h0=zeros, c0=zeros)
    np.testing.assert_array_equal(outputs_default, outputs_zero)


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
def test_gradients_match_finite_differences(variant):
    """Central differences on a tiny problem, independent of TensorFlow."""
    case = make_case(variant, seed=7, batch=2, time=3, features=2, units=3)
    _, cache = reference_forward(variant, case)
    grads = reference_backward(variant, case["G"], cache)

    def loss(perturbed):
        outputs, _ = reference_forward(variant, perturbed)
        return np.sum(outputs * case["G"])

    eps = 1e-6
    for name, grad in grads.items():
        if grad is None:
            continue
        numeric = np.zeros_like(case[name])
        for index in np.ndindex(case[name].shape):
            plus, minus = dict(case), dict(case)
            plus[name] = case[name].copy()
            minus[name] = case[name].copy()
            plus[name][index] += eps
            minus[name][index] -= eps
            numeric[index] = (loss(plus) - loss(minus)) / (2 * eps)
        assert rel_err(grad, numeric) < 1e-7, name


def _base_args(n_gates):
    x = np.zeros((2, 7, 5))
    kernel = np.zeros((5, n_gates * 4))
    recurrent_kernel = np.zeros((4, n_gates * 4))
    bias = np.zeros(n_gates * 4)
    return x, kernel, recurrent_kernel, bias


BAD_SHAPES = [
    # (forward, n_gates, argument to replace, bad shape, shape it clashes with)
    (simple_rnn_forward, 1, "x", (7, 5), None),
    (simple_rnn_forward, 1, "kernel", (3, 4), (2, 7, 5)),
    (lstm_forward, 4, "kernel", (3, 16), (2, 7, 5)),
    (lstm_forward, 4, "kernel", (5, 12), (4, 16)),
    (lstm_forward, 4, "recurrent_kernel", (4, 12), None),
    (gru_forward, 3, "recurrent_kernel", (4, 4), None),
    (lstm_forward, 4, "bias", (12,), (4, 16)),
    (simple_rnn_forward, 1, "h0", (2, 3), (2, 7, 5)),
    (lstm_forward, 4, "h0", (3, 4), (2, 7, 5)),
    (lstm_forward, 4, "c0", (2, 5), (2, 7, 5)),
    (gru_forward, 3, "h0", (4,), (2, 7, 5)),
]


@pytest.mark.parametrize("forward, n_gates, name, bad_shape, other_shape", BAD_SHAPES)
def test_bad_shapes_raise(forward, n_gates, name, bad_shape, other_shape):
    x, kernel, recurrent_kernel, bias = _base_args(n_gates)
    kwargs = {"x": x, "kernel": kernel, "recurrent_kernel": recurrent_kernel}
    kwargs["bias"] = bias if forward is not gru_forward else np.zeros((2, 12))
    kwargs[name] = np.zeros(bad_shape)
    with pytest.raises(ValueError) as error:
        forward(**kwargs)
    message = str(error.value)
    assert str(bad_shape) in message
    if other_shape is not None:
        assert str(other_shape) in message


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_bias_shape_must_match_reset_after(reset_after):
    x, kernel, recurrent_kernel, _ = _base_args(3)
    wrong_bias = np.zeros((12,)) if reset_after else np.zeros((2, 12))
    with pytest.raises(ValueError) as error:
        gru_forward(x, kernel, recurrent_kernel, wrong_bias, reset_after=reset_after)
    message = str(error.value)
    assert str(wrong_bias.shape) in message
    assert str((2, 12) if reset_after else (12,)) in message
    assert str(recurrent_kernel.shape) in message


@pytest.mark.parametrize(
    "forward, backward, n_gates",
    [
        (simple_rnn_forward, simple_rnn_backward, 1),
        (lstm_forward, lstm_backward, 4),
        (gru_forward, gru_backward, 3),
    ],
)
def test_d_outputs_shape_must_match_outputs(forward, backward, n_gates):
    x, kernel, recurrent_kernel, bias = _base_args(n_gates)
    if forward is gru_forward:
        bias = np.zeros((2, 12))
    outputs, cache = forward(x, kernel, recurrent_kernel, bias)
    with pytest.raises(ValueError) as error:
        backward(np.zeros((2, 6, 4)), cache)
    message = str(error.value)
    assert str((2, 6, 4)) in message
    assert str(outputs.shape) in message
