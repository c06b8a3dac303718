"""Causal self-attention: a sequence attending to its own past, as one layer of fixed width."""

import keras

from companion import checks


@keras.saving.register_keras_serializable(package="companion")
class CausalSelfAttention(keras.layers.Layer):
    """``keras.layers.MultiHeadAttention`` of a sequence with itself, each step seeing only the past.

    Args:
        width: the model width; each of ``num_heads`` heads has ``width // num_heads`` dimensions.
        num_heads: positive int dividing ``width``.
    """

    def __init__(self, width, num_heads=1, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("width", width), ("num_heads", num_heads)):
            checks.positive_int(name, value)
        if width % num_heads:
            raise ValueError(
                f"Argument `num_heads` must divide `width` ({width}), got {num_heads!r}."
            )
        self.width, self.num_heads = int(width), int(num_heads)
        self.attention = keras.layers.MultiHeadAttention(num_heads, width // num_heads)

    def build(self, input_shape):
        self.attention.build(input_shape, input_shape)

    def call(self, inputs):
        return self.attention(inputs, inputs, use_causal_mask=True)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "width": self.width, "num_heads": self.num_heads}
