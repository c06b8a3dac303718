"""The character language model: shapes, companion cell = built-in layer, scoring, sampling."""

import math

import keras
import numpy as np
import pytest
from companion.datasets import text
from companion.models import char_lm


@pytest.mark.parametrize("cell", char_lm.CELLS)
def test_companion_cell_model_matches_builtin_with_copied_weights(cell):
    keras.utils.set_random_seed(0)
    builtin = char_lm.char_language_model(11, units=6, embedding_dim=4, cell=cell)
    own = char_lm.char_language_model(11, units=6, embedding_dim=4, cell=cell, companion_cell=True)
    own.set_weights(builtin.get_weights())
    ids = np.random.default_rng(0).integers(0, 11, (3, 9)).astype("int32")
    logits = keras.ops.convert_to_numpy(builtin(ids))
    assert logits.shape == (3, 9, 11)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(own(ids)), logits, atol=1e-5)


def test_target_probabilities_are_the_softmax_at_the_targets():
    keras.utils.set_random_seed(1)
    model = char_lm.char_language_model(5, units=4, embedding_dim=3)
    ids = np.random.default_rng(1).integers(0, 5, 40).astype("int32")
    inputs, targets = text.evaluation_streams(ids, start=6, n_streams=3, warmup=5)
    probabilities = char_lm.target_probabilities(model, inputs, targets)
    assert probabilities.shape == (34,)
    full = char_lm.softmax_with_temperature(keras.ops.convert_to_numpy(model(inputs)), 1.0)
    rows, columns = np.nonzero(targets >= 0)
    assert np.allclose(probabilities, full[rows, columns, targets[rows, columns]])
    # reading order: the first scored id is ids[6], read after ids[:6] (5 warm-up + its predecessor)
    alone = char_lm.softmax_with_temperature(keras.ops.convert_to_numpy(model(ids[None, :6])), 1.0)
    assert probabilities[0] == pytest.approx(alone[0, -1, ids[6]], rel=1e-5)


def test_temperature_sharpens_and_flattens():
    logits = np.array([[2.0, 1.0, 0.0, -1.0]])
    entropies = [char_lm.entropy_bits(char_lm.softmax_with_temperature(logits, t))[0]
                 for t in (0.1, 0.5, 1.0, 2.0, 100.0)]
    assert np.all(np.diff(entropies) > 0)
    assert entropies[0] < 0.01 and entropies[-1] == pytest.approx(2.0, abs=1e-3)  # greedy .. uniform
    per_row = char_lm.softmax_with_temperature(np.repeat(logits, 2, axis=0), np.array([1.0, 2.0]))
    assert np.allclose(per_row[1], char_lm.softmax_with_temperature(logits / 2, 1.0)[0])


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), [1.0, 0.0]])
def test_temperature_must_be_positive_and_finite(bad):
    with pytest.raises(ValueError, match="`temperature`"):
        char_lm.softmax_with_temperature(np.zeros((2, 3)), bad)


def test_sample_next_is_seedable_and_follows_the_distribution():
    logits = np.log(np.array([[0.7, 0.2, 0.1, 0.0 + 1e-12]] * 20000))
    draws = char_lm.sample_next(logits, 1.0, np.random.default_rng(5))
    assert np.array_equal(draws, char_lm.sample_next(logits, 1.0, 5))  # a seed gives the same draws
    frequencies = np.bincount(draws, minlength=4) / len(draws)
    assert np.allclose(frequencies, [0.7, 0.2, 0.1, 0.0], atol=0.015)
    cold = char_lm.sample_next(logits[:500], 0.05, 0)
    assert np.all(cold == 0)  # near zero temperature: the most likely id


def test_generate_is_reproducible_and_uses_the_vocabulary():
    keras.utils.set_random_seed(2)
    vocabulary = text.CharVocabulary("abc ")
    model = char_lm.char_language_model(vocabulary.size, units=5, embedding_dim=3)
    samples = char_lm.generate(model, vocabulary, "ab", 12, [0.5, 1.0, 2.0], seed=3)
    assert [len(s) for s in samples] == [12, 12, 12]
    assert set("".join(samples)) <= set(vocabulary.chars + text.UNKNOWN_CHAR)
    assert samples == char_lm.generate(model, vocabulary, "ab", 12, [0.5, 1.0, 2.0], seed=3)
    with pytest.raises(ValueError, match="`temperature`"):
        char_lm.generate(model, vocabulary, "ab", 3, [0.0])
    with pytest.raises(ValueError, match="`prompt`"):
        char_lm.generate(model, vocabulary, "", 3, 1.0)


def test_step_model_carries_the_state_like_the_full_model():
    keras.utils.set_random_seed(3)
    for cell in char_lm.CELLS:
        model = char_lm.char_language_model(6, units=4, embedding_dim=3, cell=cell)
        stepper = char_lm.step_model(model)
        ids = np.array([[1, 2, 3, 4, 5]], dtype="int32")
        states = [np.zeros((1, 4), "float32")] * (len(stepper.inputs) - 1)
        _, *states = stepper([ids[:, :3], *states])
        states = [keras.ops.convert_to_numpy(state) for state in states]
        last, *_ = stepper([ids[:, 3:], *states])  # two calls, state carried across
        full = keras.ops.convert_to_numpy(model(ids))[:, -1]
        np.testing.assert_allclose(keras.ops.convert_to_numpy(last), full, atol=1e-5)


def test_training_lowers_the_loss_on_a_repetitive_text():
    keras.utils.set_random_seed(4)
    ids = np.tile(np.array([1, 2, 3, 1, 4], dtype="int32"), 200)
    model = char_lm.compile_language_model(char_lm.char_language_model(5, units=8, embedding_dim=4), 2e-2)
    history = char_lm.train_language_model(model, ids, 40, batch_size=16, length=10, seed=0,
                                           evaluate=lambda m: 0.0, evaluate_every=15)
    assert len(history["train_bits"]) == 40
    assert [step for step, _ in history["evaluations"]] == [0, 15, 30, 40]
    assert history["train_bits"][0] > math.log2(5) - 0.3  # starts near uniform
    assert np.mean(history["train_bits"][-10:]) < 0.7  # 1 of 5 positions is uncertain: ~0.4 bits
    with pytest.raises(ValueError, match="`steps`"):
        char_lm.train_language_model(model, ids, 0)


def test_probabilities_at_targets_checks_shapes():
    logits = np.zeros((2, 3, 4))
    assert np.allclose(char_lm.probabilities_at_targets(logits, np.array([[0, 1, -1], [3, -1, -1]])), 0.25)
    with pytest.raises(ValueError, match="`targets`"):
        char_lm.probabilities_at_targets(logits, np.zeros((2, 4), int))
