"""The copy task at a delay of 10 and the adding problem at T = 50, with the companion cells.

Chapter 5b's first look at each task, and the networks whose gates it opens: the companion's
``SimpleRNNCell``, ``LSTMCell`` and ``GRUCell`` in ``keras.layers.RNN``, trained with Adam at a
learning rate of 0.02 (gradients clipped to a global norm of 1) on fresh batches of 64, for at
most 1,200 steps, from three seeds each. The ``copy_task`` and ``adding_problem`` experiments
take Keras' built-in layers to delays of 100 and lengths of 1,000 with longer budgets; these
are the short lags, each run trained in seconds.

- ``copy_task_t10``: ten symbols from eight, nine blanks and a delimiter, the ten symbols to
  repeat (64 units); solved at 99 % of the held-out symbols right, the memoryless baseline
  being a cross-entropy of ``10 log 8 / 30`` per step.
- ``adding_problem_t50``: the sum of the two marked numbers of 50 (32 units); solved below an
  MSE of 0.01, predicting the mean giving 1/6.
"""

import keras

from companion.cells import GRUCell, LSTMCell, SimpleRNNCell
from companion.experiments.declared.adding_problem import AddingProblem
from companion.experiments.declared.copy_task import CopyTask

COMPANION_CELLS = {"tanh": SimpleRNNCell, "lstm": LSTMCell, "gru": GRUCell}
LEARNING_RATE = 0.02
BUDGET = 1_200
HELD_OUT_SIZE = 256


class CopyTaskT10(CopyTask):
    name = "copy_task_t10"
    question = ("Which companion cells copy ten symbols across a delay of 10 steps within "
                "1,200 steps?")
    units = 64
    held_out_size = HELD_OUT_SIZE
    delay = 10
    learning_rate = LEARNING_RATE
    budget = BUDGET
    # XLA compiles the whole training step, as in adding_problem
    jit_compile = True

    def settings(self):
        return {**super().settings(), "cells": "companion", "jit_compile": self.jit_compile}

    def recurrent_layer(self, variant):
        cell = COMPANION_CELLS[variant["cell"]](self.units)
        return keras.layers.RNN(cell, return_sequences=True)


class AddingProblemT50(AddingProblem):
    name = "adding_problem_t50"
    question = ("Which companion cells solve the adding problem at T = 50 within 1,200 "
                "steps?")
    held_out_size = HELD_OUT_SIZE
    learning_rates = {cell: LEARNING_RATE for cell in COMPANION_CELLS}
    budgets = {50: BUDGET}

    def settings(self):
        return {**super().settings(), "cells": "companion"}

    def variants(self):
        return [{"cell": cell, "length": 50} for cell in COMPANION_CELLS]

    def recurrent_layer(self, variant):
        return keras.layers.RNN(COMPANION_CELLS[variant["cell"]](self.units))
