"""Dropout in the companion cells follows Keras' semantics.

One mask per sequence (drawn once per call of the RNN layer, reused at every time step), a new
mask on the next call, separate masks per gate when ``recurrent_dropout > 0``, inverted scaling
by ``1 / (1 - rate)``, and nothing dropped at inference.
"""

import companion
import keras
import numpy as np
import pytest
from cell_pairs import KINDS, rnn_factory

RATE = 0.4
UNITS, TIME, BATCH = 64, 6, 8


def identity_rnn(dropout=0.0, recurrent_dropout=0.0, seed=1):
    """A linear SimpleRNN whose output shows its masks: h_t = (x_t * m) I + (h_{t-1} * m') U."""
    rnn = keras.layers.RNN(
        companion.SimpleRNNCell(
            UNITS,
            activation=None,
            use_bias=False,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
        ),
        return_sequences=True,
    )
    rnn.build((None, TIME, UNITS))
    return rnn


def test_input_mask_is_one_per_sequence_and_scaled():
    rnn = identity_rnn(dropout=RATE)
    rnn.set_weights([np.eye(UNITS, dtype="float32"), np.zeros((UNITS, UNITS), "float32")])
    ones = np.ones((BATCH, TIME, UNITS), "float32")
    out = keras.ops.convert_to_numpy(rnn(ones, training=True))  # h_t = m: the mask itself
    np.testing.assert_array_equal(out, np.repeat(out[:, :1], TIME, axis=1))  # same at every step
    np.testing.assert_allclose(np.unique(out), [0.0, 1 / (1 - RATE)], rtol=1e-6)
    dropped = np.mean(out[:, 0] == 0)
    assert abs(dropped - RATE) < 0.1, dropped
    assert not np.array_equal(out[0, 0], out[1, 0])  # each sequence of the batch has its own
    again = keras.ops.convert_to_numpy(rnn(ones, training=True))
    assert not np.array_equal(again, out)  # and the next call draws a new mask


def test_recurrent_mask_is_one_per_sequence():
    rnn = identity_rnn(recurrent_dropout=RATE)
    rnn.set_weights([np.zeros((UNITS, UNITS), "float32"), np.eye(UNITS, dtype="float32")])
    zeros = np.zeros((BATCH, TIME, UNITS), "float32")
    h0 = np.ones((BATCH, UNITS), "float32")
    # h_t = (h_{t-1} * m') I: a unit dropped once stays at zero, a kept one grows by 1/(1-rate)
    out = keras.ops.convert_to_numpy(rnn(zeros, initial_state=[h0], training=True))
    kept = out[:, 0] != 0
    for t in range(TIME):
        np.testing.assert_array_equal(out[:, t] != 0, kept)
        np.testing.assert_allclose(out[:, t][kept], (1 / (1 - RATE)) ** (t + 1), rtol=1e-5)
    assert abs(np.mean(~kept) - RATE) < 0.1


@pytest.mark.parametrize("kind", ["lstm", "gru_reset_after", "gru_reset_before"])
def test_separate_masks_per_gate_with_recurrent_dropout(kind):
    cell_class, _, kind_kwargs = KINDS[kind]
    n_gates = 4 if kind == "lstm" else 3
    x, h = np.ones((BATCH, 5), "float32"), np.ones((BATCH, UNITS), "float32")

    with_recurrent = cell_class(UNITS, dropout=RATE, recurrent_dropout=RATE, seed=2, **kind_kwargs)
    input_masks = with_recurrent.get_dropout_mask(x)
    recurrent_masks = with_recurrent.get_recurrent_dropout_mask(h)
    assert len(input_masks) == len(recurrent_masks) == n_gates
    for masks in (input_masks, recurrent_masks):
        masks = [keras.ops.convert_to_numpy(m) for m in masks]
        assert all(not np.array_equal(masks[0], m) for m in masks[1:])

    input_only = cell_class(UNITS, dropout=RATE, seed=2, **kind_kwargs)
    assert keras.ops.convert_to_numpy(input_only.get_dropout_mask(x)).shape == x.shape  # one


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_dropped_at_inference(kind):
    x = np.random.default_rng(0).standard_normal((BATCH, TIME, 3)).astype("float32")
    make = rnn_factory(kind, use_companion=True)
    plain, with_dropout = make(UNITS), make(UNITS, dropout=RATE, recurrent_dropout=RATE, seed=3)
    plain(x), with_dropout(x)
    with_dropout.set_weights(plain.get_weights())
    expected = keras.ops.convert_to_numpy(plain(x))
    model = keras.Sequential([keras.Input((TIME, 3)), with_dropout])
    for result in (with_dropout(x), with_dropout(x, training=False), model.predict(x, verbose=0)):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(result), expected, atol=1e-6)
    # whereas training mode does drop
    assert not np.allclose(keras.ops.convert_to_numpy(with_dropout(x, training=True)), expected)


@pytest.mark.parametrize("kind", KINDS)
def test_trains_with_dropout_inside_fit(kind):
    """The masks work inside a compiled training step (graph mode), across batches of any size."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((20, TIME, 3)).astype("float32")
    y = x.sum(axis=(1, 2))[:, None]
    make = rnn_factory(kind, use_companion=True)
    model = keras.Sequential(
        [keras.Input((TIME, 3)), make(8, dropout=0.2, recurrent_dropout=0.2, seed=5), keras.layers.Dense(1)]
    )
    model.compile("adam", "mse")
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)  # last batch has 4 rows
    assert np.all(np.isfinite(history.history["loss"]))
