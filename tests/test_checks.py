"""companion.checks: the one module of argument checks every layer of the package uses."""

import numpy as np
import pytest
from companion import checks


def test_positive_int_accepts_python_and_numpy_integers_and_returns_int():
    assert checks.positive_int("n", 3) == 3
    value = checks.positive_int("n", np.int64(7))
    assert value == 7 and type(value) is int
    assert checks.positive_int("n", 2, minimum=2) == 2
    assert checks.positive_int("n", 0, minimum=0) == 0


@pytest.mark.parametrize("value", [0, -1, 2.0, "3", None, True])
def test_positive_int_rejects_what_is_not_a_positive_integer(value):
    with pytest.raises(ValueError, match=r"`n` must be a positive integer, got " + repr(value)):
        checks.positive_int("n", value)


def test_positive_int_names_the_minimum_when_it_is_not_one():
    with pytest.raises(ValueError, match=r"`vocab_size` must be an integer >= 2, got 1"):
        checks.positive_int("vocab_size", 1, minimum=2)


def test_optional_positive_int_passes_none_through():
    assert checks.optional_positive_int("value_dim", None) is None
    assert checks.optional_positive_int("value_dim", 4) == 4
    with pytest.raises(ValueError, match="`value_dim`"):
        checks.optional_positive_int("value_dim", 0)


@pytest.mark.parametrize("value", [0.0, 0.5, 0.999, np.float32(0.25)])
def test_rate_accepts_fractions_in_zero_one(value):
    result = checks.rate("dropout", value)
    assert result == pytest.approx(float(value)) and type(result) is float


@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5, "0.2", True, None, float("nan")])
def test_rate_rejects_what_keras_would_clamp(value):
    with pytest.raises(ValueError, match=r"`dropout` must be a float in \[0, 1\)"):
        checks.rate("dropout", value)


@pytest.mark.parametrize("value", [0, -2.0, float("inf"), float("nan"), "1", False])
def test_positive_float_rejects_zero_negative_infinite_and_non_numbers(value):
    with pytest.raises(ValueError, match="`clipnorm` must be a finite number > 0"):
        checks.positive_float("clipnorm", value)


def test_flag_takes_only_booleans():
    assert checks.flag("use_bias", False) is False
    for value in (0, 1, "True", None):
        with pytest.raises(ValueError, match="`use_bias` must be True or False"):
            checks.flag("use_bias", value)


def test_seed_takes_integers_or_none():
    assert checks.seed("seed", None) is None
    assert checks.seed("seed", np.int32(5)) == 5
    for value in (1.5, "3", True):
        with pytest.raises(ValueError, match="`seed` must be an integer or None"):
            checks.seed("seed", value)


def test_choice_lists_what_is_allowed():
    assert checks.choice("cell", "gru", ("gru", "lstm")) == "gru"
    with pytest.raises(ValueError, match="`cell` must be one of 'gru', 'lstm', got 'rnn'"):
        checks.choice("cell", "rnn", ("gru", "lstm"))


def test_keras_resolvers_name_the_argument_and_give_examples():
    assert checks.activation("activation", "tanh").__name__ == "tanh"
    with pytest.raises(ValueError, match=r"`activation` got 'tanhh'.*'sigmoid'"):
        checks.activation("activation", "tanhh")
    with pytest.raises(ValueError, match=r"`kernel_initializer` got 'glorot'.*'orthogonal'"):
        checks.initializer("kernel_initializer", "glorot")
