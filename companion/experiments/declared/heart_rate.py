"""Patient monitoring: does a recurrent forecaster's surprise find a labelled anomaly?

The heart rate of a patient with internal bleeding (UCR anomaly archive, KDD-TSAD 135;
``companion.datasets.heart_rate``): 7,501 values, the first 1,200 normal, and one labelled
anomaly of 12 points in the rest. A forecaster (LSTM or GRU, 32 units) reads the last 32
standardised values and predicts the next; trained on the first 960 normal values, early-
stopped on the next 240, it then scores every later point by the size of its forecast error.
Variants: the two cells from three seeds each. The test metrics are the average precision of
that score against the labels, and precision and recall when an error larger than five
standard deviations of the validation errors raises an alarm.
"""

import functools

import numpy as np

from companion.datasets import heart_rate
from companion.experiments.protocol import Experiment

CELLS = ("lstm", "gru")
WINDOW = 32
TRAIN_END = 960         # windows end before this point for training ...
ALARM_SIGMAS = 5.0


@functools.lru_cache(maxsize=1)
def data():
    """(standardised series, labels, train_length) with the normal prefix's statistics."""
    record = heart_rate.load()
    normal = record.series[:record.train_length].astype(np.float64)
    series = ((record.series - normal.mean()) / normal.std()).astype("float32")
    return series, record.labels.astype(bool), record.train_length


def windows(series, first_target, last_target):
    """Inputs ``(n, WINDOW, 1)`` and next values ``(n, 1)`` for targets in
    ``[first_target, last_target)``."""
    targets = np.arange(max(first_target, WINDOW), last_target)
    index = targets[:, None] - WINDOW + np.arange(WINDOW)
    return series[index][..., None], series[targets][:, None], targets


def average_precision(scores, labels):
    """Area under the precision-recall curve, as scikit-learn's ``average_precision_score``."""
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(labels, scores))


class HeartRateAnomalies(Experiment):
    name = "heart_rate"
    question = ("Does the forecast error of a recurrent network find the labelled anomaly in "
                "a real heart-rate series better than a rolling z-score?")
    seeds = (0, 1, 2)
    metric = "validation_mse"
    eval_every = 100
    keep_best = True
    units = 32
    batch_size = 64
    learning_rate = 3e-3
    budget = 2000

    def settings(self):
        return {"units": self.units, "window": WINDOW, "batch_size": self.batch_size,
                "optimizer": "adam", "learning_rate": self.learning_rate,
                "budget": self.budget, "train_targets": [WINDOW, TRAIN_END],
                "validation_targets": [TRAIN_END, data()[2]],
                "alarm": f"error > {ALARM_SIGMAS} validation standard deviations"}

    def variants(self):
        return [{"cell": cell} for cell in CELLS]

    def build_model(self, variant):
        import keras

        layer = keras.layers.LSTM if variant["cell"] == "lstm" else keras.layers.GRU
        model = keras.Sequential([keras.Input((WINDOW, 1)), layer(self.units, use_cudnn=False),
                                  keras.layers.Dense(1)])
        model.compile(keras.optimizers.Adam(self.learning_rate, global_clipnorm=1.0), "mse",
                      jit_compile=True)
        return model

    def training_batch(self, variant, rng, step):
        inputs, targets, _ = windows(data()[0], WINDOW, TRAIN_END)
        chosen = rng.choice(len(targets), size=self.batch_size, replace=False)
        return inputs[chosen], targets[chosen]

    def held_out(self, variant):
        series, _, train_length = data()
        return windows(series, TRAIN_END, TRAIN_END + 16 if self.smoke else train_length)[:2]

    def evaluate(self, model, variant, data_):
        inputs, targets = data_
        errors = np.asarray(model.predict(inputs, batch_size=2048, verbose=0)) - targets
        return {"validation_mse": float(np.mean(errors ** 2))}

    def errors(self, model, first_target, last_target):
        """Forecast errors for the targets in ``[first_target, last_target)``."""
        inputs, targets, positions = windows(data()[0], first_target, last_target)
        predictions = np.asarray(model.predict(inputs, batch_size=2048, verbose=0))
        return (predictions - targets)[:, 0], positions

    def test_metrics(self, model, variant):
        series, labels, train_length = data()
        validation_errors, _ = self.errors(model, TRAIN_END, train_length)
        end = train_length + 64 if self.smoke else len(series)
        test_errors, positions = self.errors(model, train_length, end)
        scores, truth = np.abs(test_errors), labels[positions]
        alarms = scores > ALARM_SIGMAS * validation_errors.std()
        hits = int(np.sum(alarms & truth))
        return {
            "test_average_precision": average_precision(scores, truth) if truth.any() else 0.0,
            "test_precision": hits / max(int(alarms.sum()), 1),
            "test_recall": hits / max(int(truth.sum()), 1),
        }

    def max_steps(self, variant):
        return self.budget
