"""Arithmetic progressions modulo m: the rule, the shift, the seed."""

import numpy as np
import pytest
from companion.datasets import progressions


def test_every_sequence_is_a_progression():
    previous, tokens = progressions.modular_progressions(200, 12, modulus=16, seed=0)
    steps = np.diff(tokens, axis=1) % 16
    assert np.all(steps == steps[:, :1]) and np.all(steps[:, 0] != 0)
    assert tokens.min() >= 0 and tokens.max() < 16
    np.testing.assert_array_equal(previous[:, 1:], tokens[:, :-1])
    assert progressions.start_id(16) == 16 and np.all(previous[:, 0] == 16)
    assert progressions.vocab_size(16) == 17


def test_seeded_and_generator_seeds():
    a = progressions.modular_progressions(5, 6, seed=3)
    b = progressions.modular_progressions(5, 6, seed=3)
    np.testing.assert_array_equal(a[1], b[1])
    rng = np.random.default_rng(3)
    c = progressions.modular_progressions(5, 6, seed=rng)
    d = progressions.modular_progressions(5, 6, seed=rng)  # the generator moves on
    assert not np.array_equal(c[1], d[1])


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="modulus"):
        progressions.modular_progressions(2, 5, modulus=1)
    with pytest.raises(ValueError, match="length"):
        progressions.modular_progressions(2, 1)
