"""The tied embedding of companion.models.tied_embedding: one table read at both ends, the
parameters it saves, its gradient, and a saved model that loads."""

import keras
import numpy as np
import pytest
from companion.models.tied_embedding import (
    TiedEmbedding,
    parameters_saved,
    word_language_model,
)


def test_lookup_and_scores_use_the_same_table():
    layer = TiedEmbedding(11, 4)
    ids = np.array([[1, 2, 10]])
    vectors = keras.ops.convert_to_numpy(layer(ids))
    table = keras.ops.convert_to_numpy(layer.embeddings)
    np.testing.assert_array_equal(vectors[0], table[[1, 2, 10]])
    layer.bias.assign(np.arange(11, dtype="float32"))
    hidden = np.random.default_rng(0).standard_normal((2, 3, 4)).astype("float32")
    logits = keras.ops.convert_to_numpy(layer(hidden, reverse=True))
    np.testing.assert_allclose(logits, hidden @ table.T + np.arange(11), rtol=1e-5, atol=1e-6)
    assert len(layer.weights) == 2  # the table and the bias: nothing else


@pytest.mark.parametrize("units", [8, 12])
def test_tying_saves_v_times_d_less_the_projection(units):
    vocab, width = 50, 8
    untied = word_language_model(vocab, width, units, tied=False)
    tied = word_language_model(vocab, width, units, tied=True)
    assert untied.count_params() - tied.count_params() == parameters_saved(vocab, width, units)
    assert tied(np.ones((2, 5), dtype="int32")).shape == (2, 5, vocab)


def test_the_output_gradient_reaches_every_row_of_the_tied_table():
    import tensorflow as tf

    vocab = 20
    for tied in (True, False):
        model = word_language_model(vocab, 6, 6, tied=tied)
        ids = np.array([[1, 2, 3]], dtype="int32")  # reads only rows 1, 2, 3
        with tf.GradientTape() as tape:
            loss = keras.losses.sparse_categorical_crossentropy(
                np.array([[2, 3, 4]]), model(ids), from_logits=True)
        table = model.get_layer("tied_embedding" if tied else "embedding").embeddings
        gradient = tf.convert_to_tensor(tape.gradient(loss, table)).numpy()
        rows_with_gradient = int(np.sum(np.abs(gradient).sum(axis=1) > 0))
        # tied: every word's row is scored by the softmax; untied: only the rows read
        assert rows_with_gradient == (vocab if tied else 3)


def test_saved_tied_model_loads_and_computes_the_same(tmp_path):
    model = word_language_model(30, 8, 8, tied=True)
    ids = np.random.default_rng(1).integers(0, 30, size=(2, 7)).astype("int32")
    path = tmp_path / "tied.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded(ids), model(ids), rtol=1e-6, atol=1e-6)


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="input_dim"):
        TiedEmbedding(0, 4)
    with pytest.raises(ValueError, match="cell"):
        word_language_model(10, cell="tanh")
