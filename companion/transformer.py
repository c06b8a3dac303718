"""A small Transformer written from Vaswani et al. (2017) with the companion's attention:
sinusoidal positional encoding, an encoder block, a decoder block, and an encoder–decoder
with the signature of the book's recurrent sequence-to-sequence models,
``[source_ids, decoder_input_ids] -> logits``, so that the same decoders and metrics apply.
"""

import math
import numbers

import keras
from keras import ops

from companion.attention import MultiHeadAttention, _bool, _positive_int, _rate

PAD = 0


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
        _positive_int("length", length)
    depth = _positive_int("depth", depth)
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
        self.vocab_size = _positive_int("vocab_size", vocab_size)
        self.units = _positive_int("units", units)
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


class _Block(keras.layers.Layer):
    """What both blocks share: arguments, the feed-forward net, residual + layer norm."""

    def __init__(self, num_heads, key_dim, ff_dim, dropout=0.0, norm_first=False, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True  # the output keeps the input's padding mask
        self.num_heads = _positive_int("num_heads", num_heads)
        self.key_dim = _positive_int("key_dim", key_dim)
        self.ff_dim = _positive_int("ff_dim", ff_dim)
        self.dropout = _rate("dropout", dropout)
        self.norm_first = _bool("norm_first", norm_first)
        self.feed_forward_hidden = keras.layers.Dense(self.ff_dim, activation="relu",
                                                      name="feed_forward_hidden")
        self.dropout_layer = keras.layers.Dropout(self.dropout)

    def _attention(self, name):
        return MultiHeadAttention(self.num_heads, self.key_dim, dropout=self.dropout, name=name)

    def _build_feed_forward(self, shape):
        self.feed_forward_hidden.build(shape)
        self.feed_forward_output = keras.layers.Dense(shape[-1], name="feed_forward_output")
        self.feed_forward_output.build((*shape[:-1], self.ff_dim))

    def _residual(self, x, norm, sublayer, training):
        """Post-norm ``LN(x + sublayer(x))`` (the paper) or pre-norm ``x + sublayer(LN(x))``."""
        if self.norm_first:
            return x + self.dropout_layer(sublayer(norm(x)), training=training)
        return norm(x + self.dropout_layer(sublayer(x), training=training))

    def _feed_forward(self, x):
        return self.feed_forward_output(self.feed_forward_hidden(x))


    def get_config(self):
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "ff_dim": self.ff_dim,
            "dropout": self.dropout,
            "norm_first": self.norm_first,
        }


@keras.saving.register_keras_serializable(package="companion")
class TransformerEncoderBlock(_Block):
    r"""One Transformer encoder layer: self-attention, then a position-wise feed-forward net.

    $$
    \begin{aligned}
    z &= \operatorname{LN}\!\big(x + \operatorname{MultiHead}(x, x, x)\big)\\
    y &= \operatorname{LN}\!\big(z + \max(0,\, z W_1 + b_1)\, W_2 + b_2\big)
    \end{aligned}
    $$

    (post-norm, as in the paper; ``norm_first=True`` gives $z = x + \operatorname{MultiHead}(
    \operatorname{LN}(x), \dots)$, the pre-norm variant most later models use).

    Args:
        num_heads: positive int.
        key_dim: positive int, size of each head.
        ff_dim: positive int, hidden size of the feed-forward net.
        dropout: fraction in [0, 1), on attention weights and sublayer outputs.
        norm_first: pre-norm instead of post-norm. Default ``False``.

    Call arguments:
        inputs: ``(batch, T, d)``.
        mask: boolean ``(batch, T)``, ``False`` at padding (padding is not attended to).
    """

    def __init__(self, num_heads, key_dim, ff_dim, dropout=0.0, norm_first=False, **kwargs):
        super().__init__(num_heads, key_dim, ff_dim, dropout, norm_first, **kwargs)
        self.self_attention = self._attention("self_attention")
        self.attention_norm = keras.layers.LayerNormalization(name="attention_norm")
        self.feed_forward_norm = keras.layers.LayerNormalization(name="feed_forward_norm")

    def build(self, inputs_shape):
        self.self_attention.build(inputs_shape, inputs_shape)
        self.attention_norm.build(inputs_shape)
        self.feed_forward_norm.build(inputs_shape)
        self._build_feed_forward(inputs_shape)

    def call(self, inputs, mask=None, training=None):
        def attend(x):
            return self.self_attention(x, x, value_mask=mask, training=training)

        x = self._residual(inputs, self.attention_norm, attend, training)
        return self._residual(x, self.feed_forward_norm, self._feed_forward, training)


