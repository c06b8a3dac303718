"""The companion against Keras' own layers, on whichever Keras backend runs it.

Under TensorFlow this module runs with the rest of the suite; tests/test_backends.py runs it
again under JAX and PyTorch, each in a fresh process (Keras chooses its backend at import).
Outputs must agree to 1e-5 and gradients, each taken by the backend's own differentiation
(TensorFlow's tape, JAX's grad, PyTorch's autograd), to 1e-4.

Where Keras itself differs between backends, the test says so: on JAX, Keras' fused
multi-head attention path requires values as wide as keys.
"""

import os

import keras
import numpy as np
import pytest
from cell_pairs import KINDS, assert_twins_agree, twin_models, weight_gradients

import companion
from companion.cells.lstm_variants import CIFGLSTMCell, PeepholeLSTMCell
from companion.reference.differences import max_abs_difference

BACKEND = keras.backend.backend()
BATCH, TIME, FEATURES, UNITS = 3, 7, 4, 5
OUTPUT_TOLERANCE, GRADIENT_TOLERANCE = 1e-5, 1e-4
# set by tests/test_backends.py: a .keras model saved under TensorFlow, and its predictions
CROSS_BACKEND_MODEL = os.environ.get("COMPANION_CROSS_BACKEND_MODEL")


def sequences(seed, batch=BATCH, time=TIME, features=FEATURES):
    return np.random.default_rng(seed).standard_normal((batch, time, features)).astype("float32")


def numpy(x):
    return keras.ops.convert_to_numpy(x)


@pytest.mark.parametrize("kind", KINDS)
def test_cells_match_keras_outputs_states_and_gradients(kind):
    def architecture(make_rnn):
        inputs = keras.Input((TIME, FEATURES))
        outputs = make_rnn(UNITS, return_sequences=True, return_state=True)(inputs)
        return keras.Model(inputs, outputs)

    builtin, custom = twin_models(kind, architecture, seed=1)
    out_diff, grad_diff = assert_twins_agree(builtin, custom, sequences(1), seed=1,
                                             atol=OUTPUT_TOLERANCE, gtol=GRADIENT_TOLERANCE)
    print(f"{BACKEND} {kind}: outputs {out_diff:.1e}, gradients {grad_diff:.1e}")


def _lstm_layers(cell):
    ours = keras.layers.RNN(cell, return_sequences=True)
    theirs = keras.layers.LSTM(UNITS, return_sequences=True)
    x = sequences(2)
    ours(x), theirs(x)
    return ours, theirs, x


