"""The NumPy CTC of companion.reference.ctc: against the definition (every path listed), against
keras.ops.ctc_loss on random padded batches, and its decoding against keras.ops.ctc_decode."""

import keras
import numpy as np
import pytest
from companion.reference import ctc


def _random_batch(rng, batch=6, max_frames=12, symbols=5, max_labels=4):
    logit_lengths = rng.integers(max_labels * 2 + 1, max_frames + 1, size=batch)
    label_lengths = rng.integers(1, max_labels + 1, size=batch)
    logits = 2.0 * rng.standard_normal((batch, max_frames, symbols))
    labels = np.zeros((batch, max_labels), dtype=np.int64)
    for b, n in enumerate(label_lengths):
        labels[b, :n] = rng.integers(1, symbols, size=n)  # 0 is the blank
    return logits, labels, logit_lengths, label_lengths


def test_golden_value_one_frame_one_label():
    # one frame, label "1": the only path is "1", p = softmax(z)[1]
    logits = np.array([[0.0, np.log(3.0), 0.0]])  # probabilities 1/5, 3/5, 1/5
    assert ctc.ctc_loss(ctc.log_softmax(logits), [1]) == pytest.approx(-np.log(0.6), abs=1e-15)


def test_golden_value_uniform_frames_counts_the_paths():
    # uniform over {blank, a} at 3 frames: p("a") = (#paths collapsing to "a") / 2^3;
    # a--, aa-, aaa, -a-, -aa, --a: 6 of the 8 paths
    log_probs = np.log(np.full((3, 2), 0.5))
    assert np.exp(-ctc.ctc_loss(log_probs, [1])) == pytest.approx(6 / 8, abs=1e-15)
    # "a a" needs a blank in between: only "a-a" fits in 3 frames
    assert np.exp(-ctc.ctc_loss(log_probs, [1, 1])) == pytest.approx(1 / 8, abs=1e-15)
    # the empty label: the all-blank path
    assert np.exp(-ctc.ctc_loss(log_probs, [])) == pytest.approx(1 / 8, abs=1e-15)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("labels", [[1], [1, 2], [2, 2], [1, 2, 1], [2, 1, 1]])
def test_forward_algorithm_equals_the_sum_over_all_paths(seed, labels):
    rng = np.random.default_rng(seed)
    log_probs = ctc.log_softmax(rng.standard_normal((6, 3)))
    brute = ctc.brute_force_probability(log_probs, labels)
    forward = np.exp(-ctc.ctc_loss(log_probs, labels))
    assert forward == pytest.approx(brute, rel=1e-12)


def test_too_few_frames_give_infinite_loss():
    log_probs = ctc.log_softmax(np.zeros((2, 3)))
    assert ctc.ctc_loss(log_probs, [1, 1]) == np.inf  # needs "a-a": 3 frames
    assert np.isfinite(ctc.ctc_loss(log_probs, [1, 2]))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_matches_keras_ctc_loss(seed):
    rng = np.random.default_rng(seed)
    logits, labels, logit_lengths, label_lengths = _random_batch(rng)
    ours = ctc.ctc_loss_batch(logits, labels, logit_lengths, label_lengths)
    theirs = keras.ops.convert_to_numpy(keras.ops.ctc_loss(
        labels.astype("int32"), logits.astype("float32"), label_lengths.astype("int32"),
        logit_lengths.astype("int32"), mask_index=0))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_long_sequence_does_not_underflow():
    rng = np.random.default_rng(5)
    logits = 3.0 * rng.standard_normal((1, 2000, 4))
    labels = rng.integers(1, 4, size=(1, 50))
    loss = ctc.ctc_loss_batch(logits, labels, [2000], [50])
    assert np.isfinite(loss).all() and loss[0] > 745  # p < 1e-323: a product would be 0


def test_nonzero_blank_index():
    rng = np.random.default_rng(7)
    log_probs = ctc.log_softmax(rng.standard_normal((5, 3)))
    # relabel: blank 2 instead of 0, labels 0 and 1 instead of 1 and 2
    permuted = log_probs[:, [1, 2, 0]]
    assert ctc.ctc_loss(permuted, [0, 1], blank=2) == pytest.approx(
        ctc.ctc_loss(log_probs, [1, 2], blank=0), rel=1e-12)


def test_collapse_merges_repeats_then_drops_blanks():
    assert ctc.collapse([1, 1, 0, 2, 2, 0, 2]) == [1, 2, 2]
    assert ctc.collapse([0, 0, 0]) == []
    assert ctc.collapse([3, 0, 3, 3]) == [3, 3]
    assert ctc.extended_labels([4, 5]).tolist() == [0, 4, 0, 5, 0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_best_path_decode_matches_keras_greedy_decode(seed):
    rng = np.random.default_rng(seed)
    logits, _, logit_lengths, _ = _random_batch(rng, batch=8, max_frames=15)
    decoded, _ = keras.ops.ctc_decode(logits.astype("float32"),
                                      logit_lengths.astype("int32"), strategy="greedy")
    decoded = keras.ops.convert_to_numpy(decoded)[0]
    for b in range(len(logits)):
        ours = ctc.best_path_decode(ctc.log_softmax(logits[b, :logit_lengths[b]]))
        # Keras pads with -1; its labels are the ids other than the blank
        assert ours == [int(v) for v in decoded[b] if v >= 0]


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="blank"):
        ctc.ctc_loss(np.zeros((3, 3)), [0])          # the blank is not a label
    with pytest.raises(ValueError, match="labels"):
        ctc.ctc_loss(np.zeros((3, 3)), [3])          # out of range
    with pytest.raises(ValueError, match="log_probs"):
        ctc.ctc_loss(np.zeros(3), [1])
    with pytest.raises(ValueError, match="blank"):
        ctc.ctc_forward(np.zeros((3, 3)), [1], blank=3)
    with pytest.raises(ValueError, match="too many"):
        ctc.brute_force_probability(np.zeros((20, 5)), [1])
