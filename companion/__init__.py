"""Companion package of the runnable RNN textbook.

``companion.SimpleRNNCell``, ``companion.LSTMCell`` and ``companion.GRUCell`` are Keras 3
cells for ``keras.layers.RNN``, written from the book's equations and checked against Keras'
built-in layers; ``companion.reference`` is a NumPy forward pass and hand-written
backpropagation through time for the same cells.
"""

from companion import reference
from companion.cells import GRUCell, LSTMCell, SimpleRNNCell

__all__ = ["GRUCell", "LSTMCell", "SimpleRNNCell", "reference"]
__version__ = "0.1.0"
