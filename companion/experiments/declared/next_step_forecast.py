"""What the declared experiments that forecast a generated series share.

A subclass gives ``windows()``, its ``(x_train, y_train), (x_test, y_test)`` with the test
windows later in time, a ``batch_size`` and a step budget ``steps``. Each training step takes
``batch_size`` windows drawn at random from the training windows (a function of the run's
generator), and the held-out metric is the mean squared error on the test windows.
"""

import functools

import numpy as np

from companion.experiments.protocol import Experiment


class NextStepForecast(Experiment):
    metric = "mse"
    batch_size = None
    steps = None

    def windows(self):
        raise NotImplementedError

    @functools.cached_property
    def _windows(self):
        return self.windows()

    def training_batch(self, variant, rng, step):
        x_train, y_train = self._windows[0]
        rows = rng.integers(0, len(x_train), size=self.batch_size)
        return x_train[rows], y_train[rows]

    def held_out(self, variant):
        return self._windows[1]

    def evaluate(self, model, variant, data):
        inputs, targets = data
        predictions = np.asarray(model.predict_on_batch(inputs))
        return {"mse": float(((predictions - targets) ** 2).mean())}

    def max_steps(self, variant):
        return self.steps
