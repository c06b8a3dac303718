"""N-gram baselines: proper distributions, the formulas on a small example, and bits per char."""

import numpy as np
import pytest
from companion.models import ngram


def random_text(n, vocab_size, seed):
    """A text with structure: a noisy repeating pattern, so that longer contexts help."""
    rng = np.random.default_rng(seed)
    pattern = rng.integers(0, vocab_size, 13)
    ids = np.tile(pattern, n // 13 + 1)[:n]
    noise = rng.random(n) < 0.2
    ids[noise] = rng.integers(0, vocab_size, noise.sum())
    return ids


@pytest.mark.parametrize("smoothing", ngram.SMOOTHINGS)
@pytest.mark.parametrize("order", [1, 2, 4])
@pytest.mark.parametrize("seed", [0, 1])
def test_next_distribution_sums_to_one_and_matches_probabilities(smoothing, order, seed):
    ids = random_text(600, 7, seed)
    model = ngram.NGramModel(order, 7, smoothing).fit(ids[:500])
    probabilities = model.probabilities(ids, start=500)
    for position in [500, 537, 599]:
        context = ids[max(0, position - order + 1):position]
        distribution = model.next_distribution(context)
        assert distribution.shape == (7,) and np.all(distribution > 0)
        assert abs(distribution.sum() - 1) < 1e-12
        assert distribution[ids[position]] == pytest.approx(probabilities[position - 500])
    assert abs(model.next_distribution([]).sum() - 1) < 1e-12  # the empty context too


def test_witten_bell_unigram_and_bigram_by_hand():
    ids = np.array([0, 1, 0, 1, 0, 2])
    unigram = ngram.NGramModel(1, 4, "witten_bell").fit(ids)
    # counts 3, 2, 1, 0 of N = 6 with t = 3 types, mixed with uniform 1/4
    expected = (np.array([3, 2, 1, 0]) + 3 / 4) / (6 + 3)
    assert np.allclose(unigram.next_distribution([]), expected)
    bigram = ngram.NGramModel(2, 4, "witten_bell").fit(ids)
    # after 0: seen 3 times, followed by 1 twice and 2 once (t = 2)
    assert np.allclose(bigram.next_distribution([0]), (np.array([0, 2, 1, 0]) + 2 * expected) / (3 + 2))
    # 2 is never followed by anything: the unigram estimate
    assert np.allclose(bigram.next_distribution([2]), expected)


def test_kneser_ney_uses_continuation_counts_below_the_top_order():
    # "b" is frequent but only ever follows "a"; "c" is rare but follows three different ids
    ids = np.array([0, 1] * 20 + [0, 2, 1, 2, 3, 2])
    model = ngram.NGramModel(2, 5, "kneser_ney").fit(ids)
    lower = model.next_distribution([4])  # id 4 never seen: the continuation unigram alone
    assert lower[2] > lower[1]
    witten_bell = ngram.NGramModel(2, 5, "witten_bell").fit(ids).next_distribution([4])
    assert witten_bell[1] > witten_bell[2]  # raw counts say the opposite


def test_higher_order_helps_on_text_with_long_structure():
    ids = random_text(6000, 20, 3)
    bits = [ngram.bits_per_char(ngram.NGramModel(n, 20, "kneser_ney").fit(ids[:5000])
                                .probabilities(ids, start=5000)) for n in (1, 2, 3)]
    assert ngram.uniform_bits_per_char(20) > bits[0] > bits[1] > bits[2]


def test_bits_per_char():
    assert ngram.bits_per_char([0.5, 0.25]) == pytest.approx(1.5)
    assert ngram.uniform_bits_per_char(8) == pytest.approx(3.0)
    for bad in [[], [0.0, 0.5], [1.5]]:
        with pytest.raises(ValueError, match="`probabilities`"):
            ngram.bits_per_char(bad)
    with pytest.raises(ValueError, match="`vocab_size`"):
        ngram.uniform_bits_per_char(0)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="`order`"):
        ngram.NGramModel(0, 5)
    with pytest.raises(ValueError, match="`smoothing`"):
        ngram.NGramModel(2, 5, "add_one")
    with pytest.raises(ValueError, match="overflow"):
        ngram.NGramModel(12, 100)
    model = ngram.NGramModel(2, 5)
    with pytest.raises(ValueError, match="not fitted"):
        model.probabilities([1, 2, 3])
    with pytest.raises(ValueError, match="`ids`"):
        model.fit([1, 7, 2])
    with pytest.raises(ValueError, match="`start`"):
        model.fit([1, 2, 3]).probabilities([1, 2, 3], start=3)


def test_context_counts_count_the_preceding_ids_in_the_training_text():
    ids = np.array([0, 1, 2, 0, 1, 3, 0, 1, 2])
    model = ngram.NGramModel(3, 4, "witten_bell").fit(ids)
    # contexts of positions 2..8: (0,1) (1,2) (2,0) (0,1) (1,3) (3,0) (0,1)
    assert model.context_counts(ids, start=2).tolist() == [3, 1, 1, 3, 1, 1, 3]
    assert model.context_counts(np.array([3, 3, 0])).tolist() == [0]  # (3, 3) never seen
    with pytest.raises(ValueError, match="`start`"):
        model.context_counts(ids, start=1)


@pytest.mark.parametrize("smoothing", ngram.SMOOTHINGS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_probabilities_by_order_are_those_of_each_order_fitted_alone(smoothing, seed):
    ids = random_text(3000, 9, seed)
    by_order = ngram.NGramModel(6, 9, smoothing).fit(ids[:2500]).probabilities_by_order(
        ids, start=2500)
    assert by_order.shape == (6, 500)
    for order in range(1, 7):
        alone = ngram.NGramModel(order, 9, smoothing).fit(ids[:2500])
        np.testing.assert_allclose(by_order[order - 1], alone.probabilities(ids, start=2500),
                                   rtol=1e-12, atol=0)
    # the top row is the model's own probabilities, and a start inside the context works
    model = ngram.NGramModel(4, 9, smoothing).fit(ids[:2500])
    np.testing.assert_array_equal(model.probabilities_by_order(ids, start=1)[-1],
                                  model.probabilities(ids, start=1))
    with pytest.raises(ValueError, match="`start`"):
        model.probabilities_by_order(ids, start=len(ids))
    with pytest.raises(ValueError, match="not fitted"):
        ngram.NGramModel(2, 9, smoothing).probabilities_by_order(ids)
