"""Sentiment classifiers: a bag-of-words logistic regression (the baseline) and a recurrent
classifier over word ids with masking."""

import keras

from companion import checks


def bag_of_words_classifier(ngram_range=(1, 1)):
    """The baseline: word (and n-gram) counts into a logistic regression (scikit-learn).

    Fit it on token lists: ``classifier.fit(list_of_token_lists, labels)``.
    """
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    if (not isinstance(ngram_range, tuple) or len(ngram_range) != 2
            or not 1 <= ngram_range[0] <= ngram_range[1]):
        raise ValueError(
            f"Argument `ngram_range` must be a tuple (low, high) with 1 <= low <= high, "
            f"got {ngram_range!r}."
        )
    vectorizer = CountVectorizer(analyzer=lambda tokens: _ngrams(tokens, ngram_range))
    # liblinear: the fastest solver for a few thousand short sparse rows
    return make_pipeline(vectorizer, LogisticRegression(solver="liblinear"))


def _ngrams(tokens, ngram_range):
    tokens = list(tokens)
    low, high = ngram_range
    return [" ".join(tokens[start:start + n]) for n in range(low, high + 1)
            for start in range(len(tokens) - n + 1)]


def recurrent_classifier(vocabulary_size, recurrent_layer, embedding_dim=16):
    """Embedding with ``mask_zero=True`` -> ``recurrent_layer`` -> one sigmoid unit.

    The mask tells the recurrent layer where each sentence ends, so padding changes nothing.
    """
    vocabulary_size = checks.positive_int("vocabulary_size", vocabulary_size)
    embedding_dim = checks.positive_int("embedding_dim", embedding_dim)
    if not isinstance(recurrent_layer, keras.layers.Layer):
        raise ValueError(
            f"Argument `recurrent_layer` must be a Keras layer, got {recurrent_layer!r}."
        )
    return keras.Sequential([
        keras.Input((None,), dtype="int32"),
        keras.layers.Embedding(vocabulary_size, embedding_dim, mask_zero=True),
        recurrent_layer,
        keras.layers.Dense(1, activation="sigmoid"),
    ])
