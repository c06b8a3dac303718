"""Attention of a decoder over its encoder: additive (Bahdanau) and multiplicative (Luong).

``BahdanauAttention`` is ``keras.layers.AdditiveAttention`` on projected queries and keys, and
``LuongAttention`` is ``keras.layers.Attention`` (``score_mode="dot"``); both store their weights
so that they carry over, and the tests check each against its Keras counterpart.
"""

import keras
from keras import ops

from companion import checks
from companion.layers.dot_product_attention import masked_softmax


class _EncoderDecoderAttention(keras.layers.Layer):
    """Shared call of the two encoder–decoder attentions: scores -> masked softmax -> context."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        return_attention_scores=False,
    ):
        key = value if key is None else key
        scores = self.scores(query, key)
        mask = None if value_mask is None else ops.expand_dims(ops.cast(value_mask, "bool"), -2)
        weights = masked_softmax(scores, mask)
        context = ops.matmul(weights, value)
        if query_mask is not None:
            # a padded decoder position gets no context
            keep = ops.expand_dims(ops.cast(query_mask, "bool"), -1)
            context = ops.where(keep, context, ops.zeros_like(context))
        if return_attention_scores:
            return context, weights
        return context


@keras.saving.register_keras_serializable(package="companion")
class BahdanauAttention(_EncoderDecoderAttention):
    r"""Additive attention of Bahdanau, Cho and Bengio (2015).

    For a decoder state (query) $s_i$ and encoder states (keys) $h_j$:

    $$
    \begin{aligned}
    e_{ij} &= v^\top \tanh\!\left(s_i W_q + h_j W_k\right) &\text{score}\\
    \alpha_{ij} &= \frac{\exp e_{ij}}{\sum_k \exp e_{ik}} &\text{weights}\\
    c_i &= \sum_j \alpha_{ij}\, h_j &\text{context (values } h_j\text{)}
    \end{aligned}
    $$

    The score is a one-hidden-layer network on query and key, so the two may have different
    sizes. ``keras.layers.AdditiveAttention(use_scale=True)`` computes the same thing on
    queries and keys already projected by $W_q$ and $W_k$, with $v$ as its ``scale``.

    Weights: ``query_kernel`` $W_q$ ``(d_q, units)``, ``key_kernel`` $W_k$ ``(d_k, units)``,
    ``score_vector`` $v$ ``(units,)``.

    Args:
        units: positive int, size of the score network's hidden layer.
        kernel_initializer: for $W_q$, $W_k$. Default ``"glorot_uniform"``.
        score_initializer: for $v$. Default ``"glorot_uniform"``.

    Call arguments:
        query: ``(batch, T_q, d_q)``.
        value: ``(batch, T_v, d_v)``.
        key: ``(batch, T_v, d_k)``; default ``value``.
        query_mask: boolean ``(batch, T_q)``; masked queries get a zero context.
        value_mask: boolean ``(batch, T_v)``; masked keys get zero weight.
        return_attention_scores: also return the weights $\alpha$ ``(batch, T_q, T_v)``.

    Example:

    >>> BahdanauAttention(8)(np.zeros((2, 3, 4)), np.zeros((2, 5, 6))).shape
    (2, 3, 6)
    """

    def __init__(
        self,
        units,
        kernel_initializer="glorot_uniform",
        score_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = checks.positive_int("units", units)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.score_initializer = keras.initializers.get(score_initializer)

    def build(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        self.query_kernel = self.add_weight(
            name="query_kernel", shape=(query_shape[-1], self.units),
            initializer=self.kernel_initializer,
        )
        self.key_kernel = self.add_weight(
            name="key_kernel", shape=(key_shape[-1], self.units),
            initializer=self.kernel_initializer,
        )
        # a 1-D glorot initializer needs a 2-D shape: draw (units, 1) and flatten
        self.score_vector = self.add_weight(
            name="score_vector", shape=(self.units,),
            initializer=lambda shape, dtype=None: ops.reshape(
                self.score_initializer((shape[0], 1), dtype=dtype), shape
            ),
        )

    def scores(self, query, key):
        """$e_{ij}$, ``(batch, T_q, T_v)``."""
        projected_query = ops.expand_dims(ops.matmul(query, self.query_kernel), -2)
        projected_key = ops.expand_dims(ops.matmul(key, self.key_kernel), -3)
        return ops.sum(self.score_vector * ops.tanh(projected_query + projected_key), axis=-1)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "score_initializer": keras.initializers.serialize(self.score_initializer),
        }


LUONG_SCORES = ("dot", "general")


@keras.saving.register_keras_serializable(package="companion")
class LuongAttention(_EncoderDecoderAttention):
    r"""Multiplicative attention of Luong, Pham and Manning (2015).

    For a decoder state (query) $s_i$ and encoder states $h_j$:

    $$
    \begin{aligned}
    e_{ij} &= s_i^\top h_j &\text{score, } \texttt{score="dot"}\\
    e_{ij} &= s_i^\top W_a h_j &\text{score, } \texttt{score="general"}\\
    \alpha_{ij} &= \operatorname{softmax}_j(e_{ij}),\qquad c_i = \sum_j \alpha_{ij} h_j
    \end{aligned}
    $$

    ``"dot"`` has no weights and needs $d_q = d_k$; it is
    ``keras.layers.Attention(score_mode="dot")``. ``"general"`` learns $W_a$ (``(d_k, d_q)``,
    so that $h_j W_a$ is in the query's space; stored as ``kernel``), and equals
    ``keras.layers.Attention`` on keys projected by $W_a$.

    Args:
        score: ``"dot"`` or ``"general"``. Default ``"dot"``.
        kernel_initializer: for $W_a$. Default ``"glorot_uniform"``.

    Call arguments: as ``BahdanauAttention``.

    Example:

    >>> LuongAttention()(np.zeros((2, 3, 4)), np.zeros((2, 5, 4))).shape
    (2, 3, 4)
    """

    def __init__(self, score="dot", kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        if score not in LUONG_SCORES:
            raise ValueError(
                f"Argument `score` must be one of {LUONG_SCORES}, got {score!r}."
            )
        self.score = score
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        if self.score == "general":
            self.kernel = self.add_weight(
                name="kernel", shape=(key_shape[-1], query_shape[-1]),
                initializer=self.kernel_initializer,
            )
        elif query_shape[-1] != key_shape[-1]:
            raise ValueError(
                f"LuongAttention(score='dot') needs queries and keys of the same size, got "
                f"query size {query_shape[-1]} and key size {key_shape[-1]}; use "
                "score='general' for different sizes."
            )

    def scores(self, query, key):
        """$e_{ij}$, ``(batch, T_q, T_v)``."""
        if self.score == "general":
            key = ops.matmul(key, self.kernel)
        return ops.matmul(query, ops.swapaxes(key, -1, -2))

    def get_config(self):
        return {
            **super().get_config(),
            "score": self.score,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }
