"""The companion cells compute what Keras' built-in layers compute, in every way a layer is used.

Float32 on CPU: outputs and states to 1e-5 absolute, gradients with respect to the inputs and
every weight to 1e-4 absolute, on random weights and several seeds.
"""

import keras
import numpy as np
import pytest
from cell_pairs import KINDS, assert_twins_agree, twin_models

UNITS, FEATURES, TIME, BATCH = 5, 3, 7, 4
SEEDS = [0, 1, 2]


def random_sequences(seed, batch=BATCH, time=TIME, features=FEATURES):
    return np.random.default_rng(seed).standard_normal((batch, time, features)).astype("float32")


def padded_sequences(seed):
    """Sequences of lengths 7, 5, 3, 1, zero-padded at the end (and one padded at the front)."""
    x = random_sequences(seed)
    for row, length in enumerate([7, 5, 3, 1]):
        x[row, length:] = 0.0
    x[0, :2] = 0.0  # pre-padding too: masking must skip steps anywhere
    return x


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", KINDS)
def test_sequences_and_states(kind, seed):
    def architecture(make_rnn):
        inputs = keras.Input((TIME, FEATURES))
        outputs = make_rnn(UNITS, return_sequences=True, return_state=True)(inputs)
        return keras.Model(inputs, outputs)

    builtin, custom = twin_models(kind, architecture, seed)
    assert_twins_agree(builtin, custom, random_sequences(seed), seed)


@pytest.mark.parametrize("kind", KINDS)
def test_go_backwards(kind):
    def architecture(make_rnn):
        inputs = keras.Input((TIME, FEATURES))
        outputs = make_rnn(UNITS, return_sequences=True, go_backwards=True)(inputs)
        return keras.Model(inputs, outputs)

    builtin, custom = twin_models(kind, architecture, seed=3)
    assert_twins_agree(builtin, custom, random_sequences(3), seed=3)


@pytest.mark.parametrize("kind", KINDS)
def test_masking_layer(kind):
    def architecture(make_rnn):
        inputs = keras.Input((TIME, FEATURES))
        masked = keras.layers.Masking(mask_value=0.0)(inputs)
        outputs = make_rnn(UNITS, return_sequences=True, return_state=True)(masked)
        return keras.Model(inputs, outputs)

    builtin, custom = twin_models(kind, architecture, seed=4)
    x = padded_sequences(4)
    assert_twins_agree(builtin, custom, x, seed=4)
    # the mask really acts: padded steps repeat the last state instead of moving on
    sequences = custom.predict(x, verbose=0)[0]
    np.testing.assert_allclose(sequences[3, 1:], np.repeat(sequences[3, :1], TIME - 1, axis=0))


@pytest.mark.parametrize("kind", KINDS)
def test_embedding_mask_zero(kind):
    def architecture(make_rnn):
        tokens = keras.Input((TIME,), dtype="int32")
        embedded = keras.layers.Embedding(11, FEATURES, mask_zero=True)(tokens)
        outputs = make_rnn(UNITS, return_state=True)(embedded)
        return keras.Model(tokens, outputs)

    builtin, custom = twin_models(kind, architecture, seed=5)
    rng = np.random.default_rng(5)
    tokens = rng.integers(1, 11, size=(BATCH, TIME)).astype("int32")
    for row, length in enumerate([7, 4, 2, 1]):
        tokens[row, length:] = 0
    assert_twins_agree(builtin, custom, tokens, seed=5, input_gradients=False)


@pytest.mark.parametrize("kind", KINDS)
def test_initial_state(kind):
    n_states = 2 if kind == "lstm" else 1

    def architecture(make_rnn):
        inputs = keras.Input((TIME, FEATURES))
        states = [keras.Input((UNITS,)) for _ in range(n_states)]
        outputs = make_rnn(UNITS, return_sequences=True, return_state=True)(
            inputs, initial_state=states
        )
        return keras.Model([inputs, *states], outputs)

    builtin, custom = twin_models(kind, architecture, seed=6)
    rng = np.random.default_rng(6)
    states = [rng.standard_normal((BATCH, UNITS)).astype("float32") for _ in range(n_states)]
    assert_twins_agree(builtin, custom, [random_sequences(6), *states], seed=6)


