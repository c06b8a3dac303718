"""companion._arguments: the positive-integer check every module uses at its boundary."""

import numpy as np
import pytest

from companion._arguments import positive_int


def test_accepts_python_and_numpy_integers_and_returns_int():
    assert positive_int("n", 3) == 3
    value = positive_int("n", np.int64(7))
    assert value == 7 and type(value) is int
    assert positive_int("n", 2, minimum=2) == 2


@pytest.mark.parametrize("value", [0, -1, 2.0, "3", None, True])
def test_rejects_what_is_not_a_positive_integer(value):
    with pytest.raises(ValueError, match=r"`n` must be a positive integer, got " + repr(value)):
        positive_int("n", value)


def test_names_the_minimum_when_it_is_not_one():
    with pytest.raises(ValueError, match=r"`vocab_size` must be an integer >= 2, got 1"):
        positive_int("vocab_size", 1, minimum=2)
