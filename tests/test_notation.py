"""The conversions of companion.reference.notation: Keras' row-vector blocks <-> the seeds' column forms.

Checked on random weights and several seeds: round trips are exact, the NumPy steps in both
column forms agree with the NumPy reference (float64) and with Keras' LSTM layer (float32),
and bad shapes raise ValueErrors that name the argument.
"""

import keras
import numpy as np
import pytest
from companion.reference import lstm_forward, notation

SEEDS = [0, 1, 2]


def random_keras_weights(seed, input_dim=3, units=5, n_gates=4, use_bias=True):
    rng = np.random.default_rng(seed)
    kernel = rng.standard_normal((input_dim, n_gates * units))
    recurrent_kernel = rng.standard_normal((units, n_gates * units))
    bias = rng.standard_normal(n_gates * units) if use_bias else None
    return kernel, recurrent_kernel, bias


@pytest.mark.parametrize("seed", SEEDS)
def test_separate_blocks_are_transposed_keras_columns(seed):
    kernel, recurrent_kernel, bias = random_keras_weights(seed)
    gates = notation.keras_to_separate(kernel, recurrent_kernel, bias)
    assert list(gates) == ["i", "f", "c", "o"]
    units = recurrent_kernel.shape[0]
    for g, name in enumerate("ifco"):
        w, u, b = gates[name]
        cols = slice(g * units, (g + 1) * units)
        assert w.shape == (units, kernel.shape[0]) and u.shape == (units, units)
        np.testing.assert_array_equal(w, kernel[:, cols].T)
        np.testing.assert_array_equal(u, recurrent_kernel[:, cols].T)
        np.testing.assert_array_equal(b, bias[cols])
    # copies: editing the converted weights leaves Keras' arrays alone
    gates["f"][0][0, 0] += 1.0
    assert kernel[0, units] != gates["f"][0][0, 0]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("n_gates", [1, 3, 4])
def test_round_trips_are_exact(seed, use_bias, n_gates):
    kernel, recurrent_kernel, bias = random_keras_weights(seed, n_gates=n_gates, use_bias=use_bias)
    names = {1: ("h",), 3: notation.KERAS_GRU_GATES, 4: notation.KERAS_LSTM_GATES}[n_gates]
    separate = notation.keras_to_separate(kernel, recurrent_kernel, bias, n_gates, names)
    concatenated = notation.keras_to_concatenated(kernel, recurrent_kernel, bias, n_gates, names)
    for back in (
        notation.separate_to_keras(separate),
        notation.concatenated_to_keras(concatenated, input_dim=kernel.shape[0]),
    ):
        np.testing.assert_array_equal(back[0], kernel)
        np.testing.assert_array_equal(back[1], recurrent_kernel)
        if use_bias:
            np.testing.assert_array_equal(back[2], bias)
        else:
            assert back[2] is None


def test_concatenated_puts_h_before_x():
    kernel, recurrent_kernel, bias = random_keras_weights(4, input_dim=2, units=3)
    separate = notation.keras_to_separate(kernel, recurrent_kernel, bias)
    concatenated = notation.keras_to_concatenated(kernel, recurrent_kernel, bias)
    for name in "ifco":
        w_cat, b = concatenated[name]
        w, u, b_sep = separate[name]
        assert w_cat.shape == (3, 3 + 2)
        np.testing.assert_array_equal(w_cat[:, :3], u)
        np.testing.assert_array_equal(w_cat[:, 3:], w)
        np.testing.assert_array_equal(b, b_sep)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("use_bias", [True, False])
