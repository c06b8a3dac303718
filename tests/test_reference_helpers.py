"""companion.reference.functions and .differences: the NumPy helpers every check builds on."""

import numpy as np
import pytest

from companion.reference.differences import max_abs_difference, max_relative_difference
from companion.reference.functions import sigmoid, softmax


def test_sigmoid_is_the_logistic_function_and_symmetric():
    a = np.linspace(-8, 8, 33)
    np.testing.assert_allclose(sigmoid(a), 1 / (1 + np.exp(-a)))
    np.testing.assert_allclose(sigmoid(a) + sigmoid(-a), 1.0, atol=1e-15)


def test_softmax_sums_to_one_and_survives_large_logits():
    logits = np.array([[1000.0, 1001.0, 999.0], [0.0, 0.0, 0.0]])
    p = softmax(logits)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    np.testing.assert_allclose(p[1], 1 / 3)
    np.testing.assert_allclose(softmax(logits, axis=0).sum(axis=0), 1.0)


def test_max_abs_difference_compares_elementwise_in_float64():
    a = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    assert max_abs_difference(a, [1.0, 2.5, 2.0]) == 1.0
    assert max_abs_difference(np.ones(3), 0) == 1.0  # a scalar stands for every element
    assert isinstance(max_abs_difference(a, a), float)


def test_max_abs_difference_refuses_silent_broadcasting():
    with pytest.raises(ValueError, match=r"same shape, got \(4, 1\) and \(4,\)"):
        max_abs_difference(np.zeros((4, 1)), np.zeros(4))


def test_max_relative_difference_divides_by_the_reference_scale():
    assert max_relative_difference([1.0, 2.2], [1.0, 2.0]) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="all zeros"):
        max_relative_difference([1.0], [0.0])
