"""The review snippets as a language-modelling corpus: framing, shift, vocabulary, unknowns."""

from collections import Counter

import numpy as np
import pytest
from companion.datasets import snippet_words


@pytest.fixture(scope="module")
def corpus():
    return snippet_words.load(min_count=10, max_words=30)


def test_splits_are_framed_and_shifted(corpus):
    vocabulary = corpus.vocabulary
    start, end = vocabulary.ids[snippet_words.START], vocabulary.ids[snippet_words.END]
    for name in snippet_words.SPLITS:
        inputs, targets = corpus.split(name)
        assert inputs.shape[1] == targets.shape[1] == 31
        assert np.all(inputs[:, 0] == start)
        np.testing.assert_array_equal(inputs[:, 1:], targets[:, :-1])
        # one end token per row, and only padding after it
        assert np.all((targets == end).sum(axis=1) == 1)
        after_end = np.cumsum(targets == end, axis=1) - (targets == end)
        assert np.all(targets[after_end > 0] == 0)
    assert (len(corpus.train), len(corpus.validation), len(corpus.test)) == (10202, 1275, 1275)


def test_vocabulary_comes_from_training_words(corpus):
    counts = Counter(w for tokens in snippet_words._tokens("train") for w in tokens[:30])
    kept = {w for w, c in counts.items() if c >= 10}
    assert sum(snippet_words.word_counts("train").values()) >= sum(counts.values())
    assert set(corpus.vocabulary.words[2:]) == kept | {snippet_words.START, snippet_words.END}
    assert 0.05 < snippet_words.unknown_rate(corpus) < 0.3


def test_load_is_cached_and_checked():
    assert snippet_words.load(10, 30) is snippet_words.load(10, 30)
    with pytest.raises(ValueError, match="min_count"):
        snippet_words.load(0, 30)
