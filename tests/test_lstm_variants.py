"""The LSTM variants of companion.cells.lstm_variants compute their equations.

PeepholeLSTMCell: with zero peephole weights it is LSTMCell (and Keras' LSTM); with random
ones it matches the equations of Gers and Schmidhuber (2000) written below in NumPy.
CIFGLSTMCell: matches its equations in NumPy, and equals a Keras LSTM whose forget-gate block
is the negated input-gate block (since 1 - sigmoid(a) = sigmoid(-a)). Both: gradients agree
with finite differences in float64, configs round-trip, saved models load in safe mode.
"""

import companion
import keras
import numpy as np
import pytest
import tensorflow as tf
from companion.cells.lstm_variants import CIFGLSTMCell, PeepholeLSTMCell

UNITS, FEATURES, TIME, BATCH = 5, 3, 6, 4
SEEDS = [0, 1, 2]


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def sequences(seed, dtype="float32"):
    return np.random.default_rng(seed).standard_normal((BATCH, TIME, FEATURES)).astype(dtype)


def rnn(cell):
    return keras.layers.RNN(cell, return_sequences=True, return_state=True)


def randomise(layer, seed, scale=0.6):
    rng = np.random.default_rng(seed)
    weights = [(scale * rng.standard_normal(w.shape)).astype(w.dtype) for w in layer.get_weights()]
    layer.set_weights(weights)
    return weights


def numpy_peephole(x, kernel, recurrent_kernel, bias, p_i, p_f, p_o):
    """Gers and Schmidhuber (2000), row vectors, blocks i, f, c, o; returns (h_seq, h, c)."""
    batch, time, _ = x.shape
    units = recurrent_kernel.shape[0]
    h, c = np.zeros((batch, units)), np.zeros((batch, units))
    h_seq = []
    for t in range(time):
        a_i, a_f, a_c, a_o = np.split(x[:, t] @ kernel + h @ recurrent_kernel + bias, 4, axis=1)
        i = sigmoid(a_i + p_i * c)
        f = sigmoid(a_f + p_f * c)
        c = f * c + i * np.tanh(a_c)
        o = sigmoid(a_o + p_o * c)
        h = o * np.tanh(c)
        h_seq.append(h)
    return np.stack(h_seq, axis=1), h, c


def numpy_cifg(x, kernel, recurrent_kernel, bias):
    """Coupled input-forget gate, row vectors, blocks i, c, o; returns (h_seq, h, c)."""
    batch, time, _ = x.shape
    units = recurrent_kernel.shape[0]
    h, c = np.zeros((batch, units)), np.zeros((batch, units))
    h_seq = []
    for t in range(time):
        a_i, a_c, a_o = np.split(x[:, t] @ kernel + h @ recurrent_kernel + bias, 3, axis=1)
        i = sigmoid(a_i)
        c = (1.0 - i) * c + i * np.tanh(a_c)
        h = sigmoid(a_o) * np.tanh(c)
        h_seq.append(h)
    return np.stack(h_seq, axis=1), h, c


@pytest.mark.parametrize("seed", SEEDS)
def test_peephole_with_zero_peepholes_is_the_lstm(seed):
    x = sequences(seed)
    peephole, lstm, builtin = rnn(PeepholeLSTMCell(UNITS)), rnn(companion.LSTMCell(UNITS)), \
        keras.layers.LSTM(UNITS, return_sequences=True, return_state=True)
    for layer in (peephole, lstm, builtin):
        layer(x)
    weights = randomise(builtin, seed)
    lstm.set_weights(weights)
    # the fresh peephole weights are zero (the default initializer): keep them
    peephole.set_weights(weights + peephole.get_weights()[3:])
    assert all(np.all(w == 0) for w in peephole.get_weights()[3:])
    for a, b in zip(peephole(x), builtin(x)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=0, atol=1e-5)
    for a, b in zip(peephole(x), lstm(x)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=0, atol=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_peephole_matches_its_equations(seed):
    x = sequences(seed)
    layer = rnn(PeepholeLSTMCell(UNITS))
    layer(x)
    weights = randomise(layer, seed, scale=0.8)
    assert [w.shape for w in weights] == [
        (FEATURES, 4 * UNITS), (UNITS, 4 * UNITS), (4 * UNITS,), (UNITS,), (UNITS,), (UNITS,)
    ]
    expected = numpy_peephole(x.astype("float64"), *(w.astype("float64") for w in weights))
    got = [np.asarray(a) for a in layer(x)]
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)
    # the peepholes do something: without them the outputs move by far more than the tolerance
    without = numpy_peephole(x.astype("float64"), *weights[:3], 0.0, 0.0, 0.0)
    assert np.max(np.abs(without[0] - expected[0])) > 1e-2


@pytest.mark.parametrize("seed", SEEDS)
def test_cifg_matches_its_equations(seed):
    x = sequences(seed)
    layer = rnn(CIFGLSTMCell(UNITS))
    layer(x)
    weights = randomise(layer, seed, scale=0.8)
    assert [w.shape for w in weights] == [(FEATURES, 3 * UNITS), (UNITS, 3 * UNITS), (3 * UNITS,)]
    expected = numpy_cifg(x.astype("float64"), *(w.astype("float64") for w in weights))
    for a, b in zip(layer(x), expected):
        np.testing.assert_allclose(np.asarray(a), b, rtol=0, atol=1e-5)


