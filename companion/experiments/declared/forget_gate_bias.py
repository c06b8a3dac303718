"""Does initialising the LSTM's forget-gate bias to 1 help it learn long lags?

Gers, Schmidhuber & Cummins (2000) and Jozefowicz, Zaremba & Sutskever (2015) recommend a
positive forget-gate bias at initialisation, so that a fresh LSTM starts by remembering
($f_t \\approx \\sigma(1) = 0.73$ rather than $\\sigma(0) = 0.5$). Keras does it by default
(``unit_forget_bias=True``). Variants: the LSTM of the adding-problem experiment with the
bias at 1 and at 0, at T = 200 (where the LSTM of that experiment solved every seed), from
five seeds each; everything else is identical.
"""

import keras

from companion.experiments.declared.adding_problem import AddingProblem

LENGTHS = (200,)


class ForgetGateBias(AddingProblem):
    name = "forget_gate_bias"
    question = ("Does a forget-gate bias of 1 at initialisation make the LSTM learn long "
                "lags faster?")
    seeds = (0, 1, 2, 3, 4)
    budgets = {200: 10_000}

    def settings(self):
        return {**super().settings(), "cell": "lstm"}

    def variants(self):
        return [{"forget_bias": bias, "length": length}
                for length in LENGTHS for bias in (1, 0)]

    def build_model(self, variant):
        model = keras.Sequential([
            keras.Input((variant["length"], 2)),
            keras.layers.LSTM(self.units, unit_forget_bias=bool(variant["forget_bias"]),
                              use_cudnn=False),
            keras.layers.Dense(1),
        ])
        model.compile(optimizer=self.optimizer("lstm"), loss="mse",
                      jit_compile=self.jit_compile)
        return model
