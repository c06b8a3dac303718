"""companion.datasets.counting_languages: strings, their next-symbol sets, and the count."""

import numpy as np
import pytest

from companion.datasets.counting_languages import (
    encode,
    next_symbol_sets,
    running_count,
)


def test_running_count_is_a_reads_minus_b_reads():
    inputs, _, mask = encode("anbn", [3, 1])
    count = running_count(inputs)
    # ^ a a a b b b: the count after each symbol; the shorter string is padded (no symbol)
    np.testing.assert_array_equal(count[0], [0, 1, 2, 3, 2, 1, 0])
    np.testing.assert_array_equal(count[1][mask[1] > 0], [0, 1, 0])
    assert count.dtype == np.float64


def test_running_count_ignores_the_c_of_anbncn():
    inputs, _, _ = encode("anbncn", [2])
    np.testing.assert_array_equal(running_count(inputs)[0], [0, 1, 2, 1, 0, 0, 0])


def test_next_symbol_sets_end_where_the_count_says():
    assert next_symbol_sets("anbn", 2) == [{"a"}, {"a", "b"}, {"a", "b"}, {"b"}, {"$"}]


def test_running_count_refuses_inputs_that_are_not_encoded_symbols():
    with pytest.raises(ValueError, match="`inputs`.*shape"):
        running_count(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match="`inputs`"):
        running_count(np.zeros((5, 4)))
