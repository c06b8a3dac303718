"""companion.LayerNormLSTMCell computes the equations of Ba, Kiros and Hinton (2016).

Keras has no layer-normalised LSTM to compare with, so the cell is checked against the NumPy
reference ``companion.reference.layer_norm_lstm`` on random weights (gains and biases
included) from several seeds, the reference's ``layer_norm`` against
``keras.layers.LayerNormalization``, and its parts against known answers: with unit gains
and large inputs the pre-activations keep their scale; the configuration round-trips; a saved
model loads in safe mode; it runs in ``keras.layers.RNN`` with a mask.
"""

import companion
import keras
import numpy as np
import pytest
import tensorflow as tf
from companion.cells.layer_norm_lstm import LayerNormLSTMCell
from companion.reference.layer_norm_lstm import layer_norm, layer_norm_lstm_forward

UNITS, FEATURES, TIME, BATCH = 5, 3, 7, 4
SEEDS = [0, 1, 2, 3]


def sequences(seed, dtype="float32"):
    return np.random.default_rng(seed).standard_normal((BATCH, TIME, FEATURES)).astype(dtype)


def rnn(cell):
    return keras.layers.RNN(cell, return_sequences=True, return_state=True)


def randomise(layer, seed, scale=0.8):
    """Random weights, the gains around 1 so that they are not all equal."""
    rng = np.random.default_rng(seed)
    weights = []
    for variable in layer.weights:
        w = scale * rng.standard_normal(variable.shape)
        if "gamma" in variable.name:
            w = 1.0 + 0.5 * w
        weights.append(w.astype(variable.dtype))
    layer.set_weights(weights)
    return weights


@pytest.mark.parametrize("seed", SEEDS)
def test_matches_the_numpy_reference(seed):
    x = sequences(seed)
    layer = rnn(LayerNormLSTMCell(UNITS))
    layer(x)
    weights = randomise(layer, seed)
    assert [w.shape for w in weights] == [
        (FEATURES, 4 * UNITS), (UNITS, 4 * UNITS), (4 * UNITS,),
        (4 * UNITS,), (4 * UNITS,), (UNITS,), (UNITS,),
    ]
    h0 = np.random.default_rng(seed + 10).uniform(-1, 1, (BATCH, UNITS)).astype("float32")
    c0 = np.random.default_rng(seed + 20).uniform(-2, 2, (BATCH, UNITS)).astype("float32")
    outputs, cells = layer_norm_lstm_forward(x, *weights, h0=h0, c0=c0)
    got_sequence, got_h, got_c = (np.asarray(a) for a in layer(x, initial_state=[h0, c0]))
    np.testing.assert_allclose(got_sequence, outputs, rtol=0, atol=1e-5)
    np.testing.assert_allclose(got_h, outputs[:, -1], rtol=0, atol=1e-5)
    np.testing.assert_allclose(got_c, cells[:, -1], rtol=0, atol=1e-5)


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_matches_the_reference_in_float64_without_bias_and_other_epsilon(seed):
    x = sequences(seed, "float64")
    cell = LayerNormLSTMCell(UNITS, use_bias=False, epsilon=0.1, dtype="float64")
    layer = keras.layers.RNN(cell, return_sequences=True, dtype="float64")
    layer(x)
    weights = randomise(layer, seed)
    assert len(weights) == 6
    expected, _ = layer_norm_lstm_forward(x, weights[0], weights[1], None, *weights[2:],
                                          epsilon=0.1)
    np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_reference_layer_norm_is_keras_layer_normalization(seed):
    a = np.random.default_rng(seed).standard_normal((6, 20)) * 3 + 1
    gamma, beta = np.random.default_rng(seed + 1).standard_normal((2, 20))
    keras_ln = keras.layers.LayerNormalization(epsilon=1e-3, dtype="float64")
    keras_ln.build(a.shape)
    keras_ln.set_weights([gamma, beta])
    np.testing.assert_allclose(layer_norm(a, gamma, beta), np.asarray(keras_ln(a)), atol=1e-12)


def test_the_gates_do_not_feel_the_scale_of_the_weights():
    """Multiplying W and U by 100 changes a plain LSTM's outputs but hardly this cell's: the
    normalisation removes the scale (up to epsilon)."""
    x = sequences(5)
    layer, plain = rnn(LayerNormLSTMCell(UNITS, epsilon=1e-6)), rnn(companion.LSTMCell(UNITS))
    layer(x), plain(x)
    weights = randomise(layer, 5)
    plain.set_weights(weights[:3])
    before, before_plain = np.asarray(layer(x)[0]), np.asarray(plain(x)[0])
    layer.set_weights([100 * weights[0], 100 * weights[1], *weights[2:]])
    plain.set_weights([100 * weights[0], 100 * weights[1], weights[2]])
    assert np.max(np.abs(np.asarray(layer(x)[0]) - before)) < 1e-4
    assert np.max(np.abs(np.asarray(plain(x)[0]) - before_plain)) > 0.1


