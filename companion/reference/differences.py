"""How far apart two computations are: the measures the book's checks assert on.

Both compare in float64, whatever the inputs' types (Keras tensors, float32 arrays), so that
the measure itself adds no rounding.
"""

import numpy as np


def _pair(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape and a.ndim and b.ndim:  # a scalar may stand for every element
        raise ValueError(
            f"Arguments `a` and `b` must have the same shape, got {a.shape} and {b.shape} "
            "(broadcasting would compare the wrong elements)."
        )
    return a, b


def max_abs_difference(a, b):
    r"""$\max_i |a_i - b_i|$, as a Python float."""
    a, b = _pair(a, b)
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def max_relative_difference(a, b):
    r"""$\max_i |a_i - b_i| \,/\, \max_i |b_i|$: the largest error relative to ``b``'s scale."""
    a, b = _pair(a, b)
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    if scale == 0.0:
        raise ValueError("Argument `b` is all zeros: a relative difference has no scale.")
    return max_abs_difference(a, b) / scale
