"""companion.reference.gru_conventions: the (1 - z) form of the GRU update and its Keras weights.

The NumPy forward pass of the seeds' form must equal Keras' ``GRU(reset_after=False)`` in
float64 once the weights are converted, on random weights and several seeds; the
conversions must be exact inverses; bad shapes must raise ``ValueError`` naming the argument.
"""

import keras
import numpy as np
import pytest
from companion.reference.gru_conventions import (
    chung_gru_forward,
    chung_to_keras_weights,
    flip_update_gate,
    keras_to_chung_weights,
)

BATCH, TIME, FEATURES, UNITS = 3, 6, 4, 5
SEEDS = [0, 1, 2]


def random_chung_weights(seed, features=FEATURES, units=UNITS, use_bias=True, scale=0.7):
    rng = np.random.default_rng(seed)
    W = scale * rng.standard_normal((3, units, features))
    U = scale * rng.standard_normal((3, units, units))
    b = scale * rng.standard_normal((3, units)) if use_bias else None
    return W, U, b


def random_inputs(seed, batch=BATCH, time=TIME, features=FEATURES):
    return np.random.default_rng(seed + 100).standard_normal((batch, time, features))


def keras_gru_outputs(weights, x, h0=None, use_bias=True, reset_after=False):
    layer = keras.layers.GRU(
        UNITS, reset_after=reset_after, use_bias=use_bias, return_sequences=True,
        dtype="float64",
    )
    layer.build(x.shape)
    layer.set_weights(weights)
    initial_state = None if h0 is None else [h0]
    return np.asarray(layer(x, initial_state=initial_state))


@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("seed", SEEDS)
def test_forward_equals_keras_with_converted_weights(seed, use_bias):
    W, U, b = random_chung_weights(seed, use_bias=use_bias)
    x = random_inputs(seed)
    h0 = np.random.default_rng(seed + 200).uniform(-0.9, 0.9, (BATCH, UNITS))
    ours = chung_gru_forward(x, W, U, b, h0=h0)
    theirs = keras_gru_outputs(chung_to_keras_weights(W, U, b), x, h0=h0, use_bias=use_bias)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_without_the_negation_keras_computes_a_different_function():
    """Only transposing the blocks (no flip of z) is not enough: the relabelling matters."""
    W, U, b = random_chung_weights(0)
    x = random_inputs(0)
    layout_only = flip_update_gate(*chung_to_keras_weights(W, U, b))  # flip undoes the flip
    difference = np.abs(chung_gru_forward(x, W, U, b) - keras_gru_outputs(layout_only, x))
    assert difference.max() > 0.05


def test_update_gate_is_the_fraction_replaced():
    """Zero matrices and a saturated update gate: z = 1 replaces the state, z = 0 keeps it."""
    W, U = np.zeros((3, UNITS, FEATURES)), np.zeros((3, UNITS, UNITS))
    x = random_inputs(3)
    h0 = np.full((BATCH, UNITS), 0.5)
    b_h = np.linspace(-1.0, 1.0, UNITS)
    replace = np.stack([np.full(UNITS, 40.0), np.zeros(UNITS), b_h])
    keep = np.stack([np.full(UNITS, -40.0), np.zeros(UNITS), b_h])
    np.testing.assert_allclose(chung_gru_forward(x, W, U, replace, h0)[:, -1],
                               np.broadcast_to(np.tanh(b_h), (BATCH, UNITS)), atol=1e-12)
    np.testing.assert_allclose(chung_gru_forward(x, W, U, keep, h0)[:, -1], h0, atol=1e-12)


def test_reset_gate_acts_before_the_recurrent_product():
    """One step from h0 with r = 1/2 everywhere: candidate = tanh(U_h (h0 / 2))."""
    rng = np.random.default_rng(4)
    W = np.zeros((3, UNITS, FEATURES))
    U = np.zeros((3, UNITS, UNITS))
    U[2] = rng.standard_normal((UNITS, UNITS))
    b = np.stack([np.full(UNITS, 40.0), np.zeros(UNITS), np.zeros(UNITS)])  # z = 1, r = 1/2
    h0 = rng.uniform(-1, 1, (BATCH, UNITS))
    h1 = chung_gru_forward(np.zeros((BATCH, 1, FEATURES)), W, U, b, h0)[:, 0]
    np.testing.assert_allclose(h1, np.tanh((0.5 * h0) @ U[2].T), atol=1e-12)


@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("seed", SEEDS)
def test_conversions_are_inverse(seed, use_bias):
    W, U, b = random_chung_weights(seed, use_bias=use_bias)
    W2, U2, b2 = keras_to_chung_weights(chung_to_keras_weights(W, U, b))
    np.testing.assert_array_equal(W2, W)
    np.testing.assert_array_equal(U2, U)
    if use_bias:
        np.testing.assert_array_equal(b2, b)
    else:
        assert b2 is None

    layer = keras.layers.GRU(UNITS, reset_after=False, use_bias=use_bias)
    layer.build((None, TIME, FEATURES))
    keras_weights = layer.get_weights()
    back = chung_to_keras_weights(*keras_to_chung_weights(keras_weights))
    assert len(back) == len(keras_weights)
    for ours, theirs in zip(back, keras_weights):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("reset_after", [True, False])
