"""Curriculum learning on the adding problem: short sequences first, or the final length at once?

The task is the adding problem (``companion.datasets.long_term_tasks``) at a final length of
T = 200, which an LSTM of 32 units trained on T = 200 alone solves in 5,000 to 7,500 Adam steps
(``adding_problem`` experiment). Variants, from three seeds each, with the protocol of that
experiment (Adam 1e-3, global clipping at norm 1, fresh batches of 64, solved when the MSE on
500 held-out sequences of length 200 falls below 0.01):

- ``direct``: every batch at T = 200;
- ``naive``: the curriculum of Bengio et al. (2009), by stages T = 25, 50, 100, 200; a run moves
  to the next stage at the first evaluation (every 100 steps) at which its held-out MSE at the
  current stage's length is below 0.01;
- ``mixed``: Zaremba & Sutskever's (2014) mixed curriculum: each batch is at the current
  stage's length with probability 1/2 and at a length drawn uniformly from all four stages
  otherwise, so the final length is seen from the start and earlier lengths are not forgotten.

Results: the step at which the held-out MSE at T = 200 first falls below 0.01 (steps to
solve), and the sequence steps processed until then, since a step at T = 25 costs an eighth of
one at T = 200. The stage a curriculum run is in is not stored with it: it follows from its
learning curve (``stage_history``), which records the held-out MSE at every stage's length.
"""

import keras
import numpy as np

from companion.datasets.long_term_tasks import ADDING_PROBLEM_BASELINE_MSE, adding_problem
from companion.experiments.protocol import Experiment

STAGES = (25, 50, 100, 200)
SCHEDULES = ("direct", "naive", "mixed")
SOLVED_MSE = 0.01


def metric_name(length):
    return f"mse_T{length}"


def stage_history(curve):
    """The stage (index into ``STAGES``) in force after each evaluation of a naive or mixed
    run, from its learning curve: a run advances at the first evaluation whose MSE at its
    current stage's length is below ``SOLVED_MSE``, at most one stage per evaluation."""
    stages, stage = [], 0
    for i in range(len(curve["step"])):
        if stage < len(STAGES) - 1 and curve[metric_name(STAGES[stage])][i] < SOLVED_MSE:
            stage += 1
        stages.append(stage)
    return stages


def sequence_steps(record, batch_size, eval_every):
    """The time steps processed (batch size x length, summed over the optimiser steps) until
    the run solved the task, or until its budget ended."""
    curve, variant = record["curve"], record["variant"]
    end = record["solved_at"] or record["steps"]
    if variant["schedule"] == "direct":
        return batch_size * STAGES[-1] * end
    # the mixed schedule's expected length: half the stage's, half the mean of all stages
    stages = stage_history(curve)
    total = 0.0
    for i, step in enumerate(curve["step"][:-1]):
        steps_here = min(curve["step"][i + 1], end) - step
        if steps_here <= 0:
            break
        length = STAGES[stages[i]]
        if variant["schedule"] == "mixed":
            length = 0.5 * length + 0.5 * float(np.mean(STAGES))
        total += batch_size * length * steps_here
    return total


class Curriculum(Experiment):
    name = "curriculum"
    question = ("Does a curriculum over the sequence length make an LSTM solve the adding "
                "problem at T = 200 in fewer steps, or with less computation?")
    seeds = (0, 1, 2)
    metric = metric_name(STAGES[-1])
    eval_every = 100
    # float32 sums over 500 sequences of 200 steps: a different thread count on another
    # machine moves the held-out MSE by about 1e-5 relative, far below any claim made of it
    metric_tolerance = 1e-4
    units = 32
    batch_size = 64
    held_out_size = 500
    learning_rate = 1e-3
    budget = 10_000
    jit_compile = True

    def __init__(self):
        self._stage = 0

    def settings(self):
        return {"cell": "lstm", "units": self.units, "batch_size": self.batch_size,
                "optimizer": "adam", "learning_rate": self.learning_rate,
                "global_clipnorm": 1.0, "stages": list(STAGES),
                "solved_below_mse": SOLVED_MSE, "baseline_mse": ADDING_PROBLEM_BASELINE_MSE,
                "budget": self.budget, "held_out_size": self.held_out_size,
                "jit_compile": self.jit_compile,
                "advance": "first evaluation with held-out MSE < 0.01 at the stage's length",
                "mixed": "stage length with p = 1/2, else uniform over all stages"}

    def variants(self):
        return [{"schedule": schedule} for schedule in SCHEDULES]

    def build_model(self, variant):
        model = keras.Sequential([
            keras.Input((None, 2)),
            # use_cudnn=False: the same computation on every device, and XLA may compile it
            keras.layers.LSTM(self.units, use_cudnn=False),
            keras.layers.Dense(1),
        ])
        model.compile(optimizer=keras.optimizers.Adam(self.learning_rate, global_clipnorm=1.0),
                      loss="mse", jit_compile=self.jit_compile)
        return model

    def length(self, variant, rng):
        """The length of the next training batch."""
        if variant["schedule"] == "direct":
            return STAGES[-1]
        if variant["schedule"] == "mixed" and rng.random() < 0.5:
            return STAGES[rng.integers(len(STAGES))]
        return STAGES[self._stage]

    def training_batch(self, variant, rng, step):
        if step == 1:
            self._stage = 0  # a new run (or a replay of a run's first steps)
        return adding_problem(self.batch_size, self.length(variant, rng), seed=rng)

    def held_out(self, variant):
        size = 64 if self.smoke else self.held_out_size
        # the adding_problem experiment's held-out sequences at T = 200 (seed 10,000 + T)
        return {length: adding_problem(size, length, seed=10_000 + length)
                for length in STAGES}

    def evaluate(self, model, variant, data):
        metrics = {}
        for length, (inputs, targets) in data.items():
            predictions = model.predict_on_batch(inputs)
            metrics[metric_name(length)] = float(((predictions - targets) ** 2).mean())
        # the stage moves on here, during training; a re-evaluation after training changes
        # nothing that the metrics depend on
        if (self._stage < len(STAGES) - 1
                and metrics[metric_name(STAGES[self._stage])] < SOLVED_MSE):
            self._stage += 1
        return metrics

    def max_steps(self, variant):
        return self.budget

    def solved(self, metrics):
        return metrics[self.metric] < SOLVED_MSE