def test_fresh_cell_has_unit_gains_and_forget_bias_one():
    layer = keras.layers.RNN(LayerNormLSTMCell(3))
    layer.build((None, None, 2))
    kernel, recurrent, bias, g_x, g_h, g_c, b_c = layer.get_weights()
    np.testing.assert_array_equal(bias, np.r_[np.zeros(3), np.ones(3), np.zeros(6)])
    for gain in (g_x, g_h, g_c):
        np.testing.assert_array_equal(gain, np.ones_like(gain))
    np.testing.assert_array_equal(b_c, np.zeros(3))
    assert layer.count_params() == 4 * (3 * (2 + 3) + 3) + 10 * 3


def test_gradients_match_finite_differences_in_float64():
    x = tf.constant(sequences(7, "float64"))
    layer = keras.layers.RNN(LayerNormLSTMCell(3, dtype="float64"), dtype="float64")
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
        base = variable.numpy()
        for _ in range(3):
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


def test_config_round_trip():
    cell = LayerNormLSTMCell(4, epsilon=1e-5, gamma_initializer="glorot_uniform",
                             beta_initializer="ones", unit_forget_bias=False,
                             recurrent_activation="hard_sigmoid", recurrent_dropout=0.1,
                             seed=3)
    clone = LayerNormLSTMCell.from_config(cell.get_config())
    assert clone.get_config() == cell.get_config()
    assert clone.epsilon == 1e-5
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(cell))
    assert type(restored) is LayerNormLSTMCell
    assert restored.get_config() == cell.get_config()


def test_saved_model_loads_in_safe_mode(tmp_path):
    inputs = keras.Input((TIME, FEATURES))
    hidden = keras.layers.RNN(LayerNormLSTMCell(UNITS, dropout=0.1, seed=1))(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(hidden))
    randomise(model, 2, scale=0.3)
    path = tmp_path / "layer_norm_lstm.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    x = sequences(2)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    assert isinstance(loaded.layers[1].cell, LayerNormLSTMCell)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_runs_in_rnn_with_masking():
    """Masked (padded) steps leave the state unchanged: a padded sequence ends in the state
    of its unpadded prefix."""
    x = sequences(4)
    lengths = [7, 4, 2, 5]
    padded = x.copy()
    for row, length in enumerate(lengths):
        padded[row, length:] = 0.0
    inputs = keras.Input((None, FEATURES))
    masked = keras.layers.Masking(mask_value=0.0)(inputs)
    model = keras.Model(inputs, keras.layers.RNN(LayerNormLSTMCell(UNITS), return_state=True)(masked))
    randomise(model, 4)
    weights = model.get_weights()
    h_last, _, c_last = (np.asarray(a) for a in model(padded))
    for row, length in enumerate(lengths):
        outputs, cells = layer_norm_lstm_forward(x[row:row + 1, :length], *weights)
        np.testing.assert_allclose(h_last[row], outputs[0, -1], atol=1e-5)
        np.testing.assert_allclose(c_last[row], cells[0, -1], atol=1e-5)


def test_dropout_acts_in_training_only():
    x = sequences(5)
    layer = keras.layers.RNN(LayerNormLSTMCell(UNITS, dropout=0.5, recurrent_dropout=0.5, seed=2))
    plain = keras.layers.RNN(LayerNormLSTMCell(UNITS))
    layer(x), plain(x)
    plain.set_weights(randomise(layer, 5))
    np.testing.assert_allclose(np.asarray(layer(x)), np.asarray(plain(x)), atol=1e-6)
    assert np.max(np.abs(np.asarray(layer(x, training=True)) - np.asarray(plain(x)))) > 1e-3


def test_is_exported_and_registered():
    assert companion.LayerNormLSTMCell is LayerNormLSTMCell
    assert "LayerNormLSTMCell" in companion.__all__
    assert keras.saving.get_registered_object("companion>LayerNormLSTMCell") is LayerNormLSTMCell


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="`epsilon`"):
        LayerNormLSTMCell(3, epsilon=0.0)
    with pytest.raises(ValueError, match="`epsilon`"):
        LayerNormLSTMCell(3, epsilon="small")
    with pytest.raises(ValueError, match="`gamma_initializer`"):
        LayerNormLSTMCell(3, gamma_initializer="no_such_initializer")
    with pytest.raises(ValueError, match="`beta_initializer`"):
        LayerNormLSTMCell(3, beta_initializer=12)
    with pytest.raises(ValueError, match="`units`"):
        LayerNormLSTMCell(2.5)
    with pytest.raises(ValueError, match="`unit_forget_bias`"):
        LayerNormLSTMCell(3, unit_forget_bias=1)
    with pytest.raises(ValueError, match="`recurrent_dropout`"):
        LayerNormLSTMCell(3, recurrent_dropout=1.0)
    with pytest.raises(ValueError, match="input_gamma"):
        layer_norm_lstm_forward(np.zeros((1, 2, 3)), np.zeros((3, 8)), np.zeros((2, 8)),
                                None, np.ones(4), np.ones(8), np.ones(2), np.zeros(2))
