"""Byte-pair encoding: Sennrich et al.'s toy corpus, the length bookkeeping, determinism."""

import pytest
from companion.datasets import bpe

# the example of Sennrich, Haddow & Birch (2016), Figure 1
TOY = {"low": 5, "lower": 2, "newest": 6, "widest": 3}


def test_first_merges_of_the_papers_example():
    merges, history, alphabet = bpe.learn_bpe(TOY, 4)
    # by hand: e s and s t</w> occur 9 times (newest 6, widest 3), the tie goes to the smaller
    # pair; then es t</w> (9), l o (7), and e w, n e and w est</w> tie at 6
    assert merges == [("e", "s"), ("es", "t</w>"), ("l", "o"), ("e", "w")]
    assert "t</w>" in alphabet and "w</w>" in alphabet


def test_history_counts_the_symbols_after_each_merge():
    merges, history, _ = bpe.learn_bpe(TOY, 10)
    assert history[0] == sum(len(w) * c for w, c in TOY.items())
    for m in range(len(merges) + 1):
        segmented = sum(len(bpe.segment(w, merges[:m])) * c for w, c in TOY.items())
        assert segmented == history[m]


def test_overlapping_pairs_are_counted_as_they_merge():
    merges, history, _ = bpe.learn_bpe({"aaa": 1, "aaaa": 1}, 1)
    assert merges == [("a", "a")]
    assert history == [7, 7 - 1 - 1]  # "aa a", "aa aa</w>"... one merge in each word
    assert bpe.segment("aaa", merges) == ["aa", "a</w>"]


def test_result_does_not_depend_on_the_order_of_the_counts():
    reversed_counts = dict(reversed(list(TOY.items())))
    assert bpe.learn_bpe(TOY, 8)[0] == bpe.learn_bpe(reversed_counts, 8)[0]


def test_learning_stops_when_no_pair_repeats():
    merges, history, _ = bpe.learn_bpe({"ab": 1}, 5)
    assert merges == [] and history == [2]


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="word"):
        bpe.word_symbols("")
    with pytest.raises(ValueError, match="n_merges"):
        bpe.learn_bpe(TOY, -1)