@pytest.mark.parametrize("seed", SEEDS)
def test_cifg_is_an_lstm_whose_forget_block_is_minus_the_input_block(seed):
    x = sequences(seed)
    cifg = rnn(CIFGLSTMCell(UNITS))
    builtin = keras.layers.LSTM(UNITS, return_sequences=True, return_state=True)
    cifg(x), builtin(x)
    kernel, recurrent_kernel, bias = randomise(cifg, seed)

    def as_lstm(w):  # blocks (i, c, o) -> (i, -i, c, o)
        i, c, o = np.split(w, 3, axis=-1)
        return np.concatenate([i, -i, c, o], axis=-1)

    builtin.set_weights([as_lstm(kernel), as_lstm(recurrent_kernel), as_lstm(bias)])
    for a, b in zip(cifg(x), builtin(x)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=0, atol=1e-5)


@pytest.mark.parametrize("cell_class", [PeepholeLSTMCell, CIFGLSTMCell])
def test_gradients_match_finite_differences_in_float64(cell_class):
    x = tf.constant(sequences(7, "float64"))
    layer = keras.layers.RNN(cell_class(3, dtype="float64"), dtype="float64")
    layer(x)
    randomise(layer, 7)
    probe = tf.constant(np.random.default_rng(8).standard_normal((BATCH, 3)))

    def loss():
        return tf.reduce_sum(layer(x) * probe)

    with tf.GradientTape() as tape:
        value = loss()
    grads = tape.gradient(value, layer.trainable_weights)
    rng = np.random.default_rng(9)
    eps = 1e-6
    for variable, grad in zip(layer.trainable_weights, grads):
        assert variable.dtype == "float64"
        base = variable.numpy()
        for _ in range(4):
            index = tuple(rng.integers(0, n) for n in base.shape)
            shifted = base.copy()
            shifted[index] += eps
            variable.assign(shifted)
            up = float(loss())
            shifted[index] -= 2 * eps
            variable.assign(shifted)
            down = float(loss())
            variable.assign(base)
            numeric = (up - down) / (2 * eps)
            assert abs(numeric - float(np.asarray(grad)[index])) < 1e-7 + 1e-6 * abs(numeric), (
                variable.name, index, numeric, float(np.asarray(grad)[index]))


@pytest.mark.parametrize(
    "cell_class, expected",
    [
        (PeepholeLSTMCell, lambda d, u: 4 * (u * (d + u) + u) + 3 * u),
        (CIFGLSTMCell, lambda d, u: 3 * (u * (d + u) + u)),
    ],
)
@pytest.mark.parametrize("input_dim, units", [(1, 1), (3, 5), (8, 16)])
def test_parameter_counts(cell_class, expected, input_dim, units):
    layer = keras.layers.RNN(cell_class(units))
    layer.build((None, None, input_dim))
    assert layer.count_params() == expected(input_dim, units)


@pytest.mark.parametrize(
    "cell",
    [
        PeepholeLSTMCell(4, peephole_initializer="ones", unit_forget_bias=False, dropout=0.2, seed=3),
        CIFGLSTMCell(4, recurrent_activation="hard_sigmoid", recurrent_dropout=0.1, seed=3),
    ],
)
def test_config_round_trip(cell):
    clone = type(cell).from_config(cell.get_config())
    assert clone.get_config() == cell.get_config()


def test_peephole_initializer_is_used():
    layer = keras.layers.RNN(PeepholeLSTMCell(4, peephole_initializer="ones"))
    layer.build((None, None, 2))
    for w in layer.get_weights()[3:]:
        np.testing.assert_array_equal(w, np.ones(4))


@pytest.mark.parametrize("cell_class", [PeepholeLSTMCell, CIFGLSTMCell])
def test_saved_model_loads_in_safe_mode(cell_class, tmp_path):
    inputs = keras.Input((TIME, FEATURES))
    hidden = keras.layers.RNN(cell_class(UNITS, recurrent_dropout=0.1, seed=1))(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(hidden))
    randomise(model, 2, scale=0.3)
    path = tmp_path / "variant.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    x = sequences(2)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    assert isinstance(loaded.layers[1].cell, cell_class)


@pytest.mark.parametrize("cell_class", [PeepholeLSTMCell, CIFGLSTMCell])
def test_dropout_acts_in_training_only(cell_class):
    x = sequences(5)
    layer = keras.layers.RNN(cell_class(UNITS, dropout=0.5, recurrent_dropout=0.5, seed=2))
    plain = keras.layers.RNN(cell_class(UNITS))
    layer(x), plain(x)
    plain.set_weights(randomise(layer, 5))
    np.testing.assert_allclose(np.asarray(layer(x)), np.asarray(plain(x)), atol=1e-6)
    assert np.max(np.abs(np.asarray(layer(x, training=True)) - np.asarray(plain(x)))) > 1e-3


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="`peephole_initializer`"):
        PeepholeLSTMCell(3, peephole_initializer="no_such_initializer")
    with pytest.raises(ValueError, match="`units`"):
        CIFGLSTMCell(0)
    with pytest.raises(ValueError, match="`recurrent_activation`"):
        CIFGLSTMCell(3, recurrent_activation="no_such_activation")
    with pytest.raises(ValueError, match="`dropout`"):
        PeepholeLSTMCell(3, dropout=1.5)
