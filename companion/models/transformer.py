"""A small Transformer encoder-decoder with the signature of the book's recurrent
sequence-to-sequence models, ``[source_ids, decoder_input_ids] -> logits``, so that the same
decoders and metrics apply.
"""

import keras
from keras import ops

from companion import checks
from companion.layers.positional_encoding import PositionalEmbedding
from companion.layers.transformer_blocks import (
    TransformerDecoderBlock,
    TransformerEncoderBlock,
)

PAD = 0


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
    second output (``companion.models.attention_seq2seq.attention_weights_model`` reads them).

    Args:
        source_vocab_size, target_vocab_size: positive ints (including padding and specials).
        units: positive even int, the model width $d$; each head has ``units // num_heads``.
        num_heads: positive int dividing ``units``.
        ff_dim: positive int, hidden size of the feed-forward nets.
        num_layers: positive int, encoder blocks and decoder blocks (as many of each).
        dropout: fraction in [0, 1).
        norm_first: pre-norm blocks instead of the paper's post-norm.
    """
    units = checks.positive_int("units", units)
    num_heads = checks.positive_int("num_heads", num_heads)
    if units % num_heads:
        raise ValueError(
            f"Argument `num_heads` must divide `units` ({units}), got {num_heads}."
        )
    num_layers = checks.positive_int("num_layers", num_layers)
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
