"""The declared tied-embeddings experiment: its variants, their sizes, its masked loss."""

import keras
import numpy as np
import pytest
from companion.experiments.declared import tied_embeddings as declared


def test_the_wide_tied_model_has_about_the_untied_models_parameters():
    experiment = declared.TiedEmbeddings()
    counts = {(v["output"], v["width"]): experiment.build_model(v).count_params()
              for v in experiment.variants()}
    untied, tied, wide = counts[("untied", 64)], counts[("tied", 64)], counts[("tied", 104)]
    assert tied < 0.6 * untied
    assert abs(wide - untied) / untied < 0.02


def test_masked_cross_entropy_ignores_padding():
    class Uniform:
        def predict_on_batch(self, inputs):
            return np.zeros((*inputs.shape, 8), dtype="float32")

    inputs = np.ones((3, 5), dtype="int32")
    targets = np.array([[1, 2, 0, 0, 0], [3, 0, 0, 0, 0], [4, 5, 6, 0, 0]])
    loss = declared.masked_cross_entropy(Uniform(), inputs, targets, batch_size=2)
    assert loss == pytest.approx(np.log(8), rel=1e-6)
    assert declared.perplexity(np.log(8)) == pytest.approx(8)


def test_keras_loss_with_ignore_class_agrees_with_the_masked_mean():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((2, 4, 6)).astype("float32")
    targets = np.array([[1, 2, 0, 0], [3, 4, 5, 0]])
    keras_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)
    per_token = keras.ops.convert_to_numpy(keras.losses.sparse_categorical_crossentropy(
        targets, logits, from_logits=True))
    assert float(keras_loss(targets, logits)) == pytest.approx(
        per_token[targets != 0].mean(), rel=1e-5)
