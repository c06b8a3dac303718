"""Forecasting real monthly series: do trained recurrent networks beat the classical methods?

Three series (``companion.datasets.monthly_series``): the euro-area electrical-equipment
turnover index (sales-like), Mauna Loa CO2, and airline passengers (on logs: its seasonal swing
grows with its level). The last ``HORIZONS[series]`` months are the test; the model never sees
them. Each network (tanh RNN, LSTM or GRU, 32 units) reads a window of seasonal differences
(this year's month minus last year's), standardised with training statistics, and outputs the
next ``horizon`` of them at once (a direct forecast), which are then undone into values.
Windows whose targets fall in the last year and a horizon of the training part are the
validation set, which steers early stopping; five seeds per variant.
"""

import functools

import numpy as np

from companion.datasets import monthly_series
from companion.experiments.protocol import Experiment

CELLS = ("tanh", "lstm", "gru")
SERIES = ("elec_equip", "co2", "airline")
HORIZONS = {"elec_equip": 24, "co2": 24, "airline": 12}
WINDOWS = {"elec_equip": 36, "co2": 36, "airline": 24}
LOG = {"elec_equip": False, "co2": False, "airline": True}
PERIOD = 12
N_VALIDATION = 12  # validation windows: the last year of training targets


@functools.lru_cache(maxsize=None)
def prepared(name):
    """Everything one series' runs need, computed once per process: a dict with the values
    (log for airline), train and test parts, the standardised seasonal differences of the
    training part, the scaler, and the window arrays of training and validation."""
    series = monthly_series.LOADERS[name]()
    values = np.log(series.to_numpy()) if LOG[name] else series.to_numpy()
    horizon, window = HORIZONS[name], WINDOWS[name]
    train, test = values[:-horizon], values[-horizon:]
    differences = monthly_series.seasonal_difference(train, PERIOD)
    scaler = monthly_series.Scaler.fit(differences)
    x, y = monthly_series.windows(scaler.transform(differences).astype("float32"), window,
                                  horizon)
    return {"series": series, "train": train, "test": test, "scaler": scaler,
            "x_train": x[:-N_VALIDATION], "y_train": y[:-N_VALIDATION],
            "x_validation": x[-N_VALIDATION:], "y_validation": y[-N_VALIDATION:],
            "last_window": scaler.transform(differences[-window:])[None, :, None]
            .astype("float32")}


def forecast(model, name):
    """The model's forecast of the test months, in the series' own units."""
    data = prepared(name)
    scaled = np.asarray(model.predict_on_batch(data["last_window"]))[0]
    values = monthly_series.undo_seasonal_difference(data["train"],
                                                     data["scaler"].inverse(scaled), PERIOD)
    return np.exp(values) if LOG[name] else values


def actual(name):
    test = prepared(name)["test"]
    return np.exp(test) if LOG[name] else test


class Forecasting(Experiment):
    name = "forecasting"
    question = ("Trained with a validation split and early stopping, do a tanh RNN, an LSTM "
                "and a GRU beat naive, seasonal naive, Holt-Winters and SARIMA forecasts?")
    seeds = (0, 1, 2, 3, 4)
    metric = "validation_mse"
    eval_every = 25
    keep_best = True
    units = 32
    batch_size = 32
    learning_rate = 1e-3
    budget = 2000

    def settings(self):
        return {"units": self.units, "batch_size": self.batch_size, "optimizer": "adam",
                "learning_rate": self.learning_rate, "budget": self.budget,
                "horizons": HORIZONS, "windows": WINDOWS, "log": LOG, "period": PERIOD,
                "validation_windows": N_VALIDATION,
                "input": "standardised seasonal differences", "output": "direct, all steps"}

    def variants(self):
        return [{"series": name, "cell": cell} for name in SERIES for cell in CELLS]

    def build_model(self, variant):
        import keras

        name = variant["series"]
        layer = {"tanh": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM,
                 "gru": keras.layers.GRU}[variant["cell"]]
        options = {} if variant["cell"] == "tanh" else {"use_cudnn": False}
        model = keras.Sequential([keras.Input((WINDOWS[name], 1)),
                                  layer(self.units, **options),
                                  # zero output weights: at step 0 the network forecasts no
                                  # change from the mean yearly change, seasonal naive with drift
                                  keras.layers.Dense(HORIZONS[name],
                                                     kernel_initializer="zeros")])
        model.compile(keras.optimizers.Adam(self.learning_rate, global_clipnorm=1.0), "mse",
                      jit_compile=True)
        return model

    def training_batch(self, variant, rng, step):
        data = prepared(variant["series"])
        chosen = rng.choice(len(data["y_train"]), size=self.batch_size, replace=True)
        return data["x_train"][chosen], data["y_train"][chosen]

    def held_out(self, variant):
        data = prepared(variant["series"])
        return data["x_validation"], data["y_validation"]

    def evaluate(self, model, variant, data):
        x, y = data
        return {"validation_mse": float(np.mean((np.asarray(model.predict_on_batch(x)) - y)
                                                ** 2))}

    def test_metrics(self, model, variant):
        errors = forecast(model, variant["series"]) - actual(variant["series"])
        return {"test_rmse": float(np.sqrt(np.mean(errors ** 2))),
                "test_mae": float(np.mean(np.abs(errors)))}

    def max_steps(self, variant):
        return self.budget
