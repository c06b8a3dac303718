"""Polyphonic music: next-frame prediction on Bach's chorales (the JSB Chorales task).

Each chorale is a piano roll at quarter-note steps (``companion.datasets.chorales``); at every
step a model reads the frame that sounds and gives each of the 54 pitches a probability of
sounding at the next step. The score is the negative log-likelihood per time step, summed over
pitches (nats), as in Boulanger-Lewandowski et al. (2012) and Chung et al. (2014). Variants:
the tanh RNN, the LSTM and the GRU at about the same number of parameters (the LSTM's 64 units
set it), from five seeds each; validation NLL steers early stopping, the test chorales are
scored once at the end.
"""

import functools

import numpy as np

from companion.datasets import chorales
from companion.experiments.protocol import Experiment

CELLS = ("tanh", "lstm", "gru")
N_PITCHES = chorales.HIGHEST_PITCH - chorales.LOWEST_PITCH + 1
_BLOCKS = {"tanh": 1, "gru": 3, "lstm": 4}


def recurrent_parameters(cell, units, features=N_PITCHES):
    """Weights of one Keras recurrent layer (the GRU with reset_after=True has two biases)."""
    biases = 2 if cell == "gru" else 1
    return _BLOCKS[cell] * (units * (features + units) + biases * units)


def matched_units(reference_cell="lstm", reference_units=64):
    """Units of each cell whose recurrent layer has about as many weights as the reference."""
    target = recurrent_parameters(reference_cell, reference_units)
    return {cell: min(range(1, 512), key=lambda u: abs(recurrent_parameters(cell, u) - target))
            for cell in CELLS}


@functools.lru_cache(maxsize=1)
def data():
    return chorales.load()


def pad(rolls):
    """Inputs (frames 0..T-2), targets (frames 1..T-1) and a mask, padded to the longest."""
    length = max(len(roll) for roll in rolls) - 1
    inputs = np.zeros((len(rolls), length, N_PITCHES), dtype="float32")
    targets = np.zeros_like(inputs)
    mask = np.zeros((len(rolls), length), dtype="float32")
    for row, roll in enumerate(rolls):
        steps = len(roll) - 1
        inputs[row, :steps] = roll[:-1]
        targets[row, :steps] = roll[1:]
        mask[row, :steps] = 1.0
    return inputs, targets, mask


def nll_per_step(probabilities, targets, mask):
    """Mean over real time steps of -sum_pitches log p(target): nats per time step."""
    p = np.clip(np.asarray(probabilities, dtype=np.float64), 1e-7, 1 - 1e-7)
    log_likelihood = (targets * np.log(p) + (1 - targets) * np.log1p(-p)).sum(axis=-1)
    return float(-(log_likelihood * mask).sum() / mask.sum())


class Chorales(Experiment):
    name = "chorales"
    question = ("Which cell models Bach's four-part chorales best, at equal parameter counts, "
                "against note frequencies and repeating the last frame?")
    seeds = (0, 1, 2, 3, 4)
    metric = "validation_nll"
    eval_every = 100
    keep_best = True
    batch_size = 16
    learning_rate = 3e-3
    budget = 3000

    def settings(self):
        return {"units": matched_units(), "batch_size": self.batch_size,
                "optimizer": "adam", "learning_rate": self.learning_rate,
                "global_clipnorm": 1.0, "budget": self.budget, "step": "quarter",
                "pitches": [chorales.LOWEST_PITCH, chorales.HIGHEST_PITCH],
                "loss": "binary cross-entropy per pitch, summed per step, padding masked"}

    def variants(self):
        return [{"cell": cell} for cell in CELLS]

    def build_model(self, variant):
        import keras

        layer = {"tanh": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM,
                 "gru": keras.layers.GRU}[variant["cell"]]
        options = {} if variant["cell"] == "tanh" else {"use_cudnn": False}
        model = keras.Sequential([
            keras.Input((None, N_PITCHES)),
            layer(matched_units()[variant["cell"]], return_sequences=True, **options),
            keras.layers.Dense(N_PITCHES, activation="sigmoid"),
        ])
        # Keras averages the cross-entropy over pitches; the NLL reported sums it (x 54)
        model.compile(keras.optimizers.Adam(self.learning_rate, global_clipnorm=1.0),
                      "binary_crossentropy")
        return model

    def training_batch(self, variant, rng, step):
        rolls = data().train.rolls
        chosen = rng.choice(len(rolls), size=self.batch_size, replace=False)
        inputs, targets, mask = pad([rolls[i] for i in chosen])
        return inputs, targets, mask

    def _split(self, name):
        rolls = getattr(data(), name).rolls
        return pad(rolls[:4] if self.smoke else rolls)

    def held_out(self, variant):
        return self._split("validation")

    def evaluate(self, model, variant, data_):
        inputs, targets, mask = data_
        return {"validation_nll": nll_per_step(model.predict_on_batch(inputs), targets, mask)}

    def test_metrics(self, model, variant):
        inputs, targets, mask = self._split("test")
        return {"test_nll": nll_per_step(model.predict_on_batch(inputs), targets, mask)}

    def max_steps(self, variant):
        return self.budget
