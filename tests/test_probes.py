"""Tests of companion.experiments.probes: the hidden-state Jacobians dh_T/dh_{T-k} and their norms.

Known answers: a linear RNN with U = a * Q (Q orthogonal) has dh_T/dh_{T-k} = (U^T)^k, of
spectral norm a^k and Frobenius norm sqrt(units) a^k. For tanh, LSTM and GRU layers the probe
is compared with Jacobians built from the NumPy reference (companion.reference), an
implementation that shares no code with it.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import companion
import keras
import numpy as np
import pytest
from companion.experiments.probes import (
    hidden_state_gradient_norms,
    hidden_state_jacobians,
    one_step_state_jacobians,
)
from companion.reference import (
    gru_backward,
    gru_forward,
    lstm_backward,
    lstm_forward,
    simple_rnn_forward,
)

SEEDS = [0, 1, 2]
BATCH, TIME, FEATURES, UNITS = 3, 7, 2, 4


def orthogonal(units, rng):
    q, r = np.linalg.qr(rng.normal(size=(units, units)))
    return q * np.sign(np.diag(r))


def random_inputs(rng, batch=BATCH, time=TIME, features=FEATURES):
    return rng.normal(size=(batch, time, features))


def built(layer, features=FEATURES):
    layer(np.zeros((1, 1, features), dtype=layer.cell.compute_dtype))
    return layer


def randomize(layer, rng, scale=0.8):
    """Random weights of O(1) effect, so tanh and sigmoids are neither linear nor saturated."""
    layer.set_weights([scale * rng.normal(size=w.shape) / np.sqrt(w.shape[0]) if w.ndim == 2
                       else 0.3 * rng.normal(size=w.shape) for w in layer.get_weights()])
    return layer


# -- known answer: linear RNN, U = a * orthogonal --------------------------------------------

LINEAR_LAYERS = {
    "keras": lambda units, dtype: keras.layers.SimpleRNN(
        units, activation=None, use_bias=False, dtype=dtype),
    "companion": lambda units, dtype: keras.layers.RNN(
        companion.SimpleRNNCell(units, activation=None, use_bias=False, dtype=dtype),
        dtype=dtype),
}


@pytest.mark.parametrize("kind", sorted(LINEAR_LAYERS))
@pytest.mark.parametrize("gain", [0.5, 0.9, 1.3])
@pytest.mark.parametrize("seed", SEEDS)
def test_linear_rnn_norms_are_powers_of_the_gain(kind, gain, seed):
    rng = np.random.default_rng(seed)
    units, time = 5, 12
    layer = built(LINEAR_LAYERS[kind](units, "float64"))
    kernel = rng.normal(size=(FEATURES, units))
    layer.set_weights([kernel, gain * orthogonal(units, rng)])
    inputs = random_inputs(rng, time=time)

    expected = gain ** np.arange(time)
    spectral = hidden_state_gradient_norms(layer, inputs, norm="spectral")
    frobenius = hidden_state_gradient_norms(layer, inputs, norm="frobenius")
    np.testing.assert_allclose(spectral, expected, rtol=1e-12)
    np.testing.assert_allclose(frobenius, np.sqrt(units) * expected, rtol=1e-12)


def test_linear_rnn_in_float32_matches_to_float32_precision():
    rng = np.random.default_rng(3)
    units, time, gain = 8, 40, 0.7
    layer = built(LINEAR_LAYERS["keras"](units, "float32"))
    layer.set_weights([rng.normal(size=(FEATURES, units)), gain * orthogonal(units, rng)])
    norms = hidden_state_gradient_norms(layer, random_inputs(rng, time=time))
    # 0.7^39 is about 1e-6: the float64 products keep the relative error at float32 level.
    np.testing.assert_allclose(norms, gain ** np.arange(time), rtol=1e-5)


# -- tanh RNN: the product of diag(1 - h_t^2) U^T from the NumPy reference -------------------

def reference_simple_rnn_jacobians(inputs, kernel, recurrent_kernel, bias):
    outputs, _ = simple_rnn_forward(inputs, kernel, recurrent_kernel, bias)
    batch, time, units = outputs.shape
    result = np.empty((time, batch, units, units))
    product = np.broadcast_to(np.eye(units), (batch, units, units))
    result[0] = product
    for k in range(1, time):
        h = outputs[:, time - k]  # h_{T-k+1}, 0-based index T-k
        step = (1.0 - h**2)[:, :, None] * recurrent_kernel.T[None]  # diag(1 - h^2) U^T
        product = product @ step
        result[k] = product
    return result


@pytest.mark.parametrize("cell", ["keras", "companion"])
@pytest.mark.parametrize("seed", SEEDS)
def test_tanh_rnn_jacobians_match_explicit_product(cell, seed):
    rng = np.random.default_rng(seed)
    if cell == "keras":
        layer = keras.layers.SimpleRNN(UNITS, dtype="float64")
    else:
        layer = keras.layers.RNN(companion.SimpleRNNCell(UNITS, dtype="float64"), dtype="float64")
    layer = randomize(built(layer), rng, scale=1.5)
    inputs = random_inputs(rng)

    expected = reference_simple_rnn_jacobians(inputs, *layer.get_weights())
    np.testing.assert_allclose(hidden_state_jacobians(layer, inputs), expected,
                               rtol=1e-10, atol=1e-14)


# -- LSTM and GRU: Jacobians from the reference's hand-written BPTT --------------------------

def jacobian_rows_from_backward(forward, backward, inputs, h_start, extra_start):
    """dh_T/dh_start for every sequence, one reference backward pass per output unit.

    The batch is tiled ``units`` times; copy i carries dL/dh_T = e_i, so its "h0" gradient is
    row i of the Jacobian (c_start, if any, is held fixed: it is an input of the forward pass).
    """
    batch = inputs.shape[0]
    units = h_start.shape[1]
    tiled = lambda a: np.tile(a, (units,) + (1,) * (a.ndim - 1))  # noqa: E731
    outputs, cache = forward(tiled(inputs), tiled(h_start), *[tiled(a) for a in extra_start])
    d_outputs = np.zeros_like(outputs)
    for i in range(units):
        d_outputs[i * batch:(i + 1) * batch, -1, i] = 1.0
    d_h0 = backward(d_outputs, cache)["h0"]
    return np.stack([d_h0[i * batch:(i + 1) * batch] for i in range(units)], axis=1)


LAYERS = {
    "keras-lstm": lambda: keras.layers.LSTM(UNITS, dtype="float64"),
    "companion-lstm": lambda: keras.layers.RNN(
        companion.LSTMCell(UNITS, dtype="float64"), dtype="float64"),
    "keras-gru": lambda: keras.layers.GRU(UNITS, dtype="float64"),
    "keras-gru-reset-before": lambda: keras.layers.GRU(UNITS, reset_after=False,
                                                       dtype="float64"),
    "companion-gru": lambda: keras.layers.RNN(
        companion.GRUCell(UNITS, dtype="float64"), dtype="float64"),
}


@pytest.mark.parametrize("kind", sorted(LAYERS))
@pytest.mark.parametrize("seed", SEEDS)
def test_gated_jacobians_match_reference_bptt(kind, seed):
    rng = np.random.default_rng(seed)
    layer = randomize(built(LAYERS[kind]()), rng)
    inputs = random_inputs(rng)
    weights = layer.get_weights()
    is_lstm = "lstm" in kind

    if is_lstm:
        outputs, cache = lstm_forward(inputs, *weights)
        forward = lambda x, h0, c0: lstm_forward(x, *weights, h0=h0, c0=c0)  # noqa: E731
        backward = lstm_backward
    else:
        reset_after = layer.cell.reset_after
        outputs, cache = gru_forward(inputs, *weights, reset_after=reset_after)
        forward = lambda x, h0: gru_forward(  # noqa: E731
            x, *weights, h0=h0, reset_after=reset_after)
        backward = gru_backward

    probe = hidden_state_jacobians(layer, inputs)
    np.testing.assert_allclose(probe[0], np.broadcast_to(np.eye(UNITS), probe[0].shape))
    for k in range(1, TIME):
        start = TIME - k  # the state h_{T-k} is outputs[:, T-k-1]
        extra = [cache.cells[:, start - 1]] if is_lstm else []
        expected = jacobian_rows_from_backward(
            forward, backward, inputs[:, start:], outputs[:, start - 1], extra)
        np.testing.assert_allclose(probe[k], expected, rtol=1e-9, atol=1e-13,
                                   err_msg=f"lag k={k}")


def test_one_step_jacobians_hold_h_and_c_blocks_for_the_lstm():
    rng = np.random.default_rng(4)
    layer = randomize(built(keras.layers.LSTM(UNITS, dtype="float64")), rng)
    jacobians, sizes = one_step_state_jacobians(layer, random_inputs(rng))
    assert sizes == [UNITS, UNITS]
    assert jacobians.shape == (TIME, BATCH, 2 * UNITS, 2 * UNITS)
    # dc_t/dc_{t-1} holding h_{t-1} fixed is diag(f_t): off-diagonal entries are zero.
    dc_dc = jacobians[:, :, UNITS:, UNITS:]
    off_diagonal = dc_dc * (1.0 - np.eye(UNITS))
    assert np.max(np.abs(off_diagonal)) == 0.0
    assert np.all((np.diagonal(dc_dc, axis1=2, axis2=3) > 0)
                  & (np.diagonal(dc_dc, axis1=2, axis2=3) < 1))


# -- properties of the norms ----------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_lag_zero_is_the_identity(kind):
    rng = np.random.default_rng(5)
    layer = randomize(built(LAYERS[kind]()), rng)
    inputs = random_inputs(rng)
    assert hidden_state_gradient_norms(layer, inputs)[0] == pytest.approx(1.0, rel=1e-12)
    assert hidden_state_gradient_norms(layer, inputs, norm="frobenius")[0] == pytest.approx(
        np.sqrt(UNITS), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_tanh_rnn_norm_is_bounded_by_powers_of_the_recurrent_norm(seed):
    """||prod diag(1 - h^2) U^T||_2 <= ||U||_2^k since 0 < 1 - h^2 <= 1."""
    rng = np.random.default_rng(seed)
    layer = randomize(built(keras.layers.SimpleRNN(UNITS, dtype="float64")), rng, scale=2.0)
    inputs = random_inputs(rng, time=20)
    norms = hidden_state_gradient_norms(layer, inputs)
    bound = np.linalg.norm(layer.get_weights()[1], ord=2) ** np.arange(20)
    assert np.all(norms <= bound * (1 + 1e-12))
    assert norms[-1] < bound[-1]  # tanh' < 1 away from h = 0: strictly below the bound


def test_spectral_norm_is_at_most_frobenius_and_at_least_its_share():
    rng = np.random.default_rng(6)
    layer = randomize(built(keras.layers.GRU(UNITS, dtype="float64")), rng)
    inputs = random_inputs(rng)
    spectral = hidden_state_gradient_norms(layer, inputs, norm="spectral")
    frobenius = hidden_state_gradient_norms(layer, inputs, norm="frobenius")
    assert np.all(spectral <= frobenius * (1 + 1e-12))
    assert np.all(frobenius <= np.sqrt(UNITS) * spectral * (1 + 1e-12))


def test_dropout_is_off_and_weights_are_untouched():
    rng = np.random.default_rng(7)
    plain = randomize(built(keras.layers.LSTM(UNITS, dtype="float64")), rng)
    dropped = built(keras.layers.LSTM(UNITS, dropout=0.5, recurrent_dropout=0.5,
                                      dtype="float64"))
    dropped.set_weights(plain.get_weights())
    inputs = random_inputs(rng)
    before = [w.copy() for w in dropped.get_weights()]
    # Equal up to rounding: with recurrent dropout Keras multiplies gate by gate.
    np.testing.assert_allclose(hidden_state_jacobians(dropped, inputs),
                               hidden_state_jacobians(plain, inputs), rtol=1e-12, atol=1e-15)
    for old, new in zip(before, dropped.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_unbuilt_layer_is_built_on_the_inputs():
    layer = keras.layers.SimpleRNN(3)
    norms = hidden_state_gradient_norms(layer, np.ones((2, 5, 6)))
    assert layer.built and norms.shape == (5,)
    assert layer.get_weights()[0].shape == (6, 3)


# -- bad input ------------------------------------------------------------------------------

def test_rejects_a_layer_that_is_not_an_rnn():
    with pytest.raises(ValueError, match="rnn_layer.*keras.layers.RNN.*Dense"):
        hidden_state_gradient_norms(keras.layers.Dense(3), np.ones((1, 2, 3)))


def test_rejects_a_cell_without_its_rnn_layer():
    with pytest.raises(ValueError, match="rnn_layer"):
        hidden_state_gradient_norms(companion.SimpleRNNCell(3), np.ones((1, 2, 3)))


def test_rejects_go_backwards():
    with pytest.raises(ValueError, match="rnn_layer.*go_backwards=True"):
        hidden_state_gradient_norms(keras.layers.SimpleRNN(3, go_backwards=True),
                                    np.ones((1, 2, 3)))


def test_rejects_stacked_cells():
    layer = keras.layers.RNN([keras.layers.SimpleRNNCell(3), keras.layers.SimpleRNNCell(3)])
    with pytest.raises(ValueError, match="rnn_layer.*state_size.*flat list"):
        hidden_state_gradient_norms(layer, np.ones((1, 2, 3)))


class DoubledOutputCell(keras.layers.Layer):
    """A cell whose output (2 h) is not its state (h): the probe's "h" would be ill-defined."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")

    def call(self, inputs, states):
        h = keras.ops.tanh(keras.ops.matmul(inputs, self.kernel) + states[0])
        return 2.0 * h, [h]


