"""The recurrent encoder-decoder: shapes, masking, causality, companion cells = built-in layers."""

import keras
import numpy as np
import pytest
from companion.datasets.dates import CharVocabulary, teacher_forcing_arrays
from companion.models import seq2seq

SOURCE_VOCAB, TARGET_VOCAB = 11, 7


def _inputs(seed=0, batch=4, source_length=6, target_length=5):
    rng = np.random.default_rng(seed)
    source = rng.integers(3, SOURCE_VOCAB, size=(batch, source_length)).astype("int32")
    decoder_input = rng.integers(3, TARGET_VOCAB, size=(batch, target_length)).astype("int32")
    decoder_input[:, 0] = 1
    return source, decoder_input


def _logits(model, source, decoder_input):
    return keras.ops.convert_to_numpy(model([source, decoder_input], training=False))


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_companion_cells_match_the_built_in_layers_with_copied_weights(cell):
    keras.utils.set_random_seed(0)
    built_in = seq2seq.build_encoder_decoder(SOURCE_VOCAB, TARGET_VOCAB, 8, cell=cell, embedding_dim=4)
    mine = seq2seq.build_encoder_decoder(SOURCE_VOCAB, TARGET_VOCAB, 8, cell=cell, embedding_dim=4,
                                         companion_cells=True)
    assert [w.shape for w in mine.get_weights()] == [w.shape for w in built_in.get_weights()]
    mine.set_weights(built_in.get_weights())
    source, decoder_input = _inputs()
    source[1, 3:] = 0  # a padded source
    expected = _logits(built_in, source, decoder_input)
    assert expected.shape == (4, 5, TARGET_VOCAB)
    np.testing.assert_allclose(_logits(mine, source, decoder_input), expected, atol=1e-5)


@pytest.mark.parametrize("companion_cells", [False, True])
def test_source_padding_is_masked(companion_cells):
    keras.utils.set_random_seed(1)
    model = seq2seq.build_encoder_decoder(SOURCE_VOCAB, TARGET_VOCAB, 8, companion_cells=companion_cells)
    source, decoder_input = _inputs()
    padded = np.concatenate([source, np.zeros((4, 5), dtype="int32")], axis=1)
    np.testing.assert_allclose(_logits(model, padded, decoder_input),
                               _logits(model, source, decoder_input), atol=1e-5)
    changed = source.copy()
    changed[:, -1] = 3 + (changed[:, -1] - 2) % (SOURCE_VOCAB - 3)  # the last real character
    assert np.abs(_logits(model, changed, decoder_input) - _logits(model, source, decoder_input)).max() > 1e-4


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_the_decoder_is_causal(cell):
    keras.utils.set_random_seed(2)
    model = seq2seq.build_encoder_decoder(SOURCE_VOCAB, TARGET_VOCAB, 8, cell=cell)
    source, decoder_input = _inputs()
    later = decoder_input.copy()
    later[:, 3:] = 3 + (later[:, 3:] - 2) % (TARGET_VOCAB - 3)
    before, after = _logits(model, source, decoder_input), _logits(model, source, later)
    np.testing.assert_allclose(after[:, :3], before[:, :3], atol=1e-6)  # positions < 3 cannot see it
    assert np.abs(after[:, 3:] - before[:, 3:]).max() > 1e-4


def test_layer_names_are_stable():
    model = seq2seq.build_encoder_decoder(SOURCE_VOCAB, TARGET_VOCAB, 4)
    assert sorted(layer.name for layer in model.layers if layer.weights) == sorted(seq2seq.LAYER_NAMES)
    assert all(model.get_layer(name) is not None for name in seq2seq.LAYER_NAMES)
    assert [i.name for i in model.inputs] == ["source_ids", "decoder_input_ids"]


def test_training_with_teacher_forcing_lowers_the_loss_on_a_reversal_task():
    rng = np.random.default_rng(0)
    words = ["".join(rng.choice(list("abcd"), size=rng.integers(2, 5))) for _ in range(128)]
    vocabulary = CharVocabulary.from_texts(words)
    x, y = teacher_forcing_arrays(vocabulary, vocabulary, words, [w[::-1] for w in words])
    keras.utils.set_random_seed(0)
    model = seq2seq.compile_encoder_decoder(
        seq2seq.build_encoder_decoder(vocabulary.size, vocabulary.size, 16, embedding_dim=8))
    loss = lambda: float(seq2seq.sequence_loss()(y, model(list(x), training=False)))  # eager: no second trace
    first = loss()
    model.fit(x, y, batch_size=32, epochs=2, verbose=0)
    assert loss() < 0.8 * first


def test_the_loss_ignores_padded_targets():
    loss = seq2seq.sequence_loss()
    logits = np.random.default_rng(0).normal(size=(1, 3, 5)).astype("float32")
    real = float(loss(np.array([[3, 4, 0]]), logits))
    only_two = float(loss(np.array([[3, 4]]), logits[:, :2]))
    np.testing.assert_allclose(real, only_two, rtol=1e-5)


@pytest.mark.parametrize("kwargs, name", [
    (dict(units=0), "`units`"), (dict(cell="rnn"), "`cell`"), (dict(source_vocab_size=3), "`source_vocab_size`"),
    (dict(target_vocab_size=2.0), "`target_vocab_size`"), (dict(embedding_dim=-1), "`embedding_dim`"),
    (dict(companion_cells=1), "`companion_cells`"),
])
def test_bad_arguments_raise(kwargs, name):
    arguments = dict(source_vocab_size=SOURCE_VOCAB, target_vocab_size=TARGET_VOCAB, units=4) | kwargs
    with pytest.raises(ValueError, match=name):
        seq2seq.build_encoder_decoder(**arguments)