def test_peephole_cell_without_peepholes_is_keras_lstm():
    ours, theirs, x = _lstm_layers(PeepholeLSTMCell(UNITS))
    rng = np.random.default_rng(2)
    weights = [(0.6 * rng.standard_normal(w.shape)).astype("float32")
               for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours.set_weights(weights + [np.zeros(UNITS, "float32")] * 3)
    assert max_abs_difference(ours(x), theirs(x)) < OUTPUT_TOLERANCE


def test_layer_norm_lstm_cell_matches_its_numpy_reference():
    # Keras has no layer-normalised LSTM: the NumPy reference of companion.reference is the
    # yardstick on every backend
    from companion.reference.layer_norm_lstm import layer_norm_lstm_forward

    layer = keras.layers.RNN(companion.LayerNormLSTMCell(UNITS), return_sequences=True)
    x = sequences(16)
    layer(x)
    rng = np.random.default_rng(16)
    weights = [(0.6 * rng.standard_normal(w.shape) + (1.0 if "gamma" in w.path else 0.0))
               .astype("float32") for w in layer.weights]
    layer.set_weights(weights)
    expected = layer_norm_lstm_forward(x.astype(np.float64), *[w.astype(np.float64)
                                                               for w in weights])
    expected = expected[0] if isinstance(expected, tuple) else expected
    assert max_abs_difference(layer(x), expected) < 1e-5


def test_cifg_cell_is_keras_lstm_with_the_forget_block_negated():
    # f = 1 - sigmoid(a_i) = sigmoid(-a_i): an LSTM whose forget block is minus its input block
    ours, theirs, x = _lstm_layers(CIFGLSTMCell(UNITS))
    rng = np.random.default_rng(3)
    weights = [(0.6 * rng.standard_normal(w.shape)).astype("float32") for w in ours.get_weights()]
    ours.set_weights(weights)

    def lstm_blocks(w):  # i, c, o  ->  i, f = -i, c, o
        i, c, o = np.split(w, 3, axis=-1)
        return np.concatenate([i, -i, c, o], axis=-1)

    theirs.set_weights([lstm_blocks(w) for w in weights])
    assert max_abs_difference(ours(x), theirs(x)) < OUTPUT_TOLERANCE


def _same_gradients(ours, theirs, *args, **kwargs):
    for g_ours, g_theirs in zip(weight_gradients(ours, *args, **kwargs),
                                weight_gradients(theirs, *args, **kwargs), strict=True):
        # relative to the gradient's scale (here up to ~50, from an unnormalised loss)
        scale = max(1.0, float(np.abs(g_theirs).max()))
        assert max_abs_difference(g_ours, g_theirs) < GRADIENT_TOLERANCE * scale


def test_luong_attention_matches_keras_attention():
    query, value = sequences(4, time=5, features=6), sequences(5, time=7, features=6)
    ours, theirs = companion.LuongAttention(), keras.layers.Attention()
    assert max_abs_difference(ours(query, value), theirs([query, value])) < OUTPUT_TOLERANCE


def test_bahdanau_attention_matches_keras_additive_attention_on_projected_inputs():
    query, value = sequences(6, time=5, features=4), sequences(7, time=7, features=6)
    ours = companion.BahdanauAttention(8)
    ours(query, value)
    w_query, w_key, v = (numpy(w) for w in ours.get_weights())
    theirs = keras.layers.AdditiveAttention()
    theirs([query @ w_query, value, value @ w_key])  # builds its scale, then set to v
    theirs.set_weights([v])
    expected = theirs([query @ w_query, value, value @ w_key])
    assert max_abs_difference(ours(query, value), expected) < OUTPUT_TOLERANCE


@pytest.mark.parametrize("use_causal_mask", [False, True])
def test_multi_head_attention_matches_keras_outputs_and_gradients(use_causal_mask):
    query = sequences(8, time=6, features=10)
    value = sequences(9, time=6, features=7)
    # JAX: Keras' fused path needs value_dim == key_dim, so both are 5 here
    theirs = keras.layers.MultiHeadAttention(num_heads=3, key_dim=5, value_dim=5)
    ours = companion.MultiHeadAttention(num_heads=3, key_dim=5, value_dim=5)
    theirs(query, value), ours(query, value)
    rng = np.random.default_rng(8)
    weights = [(0.5 * rng.standard_normal(w.shape)).astype("float32")
               for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    expected = theirs(query, value, use_causal_mask=use_causal_mask)
    output = ours(query, value, use_causal_mask=use_causal_mask)
    assert max_abs_difference(output, expected) < OUTPUT_TOLERANCE
    _same_gradients(ours, theirs, query, value, use_causal_mask=use_causal_mask)


def test_transformer_blocks_respect_padding_and_causality_with_finite_gradients():
    x = sequences(10, batch=2, time=6, features=8)
    mask = np.array([[True] * 4 + [False] * 2, [True] * 6])
    encoder = companion.TransformerEncoderBlock(2, 4, 16)
    output = numpy(encoder(x, mask=mask))
    changed = x.copy()
    changed[0, 4:] = 100.0  # whatever sits at padded positions changes nothing real
    assert max_abs_difference(numpy(encoder(changed, mask=mask))[0, :4], output[0, :4]) < 1e-5
    decoder = companion.TransformerDecoderBlock(2, 4, 16)
    y = sequences(11, batch=2, time=5, features=8)
    before = numpy(decoder(y, x))
    future = y.copy()
    future[:, 3:] = 0.0  # positions 0..2 must not see the future
    after = numpy(decoder(future, x))
    assert max_abs_difference(after[:, :3], before[:, :3]) < 1e-5
    assert max_abs_difference(after[:, 3:], before[:, 3:]) > 1e-3
    assert all(np.all(np.isfinite(g)) for g in weight_gradients(encoder, x, mask=mask))


@pytest.mark.parametrize("layer_class", [companion.MinGRU, companion.MinLSTM])
def test_min_rnn_parallel_scan_equals_sequential_form(layer_class):
    layer = layer_class(6, return_sequences=True)
    x = sequences(12, time=33, features=4) * 2
    parallel = numpy(layer(x, mode="parallel"))
    sequential = numpy(layer(x, mode="sequential"))
    assert max_abs_difference(parallel, sequential) < OUTPUT_TOLERANCE
    for p, s in zip(weight_gradients(layer, x, mode="parallel"),
                    weight_gradients(layer, x, mode="sequential"), strict=True):
        assert max_abs_difference(p, s) < GRADIENT_TOLERANCE * max(1.0, np.abs(s).max())


def test_fit_with_dropout_and_recurrent_dropout_trains_and_infers_deterministically():
    keras.utils.set_random_seed(0)
    x = sequences(13, batch=64, time=10, features=3)
    y = x[:, :, 0].sum(axis=1, keepdims=True)  # needs every step
    model = keras.Sequential([
        keras.Input((10, 3)),
        keras.layers.RNN(companion.LSTMCell(16, dropout=0.2, recurrent_dropout=0.2)),
        keras.layers.Dense(1),
    ])
    model.compile(keras.optimizers.Adam(1e-2), "mse")
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert np.all(np.isfinite(losses)) and losses[-1] < 0.5 * losses[0]
    # dropout acts in training only: inference twice gives the same predictions
    assert max_abs_difference(model.predict(x, verbose=0), model.predict(x, verbose=0)) == 0.0
    training = [numpy(model(x, training=True)) for _ in range(2)]
    assert max_abs_difference(*training) > 1e-4  # fresh masks in training mode


def test_masking_makes_padding_invisible():
    ids = np.array([[3, 5, 2, 0, 0], [1, 2, 3, 4, 5]], dtype="int32")
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((None,), dtype="int32"),
                              keras.layers.Embedding(8, 4, mask_zero=True),
                              keras.layers.RNN(companion.GRUCell(6))])
    padded = numpy(model(ids))
    unpadded = numpy(model(ids[:1, :3]))
    assert max_abs_difference(padded[:1], unpadded) < 1e-6