def test_rejects_a_cell_whose_output_is_not_its_first_state():
    layer = keras.layers.RNN(DoubledOutputCell(3))
    with pytest.raises(ValueError, match="rnn_layer.*DoubledOutputCell.*first state"):
        hidden_state_gradient_norms(layer, np.ones((2, 4, 3)))


@pytest.mark.parametrize("shape", [(4, 3), (2, 0, 3), (0, 5, 3), (1, 2, 3, 4)])
def test_rejects_inputs_of_the_wrong_shape(shape):
    with pytest.raises(ValueError, match=r"inputs.*shape.*\(batch, time, features\)"):
        hidden_state_gradient_norms(keras.layers.SimpleRNN(3), np.ones(shape))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_rejects_non_finite_inputs(bad):
    inputs = np.ones((1, 4, 2))
    inputs[0, 2, 1] = bad
    with pytest.raises(ValueError, match="inputs.*finite"):
        hidden_state_gradient_norms(keras.layers.SimpleRNN(3), inputs)


@pytest.mark.parametrize("norm", ["l1", "Spectral", None, 2])
def test_rejects_an_unknown_norm(norm):
    with pytest.raises(ValueError, match="norm.*spectral.*frobenius"):
        hidden_state_gradient_norms(keras.layers.SimpleRNN(3), np.ones((1, 2, 3)), norm=norm)
