"""The elementwise and normalising functions of the NumPy reference, written once."""

import numpy as np


def sigmoid(a):
    r"""The logistic function $\sigma(a) = 1 / (1 + e^{-a})$."""
    return 1.0 / (1.0 + np.exp(-a))


def softmax(logits, axis=-1):
    r"""$\operatorname{softmax}(z)_i = e^{z_i} / \sum_j e^{z_j}$ along ``axis``, computed after
    subtracting the maximum so that large logits do not overflow."""
    logits = np.asarray(logits)
    shifted = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)