def _saved_model():
    keras.utils.set_random_seed(2)
    inputs = keras.Input((TIME, FEATURES))
    h = keras.layers.RNN(companion.LSTMCell(6), return_sequences=True)(inputs)
    h = companion.MultiHeadAttention(2, 3)(h, h)
    h = companion.MinGRU(5)(h)
    outputs = keras.layers.Dense(1)(keras.layers.RNN(companion.GRUCell(4))(
        keras.layers.Reshape((5, 1))(h)))
    return keras.Model(inputs, outputs)


def test_keras_file_save_and_reload(tmp_path):
    model = _saved_model()
    x = sequences(14)
    path = tmp_path / "companion.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    assert max_abs_difference(restored.predict(x, verbose=0), model.predict(x, verbose=0)) < 1e-6


def test_a_model_saved_under_another_backend_loads_and_predicts_the_same():
    """tests/test_backends.py saves a model under TensorFlow and sets the variable below."""
    if CROSS_BACKEND_MODEL is None:
        # run under TensorFlow with the rest of the suite: write the model that the other
        # backends load (and check that it loads here too)
        import tempfile

        folder = tempfile.mkdtemp()
        path = write_cross_backend_model(folder)
    else:
        path = CROSS_BACKEND_MODEL
    stored = np.load(path + ".npz")
    restored = keras.models.load_model(path)
    assert max_abs_difference(restored.predict(stored["x"], verbose=0),
                              stored["predictions"]) < 1e-5


def write_cross_backend_model(folder):
    """Save ``_saved_model()`` as a .keras file in ``folder``, and beside it (``.npz``) an input
    and the predictions of the backend that saved it; returns the .keras path."""
    model = _saved_model()
    x = sequences(15)
    path = os.path.join(folder, "cross_backend.keras")
    model.save(path)
    np.savez(path + ".npz", x=x, predictions=model.predict(x, verbose=0),
             backend=np.array(BACKEND))
    return path