def test_both_column_steps_match_the_numpy_reference(seed, use_bias):
    kernel, recurrent_kernel, bias = random_keras_weights(seed, use_bias=use_bias)
    rng = np.random.default_rng(seed + 100)
    batch, input_dim, units = 4, kernel.shape[0], recurrent_kernel.shape[0]
    x = rng.standard_normal((batch, 1, input_dim))
    h0 = rng.standard_normal((batch, units))
    c0 = rng.standard_normal((batch, units))
    outputs, cache = lstm_forward(x, kernel, recurrent_kernel, bias, h0, c0)
    separate = notation.keras_to_separate(kernel, recurrent_kernel, bias)
    concatenated = notation.keras_to_concatenated(kernel, recurrent_kernel, bias)
    # one column per sequence
    h_sep, c_sep = notation.lstm_step_separate(x[:, 0].T, h0.T, c0.T, separate)
    h_cat, c_cat = notation.lstm_step_concatenated(x[:, 0].T, h0.T, c0.T, concatenated)
    for h, c in [(h_sep, c_sep), (h_cat, c_cat)]:
        np.testing.assert_allclose(h.T, outputs[:, 0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(c.T, cache.cells[:, 0], rtol=0, atol=1e-12)
    # and a single vector gives the same as its column
    h_one, c_one = notation.lstm_step_separate(x[1, 0], h0[1], c0[1], separate)
    np.testing.assert_allclose(h_one, outputs[1, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(c_one, cache.cells[1, 0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_column_steps_match_keras_lstm_layer(seed):
    units, input_dim = 6, 3
    rng = np.random.default_rng(seed)
    layer = keras.layers.LSTM(units, return_state=True)
    x = rng.standard_normal((2, 1, input_dim)).astype("float32")
    h0 = rng.standard_normal((2, units)).astype("float32")
    c0 = rng.standard_normal((2, units)).astype("float32")
    layer(x, initial_state=[h0, c0])
    layer.set_weights([0.5 * rng.standard_normal(w.shape).astype("float32") for w in layer.get_weights()])
    h_keras, _, c_keras = (np.asarray(a) for a in layer(x, initial_state=[h0, c0]))
    kernel, recurrent_kernel, bias = (w.astype("float64") for w in layer.get_weights())
    separate = notation.keras_to_separate(kernel, recurrent_kernel, bias)
    concatenated = notation.keras_to_concatenated(kernel, recurrent_kernel, bias)
    for step, gates in [(notation.lstm_step_separate, separate), (notation.lstm_step_concatenated, concatenated)]:
        h, c = step(x[:, 0].T.astype("float64"), h0.T.astype("float64"), c0.T.astype("float64"), gates)
        np.testing.assert_allclose(h.T, h_keras, rtol=0, atol=1e-6)
        np.testing.assert_allclose(c.T, c_keras, rtol=0, atol=1e-6)
    assert np.max(np.abs(c_keras)) > 0.1  # not a vacuous comparison of near-zeros


@pytest.mark.parametrize(
    "kernel_shape, recurrent_shape, bias_shape, argument",
    [
        ((3, 20), (5, 15), (20,), "recurrent_kernel"),
        ((3, 16), (5, 20), (20,), "kernel"),
        ((3,), (5, 20), (20,), "kernel"),
        ((3, 20), (5, 20), (15,), "bias"),
        ((3, 20), (5, 20), (2, 20), "bias"),
    ],
)
def test_bad_keras_shapes_raise(kernel_shape, recurrent_shape, bias_shape, argument):
    for convert in (notation.keras_to_separate, notation.keras_to_concatenated):
        with pytest.raises(ValueError, match=f"`{argument}`"):
            convert(np.zeros(kernel_shape), np.zeros(recurrent_shape), np.zeros(bias_shape))


def test_bad_gate_arguments_raise():
    kernel, recurrent_kernel, bias = random_keras_weights(0)
    with pytest.raises(ValueError, match="`gate_names`"):
        notation.keras_to_separate(kernel, recurrent_kernel, bias, 4, ("i", "f", "c"))
    with pytest.raises(ValueError, match="`gate_names`"):
        notation.keras_to_separate(kernel, recurrent_kernel, bias, 4, ("i", "i", "c", "o"))
    with pytest.raises(ValueError, match="`n_gates`"):
        notation.keras_to_separate(kernel, recurrent_kernel, bias, 0)
    with pytest.raises(ValueError, match="`recurrent_kernel`"):
        notation.keras_to_separate(kernel, recurrent_kernel, bias, 3)  # an LSTM read as a GRU


def test_bad_column_weights_and_vectors_raise():
    kernel, recurrent_kernel, bias = random_keras_weights(0)
    separate = notation.keras_to_separate(kernel, recurrent_kernel, bias)
    concatenated = notation.keras_to_concatenated(kernel, recurrent_kernel, bias)
    w, u, b = separate["f"]
    with pytest.raises(ValueError, match="W has shape"):
        notation.separate_to_keras({**separate, "f": (w[:, :2], u, b)})
    with pytest.raises(ValueError, match="U has shape"):
        notation.separate_to_keras({**separate, "f": (w, u[:, :4], b)})
    with pytest.raises(ValueError, match="every gate has a bias"):
        notation.separate_to_keras({**separate, "f": (w, u, None)})
    with pytest.raises(ValueError, match="W_cat has shape"):
        notation.concatenated_to_keras(concatenated, input_dim=2)
    with pytest.raises(ValueError, match="`input_dim`"):
        notation.concatenated_to_keras(concatenated, input_dim=0)
    with pytest.raises(ValueError, match="`gate_names`"):
        notation.separate_to_keras(separate, gate_names=("i", "f", "c"))
    with pytest.raises(ValueError, match="`x`"):
        notation.lstm_step_separate(np.zeros(4), np.zeros(5), np.zeros(5), separate)
    with pytest.raises(ValueError, match="`c`"):
        notation.lstm_step_concatenated(np.zeros(3), np.zeros(5), np.zeros(4), concatenated)
    with pytest.raises(ValueError, match="`h`"):
        notation.lstm_step_separate(np.zeros((3, 2)), np.zeros((5, 3)), np.zeros((5, 2)), separate)
