"""Which optimiser takes a small GRU forecaster furthest in eight epochs' worth of steps?

Next-step forecasting of the two-sine series of chapter 1 (periods 25 and 7) observed through
Gaussian noise of standard deviation 0.1, so that no forecaster gets below a mean squared
error of 0.01: windows of 16 values, a GRU of 16 units (``companion.GRUCell`` in
``keras.layers.RNN``) and a dense output. Each run takes 256 steps (eight epochs' worth) of 32
windows drawn at random from the first 1,000, and is evaluated on the 384 later windows every
32 steps. Variants, one untuned learning rate each, the value one would try first: plain SGD
(0.05), SGD with momentum 0.9 (0.05), Adam (0.03), and Adam whose rate decays along a cosine
from 0.03 to 0 over the 256 steps. Five seeds; a seed fixes the initial weights and the
batches, the same for the four optimisers.
"""

import math

import keras
import numpy as np

from companion.cells import GRUCell
from companion.datasets.periodic_signal import next_step_windows, noisy_periodic_signal
from companion.experiments.declared.next_step_forecast import NextStepForecast

NOISE_STD, WINDOW, N_TRAIN, BATCH, EPOCHS = 0.1, 16, 1_000, 32, 8
STEPS = EPOCHS * math.ceil(N_TRAIN / BATCH)
OPTIMIZERS = {
    "sgd": lambda: keras.optimizers.SGD(0.05),
    "momentum": lambda: keras.optimizers.SGD(0.05, momentum=0.9),
    "adam": lambda: keras.optimizers.Adam(0.03),
    "adam_cosine": lambda: keras.optimizers.Adam(
        keras.optimizers.schedules.CosineDecay(0.03, STEPS)),
}


def forecast_windows():
    """``(x_fit, y_fit), (x_check, y_check)``: the first ``N_TRAIN`` windows of the series
    and the later ones, shapes ``(n, WINDOW, 1)`` and ``(n, 1)``."""
    series = noisy_periodic_signal(1_400, period=25, noise_std=NOISE_STD, second_period=7,
                                   seed=0)
    inputs, targets = next_step_windows(series, WINDOW)
    return (inputs[:N_TRAIN], targets[:N_TRAIN]), (inputs[N_TRAIN:], targets[N_TRAIN:])


def gru_forecaster(optimizer, units=16, jit_compile="auto"):
    """A compiled GRU forecaster of ``WINDOW`` values (MSE loss), weights drawn now."""
    model = keras.Sequential([
        keras.Input((WINDOW, 1)),
        keras.layers.RNN(GRUCell(units)),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer, "mse", jit_compile=jit_compile)
    return model


class Optimisers(NextStepForecast):
    name = "optimisers"
    question = ("Which of SGD, momentum, Adam and Adam with cosine decay takes a GRU "
                "forecaster lowest in 256 steps, from the same start?")
    seeds = (0, 1, 2, 3, 4)
    eval_every = math.ceil(N_TRAIN / BATCH)  # once per epoch's worth of steps
    batch_size = BATCH
    steps = STEPS

    def settings(self):
        return {"noise_std": NOISE_STD, "window": WINDOW, "n_train": N_TRAIN,
                "batch_size": BATCH, "units": 16, "steps": STEPS,
                "learning_rates": {"sgd": 0.05, "momentum": 0.05, "adam": 0.03,
                                   "adam_cosine": 0.03},
                "momentum": 0.9, "cosine_decay_steps": STEPS, "jit_compile": True,
                "paired_batches": True}

    def variants(self):
        return [{"optimizer": name} for name in OPTIMIZERS]

    def build_model(self, variant):
        return gru_forecaster(OPTIMIZERS[variant["optimizer"]](), jit_compile=True)

    def data_rng(self, variant, seed):
        # paired: every optimiser sees the same batches for a seed
        return np.random.default_rng([seed])

    def windows(self):
        return forecast_windows()
