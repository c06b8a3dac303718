"""The synthetic tasks have the structure and baselines the literature defines."""

import math

import numpy as np
import pytest
from companion.datasets import long_term_tasks


def test_adding_problem_structure_and_target():
    inputs, targets = long_term_tasks.adding_problem(500, 40, seed=0)
    assert inputs.shape == (500, 40, 2) and targets.shape == (500, 1)
    assert inputs.dtype == np.float32 and targets.dtype == np.float32
    values, markers = inputs[..., 0], inputs[..., 1]
    assert np.all((values >= 0) & (values <= 1))
    np.testing.assert_array_equal(markers.sum(axis=1), 2)
    np.testing.assert_array_equal(markers[:, :20].sum(axis=1), 1)  # one marker in each half
    np.testing.assert_allclose(targets[:, 0], (values * markers).sum(axis=1), rtol=1e-6)


def test_adding_problem_mean_prediction_baseline():
    _, targets = long_term_tasks.adding_problem(200_000, 10, seed=1)
    mse_of_mean = float(np.mean((targets - 1.0) ** 2))
    assert abs(mse_of_mean - long_term_tasks.ADDING_PROBLEM_BASELINE_MSE) < 0.003


def test_tasks_are_reproducible_from_the_seed():
    a, b = long_term_tasks.adding_problem(4, 10, seed=3), long_term_tasks.adding_problem(4, 10, seed=3)
    np.testing.assert_array_equal(a[0], b[0])
    c = long_term_tasks.adding_problem(4, 10, seed=4)
    assert not np.array_equal(a[0], c[0])
    np.testing.assert_array_equal(long_term_tasks.copy_task(3, 5, seed=2)[0], long_term_tasks.copy_task(3, 5, seed=2)[0])


def test_copy_task_layout():
    delay, n_symbols, copy_length = 15, 8, 10
    inputs, targets = long_term_tasks.copy_task(50, delay, seed=0)
    assert inputs.shape == targets.shape == (50, delay + 20)
    symbols = inputs[:, :copy_length]
    assert symbols.min() >= 1 and symbols.max() <= n_symbols
    np.testing.assert_array_equal(inputs[:, copy_length : delay + copy_length - 1], 0)
    np.testing.assert_array_equal(inputs[:, delay + copy_length - 1], n_symbols + 1)
    np.testing.assert_array_equal(inputs[:, delay + copy_length :], 0)
    np.testing.assert_array_equal(targets[:, :-copy_length], 0)
    np.testing.assert_array_equal(targets[:, -copy_length:], symbols)


def test_copy_task_baseline_is_the_memoryless_cross_entropy():
    delay = 30
    _, targets = long_term_tasks.copy_task(2000, delay, seed=5)
    # the memoryless strategy: blank for sure, then uniform over the 8 symbols
    probabilities = np.zeros(targets.shape + (9,))
    probabilities[:, :-10, 0] = 1.0
    probabilities[:, -10:, 1:] = 1.0 / 8
    chosen = np.take_along_axis(probabilities, targets[..., None], axis=-1)
    measured = float(-np.mean(np.log(chosen)))
    assert math.isclose(measured, long_term_tasks.copy_task_baseline_cross_entropy(delay), rel_tol=1e-9)
    assert math.isclose(long_term_tasks.copy_task_baseline_cross_entropy(100), 10 * math.log(8) / 120)


@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda: long_term_tasks.adding_problem(0, 10), "n_sequences"),
        (lambda: long_term_tasks.adding_problem(5, 1), "length"),
        (lambda: long_term_tasks.adding_problem(5, 10.0), "length"),
        (lambda: long_term_tasks.copy_task(5, 0), "delay"),
        (lambda: long_term_tasks.copy_task(5, 10, n_symbols=1), "n_symbols"),
        (lambda: long_term_tasks.copy_task_baseline_cross_entropy(10, copy_length=0), "copy_length"),
    ],
)
def test_bad_arguments_name_themselves(call, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        call()
