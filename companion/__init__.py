"""Companion package of the runnable RNN textbook.

The folders are the architecture. Each sub-package may import only those above it in this
list (``tests/test_layout.py`` checks it):

- ``checks``: argument checks shared by every module; imports nothing of the package.
- ``reference``: the equations in NumPy (float64): forward passes, hand-written BPTT, the
  notations of the seeds and papers, the two GRU conventions, the whiteboard exercises.
- ``cells``: Keras 3 recurrent cells written from the book's equations (``keras.ops``).
- ``layers``: attention, Transformer blocks, the parallel scan and minGRU/minLSTM.
- ``datasets``: every loader and generator: synthetic tasks, real series, text, dates,
  reviews, music, speech, vital signs, padding and chunking.
- ``models``: model builders, decoding, and the baselines (n-grams, classical forecasts).
- ``experiments``: training loops, probes of gradients and gates, benchmarks and timing,
  verdicts, and the declared experiments with their command line
  (``python -m companion.experiments``).
- ``views``: tables, figures, the chapters' display helpers and the cell explorer.
- ``assets`` (files, not code): trained weights and experiment artefacts.

The names readers use are importable from here: the cells (``companion.LSTMCell``, ...),
``companion.reference`` and the layers (``companion.MultiHeadAttention``, ...).
"""

from companion import reference
from companion.cells import (
    CIFGLSTMCell,
    GRUCell,
    LayerNormLSTMCell,
    LSTMCell,
    PeepholeLSTMCell,
    SimpleRNNCell,
)
from companion.layers import (
    BahdanauAttention,
    CausalSelfAttention,
    LuongAttention,
    MinGRU,
    MinLSTM,
    MultiHeadAttention,
    PositionalEmbedding,
    TransformerDecoderBlock,
    TransformerEncoderBlock,
)

__all__ = [
    "BahdanauAttention",
    "CIFGLSTMCell",
    "CausalSelfAttention",
    "GRUCell",
    "LSTMCell",
    "LayerNormLSTMCell",
    "LuongAttention",
    "MinGRU",
    "MinLSTM",
    "MultiHeadAttention",
    "PeepholeLSTMCell",
    "PositionalEmbedding",
    "SimpleRNNCell",
    "TransformerDecoderBlock",
    "TransformerEncoderBlock",
    "reference",
]
__version__ = "0.2.0"
