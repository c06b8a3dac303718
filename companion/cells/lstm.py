"""The long short-term memory cell (Hochreiter and Schmidhuber 1997), written from its equations."""

import keras
from keras import ops

from companion import checks
from companion.cells.base import RecurrentCell


@keras.saving.register_keras_serializable(package="companion")
class LSTMCell(RecurrentCell):
    r"""LSTM cell: one step of the gated memory.

    With $\sigma$ the recurrent activation (sigmoid) and $\phi$ the activation (tanh):

    $$
    \begin{aligned}
    i_t &= \sigma(x_t W_i + h_{t-1} U_i + b_i) &\text{input gate}\\
    f_t &= \sigma(x_t W_f + h_{t-1} U_f + b_f) &\text{forget gate}\\
    \tilde c_t &= \phi(x_t W_c + h_{t-1} U_c + b_c) &\text{candidate}\\
    o_t &= \sigma(x_t W_o + h_{t-1} U_o + b_o) &\text{output gate}\\
    c_t &= f_t \odot c_{t-1} + i_t \odot \tilde c_t &\text{cell state}\\
    h_t &= o_t \odot \phi(c_t) &\text{hidden state}
    \end{aligned}
    $$

    The seeds' forms are the same computation: $W_i x_t + U_i h_{t-1}$ with column vectors
    (transpose the blocks), or $W_i [h_{t-1}, x_t]$ with one matrix on the concatenation
    (stack $U_i$ over $W_i$).

    Weights (same names, shapes and order as ``keras.layers.LSTMCell``), gate blocks in the
    order i, f, c, o:
        kernel ``[W_i W_f W_c W_o]``: ``(input_dim, 4 * units)``;
        recurrent_kernel ``[U_i U_f U_c U_o]``: ``(units, 4 * units)``;
        bias ``[b_i b_f b_c b_o]``: ``(4 * units,)`` when ``use_bias``.

    Args:
        units: positive int, size of $h_t$ and $c_t$.
        activation: $\phi$. Default ``"tanh"``.
        recurrent_activation: $\sigma$, used by the three gates. Default ``"sigmoid"``.
        use_bias: whether to add the biases. Default ``True``.
        kernel_initializer: Default ``"glorot_uniform"``.
        recurrent_initializer: Default ``"orthogonal"``.
        bias_initializer: Default ``"zeros"``.
        unit_forget_bias: if ``True`` (default), the forget-gate block $b_f$ is *initialised*
            to 1 (Jozefowicz et al. 2015) and the others with ``bias_initializer``. It sets a
            starting value; nothing is added at later steps.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: Default ``None``.
        kernel_constraint, recurrent_constraint, bias_constraint: Default ``None``.
        dropout: fraction in [0, 1) of $x_t$ dropped in training, one mask per sequence.
        recurrent_dropout: fraction in [0, 1) of $h_{t-1}$ dropped in training. When it is
            positive, each gate gets its own input and recurrent mask, as in Keras.
        seed: int or None, seed of the dropout masks.

    Call arguments:
        inputs: one time step, ``(batch, input_dim)``.
        states: ``[h_prev, c_prev]``, each ``(batch, units)``.
        training: whether dropout is applied.

    Returns ``(h, [h, c])``.

    Example:

    >>> lstm = keras.layers.RNN(LSTMCell(4), return_state=True)
    >>> h, h_again, c = lstm(np.zeros((2, 10, 3)))
    >>> h.shape, c.shape
    ((2, 4), (2, 4))
    """

    n_blocks = 4

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        unit_forget_bias=True,
        **kwargs,
    ):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = checks.activation(
            "recurrent_activation", recurrent_activation
        )
        self.unit_forget_bias = checks.flag("unit_forget_bias", unit_forget_bias)
        self.state_size = [self.units, self.units]

    def build(self, input_shape):
        self._build_kernels(input_shape)
        if not self.use_bias:
            self.bias = None
            return
        initializer = self.bias_initializer
        if self.unit_forget_bias:

            def initializer(shape, dtype=None):
                units = self.units
                return ops.concatenate(
                    [
                        self.bias_initializer((units,), dtype=dtype),  # b_i
                        ops.ones((units,), dtype=dtype),  # b_f starts at 1
                        self.bias_initializer((2 * units,), dtype=dtype),  # b_c, b_o
                    ]
                )

        self._add_bias((4 * self.units,), initializer)

    def _pre_activations(self, inputs, h_prev, training):
        """The four gates' pre-activations $x_t W_g + h_{t-1} U_g + b_g$, g = i, f, c, o
        (shared with ``PeepholeLSTMCell``, which adds its peepholes to them)."""
        self._check_step(inputs)
        x_i, x_f, x_c, x_o = self._project(
            inputs, self.kernel, self._input_masks(inputs, training)
        )
        h_i, h_f, h_c, h_o = self._project(
            h_prev, self.recurrent_kernel, self._recurrent_masks(h_prev, training)
        )
        if self.use_bias:
            b_i, b_f, b_c, b_o = ops.split(self.bias, 4)
            x_i, x_f, x_c, x_o = x_i + b_i, x_f + b_f, x_c + b_c, x_o + b_o
        return x_i + h_i, x_f + h_f, x_c + h_c, x_o + h_o

    def call(self, inputs, states, training=False):
        h_prev, c_prev = states[0], states[1]
        a_i, a_f, a_c, a_o = self._pre_activations(inputs, h_prev, training)

        i = self.recurrent_activation(a_i)
        f = self.recurrent_activation(a_f)
        c_candidate = self.activation(a_c)
        o = self.recurrent_activation(a_o)

        c = f * c_prev + i * c_candidate
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        config = {
            "recurrent_activation": keras.activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }
        return {**super().get_config(), **config}
