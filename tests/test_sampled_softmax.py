"""Sampled softmax against TensorFlow's own, the full softmax against Keras' cross-entropy, and
the cost formulas of companion.models.sampled_softmax on hand-computed cases."""

import math

import keras
import numpy as np
import pytest
from companion.models import sampled_softmax as ss


def _layer(rng, n=16, d=8, vocab=50):
    hidden = rng.standard_normal((n, d)).astype("float32")
    weights = (0.5 * rng.standard_normal((vocab, d))).astype("float32")  # a row per word
    bias = (0.1 * rng.standard_normal(vocab)).astype("float32")
    labels = rng.integers(0, vocab, size=n).astype("int32")
    return hidden, weights, bias, labels


def test_log_uniform_is_tensorflows_and_sums_to_one():
    q = ss.proposal_probabilities(1000)
    assert q.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(np.diff(q) < 0)                      # frequent (low) ids are proposed more
    assert q[0] == pytest.approx(math.log(2) / math.log(1001))
    assert ss.proposal_probabilities(4, "uniform").tolist() == [0.25] * 4


def test_full_softmax_loss_is_keras_cross_entropy():
    hidden, weights, bias, labels = _layer(np.random.default_rng(0))
    ours = keras.ops.convert_to_numpy(ss.full_softmax_loss(hidden, weights, bias, labels))
    logits = hidden @ weights.T + bias
    theirs = keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
    np.testing.assert_allclose(ours, keras.ops.convert_to_numpy(theirs), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("proposal", ss.PROPOSALS)
def test_sampled_softmax_matches_tensorflow(seed, proposal):
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(seed)
    hidden, weights, bias, labels = _layer(rng)
    q = ss.proposal_probabilities(weights.shape[0], proposal)
    _, expected = ss.sample_candidates(q, 20, rng)
    # distinct ids: TensorFlow's compute_accidental_hits removes one copy of a true id drawn
    # twice, where the definition (and this module) removes every copy
    sampled = rng.choice(weights.shape[0], size=20, replace=False, p=q).astype("int32")
    ours = keras.ops.convert_to_numpy(
        ss.sampled_softmax_loss(hidden, weights, bias, labels, sampled, expected))
    theirs = tf.nn.sampled_softmax_loss(
        weights=weights, biases=bias, labels=labels[:, None].astype("int64"),
        inputs=hidden, num_sampled=len(sampled), num_classes=weights.shape[0],
        sampled_values=(sampled.astype("int64"),
                        expected[labels][:, None].astype("float32"),
                        expected[sampled].astype("float32")),
        remove_accidental_hits=True)
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-5, atol=1e-5)


def test_accidental_hits_are_removed():
    hidden, weights, bias, labels = _layer(np.random.default_rng(3), n=1)
    expected = np.ones(weights.shape[0])
    only_hit = np.array([labels[0]] * 3)
    kept = ss.sampled_softmax_loss(hidden, weights, bias, labels, only_hit, expected,
                                   remove_accidental_hits=False)
    removed = ss.sampled_softmax_loss(hidden, weights, bias, labels, only_hit, expected)
    assert float(removed[0]) == pytest.approx(0.0, abs=1e-6)   # the true word alone
    assert float(kept[0]) == pytest.approx(math.log(4), rel=1e-5)  # four equal logits


def test_all_words_drawn_once_with_count_one_gives_the_full_loss():
    # every other id drawn exactly once, expected count 1 (log 1 = 0): the full softmax
    hidden, weights, bias, labels = _layer(np.random.default_rng(4), n=1)
    others = np.array([k for k in range(weights.shape[0]) if k != labels[0]])
    loss = ss.sampled_softmax_loss(hidden, weights, bias, labels, others,
                                   np.ones(weights.shape[0]))
    full = ss.full_softmax_loss(hidden, weights, bias, labels)
    assert float(loss[0]) == pytest.approx(float(full[0]), rel=1e-5)


def test_cost_formulas():
    assert ss.full_softmax_cost(10_000, 256) == 2_560_000
    assert ss.sampled_softmax_cost(511, 256) == 256 * 512
    assert ss.two_level_softmax_cost(10_000, 256) == 256 * 200
    assert ss.binary_tree_softmax_cost(10_000, 256) == 256 * 14
    # head of 2 words + 1 cluster entry; tail of 2 words with half of the mass, d/4 = 2
    cost = ss.adaptive_softmax_cost([4, 4, 2, 2], hidden=8, cutoffs=[2])
    assert cost == pytest.approx(8 * 3 + (4 / 12) * (8 * 2 + 2 * 2))
    with pytest.raises(ValueError, match="cutoffs"):
        ss.adaptive_softmax_cost([4, 3, 2, 1], hidden=8, cutoffs=[3, 2])
