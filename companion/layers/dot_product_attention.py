"""Scaled dot-product attention (Vaswani et al. 2017) and its masks, written with ``keras.ops``.

Conventions, shared by every attention layer of the package: queries are ``(batch, T_q, d_q)``,
keys and values ``(batch, T_v, d)``; a mask is boolean, ``True`` where a position may be
attended to.
"""

import math

from keras import ops

# What a masked score becomes before the softmax (Keras uses the same number).
MASKED_SCORE = -1e9


def causal_mask(query_length, value_length=None):
    """Boolean ``(1, T_q, T_v)`` mask, ``True`` where key position ``j <= i`` (query ``i``).

    Position ``i`` of a decoder may look at itself and at earlier positions only, so that
    training on a whole sequence at once (teacher forcing) cannot peek at the answer.
    """
    value_length = query_length if value_length is None else value_length
    rows = ops.expand_dims(ops.arange(query_length), 1)
    columns = ops.expand_dims(ops.arange(value_length), 0)
    return ops.expand_dims(ops.greater_equal(rows, columns), 0)


def masked_softmax(scores, mask=None):
    r"""Softmax over the last axis that gives masked positions zero weight.

    $\alpha_{ij} = \exp(e_{ij}) / \sum_{k:\,m_{ik}} \exp(e_{ik})$ where the mask $m_{ij}$ is
    true, $0$ where it is false. Masked scores are replaced by $-10^9$ before the softmax; a row
    masked everywhere gets all-zero weights (as in ``keras.layers.MultiHeadAttention``).
    """
    if mask is None:
        return ops.softmax(scores, axis=-1)
    mask = ops.cast(mask, "bool")
    weights = ops.softmax(ops.where(mask, scores, MASKED_SCORE), axis=-1)
    return ops.where(mask, weights, ops.zeros_like(weights))


def scaled_dot_product_attention(query, key, value, mask=None, scale=None):
    r"""Scaled dot-product attention of Vaswani et al. (2017), on the last two axes.

    $$
    \operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\left(
        \frac{Q K^\top}{\sqrt{d_k}}\right) V
    $$

    Args:
        query: ``(..., T_q, d_k)``.
        key: ``(..., T_v, d_k)``.
        value: ``(..., T_v, d_v)``.
        mask: boolean, broadcastable to ``(..., T_q, T_v)``; ``True`` = may attend.
        scale: the factor on the scores; default $1/\sqrt{d_k}$.

    Returns:
        ``(output, weights)``: ``(..., T_q, d_v)`` and the attention weights
        ``(..., T_q, T_v)``, each row summing to 1 (0 for a fully masked row).
    """
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    scores = ops.matmul(query, ops.swapaxes(key, -1, -2)) * scale
    weights = masked_softmax(scores, mask)
    return ops.matmul(weights, value), weights