@keras.saving.register_keras_serializable(package="companion")
class TransformerDecoderBlock(_Block):
    r"""One Transformer decoder layer: causal self-attention, attention to the encoder
    (cross-attention), feed-forward net; each with a residual connection and layer norm.

    $$
    \begin{aligned}
    a &= \operatorname{LN}\!\big(y + \operatorname{MultiHead}_{\text{causal}}(y, y, y)\big)\\
    b &= \operatorname{LN}\!\big(a + \operatorname{MultiHead}(a, h, h)\big)
        &h\text{: encoder outputs}\\
    \text{out} &= \operatorname{LN}\!\big(b + \operatorname{FFN}(b)\big)
    \end{aligned}
    $$

    The causal mask lets position $i$ see positions $\le i$ only, so teacher forcing on the
    whole target at once trains the same model that decodes one token at a time.

    Args: as ``TransformerEncoderBlock``.

    Call arguments:
        inputs: ``(batch, T, d)``, the embedded decoder input.
        encoder_outputs: ``(batch, S, d)``.
        encoder_mask: boolean ``(batch, S)``, ``False`` at source padding.
        return_attention_scores: also return the cross-attention weights ``(batch, heads, T, S)``.
    """

    def __init__(self, num_heads, key_dim, ff_dim, dropout=0.0, norm_first=False, **kwargs):
        super().__init__(num_heads, key_dim, ff_dim, dropout, norm_first, **kwargs)
        self.self_attention = self._attention("self_attention")
        self.cross_attention = self._attention("cross_attention")
        self.self_attention_norm = keras.layers.LayerNormalization(name="self_attention_norm")
        self.cross_attention_norm = keras.layers.LayerNormalization(name="cross_attention_norm")
        self.feed_forward_norm = keras.layers.LayerNormalization(name="feed_forward_norm")

    def build(self, inputs_shape, encoder_outputs_shape):
        self.self_attention.build(inputs_shape, inputs_shape)
        self.cross_attention.build(inputs_shape, encoder_outputs_shape)
        for norm in (self.self_attention_norm, self.cross_attention_norm, self.feed_forward_norm):
            norm.build(inputs_shape)
        self._build_feed_forward(inputs_shape)

    def call(self, inputs, encoder_outputs, encoder_mask=None, return_attention_scores=False,
             training=None):
        def attend_to_self(y):
            return self.self_attention(y, y, use_causal_mask=True, training=training)

        weights = []

        def attend_to_encoder(y):
            context, scores = self.cross_attention(
                y, encoder_outputs, value_mask=encoder_mask, return_attention_scores=True,
                training=training,
            )
            weights.append(scores)
            return context

        x = self._residual(inputs, self.self_attention_norm, attend_to_self, training)
        x = self._residual(x, self.cross_attention_norm, attend_to_encoder, training)
        x = self._residual(x, self.feed_forward_norm, self._feed_forward, training)
        if return_attention_scores:
            return x, weights[0]
        return x


def build_transformer_encoder_decoder(
    source_vocab_size,
    target_vocab_size,
    units=32,
    num_heads=2,
    ff_dim=64,
    num_layers=1,
    dropout=0.0,
    norm_first=False,
):
    """A Transformer encoder–decoder ``[source_ids, decoder_input_ids] -> logits (B, T, V)``.

    Token id 0 is padding: padded source positions are never attended to. Trained with teacher
    forcing like the recurrent models; decoded by the same greedy and beam-search decoders.
    The layer named ``f"decoder_{i}"`` returns block ``i``'s cross-attention weights as its
    second output (``companion.attention.attention_weights_model`` reads them).

    Args:
        source_vocab_size, target_vocab_size: positive ints (including padding and specials).
        units: positive even int, the model width $d$; each head has ``units // num_heads``.
        num_heads: positive int dividing ``units``.
        ff_dim: positive int, hidden size of the feed-forward nets.
        num_layers: positive int, encoder blocks and decoder blocks (as many of each).
        dropout: fraction in [0, 1).
        norm_first: pre-norm blocks instead of the paper's post-norm.
    """
    units = _positive_int("units", units)
    num_heads = _positive_int("num_heads", num_heads)
    if units % num_heads:
        raise ValueError(
            f"Argument `num_heads` must divide `units` ({units}), got {num_heads}."
        )
    num_layers = _positive_int("num_layers", num_layers)
    block_arguments = dict(num_heads=num_heads, key_dim=units // num_heads, ff_dim=ff_dim,
                           dropout=dropout, norm_first=norm_first)

    source_ids = keras.Input((None,), dtype="int32", name="source_ids")
    decoder_input_ids = keras.Input((None,), dtype="int32", name="decoder_input_ids")
    source_mask = ops.not_equal(source_ids, PAD)

    x = PositionalEmbedding(source_vocab_size, units, name="source_embedding")(source_ids)
    for index in range(num_layers):
        x = TransformerEncoderBlock(**block_arguments, name=f"encoder_{index}")(
            x, mask=source_mask
        )
    if norm_first:
        x = keras.layers.LayerNormalization(name="encoder_norm")(x)

    y = PositionalEmbedding(target_vocab_size, units, name="target_embedding")(decoder_input_ids)
    for index in range(num_layers):
        y, _ = TransformerDecoderBlock(**block_arguments, name=f"decoder_{index}")(
            y, x, encoder_mask=source_mask, return_attention_scores=True
        )
    if norm_first:
        y = keras.layers.LayerNormalization(name="decoder_norm")(y)
    logits = keras.layers.Dense(target_vocab_size, name="logits")(y)
    return keras.Model([source_ids, decoder_input_ids], logits, name="transformer")
