"""Pure NumPy (float64) reference for Keras' recurrent layers.

Forward passes and hand-written backpropagation through time for SimpleRNN,
LSTM and GRU, taking weights in Keras' layout (row vectors, ``x_t @ kernel``,
gate blocks side by side in Keras' order). Each ``*_forward`` returns
``(outputs, cache)`` with outputs h_1 .. h_T of shape (batch, time, units);
each ``*_backward(d_outputs, cache)`` returns a dict of gradients keyed
"x", "kernel", "recurrent_kernel", "bias", "h0" (and "c0" for the LSTM).
"""

from companion.reference.gru import gru_backward, gru_forward
from companion.reference.lstm import lstm_backward, lstm_forward
from companion.reference.simple_rnn import simple_rnn_backward, simple_rnn_forward

__all__ = [
    "simple_rnn_forward",
    "simple_rnn_backward",
    "lstm_forward",
    "lstm_backward",
    "gru_forward",
    "gru_backward",
]
