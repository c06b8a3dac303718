"""Sentiment of real review snippets: Rotten Tomatoes, fresh or rotten.

12,752 one-sentence review snippets (``companion.datasets.rotten_tomatoes``, after Pang & Lee
2005), split 80/10/10. Variants: an LSTM, a GRU and a bidirectional GRU of 64 units over word
embeddings (32 dimensions, trained from scratch, padding masked; words seen at least
``MIN_COUNT`` times, which keeps each run's weights near 0.6 MB), from five seeds each;
validation accuracy steers early stopping, the test snippets are scored once, at the end.
"""

import functools

import numpy as np

from companion.datasets import rotten_tomatoes
from companion.datasets.words import Vocabulary, tokenize
from companion.experiments.protocol import Experiment

CELLS = ("lstm", "gru", "bigru")
MAX_WORDS = 64  # longer snippets (under 0.5 %) keep their first 64 tokens
MIN_COUNT = 5  # 4,381 words; at 2 the 10,073-word embeddings made 40 MB of artefact


@functools.lru_cache(maxsize=1)
def data():
    """(vocabulary, {split: (ids, labels)}) for the default split."""
    reviews = rotten_tomatoes.load()
    tokens = {split: [tokenize(t) for t in getattr(reviews, split).texts]
              for split in ("train", "validation", "test")}
    vocabulary = Vocabulary(tokens["train"], min_count=MIN_COUNT)
    arrays = {split: (vocabulary.encode(tokens[split], length=MAX_WORDS),
                      getattr(reviews, split).labels.astype("float32"))
              for split in tokens}
    return vocabulary, arrays


class RottenTomatoesSentiment(Experiment):
    name = "rotten_tomatoes"
    question = ("Do recurrent classifiers trained from scratch beat bag-of-words baselines on "
                "real review snippets?")
    seeds = (0, 1, 2, 3, 4)
    metric = "validation_accuracy"
    lower_is_better = False
    eval_every = 160
    keep_best = True
    units = 64
    embedding_dim = 32
    batch_size = 64
    learning_rate = 2e-3
    budget = 2400

    def settings(self):
        return {"units": self.units, "embedding_dim": self.embedding_dim,
                "batch_size": self.batch_size, "optimizer": "adam",
                "learning_rate": self.learning_rate, "budget": self.budget,
                "max_words": MAX_WORDS, "min_count": MIN_COUNT, "embedding_dropout": 0.3}

    def variants(self):
        return [{"cell": cell} for cell in CELLS]

    def build_model(self, variant):
        import keras

        vocabulary = data()[0]
        if variant["cell"] == "lstm":
            recurrent = keras.layers.LSTM(self.units, use_cudnn=False)
        elif variant["cell"] == "gru":
            recurrent = keras.layers.GRU(self.units, use_cudnn=False)
        else:
            recurrent = keras.layers.Bidirectional(keras.layers.GRU(self.units, use_cudnn=False))
        model = keras.Sequential([
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(len(vocabulary), self.embedding_dim, mask_zero=True),
            keras.layers.Dropout(0.3),
            recurrent,
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(keras.optimizers.Adam(self.learning_rate, global_clipnorm=1.0),
                      "binary_crossentropy")
        return model

    def arrays(self, split):
        """``(ids, labels)`` of ``split``: what the runs read (a subclass may read other ids)."""
        return data()[1][split]

    def training_batch(self, variant, rng, step):
        ids, labels = self.arrays("train")
        chosen = rng.choice(len(labels), size=self.batch_size, replace=False)
        batch = ids[chosen]
        # trim the padding every row of this batch shares: fewer steps to run
        return batch[:, :max(1, int((batch != 0).sum(axis=1).max()))], labels[chosen]

    def _split(self, split):
        ids, labels = self.arrays(split)
        return (ids[:16], labels[:16]) if self.smoke else (ids, labels)

    @staticmethod
    def _accuracy(model, ids, labels):
        probabilities = np.asarray(model.predict(ids, batch_size=512, verbose=0))[:, 0]
        return float(np.mean((probabilities > 0.5) == (labels > 0.5)))

    def held_out(self, variant):
        return self._split("validation")

    def evaluate(self, model, variant, data_):
        return {"validation_accuracy": self._accuracy(model, *data_)}

    def test_metrics(self, model, variant):
        return {"test_accuracy": self._accuracy(model, *self._split("test"))}

    def max_steps(self, variant):
        return self.budget
