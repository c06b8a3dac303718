"""Chapter 1's first experiment: a vanilla RNN forecasting a noisy sum of two sines.

Next-step forecasting on ``noisy_periodic_signal`` (3,000 steps, periods 25 and 9, Gaussian
noise of standard deviation 0.1, seed 0): windows of 20 values, the first 1,800 windows in time
order for training and the later ones for testing. A ``companion.SimpleRNNCell`` of 16 units in
``keras.layers.RNN`` and a dense output, trained with Adam (learning rate 3e-3) for 1,710 steps
(30 epochs' worth) of 32 windows drawn at random from the training windows, from three seeds;
the test MSE is recorded every epoch's worth of steps (no early stopping: nothing is chosen on
it).
"""

import math

import keras

from companion.cells import SimpleRNNCell
from companion.datasets.periodic_signal import next_step_windows, noisy_periodic_signal
from companion.experiments.declared.next_step_forecast import NextStepForecast

WINDOW, PERIOD, SECOND_PERIOD, NOISE_STD, N_STEPS, N_TRAIN = 20, 25, 9, 0.1, 3_000, 1_800
UNITS, LEARNING_RATE, BATCH, EPOCHS = 16, 3e-3, 32, 30
STEPS_PER_EPOCH = math.ceil(N_TRAIN / BATCH)


def forecast_windows():
    """``(x_train, y_train), (x_test, y_test)``: every window of ``WINDOW`` values of the
    series (inputs ``(n, WINDOW, 1)``) and the value after it (targets ``(n, 1)``); the first
    ``N_TRAIN`` windows train, the later ones test, and nothing is shuffled across."""
    series = noisy_periodic_signal(N_STEPS, period=PERIOD, noise_std=NOISE_STD, seed=0,
                                   second_period=SECOND_PERIOD)
    inputs, targets = next_step_windows(series, WINDOW)
    return (inputs[:N_TRAIN], targets[:N_TRAIN]), (inputs[N_TRAIN:], targets[N_TRAIN:])


class VanillaForecaster(NextStepForecast):
    name = "vanilla_forecaster"
    question = ("How close to the noise floor does a 16-unit vanilla RNN forecast a noisy sum "
                "of two sines, against the last value and a linear autoregression?")
    seeds = (0, 1, 2)
    eval_every = STEPS_PER_EPOCH
    batch_size = BATCH
    steps = EPOCHS * STEPS_PER_EPOCH

    def settings(self):
        return {"window": WINDOW, "period": PERIOD, "second_period": SECOND_PERIOD,
                "noise_std": NOISE_STD, "n_steps": N_STEPS, "n_train": N_TRAIN,
                "units": UNITS, "optimizer": "adam", "learning_rate": LEARNING_RATE,
                "batch_size": BATCH, "epochs": EPOCHS, "steps": self.steps}

    def variants(self):
        return [{"cell": "tanh"}]

    def build_model(self, variant):
        model = keras.Sequential([
            keras.Input((WINDOW, 1)),
            keras.layers.RNN(SimpleRNNCell(UNITS)),
            keras.layers.Dense(1),
        ])
        model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="mse",
                      jit_compile=True)
        return model

    def windows(self):
        return forecast_windows()
