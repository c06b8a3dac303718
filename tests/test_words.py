"""companion.datasets.words: the tokenizer and vocabulary of the review chapters."""

import numpy as np
import pytest

from companion.datasets.words import Vocabulary, tokenize


def test_tokenize_lowercases_and_splits_punctuation_but_keeps_contractions():
    assert tokenize("It's NOT bad, really! A so-so film") == [
        "it's", "not", "bad", ",", "really", "!", "a", "so-so", "film"]


def test_vocabulary_orders_by_frequency_and_drops_rare_words():
    vocabulary = Vocabulary([["b", "a", "a"], ["c", "b", "a"]], min_count=2)
    assert vocabulary.words == ["", "[UNK]", "a", "b"]
    ids = vocabulary.encode([["a", "c", "b"], ["b"]])
    np.testing.assert_array_equal(ids, [[2, 1, 3], [3, 0, 0]])  # c is unknown, 0 pads
    assert vocabulary.encode([["a", "b", "a"]], length=2).tolist() == [[2, 3]]  # truncated
    assert vocabulary.decode(ids[1]) == ["b"]


def test_vocabulary_refuses_bad_arguments():
    with pytest.raises(ValueError, match="`min_count`"):
        Vocabulary([["a"]], min_count=0)
    with pytest.raises(ValueError, match="at least one word"):
        Vocabulary([[]])
