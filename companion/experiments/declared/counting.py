r"""Where the LSTM and the GRU differ: counting (after Weiss, Goldberg & Yahav 2018).

Variants: the LSTM and the GRU on $a^n b^n$ and $a^n b^n c^n$ (next-symbol-set prediction,
``companion.datasets.counting_languages``), trained on $n \le 50$ and tested on every $n$ up to
500. The LSTM's cell state can hold an unbounded count (it adds and subtracts without
squashing); the GRU's state is an interpolation kept inside $(-1, 1)$, so it can only
approximate a counter, and the approximation fails beyond the counts it was trained on.
"""

import keras
import numpy as np

from companion.datasets.counting_languages import INPUTS, NEXT, accepted, encode
from companion.experiments.protocol import Experiment

CELLS = ("lstm", "gru")
LANGUAGES = ("anbn", "anbncn")
TRAIN_MAX_N = 50
#: the counts tested: every n up to 2N, then every 10th up to 10N
TEST_NS = tuple(range(1, 2 * TRAIN_MAX_N + 1)) + tuple(range(2 * TRAIN_MAX_N + 10,
                                                              10 * TRAIN_MAX_N + 1, 10))

_LAYERS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}


def extrapolation(accepted_by_n, train_max_n=None):
    """How far past the training counts a network stays right: the largest tested n such that
    every tested n' with ``train_max_n`` < n' <= n is accepted (``train_max_n`` itself when
    the first count past it fails). One early miss inside the training range (a count of 1,
    seen in one batch row in fifty) does not hide a counter that works beyond it; the share
    of training-range counts right is reported beside it."""
    train_max_n = TRAIN_MAX_N if train_max_n is None else train_max_n
    reach = train_max_n
    for n, ok in accepted_by_n:
        if n <= train_max_n:
            continue
        if not ok:
            break
        reach = n
    return reach


class Counting(Experiment):
    name = "counting"
    question = ("Do the LSTM and the GRU learn to count, and how far beyond the counts "
                "they saw do they generalise?")
    seeds = (0, 1, 2)
    metric = "extrapolates_to"
    lower_is_better = False
    eval_every = 200
    units = 16
    batch_size = 32
    learning_rate = 3e-3
    budget = 8000

    def settings(self):
        return {"units": self.units, "batch_size": self.batch_size,
                "train_max_n": TRAIN_MAX_N, "test_ns": list(TEST_NS), "optimizer": "adam",
                "learning_rate": self.learning_rate, "global_clipnorm": 1.0,
                "loss": "binary cross-entropy per next symbol, padding masked",
                "budget": self.budget}

    def variants(self):
        return [{"cell": cell, "language": language}
                for language in LANGUAGES for cell in CELLS]

    def build_model(self, variant):
        model = keras.Sequential([
            keras.Input((None, len(INPUTS))),
            _LAYERS[variant["cell"]](self.units, return_sequences=True, name="recurrent"),
            keras.layers.Dense(len(NEXT), activation="sigmoid"),
        ])
        model.compile(optimizer=keras.optimizers.Adam(self.learning_rate, global_clipnorm=1.0),
                      loss="binary_crossentropy")
        return model

    def training_batch(self, variant, rng, step):
        ns = rng.integers(1, TRAIN_MAX_N + 1, size=self.batch_size)
        inputs, targets, mask = encode(variant["language"], ns)
        return inputs, targets, mask

    def held_out(self, variant):
        return encode(variant["language"], TEST_NS)

    def evaluate(self, model, variant, data):
        inputs, targets, mask = data
        probabilities = model.predict_on_batch(inputs)
        ok = accepted(probabilities, targets, mask)
        trained = np.array(TEST_NS) <= TRAIN_MAX_N
        return {"extrapolates_to": float(extrapolation(zip(TEST_NS, ok))),
                "train_range_accepted": float(ok[trained].mean()),
                "beyond_accepted": float(ok[~trained].mean())}

    def max_steps(self, variant):
        return self.budget
