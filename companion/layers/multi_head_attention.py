"""Multi-head attention (Vaswani et al. 2017) with the weights, names aside, of
``keras.layers.MultiHeadAttention``, so that weights carry over; the tests check the two agree.
"""

import keras
from keras import ops

from companion import checks
from companion.layers.dot_product_attention import (
    causal_mask,
    scaled_dot_product_attention,
)


@keras.saving.register_keras_serializable(package="companion")
class MultiHeadAttention(keras.layers.Layer):
    r"""Multi-head attention of Vaswani et al. (2017), with Keras' weight layout.

    With $h$ heads, for head $i$ and $Q$, $K$, $V$ the query, key and value sequences:

    $$
    \begin{aligned}
    \mathrm{head}_i &= \operatorname{Attention}\!\left(Q W^Q_i + b^Q_i,\;
        K W^K_i + b^K_i,\; V W^V_i + b^V_i\right)\\
    \operatorname{MultiHead}(Q, K, V) &= \sum_i \mathrm{head}_i\, W^O_i + b^O
        = [\mathrm{head}_1; \dots; \mathrm{head}_h]\, W^O + b^O
    \end{aligned}
    $$

    with $\operatorname{Attention}$ the scaled dot-product attention
    (``scaled_dot_product_attention``, scale $1/\sqrt{d_k}$, $d_k$ = ``key_dim``).

    Weights, in the order and shapes of ``keras.layers.MultiHeadAttention.get_weights()``:
    ``query_kernel`` ``(d_q, h, key_dim)``, ``query_bias`` ``(h, key_dim)``, ``key_kernel``
    ``(d_k, h, key_dim)``, ``key_bias``, ``value_kernel`` ``(d_v, h, value_dim)``,
    ``value_bias`` ``(h, value_dim)``, ``output_kernel`` ``(h, value_dim, output_dim)``,
    ``output_bias`` ``(output_dim,)``; no biases with ``use_bias=False``.
    Parameters: $h\,d_k(d_q + d_k') + h\,d_v\,d_v' + h\,d_v\,d_o$ plus biases
    $2 h d_k + h d_v + d_o$ (primes: input sizes of key and value).

    Args:
        num_heads: positive int, $h$.
        key_dim: positive int, size of each head's queries and keys, $d_k$.
        value_dim: size of each head's values; default ``key_dim``.
        output_dim: size of the output; default the query's last dimension.
        dropout: fraction in [0, 1) of attention weights dropped in training.
        use_bias: whether the projections have biases. Default ``True``.
        kernel_initializer: Default ``"glorot_uniform"``.
        bias_initializer: Default ``"zeros"``.
        seed: int or None, seed of the dropout.

    Call arguments:
        query: ``(batch, T_q, d_q)``.
        value: ``(batch, T_v, d_v)``.
        key: ``(batch, T_v, d_k)``; default ``value``.
        attention_mask: boolean ``(batch, T_q, T_v)``, ``True`` = may attend.
        query_mask: boolean ``(batch, T_q)``, for padded queries (rows of zero weight).
        value_mask: boolean ``(batch, T_v)``, for padded keys.
        use_causal_mask: if ``True``, query ``i`` attends to positions ``<= i`` only.
        return_attention_scores: also return the weights ``(batch, h, T_q, T_v)``.
        training: whether dropout is applied.

    All masks given are combined with a logical and, as in Keras.

    Example:

    >>> MultiHeadAttention(2, 8)(np.zeros((1, 3, 16)), np.zeros((1, 5, 16))).shape
    (1, 3, 16)
    """

    def __init__(
        self,
        num_heads,
        key_dim,
        value_dim=None,
        output_dim=None,
        dropout=0.0,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.num_heads = checks.positive_int("num_heads", num_heads)
        self.key_dim = checks.positive_int("key_dim", key_dim)
        self.value_dim = checks.optional_positive_int("value_dim", value_dim) or self.key_dim
        self.output_dim = checks.optional_positive_int("output_dim", output_dim)
        self.dropout = checks.rate("dropout", dropout)
        self.use_bias = checks.flag("use_bias", use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        checks.seed("seed", seed)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed) if self.dropout else None

    def _projection(self, name, input_dim, head_dim):
        kernel = self.add_weight(
            name=f"{name}_kernel", shape=(input_dim, self.num_heads, head_dim),
            initializer=self.kernel_initializer,
        )
        bias = None
        if self.use_bias:
            bias = self.add_weight(
                name=f"{name}_bias", shape=(self.num_heads, head_dim),
                initializer=self.bias_initializer,
            )
        return kernel, bias

    def build(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        output_dim = self.output_dim or query_shape[-1]
        self.query_kernel, self.query_bias = self._projection(
            "query", query_shape[-1], self.key_dim
        )
        self.key_kernel, self.key_bias = self._projection("key", key_shape[-1], self.key_dim)
        self.value_kernel, self.value_bias = self._projection(
            "value", value_shape[-1], self.value_dim
        )
        self.output_kernel = self.add_weight(
            name="output_kernel", shape=(self.num_heads, self.value_dim, output_dim),
            initializer=self.kernel_initializer,
        )
        self.output_bias = None
        if self.use_bias:
            self.output_bias = self.add_weight(
                name="output_bias", shape=(output_dim,), initializer=self.bias_initializer
            )

    @staticmethod
    def _split_heads(x, kernel, bias):
        # (batch, T, d) -> (batch, heads, T, head_dim): every head's projection in one einsum
        projected = ops.einsum("btd,dhk->bhtk", x, kernel)
        if bias is not None:
            projected = projected + ops.expand_dims(bias, 1)
        return projected

    def combined_mask(self, query, value, attention_mask=None, query_mask=None,
                      value_mask=None, use_causal_mask=False):
        """The ``(batch or 1, T_q, T_v)`` boolean mask all given masks make, or None."""
        mask = None

        def conjoin(current, new):
            new = ops.cast(new, "bool")
            return new if current is None else ops.logical_and(current, new)

        if attention_mask is not None:
            mask = conjoin(mask, attention_mask)
        if query_mask is not None:
            mask = conjoin(mask, ops.expand_dims(query_mask, -1))
        if value_mask is not None:
            mask = conjoin(mask, ops.expand_dims(value_mask, -2))
        if use_causal_mask:
            mask = conjoin(mask, causal_mask(ops.shape(query)[1], ops.shape(value)[1]))
        return mask

    def call(
        self,
        query,
        value,
        key=None,
        attention_mask=None,
        query_mask=None,
        value_mask=None,
        use_causal_mask=False,
        return_attention_scores=False,
        training=None,
    ):
        key = value if key is None else key
        mask = self.combined_mask(
            query, value, attention_mask, query_mask, value_mask, use_causal_mask
        )
        if mask is not None:
            mask = ops.expand_dims(mask, 1)  # the same mask for every head
        queries = self._split_heads(query, self.query_kernel, self.query_bias)
        keys = self._split_heads(key, self.key_kernel, self.key_bias)
        values = self._split_heads(value, self.value_kernel, self.value_bias)
        heads, weights = scaled_dot_product_attention(queries, keys, values, mask)
        if training and self.dropout:
            # dropout on the weights, as Keras does; the weights returned are before it
            dropped = keras.random.dropout(weights, self.dropout, seed=self.seed_generator)
            heads = ops.matmul(dropped, values)
        # concatenating the heads and multiplying by W^O is a sum over heads
        output = ops.einsum("bhtv,hvo->bto", heads, self.output_kernel)
        if self.output_bias is not None:
            output = output + self.output_bias
        if return_attention_scores:
            return output, weights
        return output


    def get_config(self):
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "output_dim": self.output_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "seed": self.seed,
        }
