"""The copy task at T = 100: which cells can hold ten symbols over a hundred blank steps?

Variants: the tanh RNN, the LSTM and the GRU on the copy task of Arjovsky, Shah & Bengio (2016)
(ten symbols from eight, then ``delay`` blanks, a delimiter, and the ten symbols to repeat),
from three seeds each. A run is solved when it copies 99 % of the held-out symbols right; the
memoryless strategy (blanks, then a uniform guess) gets 1/8 of them and a cross-entropy of
``10 log 8 / (T + 20)`` per step.
"""

import keras
import numpy as np

from companion.datasets.long_term_tasks import copy_task, copy_task_baseline_cross_entropy
from companion.experiments.protocol import Experiment

CELLS = ("tanh", "lstm", "gru")
N_SYMBOLS = 8
COPY_LENGTH = 10
SOLVED_ACCURACY = 0.99

_LAYERS = {"tanh": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}


class CopyTask(Experiment):
    name = "copy_task"
    question = "Which cells copy ten symbols across a delay of 100 steps?"
    seeds = (0, 1, 2)
    metric = "symbol_accuracy"
    lower_is_better = False
    eval_every = 100
    units = 128
    batch_size = 64
    held_out_size = 500
    delay = 100
    learning_rate = 1e-3
    budget = 10_000
    jit_compile = "auto"  # Keras' default: XLA where Keras judges the model supports it

    def settings(self):
        return {"units": self.units, "batch_size": self.batch_size, "delay": self.delay,
                "n_symbols": N_SYMBOLS, "copy_length": COPY_LENGTH,
                "held_out_size": self.held_out_size, "optimizer": "adam",
                "learning_rate": self.learning_rate, "global_clipnorm": 1.0,
                "solved_above_symbol_accuracy": SOLVED_ACCURACY,
                "baseline_cross_entropy": copy_task_baseline_cross_entropy(
                    self.delay, N_SYMBOLS, COPY_LENGTH),
                "budget": self.budget}

    def variants(self):
        return [{"cell": cell, "delay": self.delay} for cell in CELLS]

    def recurrent_layer(self, variant):
        return _LAYERS[variant["cell"]](self.units, return_sequences=True)

    def build_model(self, variant):
        model = keras.Sequential([
            keras.Input((variant["delay"] + 2 * COPY_LENGTH,), dtype="int32"),
            # one-hot inputs: the symbols have no order an embedding would need to learn
            keras.layers.CategoryEncoding(N_SYMBOLS + 2, output_mode="one_hot"),
            self.recurrent_layer(variant),
            keras.layers.Dense(N_SYMBOLS + 1),
        ])
        model.compile(
            optimizer=keras.optimizers.Adam(self.learning_rate, global_clipnorm=1.0),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            jit_compile=self.jit_compile,
        )
        return model

    def training_batch(self, variant, rng, step):
        return copy_task(self.batch_size, variant["delay"], N_SYMBOLS, COPY_LENGTH, seed=rng)

    def held_out(self, variant):
        return copy_task(self.held_out_size, variant["delay"], N_SYMBOLS, COPY_LENGTH,
                         seed=20_000 + variant["delay"])

    def evaluate(self, model, variant, data):
        inputs, targets = data
        logits = np.asarray(model.predict_on_batch(inputs), dtype=np.float64)
        shifted = logits - logits.max(axis=-1, keepdims=True)
        log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        picked = np.take_along_axis(log_probabilities, targets[..., None], axis=-1)[..., 0]
        copied = logits[:, -COPY_LENGTH:].argmax(axis=-1) == targets[:, -COPY_LENGTH:]
        return {"cross_entropy": float(-picked.mean()),
                "symbol_accuracy": float(copied.mean()),
                "sequence_accuracy": float(copied.all(axis=1).mean())}

    def max_steps(self, variant):
        return self.budget

    def solved(self, metrics):
        return metrics["symbol_accuracy"] >= SOLVED_ACCURACY
