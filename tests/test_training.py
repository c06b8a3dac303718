"""The step-budgeted training loop records a learning curve, stops at a target, flags divergence."""

import keras
import numpy as np
import pytest
from companion.datasets import long_term_tasks
from companion.experiments.training import train_for_steps


def small_adding_model(learning_rate):
    model = keras.Sequential([keras.Input((8, 2)), keras.layers.GRU(8), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(learning_rate), "mse")
    return model


def test_records_a_curve_and_stops_at_the_target():
    keras.utils.set_random_seed(0)
    eval_data = long_term_tasks.adding_problem(200, 8, seed=1)
    curve = train_for_steps(
        small_adding_model(1e-2),
        lambda step: long_term_tasks.adding_problem(32, 8, seed=100 + step),
        max_steps=600,
        eval_data=eval_data,
        eval_every=20,
        target_loss=0.05,
    )
    assert curve.steps[0] == 0 and curve.steps == sorted(curve.steps)
    assert len(curve.steps) == len(curve.losses)
    assert curve.losses[0] > 0.1  # untrained: about the 1/6 baseline
    assert curve.reached_target_at == curve.steps[-1] < 600
    assert curve.final_loss < 0.05 and curve.best_loss == min(curve.losses)
    assert curve.seconds > 0 and not curve.diverged


def test_runs_the_whole_budget_without_a_target():
    eval_data = long_term_tasks.adding_problem(50, 8, seed=1)
    curve = train_for_steps(
        small_adding_model(1e-3), lambda step: long_term_tasks.adding_problem(16, 8, seed=step), 25, eval_data, eval_every=10
    )
    assert curve.steps == [0, 10, 20, 25] and curve.reached_target_at is None


def test_divergence_is_reported_not_hidden():
    model = keras.Sequential([keras.Input((8, 2)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(1e3), "mse")  # a step size that must blow up
    x, y = long_term_tasks.adding_problem(32, 8, seed=0)
    curve = train_for_steps(model, lambda step: (x * 1e3, y), 200, (x * 1e3, y), eval_every=1)
    assert curve.diverged and not np.isfinite(curve.final_loss) and curve.steps[-1] < 200


@pytest.mark.parametrize("argument", ["max_steps", "eval_every"])
def test_bad_budgets_are_rejected(argument):
    kwargs = {"max_steps": 10, "eval_every": 5, argument: 0}
    with pytest.raises(ValueError, match=f"`{argument}`"):
        train_for_steps(None, None, eval_data=(None, None), **kwargs)