def test_flip_update_gate_negates_only_the_z_block_and_is_an_involution(reset_after):
    layer = keras.layers.GRU(UNITS, reset_after=reset_after)
    layer.build((None, TIME, FEATURES))
    weights = [w + 0.1 for w in layer.get_weights()]  # nonzero biases
    flipped = flip_update_gate(*weights)
    for original, new in zip(weights, flipped):
        np.testing.assert_array_equal(new[..., :UNITS], -original[..., :UNITS])
        np.testing.assert_array_equal(new[..., UNITS:], original[..., UNITS:])
    for original, twice in zip(weights, flip_update_gate(*flipped)):
        np.testing.assert_array_equal(twice, original)
    # the inputs are left as they were
    np.testing.assert_array_equal(weights[0], layer.get_weights()[0] + 0.1)


def test_flipped_keras_gru_computes_the_other_convention_for_reset_after_too():
    """With z blocks negated, a reset_after=True GRU computes (1 - z') h + z' h~, z' its old z."""
    x = random_inputs(5)
    layer = keras.layers.GRU(UNITS, return_sequences=True, dtype="float64")
    layer.build(x.shape)
    rng = np.random.default_rng(5)
    weights = [0.7 * rng.standard_normal(w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    original = np.asarray(layer(x))
    layer.set_weights(flip_update_gate(*weights))
    flipped = np.asarray(layer(x))
    assert np.abs(original - flipped).max() > 0.05
    # one step by hand from h0 = 0: h1 = (1 - z) h~ for the original; z h~ for the flipped
    kernel, _, bias = weights
    a = x[:, 0] @ kernel + bias[0] + bias[1]
    z = 1 / (1 + np.exp(-a[:, :UNITS]))
    r = 1 / (1 + np.exp(-a[:, UNITS:2 * UNITS]))
    h_candidate = np.tanh(x[:, 0] @ kernel[:, 2 * UNITS:] + bias[0, 2 * UNITS:]
                          + r * bias[1, 2 * UNITS:])
    np.testing.assert_allclose(original[:, 0], (1 - z) * h_candidate, atol=1e-12)
    np.testing.assert_allclose(flipped[:, 0], z * h_candidate, atol=1e-12)


# -- bad input ---------------------------------------------------------------------------------

def test_reset_after_weights_are_refused():
    layer = keras.layers.GRU(UNITS, reset_after=True)
    layer.build((None, TIME, FEATURES))
    with pytest.raises(ValueError, match=r"`weights`.*\(2, 15\).*reset_after=True"):
        keras_to_chung_weights(layer.get_weights())


@pytest.mark.parametrize(
    "name, change, pattern",
    [
        ("x", lambda a: {**a, "x": a["x"][0]}, r"`x` has shape \(6, 4\).*3-D"),
        ("W", lambda a: {**a, "W": a["W"][:2]}, r"`W` has shape \(2, 5, 4\).*\(3, 5, features\)"),
        ("W", lambda a: {**a, "W": a["W"][:, :, :3]}, r"`W` has shape \(3, 5, 3\).*4 features"),
        ("U", lambda a: {**a, "U": a["U"][:, :, :4]}, r"`U` has shape \(3, 5, 4\).*\(3, units, units\)"),
        ("b", lambda a: {**a, "b": a["b"][:, :4]}, r"`b` has shape \(3, 4\).*\(3, 5\)"),
        ("h0", lambda a: {**a, "h0": np.zeros((BATCH, 4))}, r"`h0` has shape \(3, 4\).*\(3, 5\)"),
    ],
)
def test_forward_rejects_bad_shapes(name, change, pattern):
    W, U, b = random_chung_weights(0)
    arguments = change({"x": random_inputs(0), "W": W, "U": U, "b": b, "h0": None})
    with pytest.raises(ValueError, match=pattern):
        chung_gru_forward(**arguments)


def test_conversions_reject_bad_shapes():
    W, U, b = random_chung_weights(0)
    with pytest.raises(ValueError, match=r"`b` has shape \(5,\)"):
        chung_to_keras_weights(W, U, b[0])
    kernel, recurrent_kernel, bias = chung_to_keras_weights(W, U, b)
    with pytest.raises(ValueError, match=r"`weights` must be the list"):
        keras_to_chung_weights([kernel])
    with pytest.raises(ValueError, match=r"`recurrent_kernel` has shape \(5, 10\)"):
        keras_to_chung_weights([kernel, recurrent_kernel[:, :10], bias])
    with pytest.raises(ValueError, match=r"`kernel` has shape \(4, 12\)"):
        keras_to_chung_weights([kernel[:, :12], recurrent_kernel, bias])
    with pytest.raises(ValueError, match=r"`bias` has shape \(14,\)"):
        flip_update_gate(kernel, recurrent_kernel, bias[:14])
