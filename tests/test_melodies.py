"""Generated melodies: the order-2 rule, the n-gram baselines and the NumPy LSTM sampler."""

import keras
import numpy as np
import pytest
from companion.datasets import melodies


def test_transition_probabilities_are_distributions_that_follow_the_rule():
    P = melodies.transition_probabilities()
    assert P.shape == (8, 8, 8)
    np.testing.assert_allclose(P.sum(axis=2), 1.0, atol=1e-12)
    assert P.min() > 0  # every note stays possible
    assert P[2, 3].argmax() == 4 and P[4, 3].argmax() == 2  # a step keeps its direction
    assert P[0, 5].argmax() == 4 and P[7, 2].argmax() == 3  # after a leap, a step back
    assert P[6, 7].argmax() == 6  # a step that would leave the scale turns back
    # the order matters: the same last note, a different best next note
    assert P[2, 3].argmax() != P[4, 3].argmax()


def test_melodies_are_seeded_and_follow_the_probabilities():
    a = melodies.generate_melodies(300, 40, seed=0)
    assert a.shape == (300, 40) and a.min() >= 0 and a.max() <= 7
    assert np.array_equal(a, melodies.generate_melodies(300, 40, seed=0))
    estimated = melodies.ngram_probabilities(a, 2, smoothing=0.0)
    P = melodies.transition_probabilities()
    counts = np.zeros((8, 8))
    for t in range(2, 40):
        np.add.at(counts, (a[:, t - 2], a[:, t - 1]), 1)
    frequent = counts > 400
    assert frequent.sum() >= 5
    assert np.abs(estimated[frequent] - P[frequent]).max() < 0.08


def test_true_model_beats_lower_orders_and_scores_are_consistent():
    train = melodies.generate_melodies(300, 32, seed=1)
    test = melodies.generate_melodies(200, 32, seed=2)
    ceiling, ceiling_bits = melodies.next_note_scores(melodies.transition_probabilities(), test, 2)
    unigram = melodies.next_note_scores(melodies.ngram_probabilities(train, 0), test, 0)
    bigram = melodies.next_note_scores(melodies.ngram_probabilities(train, 1), test, 1)
    assert unigram[0] < bigram[0] < ceiling and ceiling_bits < bigram[1] < unigram[1] <= 3.0
    uniform = np.full(8, 1 / 8)
    assert melodies.next_note_scores(uniform, test, 0)[1] == pytest.approx(3.0)
    with pytest.raises(ValueError, match="`start`"):
        melodies.next_note_scores(melodies.transition_probabilities(), test, 2, start=1)


def test_step_statistics():
    stats = melodies.step_statistics(np.array([[0, 1, 1, 4, 3]]))
    assert stats == {"step": 0.5, "repeat": 0.25, "leap": 0.25}


def test_numpy_lstm_matches_keras_and_sampler_is_seeded():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(8, 4),
                              keras.layers.LSTM(6, return_sequences=True),
                              keras.layers.Dense(8, activation="softmax")])
    tunes = melodies.generate_melodies(5, 12, seed=3)
    ours = melodies.lstm_note_probabilities(model.get_weights(), tunes)
    np.testing.assert_allclose(ours, model.predict(tunes, verbose=0), atol=1e-5)
    sampled = melodies.sample_melodies(model.get_weights(), 4, 10, seed=1)
    assert sampled.shape == (4, 10) and sampled.min() >= 0 and sampled.max() <= 7
    assert np.array_equal(sampled, melodies.sample_melodies(model.get_weights(), 4, 10, seed=1))
    # carrying the state step by step is the same as running the whole melody at once
    cold = melodies.sample_melodies(model.get_weights(), 3, 10, seed=2, temperature=1e-9)
    greedy = melodies.lstm_note_probabilities(model.get_weights(), cold)[:, 1:-1].argmax(axis=-1)
    assert np.array_equal(cold[:, 2:], greedy)
    with pytest.raises(ValueError, match="`weights`"):
        melodies.lstm_note_probabilities(model.get_weights()[:3], tunes)
    with pytest.raises(ValueError, match="`temperature`"):
        melodies.sample_melodies(model.get_weights(), 2, 5, temperature=0)
