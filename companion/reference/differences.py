"""How far apart two computations are: the measures the book's checks assert on.

Both compare in float64, whatever the inputs' types (Keras tensors, float32 arrays), so that
the measure itself adds no rounding.
"""

import numpy as np


def _as_float64(x):
    # a PyTorch tensor that requires grad refuses np.asarray: detach it first (duck-typed, so
    # that this NumPy module needs no backend)
    if hasattr(x, "detach") and hasattr(x, "cpu"):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=np.float64)


def _pair(a, b):
    a, b = _as_float64(a), _as_float64(b)
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
