"""Two LSTM variants studied by Greff et al. (2017): peephole connections and coupled gates.

Neither has a Keras layer; both are written in the style of ``companion.LSTMCell`` (same
arguments, same weight layout for the blocks they share) and checked in
tests/test_lstm_variants.py against NumPy equations written out independently.
"""

import keras
from keras import ops

from companion import checks
from companion.cells.base import RecurrentCell
from companion.cells.lstm import LSTMCell


@keras.saving.register_keras_serializable(package="companion")
class PeepholeLSTMCell(LSTMCell):
    r"""LSTM cell with peephole connections (Gers and Schmidhuber 2000).

    The gates also look at the cell state, through one weight per unit (diagonal matrices
    $P_i, P_f, P_o$, stored as vectors $p_i, p_f, p_o$): input and forget gate see the old
    state $c_{t-1}$, the output gate the new one $c_t$:

    $$
    \begin{aligned}
    i_t &= \sigma(x_t W_i + h_{t-1} U_i + p_i \odot c_{t-1} + b_i)\\
    f_t &= \sigma(x_t W_f + h_{t-1} U_f + p_f \odot c_{t-1} + b_f)\\
    \tilde c_t &= \phi(x_t W_c + h_{t-1} U_c + b_c)\\
    c_t &= f_t \odot c_{t-1} + i_t \odot \tilde c_t\\
    o_t &= \sigma(x_t W_o + h_{t-1} U_o + p_o \odot c_t + b_o)\\
    h_t &= o_t \odot \phi(c_t)
    \end{aligned}
    $$

    With $p_i = p_f = p_o = 0$ this is ``LSTMCell``, which is why the peephole weights start
    at zero by default: a fresh cell computes what a fresh ``LSTMCell`` with the same kernels
    computes, and training decides whether the peepholes are used.

    Weights: those of ``LSTMCell`` (``kernel``, ``recurrent_kernel``, ``bias``, gate order
    i, f, c, o), then ``input_gate_peephole_weights``, ``forget_gate_peephole_weights`` and
    ``output_gate_peephole_weights``, each ``(units,)``. The parameter count is
    ``4 * (units * (input_dim + units) + units) + 3 * units``.

    Args:
        units, activation, recurrent_activation, unit_forget_bias, and all other arguments:
            as for ``companion.LSTMCell``.
        peephole_initializer: initializer of $p_i, p_f, p_o$. Default ``"zeros"``.

    Call arguments and return value: as for ``companion.LSTMCell``.

    Example:

    >>> rnn = keras.layers.RNN(PeepholeLSTMCell(4))
    >>> rnn(np.zeros((2, 10, 3))).shape
    (2, 4)
    """

    def __init__(self, units, peephole_initializer="zeros", **kwargs):
        super().__init__(units, **kwargs)
        self.peephole_initializer = checks.initializer(
            "peephole_initializer", peephole_initializer
        )

    def build(self, input_shape):
        super().build(input_shape)
        self.input_gate_peephole_weights, self.forget_gate_peephole_weights, \
            self.output_gate_peephole_weights = (
                self.add_weight(
                    shape=(self.units,), name=f"{gate}_gate_peephole_weights",
                    initializer=self.peephole_initializer,
                )
                for gate in ("input", "forget", "output")
            )

    def call(self, inputs, states, training=False):
        h_prev, c_prev = states[0], states[1]
        a_i, a_f, a_c, a_o = self._pre_activations(inputs, h_prev, training)

        # the peepholes: input and forget gate look at the old cell state ...
        i = self.recurrent_activation(a_i + self.input_gate_peephole_weights * c_prev)
        f = self.recurrent_activation(a_f + self.forget_gate_peephole_weights * c_prev)
        c_candidate = self.activation(a_c)
        c = f * c_prev + i * c_candidate
        # ... and the output gate at the new one
        o = self.recurrent_activation(a_o + self.output_gate_peephole_weights * c)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        config = {
            "peephole_initializer": keras.saving.serialize_keras_object(
                self.peephole_initializer
            )
        }
        return {**super().get_config(), **config}


@keras.saving.register_keras_serializable(package="companion")
class CIFGLSTMCell(RecurrentCell):
    r"""LSTM cell with coupled input and forget gates, CIFG (Greff et al. 2017).

    The forget gate is not computed but tied to the input gate, $f_t = 1 - i_t$: a unit
    writes exactly as much as it forgets (the GRU's update gate does the same):

    $$
    \begin{aligned}
    i_t &= \sigma(x_t W_i + h_{t-1} U_i + b_i)\\
    \tilde c_t &= \phi(x_t W_c + h_{t-1} U_c + b_c)\\
    o_t &= \sigma(x_t W_o + h_{t-1} U_o + b_o)\\
    c_t &= (1 - i_t) \odot c_{t-1} + i_t \odot \tilde c_t\\
    h_t &= o_t \odot \phi(c_t)
    \end{aligned}
    $$

    Weights: ``kernel`` ``(input_dim, 3 * units)``, ``recurrent_kernel``
    ``(units, 3 * units)`` and ``bias`` ``(3 * units,)``, blocks in the order i, c, o (the
    LSTM's order without f). A quarter fewer parameters than the LSTM:
    ``3 * (units * (input_dim + units) + units)``.

    There is no ``unit_forget_bias``: the forget gate has no bias of its own. With the
    default zero bias, $f_t$ starts near 0.5.

    Args:
        units: positive int, size of $h_t$ and $c_t$.
        activation: $\phi$. Default ``"tanh"``.
        recurrent_activation: $\sigma$, used by the two gates. Default ``"sigmoid"``.
        All other arguments (``use_bias``, initializers, regularizers, constraints,
        ``dropout``, ``recurrent_dropout``, ``seed``): as for ``companion.LSTMCell``.

    Call arguments and return value: as for ``companion.LSTMCell``.

    Example:

    >>> rnn = keras.layers.RNN(CIFGLSTMCell(4))
    >>> rnn(np.zeros((2, 10, 3))).shape
    (2, 4)
    """

    n_blocks = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = checks.activation(
            "recurrent_activation", recurrent_activation
        )
        self.state_size = [self.units, self.units]

    def build(self, input_shape):
        self._build_kernels(input_shape)
        if self.use_bias:
            self._add_bias((3 * self.units,))
        else:
            self.bias = None

    def call(self, inputs, states, training=False):
        self._check_step(inputs)
        h_prev, c_prev = states[0], states[1]
        x_i, x_c, x_o = self._project(inputs, self.kernel, self._input_masks(inputs, training))
        h_i, h_c, h_o = self._project(
            h_prev, self.recurrent_kernel, self._recurrent_masks(h_prev, training)
        )
        if self.use_bias:
            b_i, b_c, b_o = ops.split(self.bias, 3)
            x_i, x_c, x_o = x_i + b_i, x_c + b_c, x_o + b_o

        i = self.recurrent_activation(x_i + h_i)
        c_candidate = self.activation(x_c + h_c)
        o = self.recurrent_activation(x_o + h_o)

        c = (1.0 - i) * c_prev + i * c_candidate  # coupled: forget what is written
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        config = {
            "recurrent_activation": keras.activations.serialize(self.recurrent_activation),
        }
        return {**super().get_config(), **config}