@pytest.mark.parametrize("kind", KINDS)
def test_stateful_and_reset_state(kind):
    def architecture(make_rnn):
        inputs = keras.Input(batch_shape=(BATCH, TIME, FEATURES))
        outputs = make_rnn(UNITS, return_sequences=True, stateful=True)(inputs)
        return keras.Model(inputs, outputs)

    builtin, custom = twin_models(kind, architecture, seed=7)
    first, second = random_sequences(70), random_sequences(71)
    runs = {}
    for name, model in [("builtin", builtin), ("custom", custom)]:
        rnn = model.layers[-1]
        out_first = keras.ops.convert_to_numpy(model(first))
        out_second = keras.ops.convert_to_numpy(model(second))  # continues from the state the first chunk left
        rnn.reset_state()
        out_again = keras.ops.convert_to_numpy(model(first))
        runs[name] = (out_first, out_second, out_again)
    for b, c in zip(runs["builtin"], runs["custom"]):
        np.testing.assert_allclose(c, b, atol=1e-5)
    out_first, out_second, out_again = runs["custom"]
    np.testing.assert_allclose(out_again, out_first, atol=1e-6)  # reset really resets
    # and carrying the state over mattered: from zeros, the second chunk gives other outputs
    fresh = twin_models(kind, architecture, seed=7)[1]
    assert not np.allclose(keras.ops.convert_to_numpy(fresh(second)), out_second, atol=1e-4)


@pytest.mark.parametrize("kind", KINDS)
def test_bidirectional(kind):
    def architecture(make_rnn):
        inputs = keras.Input((TIME, FEATURES))
        outputs = keras.layers.Bidirectional(make_rnn(UNITS, return_sequences=True))(inputs)
        return keras.Model(inputs, outputs)

    builtin, custom = twin_models(kind, architecture, seed=8)
    assert_twins_agree(builtin, custom, random_sequences(8), seed=8)


@pytest.mark.parametrize("kind", KINDS)
def test_stacked_layers(kind):
    def architecture(make_rnn):
        inputs = keras.Input((TIME, FEATURES))
        hidden = make_rnn(UNITS, return_sequences=True)(inputs)
        hidden = make_rnn(UNITS + 1, return_sequences=True)(hidden)
        outputs = make_rnn(UNITS - 1)(hidden)
        return keras.Model(inputs, outputs)

    builtin, custom = twin_models(kind, architecture, seed=9, weight_scale=0.4)
    assert_twins_agree(builtin, custom, random_sequences(9), seed=9)


@pytest.mark.parametrize("kind", KINDS)
def test_stacked_cells_in_one_rnn(kind):
    """``keras.layers.RNN([cell, cell])`` (StackedRNNCells) against built-in cells."""
    cell_class, _, kind_kwargs = KINDS[kind]
    builtin_cell = {"simple_rnn": keras.layers.SimpleRNNCell, "lstm": keras.layers.LSTMCell}.get(
        kind, keras.layers.GRUCell
    )
    x = random_sequences(10)
    builtin = keras.layers.RNN([builtin_cell(UNITS, **kind_kwargs), builtin_cell(3, **kind_kwargs)])
    custom = keras.layers.RNN([cell_class(UNITS, **kind_kwargs), cell_class(3, **kind_kwargs)])
    builtin(x), custom(x)
    custom.set_weights(builtin.get_weights())
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(custom(x)), keras.ops.convert_to_numpy(builtin(x)), atol=1e-5
    )


@pytest.mark.parametrize("kind", KINDS)
def test_without_bias(kind):
    def architecture(make_rnn):
        inputs = keras.Input((TIME, FEATURES))
        outputs = make_rnn(UNITS, use_bias=False, return_sequences=True)(inputs)
        return keras.Model(inputs, outputs)

    builtin, custom = twin_models(kind, architecture, seed=11)
    assert len(custom.get_weights()) == 2
    assert_twins_agree(builtin, custom, random_sequences(11), seed=11)


@pytest.mark.parametrize("kind", KINDS)
def test_default_initialisation_like_keras(kind):
    """Orthogonal recurrent kernel, zero biases, and LSTM's forget-gate block set to 1."""
    cell_class, layer_class, kind_kwargs = KINDS[kind]
    x = random_sequences(12)
    builtin = layer_class(UNITS, **kind_kwargs)
    custom = keras.layers.RNN(cell_class(UNITS, **kind_kwargs))
    builtin(x), custom(x)
    for b, c in zip(builtin.get_weights(), custom.get_weights()):
        assert c.shape == b.shape
    kernel, recurrent_kernel, bias = custom.get_weights()
    # orthogonal: the rows of the (units, n * units) recurrent kernel are orthonormal
    np.testing.assert_allclose(recurrent_kernel @ recurrent_kernel.T, np.eye(UNITS), atol=1e-5)
    limit = np.sqrt(6 / (FEATURES + kernel.shape[1]))  # glorot_uniform
    assert np.all(np.abs(kernel) <= limit) and np.std(kernel) > limit / 4
    if kind == "lstm":
        np.testing.assert_array_equal(bias[UNITS : 2 * UNITS], 1.0)
        np.testing.assert_array_equal(np.delete(bias, np.s_[UNITS : 2 * UNITS]), 0.0)
        np.testing.assert_array_equal(bias, builtin.get_weights()[2])
    else:
        np.testing.assert_array_equal(bias, 0.0)
