"""The sinusoidal position code of Vaswani et al. (2017), and token embeddings that add it."""

import math
import numbers

import keras
from keras import ops

from companion import checks


def sinusoidal_positional_encoding(length, depth, base=10000.0):
    r"""The ``(length, depth)`` sinusoidal position code of Vaswani et al. (2017).

    $$
    PE_{p,\,2i} = \sin\!\left(\frac{p}{b^{2i/d}}\right),\qquad
    PE_{p,\,2i+1} = \cos\!\left(\frac{p}{b^{2i/d}}\right),
    \qquad b = 10000,\ d = \texttt{depth}.
    $$

    Dimension pair $i$ is a rotation with wavelength $2\pi\, b^{2i/d}$, from $2\pi$ to
    $2\pi b$; the code of position $p + k$ is a fixed linear map (a rotation in each pair) of
    the code of $p$, whatever $p$ is, and every entry lies in $[-1, 1]$.

    Args:
        length: number of positions (a positive int, or a scalar tensor in a traced graph).
        depth: positive even int, the model width $d$.
        base: positive float, $b$.
    """
    if isinstance(length, numbers.Number):
        checks.positive_int("length", length)
    depth = checks.positive_int("depth", depth)
    if depth % 2:
        raise ValueError(
            f"Argument `depth` must be even (sine and cosine come in pairs), got {depth}."
        )
    if isinstance(base, bool) or not isinstance(base, numbers.Real) or base <= 1:
        raise ValueError(f"Argument `base` must be a number greater than 1, got {base!r}.")
    positions = ops.expand_dims(ops.cast(ops.arange(length), "float32"), 1)
    pair_index = ops.cast(ops.arange(0, depth, 2), "float32")
    frequencies = ops.exp(-math.log(base) * pair_index / depth)  # 1 / b^(2i/d)
    angles = positions * ops.expand_dims(frequencies, 0)  # (length, depth / 2)
    # interleave: sin in even columns, cos in odd columns
    pairs = ops.stack([ops.sin(angles), ops.cos(angles)], axis=-1)
    return ops.reshape(pairs, (-1, depth))


@keras.saving.register_keras_serializable(package="companion")
class PositionalEmbedding(keras.layers.Layer):
    r"""Token embedding plus sinusoidal positions: $x_p = \sqrt{d}\, E[\mathrm{token}_p] + PE_p$.

    The factor $\sqrt{d}$ is Vaswani et al.'s (2017): it scales the learned embedding up
    relative to the position code, whose entries lie in $[-1, 1]$.

    Args:
        vocab_size: positive int.
        units: positive even int, $d$.

    Call arguments:
        token_ids: ``(batch, T)`` integers; 0 is padding.

    Returns ``(batch, T, units)``.
    """

    def __init__(self, vocab_size, units, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size = checks.positive_int("vocab_size", vocab_size)
        self.units = checks.positive_int("units", units)
        if self.units % 2:
            raise ValueError(f"Argument `units` must be even, got {units}.")
        self.embedding = keras.layers.Embedding(self.vocab_size, self.units, name="tokens")

    def build(self, token_ids_shape):
        self.embedding.build(token_ids_shape)

    def call(self, token_ids):
        length = ops.shape(token_ids)[1]
        tokens = self.embedding(token_ids) * math.sqrt(self.units)
        return tokens + sinusoidal_positional_encoding(length, self.units)


    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "units": self.units}
