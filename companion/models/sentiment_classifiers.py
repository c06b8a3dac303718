"""Sentiment classifiers: the baselines (a bag-of-words logistic regression, NB-SVM) and a
recurrent classifier over word ids with masking."""

import keras

from companion import checks


def bag_of_words_classifier(ngram_range=(1, 1)):
    """The baseline: word (and n-gram) counts into a logistic regression (scikit-learn).

    Fit it on token lists: ``classifier.fit(list_of_token_lists, labels)``.
    """
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    ngram_range = _check_ngram_range(ngram_range)
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


class NBSVM:
    r"""NB-SVM of Wang & Manning (2012): a linear SVM on naive-Bayes-scaled binary n-grams.

    With $\hat f \in \{0, 1\}^V$ the binarised n-gram counts of a text, and $p$, $q$ the sums
    of $\hat f$ over the positive and the negative training texts plus a smoothing $\alpha$,
    the log-count ratio $r = \log \frac{p / \lVert p \rVert_1}{q / \lVert q \rVert_1}$ scales
    every feature: a linear SVM is trained on $\hat f \circ r$, and its weights are
    interpolated towards their mean magnitude,
    $w' = (1 - \beta)\,\bar w + \beta\, w$ with $\bar w = \lVert w \rVert_1 / V$.

    Args:
        ngram_range: ``(low, high)`` n-gram lengths. Default ``(1, 2)``, the paper's "bi".
        C: the SVM's regularisation constant. Default 1.
        beta: the interpolation $\beta$ in [0, 1]. Default 0.25, the paper's.
        alpha: the smoothing $\alpha > 0$. Default 1.

    Fit and predict on token lists, like ``bag_of_words_classifier``.
    """

    def __init__(self, ngram_range=(1, 2), C=1.0, beta=0.25, alpha=1.0):
        self.ngram_range = _check_ngram_range(ngram_range)
        self.C = checks.positive_float("C", C)
        if isinstance(beta, bool) or not 0 <= beta <= 1:
            raise ValueError(f"Argument `beta` must be in [0, 1], got {beta!r}.")
        self.beta = float(beta)
        self.alpha = checks.positive_float("alpha", alpha)

    def _features(self, token_lists):
        return self.vectorizer.transform(token_lists).multiply(self.ratio).tocsr()

    def fit(self, token_lists, labels):
        import numpy as np
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.svm import LinearSVC

        labels = np.asarray(labels)
        self.vectorizer = CountVectorizer(
            analyzer=lambda tokens: _ngrams(tokens, self.ngram_range), binary=True)
        counts = self.vectorizer.fit_transform(token_lists)
        p = self.alpha + np.asarray(counts[labels == 1].sum(axis=0)).ravel()
        q = self.alpha + np.asarray(counts[labels == 0].sum(axis=0)).ravel()
        self.ratio = np.log((p / p.sum()) / (q / q.sum()))
        svm = LinearSVC(C=self.C, max_iter=10_000).fit(self._features(token_lists), labels)
        w = svm.coef_.ravel()
        self.weights = (1 - self.beta) * np.abs(w).mean() + self.beta * w
        self.bias = float(svm.intercept_[0])
        return self

    def predict(self, token_lists):
        scores = self._features(token_lists) @ self.weights + self.bias
        return (scores > 0).astype(int)


def _check_ngram_range(ngram_range):
    if (not isinstance(ngram_range, tuple) or len(ngram_range) != 2
            or not 1 <= ngram_range[0] <= ngram_range[1]):
        raise ValueError(
            f"Argument `ngram_range` must be a tuple (low, high) with 1 <= low <= high, "
            f"got {ngram_range!r}."
        )
    return ngram_range
