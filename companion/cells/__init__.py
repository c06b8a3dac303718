"""Keras 3 recurrent cells written from the book's equations with ``keras.ops``."""

from companion.cells.gru import GRUCell
from companion.cells.layer_norm_lstm import LayerNormLSTMCell
from companion.cells.lstm import LSTMCell
from companion.cells.lstm_variants import CIFGLSTMCell, PeepholeLSTMCell
from companion.cells.simple_rnn import SimpleRNNCell

__all__ = [
    "CIFGLSTMCell",
    "GRUCell",
    "LSTMCell",
    "LayerNormLSTMCell",
    "PeepholeLSTMCell",
    "SimpleRNNCell",
]
