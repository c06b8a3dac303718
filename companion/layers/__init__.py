"""Keras 3 layers beyond the recurrent cells, one concept per module (as Keras groups
``keras/src/layers/attention/`` and ``keras/src/layers/rnn/``):

- ``dot_product_attention``: masks, the masked softmax and scaled dot-product attention;
- ``encoder_decoder_attention``: Bahdanau (additive) and Luong (multiplicative) attention;
- ``multi_head_attention``: multi-head attention with Keras' weight layout;
- ``causal_self_attention``: a sequence attending to its own past;
- ``positional_encoding``: the sinusoidal code and a positional token embedding;
- ``transformer_blocks``: the Transformer's encoder and decoder blocks;
- ``parallel_scan``: the linear recurrence, step by step and as a log-space parallel scan;
- ``min_rnn``: minGRU and minLSTM.

May import: ``companion.checks``, ``companion.cells``.
"""

from companion.layers.causal_self_attention import CausalSelfAttention
from companion.layers.encoder_decoder_attention import BahdanauAttention, LuongAttention
from companion.layers.min_rnn import MinGRU, MinLSTM
from companion.layers.multi_head_attention import MultiHeadAttention
from companion.layers.positional_encoding import PositionalEmbedding
from companion.layers.transformer_blocks import (
    TransformerDecoderBlock,
    TransformerEncoderBlock,
)

__all__ = [
    "BahdanauAttention",
    "CausalSelfAttention",
    "LuongAttention",
    "MinGRU",
    "MinLSTM",
    "MultiHeadAttention",
    "PositionalEmbedding",
    "TransformerDecoderBlock",
    "TransformerEncoderBlock",
]
