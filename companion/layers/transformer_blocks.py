"""The Transformer's encoder and decoder blocks (Vaswani et al. 2017), written with the
companion's multi-head attention: self-attention (causal in the decoder), cross-attention,
a feed-forward net, residual connections and layer normalisation (post- or pre-norm).
"""

import keras

from companion import checks
from companion.layers.multi_head_attention import MultiHeadAttention


class _Block(keras.layers.Layer):
    """What both blocks share: arguments, the feed-forward net, residual + layer norm."""

    def __init__(self, num_heads, key_dim, ff_dim, dropout=0.0, norm_first=False, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True  # the output keeps the input's padding mask
        self.num_heads = checks.positive_int("num_heads", num_heads)
        self.key_dim = checks.positive_int("key_dim", key_dim)
        self.ff_dim = checks.positive_int("ff_dim", ff_dim)
        self.dropout = checks.rate("dropout", dropout)
        self.norm_first = checks.flag("norm_first", norm_first)
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
