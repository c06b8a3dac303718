"""The adding problem at length: which cells connect two inputs up to 1,000 steps apart?

Variants: the tanh RNN, the IRNN of Le, Jaitly & Hinton (2015) (ReLU units, identity-initialised
recurrent weights), the LSTM and the GRU, at T = 100, 200, 400 and 1,000, from three seeds each.
Every run trains with Adam and global-norm clipping on fresh batches until its held-out MSE
falls below 0.01 (solved; the step is recorded) or its step budget is spent. Predicting the
mean gives an MSE of 1/6.
"""

import keras

from companion.datasets.long_term_tasks import (
    ADDING_PROBLEM_BASELINE_MSE,
    adding_problem,
)
from companion.experiments.protocol import Experiment

CELLS = ("tanh", "irnn", "lstm", "gru")
LENGTHS = (100, 200, 400, 1000)
SOLVED_MSE = 0.01


def recurrent_layer(cell, units):
    """The recurrent layer of one variant: Keras' built-in layers (the companion cells compute
    the same functions, checked in chapters 1-4; the built-in layers are what a reader trains)."""
    if cell == "tanh":
        return keras.layers.SimpleRNN(units)
    if cell == "irnn":
        # Le et al. (2015): ReLU, identity recurrent matrix, zero biases, small input weights
        return keras.layers.SimpleRNN(
            units, activation="relu",
            recurrent_initializer=keras.initializers.Identity(),
            kernel_initializer=keras.initializers.RandomNormal(stddev=0.001),
        )
    # use_cudnn=False: the cuDNN path (a GPU's) would make Keras refuse XLA for the model
    if cell == "lstm":
        return keras.layers.LSTM(units, use_cudnn=False)
    if cell == "gru":
        return keras.layers.GRU(units, use_cudnn=False)
    raise ValueError(f"Argument `cell` must be one of {CELLS}, got {cell!r}.")


class AddingProblem(Experiment):
    name = "adding_problem"
    question = "Which cells solve the adding problem at T = 100 to 1,000, and how fast?"
    seeds = (0, 1, 2)
    metric = "mse"
    eval_every = 100
    units = 32
    batch_size = 64
    held_out_size = 500
    learning_rates = {"tanh": 1e-3, "irnn": 1e-4, "lstm": 1e-3, "gru": 1e-3}
    # one budget at every length, so that steps to solve compare across lengths
    budgets = {100: 10_000, 200: 10_000, 400: 10_000, 1000: 10_000}
    # XLA compiles the whole training step: 1.6-2.2x less CPU per step at 32 units here
    jit_compile = True

    def settings(self):
        return {"units": self.units, "batch_size": self.batch_size,
                "jit_compile": self.jit_compile,
                "held_out_size": self.held_out_size, "optimizer": "adam",
                "learning_rates": self.learning_rates, "global_clipnorm": 1.0,
                "solved_below_mse": SOLVED_MSE, "baseline_mse": ADDING_PROBLEM_BASELINE_MSE,
                "budgets": {str(k): v for k, v in self.budgets.items()}}

    def variants(self):
        return [{"cell": cell, "length": length} for length in LENGTHS for cell in CELLS]

    def recurrent_layer(self, variant):
        return recurrent_layer(variant["cell"], self.units)

    def build_model(self, variant):
        model = keras.Sequential([
            keras.Input((variant["length"], 2)),
            self.recurrent_layer(variant),
            keras.layers.Dense(1),
        ])
        model.compile(optimizer=self.optimizer(variant["cell"]), loss="mse",
                      jit_compile=self.jit_compile)
        return model

    def optimizer(self, cell):
        return keras.optimizers.Adam(self.learning_rates[cell], global_clipnorm=1.0)

    def training_batch(self, variant, rng, step):
        return adding_problem(self.batch_size, variant["length"], seed=rng)

    def held_out(self, variant):
        # the same sequences for every cell and seed of one length
        return adding_problem(self.held_out_size, variant["length"], seed=10_000 + variant["length"])

    def evaluate(self, model, variant, data):
        inputs, targets = data
        predictions = model.predict_on_batch(inputs)
        return {"mse": float(((predictions - targets) ** 2).mean())}

    def max_steps(self, variant):
        return self.budgets[variant["length"]]

    def solved(self, metrics):
        return metrics["mse"] < SOLVED_MSE
