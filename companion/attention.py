"""Attention written from its equations with ``keras.ops``: additive (Bahdanau) and
multiplicative (Luong) attention for an encoder–decoder, scaled dot-product attention and
multi-head attention.

Every layer here computes what a built-in Keras layer computes and stores its weights so that
they carry over: ``BahdanauAttention`` is ``keras.layers.AdditiveAttention`` on projected
queries and keys, ``LuongAttention`` is ``keras.layers.Attention`` (``score_mode="dot"``), and
``MultiHeadAttention`` has the weights, names aside, of ``keras.layers.MultiHeadAttention``.
The tests check each against its Keras counterpart.

Conventions: queries are ``(batch, T_q, d_q)``, keys and values ``(batch, T_v, d)``; a mask is
boolean, ``True`` where a position may be attended to.
"""

import math
import numbers

import keras
import numpy as np
from keras import ops

from companion._arguments import positive_int as _positive_int

# What a masked score becomes before the softmax (Keras uses the same number).
MASKED_SCORE = -1e9


def _optional_positive_int(name, value):
    return None if value is None else _positive_int(name, value)


def _rate(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError(f"Argument `{name}` must be a float in [0, 1), got {value!r}.")
    return float(value)


def _bool(name, value):
    if not isinstance(value, bool):
        raise ValueError(f"Argument `{name}` must be True or False, got {value!r}.")
    return value


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
        self.units = _positive_int("units", units)
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
        self.num_heads = _positive_int("num_heads", num_heads)
        self.key_dim = _positive_int("key_dim", key_dim)
        self.value_dim = _optional_positive_int("value_dim", value_dim) or self.key_dim
        self.output_dim = _optional_positive_int("output_dim", output_dim)
        self.dropout = _rate("dropout", dropout)
        self.use_bias = _bool("use_bias", use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise ValueError(f"Argument `seed` must be an integer or None, got {seed!r}.")
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


def attention_weights_model(model, layer_name="attention"):
    """A model with ``model``'s inputs whose output is the attention weights of ``layer_name``.

    The layer must have been called with ``return_attention_scores=True`` (as the builders of
    this package do), so that its second output is the weights.
    """
    layer = model.get_layer(layer_name)
    outputs = layer.output
    if not isinstance(outputs, (list, tuple)) or len(outputs) != 2:
        raise ValueError(
            f"Argument `layer_name`: layer {layer_name!r} of {model.name!r} has no attention "
            "weights as second output; expected a layer called with "
            "return_attention_scores=True."
        )
    return keras.Model(model.inputs, outputs[1], name=f"{model.name}_attention_weights")


ATTENTIONS = {"bahdanau": BahdanauAttention, "luong": LuongAttention}


def build_attention_encoder_decoder(
    source_vocab_size,
    target_vocab_size,
    units,
    cell="gru",
    attention="bahdanau",
    embedding_dim=32,
    name=None,
):
    r"""The recurrent encoder–decoder of ``companion.seq2seq`` with attention over the encoder.

    Same inputs, layers and names as ``companion.seq2seq.build_encoder_decoder``
    (``[source_ids, decoder_input_ids] -> logits``), plus, between the decoder and the output
    layer, global attention in the form of Luong et al. (2015): decoder state $s_t$ is the
    query, the encoder states $h_j$ are keys and values, and

    $$
    c_t = \sum_j \alpha_{tj} h_j,\qquad
    \tilde s_t = \tanh\!\big([c_t; s_t]\, W_c + b_c\big),\qquad
    p(y_t \mid y_{<t}, x) = \operatorname{softmax}(\tilde s_t W_o + b_o),
    $$

    with $\alpha$ from ``BahdanauAttention`` (additive score) or ``LuongAttention`` (dot
    score). Bahdanau et al. (2015) fed $c_t$ into the decoder's next step instead; computing it
    after the decoder keeps the decoder a plain ``keras.layers.GRU``/``LSTM`` that runs over
    the whole teacher-forced target in one call, and the score function is what this book
    compares.

    Args:
        source_vocab_size, target_vocab_size: positive ints (ids 0, 1, 2 reserved).
        units: positive int, size of encoder and decoder states (and of the additive
            score's hidden layer).
        cell: ``"gru"`` or ``"lstm"``.
        attention: ``"bahdanau"`` or ``"luong"``.
        embedding_dim: positive int.

    The attention layer is named ``"attention"``; ``attention_weights_model(model)`` returns
    its weights $\alpha$ ``(batch, T, S)``.
    """
    source_vocab_size = _positive_int("source_vocab_size", source_vocab_size)
    target_vocab_size = _positive_int("target_vocab_size", target_vocab_size)
    units = _positive_int("units", units)
    embedding_dim = _positive_int("embedding_dim", embedding_dim)
    if cell not in ("gru", "lstm"):
        raise ValueError(f"Argument `cell` must be 'gru' or 'lstm', got {cell!r}.")
    if attention not in ATTENTIONS:
        raise ValueError(
            f"Argument `attention` must be one of {tuple(ATTENTIONS)}, got {attention!r}."
        )
    recurrent_layer = keras.layers.GRU if cell == "gru" else keras.layers.LSTM

    source_ids = keras.Input((None,), dtype="int32", name="source_ids")
    decoder_input_ids = keras.Input((None,), dtype="int32", name="decoder_input_ids")
    source_mask = ops.not_equal(source_ids, 0)
    source = keras.layers.Embedding(source_vocab_size, embedding_dim, mask_zero=True,
                                    name="source_embedding")(source_ids)
    encoder_states, *encoder_final = recurrent_layer(
        units, return_sequences=True, return_state=True, name="encoder"
    )(source)
    target = keras.layers.Embedding(target_vocab_size, embedding_dim, mask_zero=True,
                                    name="target_embedding")(decoder_input_ids)
    decoder_states = recurrent_layer(units, return_sequences=True, name="decoder")(
        target, initial_state=encoder_final
    )
    attention_layer = (BahdanauAttention(units, name="attention") if attention == "bahdanau"
                       else LuongAttention(name="attention"))
    context, _ = attention_layer(decoder_states, encoder_states, value_mask=source_mask,
                                 return_attention_scores=True)
    attentional_state = keras.layers.Dense(units, activation="tanh", name="attentional_state")(
        keras.layers.Concatenate(name="context_and_state")([context, decoder_states])
    )
    logits = keras.layers.Dense(target_vocab_size, name="logits")(attentional_state)
    return keras.Model([source_ids, decoder_input_ids], logits,
                       name=name or f"{cell}_{attention}_attention")


def teacher_forced_exact_match(logits, target_ids, pad_id=0, start_id=1):
    """Per row: is every next-token argmax right, given the true prefix? (bool ``(B,)``)

    With the pad and start ids excluded (a decoder never emits them), this is exactly whether
    greedy decoding reproduces the target: if every step's argmax given the true prefix is the
    true token, greedy search follows the true prefix to the end id, and if one step's is not,
    greedy search leaves it there. One forward pass instead of one per output token.
    """
    logits = np.array(logits, dtype=np.float64)
    target_ids = np.asarray(target_ids)
    if logits.shape[:2] != target_ids.shape:
        raise ValueError(
            f"Argument `target_ids` must have shape {logits.shape[:2]} (the logits' first two "
            f"axes), got {target_ids.shape}."
        )
    logits[..., [pad_id, start_id]] = -np.inf
    correct = (logits.argmax(-1) == target_ids) | (target_ids == pad_id)
    return correct.all(axis=1)


def random_strings(n, min_length, max_length, alphabet="0123456789", seed=None):
    """``n`` random strings over ``alphabet``, lengths uniform in [min_length, max_length].

    The attention experiments copy them: the answer is as long as the input, so the input
    length alone sets how much an encoder without attention must carry in its final state.
    """
    n = _positive_int("n", n)
    min_length = _positive_int("min_length", min_length)
    max_length = _positive_int("max_length", max_length)
    if max_length < min_length:
        raise ValueError(
            f"Argument `max_length` must be >= `min_length` ({min_length}), got {max_length}."
        )
    if not isinstance(alphabet, str) or len(set(alphabet)) != len(alphabet) or not alphabet:
        raise ValueError(
            f"Argument `alphabet` must be a non-empty string of distinct characters, "
            f"got {alphabet!r}."
        )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise ValueError(f"Argument `seed` must be an integer or None, got {seed!r}.")
    rng = np.random.default_rng(seed)
    symbols = np.array(list(alphabet))
    lengths = rng.integers(min_length, max_length + 1, size=n)
    return ["".join(rng.choice(symbols, size=length)) for length in lengths]
