"""Does the initialisation change how fast the adding problem is learned?

Two comparisons, each a pair of variants that differ in one initial weight:

- a vanilla RNN (``companion.SimpleRNNCell``, 32 units) at T = 20, its recurrent kernel drawn
  orthogonal (Keras' default) or Glorot-uniform;
- an LSTM (``companion.LSTMCell``, 32 units) at T = 30, its forget-gate bias starting at 1
  (``unit_forget_bias=True``, Keras' default) or 0.

Adam at a learning rate of 0.01 (global gradient norm clipped at 1), batches of 64, until the
held-out MSE is below 0.01 (solved; the step is the result) or 2,000 steps are spent, five
seeds. The two runs of a pair and seed start from the same input kernel and see the same
batches, so they differ only in the weight compared.
"""

import keras
import numpy as np

from companion.cells import LSTMCell, SimpleRNNCell
from companion.experiments.declared.adding_problem import AddingProblem

RNN_LENGTH, LSTM_LENGTH, STEPS = 20, 30, 2_000


class Initialisation(AddingProblem):
    name = "initialisation"
    question = ("Do an orthogonal recurrent kernel (vanilla RNN) and a forget-gate bias of 1 "
                "(LSTM) make the adding problem learned in fewer steps?")
    seeds = (0, 1, 2, 3, 4)
    eval_every = 50
    learning_rates = {"tanh": 1e-2, "lstm": 1e-2}
    budgets = {RNN_LENGTH: STEPS, LSTM_LENGTH: STEPS}

    def settings(self):
        return {**super().settings(), "cells": "companion", "paired_batches": True}

    def variants(self):
        return ([{"cell": "tanh", "length": RNN_LENGTH, "recurrent_initializer": init}
                 for init in ("orthogonal", "glorot_uniform")]
                + [{"cell": "lstm", "length": LSTM_LENGTH, "unit_forget_bias": bias}
                   for bias in (True, False)])

    def recurrent_layer(self, variant):
        if variant["cell"] == "tanh":
            cell = SimpleRNNCell(self.units,
                                 recurrent_initializer=variant["recurrent_initializer"])
        else:
            cell = LSTMCell(self.units, unit_forget_bias=variant["unit_forget_bias"])
        return keras.layers.RNN(cell)

    def data_rng(self, variant, seed):
        # paired: both settings of a comparison see the same batches for a seed
        return np.random.default_rng([seed, variant["length"]])
