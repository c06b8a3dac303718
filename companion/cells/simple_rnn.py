"""The vanilla (Elman) recurrent cell, written from its equation."""

import keras

from companion.cells.base import RecurrentCell


@keras.saving.register_keras_serializable(package="companion")
class SimpleRNNCell(RecurrentCell):
    r"""Vanilla recurrent cell: one step of $h_t = \tanh(x_t W + h_{t-1} U + b)$.

    In the column-vector notation of the seeds this is
    $h_t = f(W_x x_t + W_h h_{t-1} + b)$ with $W_x = W^\top$ and $W_h = U^\top$;
    Keras stores row-vector weights, so a batch of steps is one matrix product.

    Weights (same names, shapes and order as ``keras.layers.SimpleRNNCell``):
        kernel ``W``: ``(input_dim, units)``; recurrent_kernel ``U``: ``(units, units)``;
        bias ``b``: ``(units,)`` when ``use_bias``.

    Args:
        units: positive int, size of the hidden state $h_t$.
        activation: the nonlinearity $f$. Default ``"tanh"``; ``None`` means linear.
        use_bias: whether to add $b$. Default ``True``.
        kernel_initializer: initializer of ``W``. Default ``"glorot_uniform"``.
        recurrent_initializer: initializer of ``U``. Default ``"orthogonal"``.
        bias_initializer: initializer of ``b``. Default ``"zeros"``.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: optional
            regularizers of ``W``, ``U``, ``b``. Default ``None``.
        kernel_constraint, recurrent_constraint, bias_constraint: optional
            constraints of ``W``, ``U``, ``b``. Default ``None``.
        dropout: fraction in [0, 1) of the input $x_t$ dropped in training; one mask per
            sequence, reused at every step. Default 0.
        recurrent_dropout: fraction in [0, 1) of $h_{t-1}$ dropped in training, one mask
            per sequence. Default 0.
        seed: int or None, seed of the dropout masks.

    Call arguments:
        inputs: one time step, shape ``(batch, input_dim)``.
        states: ``[h_prev]`` with ``h_prev`` of shape ``(batch, units)``.
        training: whether dropout is applied.

    Returns ``(h, [h])``: the output is the new state.

    Example:

    >>> rnn = keras.layers.RNN(SimpleRNNCell(4), return_sequences=True)
    >>> rnn(np.zeros((2, 10, 3))).shape
    (2, 10, 4)
    """

    n_blocks = 1

    def __init__(self, units, activation="tanh", **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.state_size = self.units

    def build(self, input_shape):
        self._build_kernels(input_shape)
        if self.use_bias:
            self._add_bias((self.units,))
        else:
            self.bias = None

    def call(self, inputs, states, training=False):
        self._check_step(inputs)
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        [x_w] = self._project(inputs, self.kernel, self._input_masks(inputs, training))
        [h_u] = self._project(
            h_prev, self.recurrent_kernel, self._recurrent_masks(h_prev, training)
        )
        pre_activation = x_w + h_u
        if self.use_bias:
            pre_activation = pre_activation + self.bias
        h = self.activation(pre_activation)
        return h, ([h] if isinstance(states, (list, tuple)) else h)
