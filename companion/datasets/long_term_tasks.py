"""Synthetic long-term dependency tasks: the adding problem and the copy (memory) task.

Both are generated from a seed, so an experiment can draw as much data as it needs and a
second run sees the same sequences.
"""

import math

import numpy as np

from companion import checks

#: Mean squared error of always predicting 1, the mean of the target (Var of U[0,1] + U[0,1]).
ADDING_PROBLEM_BASELINE_MSE = 1.0 / 6.0


def adding_problem(n_sequences, length, seed=None):
    """The adding problem of Hochreiter and Schmidhuber (1997), in its common modern form.

    Each sequence has ``length`` steps and two channels: a value drawn from U[0, 1] and a
    marker that is 1 on exactly two steps, one in the first half of the sequence and one in
    the second half, and 0 elsewhere. The target is the sum of the two marked values. To
    solve it, a model must keep the first marked value for up to ``length`` steps; predicting
    the mean (1.0) gives a mean squared error of 1/6 (``ADDING_PROBLEM_BASELINE_MSE``).

    Returns:
        ``(inputs, targets)``: float32 arrays of shapes ``(n_sequences, length, 2)`` and
        ``(n_sequences, 1)``.
    """
    n_sequences = checks.positive_int("n_sequences", n_sequences)
    length = checks.positive_int("length", length, minimum=2)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(n_sequences, length))
    half = length // 2
    rows = np.arange(n_sequences)
    first = rng.integers(0, half, size=n_sequences)
    second = rng.integers(half, length, size=n_sequences)
    markers = np.zeros((n_sequences, length))
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    inputs = np.stack([values, markers], axis=-1).astype("float32")
    targets = (values[rows, first] + values[rows, second])[:, None].astype("float32")
    return inputs, targets


def copy_task(n_sequences, delay, n_symbols=8, copy_length=10, seed=None):
    """The copy (memory) task as defined by Arjovsky, Shah and Bengio (2016).

    Tokens: 0 is the blank, 1..``n_symbols`` are data symbols, ``n_symbols + 1`` is the
    delimiter. An input sequence is ``copy_length`` random symbols, then ``delay - 1``
    blanks, the delimiter, and ``copy_length`` blanks (total ``delay + 2 * copy_length``
    steps). The target is blank everywhere except the last ``copy_length`` steps, which must
    reproduce the symbols seen ``delay + copy_length`` steps earlier.

    Returns:
        ``(inputs, targets)``: int32 arrays of shape ``(n_sequences, delay + 2 * copy_length)``.
        The inputs take ``n_symbols + 2`` distinct values, the targets ``n_symbols + 1``.
    """
    n_sequences = checks.positive_int("n_sequences", n_sequences)
    delay = checks.positive_int("delay", delay)
    n_symbols = checks.positive_int("n_symbols", n_symbols, minimum=2)
    copy_length = checks.positive_int("copy_length", copy_length)
    rng = np.random.default_rng(seed)
    total = delay + 2 * copy_length
    symbols = rng.integers(1, n_symbols + 1, size=(n_sequences, copy_length))
    inputs = np.zeros((n_sequences, total), dtype="int32")
    targets = np.zeros((n_sequences, total), dtype="int32")
    inputs[:, :copy_length] = symbols
    inputs[:, delay + copy_length - 1] = n_symbols + 1  # the delimiter: "now repeat"
    targets[:, -copy_length:] = symbols
    return inputs, targets


def copy_task_baseline_cross_entropy(delay, n_symbols=8, copy_length=10):
    """Cross-entropy per step (nats) of the memoryless strategy of Arjovsky et al. (2016).

    Predict the blank with certainty until the delimiter, then a uniform guess over the
    ``n_symbols`` symbols: ``copy_length * log(n_symbols) / (delay + 2 * copy_length)``,
    which is ``10 log 8 / (T + 20)`` for the paper's settings.
    """
    delay = checks.positive_int("delay", delay)
    n_symbols = checks.positive_int("n_symbols", n_symbols, minimum=2)
    copy_length = checks.positive_int("copy_length", copy_length)
    return copy_length * math.log(n_symbols) / (delay + 2 * copy_length)
