"""A character language model on Shakespeare, trained to convergence, against n-grams.

Variants: a one-layer LSTM and GRU of 256 units (embedding 64, dropout 0.1 before the
logits), trained with Adam, a cosine learning-rate decay and global-norm clipping on random
windows of 100 characters from 34 plays (4.3 M characters), from three seeds each. Held out
by play: validation (Julius Caesar, Twelfth Night) is measured every 500 steps and the weights
of the best measurement are kept (early stopping); the test plays (Hamlet, The Tempest) are
scored once, at the end. Scores are bits per character with at least 100 characters of context.
"""

import functools

from companion.datasets import shakespeare, text
from companion.experiments.protocol import Experiment
from companion.models import char_lm, ngram

CELLS = ("lstm", "gru")
WARMUP = 100          # characters of context before the first scored one
N_STREAMS = 256


@functools.lru_cache(maxsize=1)
def corpus():
    """(vocabulary, train ids, validation streams, test streams), computed once per process."""
    plays = shakespeare.load()
    vocabulary = text.CharVocabulary.from_text(plays.train, min_count=10)
    streams = {}
    for split in ("validation", "test"):
        ids = vocabulary.encode(getattr(plays, split))
        streams[split] = text.evaluation_streams(ids, WARMUP + 1, N_STREAMS, WARMUP)
    return vocabulary, vocabulary.encode(plays.train), streams["validation"], streams["test"]


def bits_per_char(model, streams):
    inputs, targets = streams
    return ngram.bits_per_char(char_lm.target_probabilities(model, inputs, targets))


class CharLanguageModel(Experiment):
    name = "char_language_model"
    question = ("How low do an LSTM and a GRU take the bits per character of held-out "
                "Shakespeare, against a tuned Kneser-Ney n-gram?")
    seeds = (0, 1, 2)
    metric = "validation_bits"
    eval_every = 500
    keep_best = True
    metric_tolerance = 1e-5
    units = 256
    embedding_dim = 64
    dropout = 0.1
    batch_size = 64
    length = 100
    learning_rate = 3e-3
    budget = 5000

    def settings(self):
        return {"units": self.units, "embedding_dim": self.embedding_dim,
                "dropout": self.dropout, "batch_size": self.batch_size, "length": self.length,
                "optimizer": "adam", "learning_rate": self.learning_rate,
                "schedule": "cosine decay to 5 % over the budget", "global_clipnorm": 1.0,
                "budget": self.budget, "min_count": 10, "warmup": WARMUP,
                "n_streams": N_STREAMS, "validation_plays": shakespeare.HELD_OUT["validation"],
                "test_plays": shakespeare.HELD_OUT["test"],
                # XLA is off: dropout's random numbers made an XLA step 4x slower on this CPU
                "jit_compile": False}

    def variants(self):
        return [{"cell": cell} for cell in CELLS]

    def build_model(self, variant):
        import keras

        vocabulary = corpus()[0]
        model = char_lm.char_language_model(vocabulary.size, self.units, self.embedding_dim,
                                            variant["cell"], dropout=self.dropout)
        schedule = keras.optimizers.schedules.CosineDecay(self.learning_rate, self.budget,
                                                          alpha=0.05)
        model.compile(keras.optimizers.Adam(schedule, global_clipnorm=1.0),
                      keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      jit_compile=False)
        return model

    def training_batch(self, variant, rng, step):
        return text.next_char_windows(corpus()[1], self.length, self.batch_size, rng)

    def _streams(self, index):
        inputs, targets = corpus()[index]
        return (inputs[:4], targets[:4]) if self.smoke else (inputs, targets)

    def held_out(self, variant):
        return self._streams(2)

    def evaluate(self, model, variant, data):
        return {"validation_bits": bits_per_char(model, data)}

    def test_metrics(self, model, variant):
        return {"test_bits": bits_per_char(model, self._streams(3))}

    def max_steps(self, variant):
        return self.budget
