"""The gated recurrent unit (Cho et al. 2014), in both of Keras' variants, written from its equations."""

import keras
from keras import ops

from companion import checks
from companion.cells.base import RecurrentCell


@keras.saving.register_keras_serializable(package="companion")
class GRUCell(RecurrentCell):
    r"""GRU cell: one step with an update gate $z_t$ and a reset gate $r_t$.

    With $\sigma$ the recurrent activation (sigmoid) and $\phi$ the activation (tanh):

    $$
    \begin{aligned}
    z_t &= \sigma(x_t W_z + b_z + h_{t-1} U_z + b'_z) &\text{update gate}\\
    r_t &= \sigma(x_t W_r + b_r + h_{t-1} U_r + b'_r) &\text{reset gate}\\
    \tilde h_t &= \phi\big(x_t W_h + b_h + r_t \odot (h_{t-1} U_h + b'_h)\big)
        &\text{candidate, } \texttt{reset\_after=True}\\
    \tilde h_t &= \phi\big(x_t W_h + b_h + (r_t \odot h_{t-1}) U_h\big)
        &\text{candidate, } \texttt{reset\_after=False}\\
    h_t &= z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t &\text{new state}
    \end{aligned}
    $$

    The primed biases $b'$ exist only with ``reset_after=True``.

    This is Keras' convention, and that of Cho et al. (2014): $z_t$ is the fraction of the old
    state *kept*. Chung et al. (2014) and the seeds write
    $h_t = (1 - z_t) h_{t-1} + z_t \tilde h_t$, where $z_t$ is the fraction *replaced*; the two
    are the same family of functions with $z \mapsto 1 - z$ (negate the update gate's weights
    and biases). The companion follows Keras so that weights carry over between this cell and
    ``keras.layers.GRU`` unchanged.

    ``reset_after=True`` (Keras' default, and the form cuDNN implements) applies the reset
    gate after the recurrent matrix product, which needs a separate recurrent bias $b'$;
    ``reset_after=False`` is the formulation of Cho et al. (2014).

    Weights (same names, shapes and order as ``keras.layers.GRUCell``), gate blocks in the
    order z, r, h:
        kernel ``[W_z W_r W_h]``: ``(input_dim, 3 * units)``;
        recurrent_kernel ``[U_z U_r U_h]``: ``(units, 3 * units)``;
        bias: ``(2, 3 * units)`` rows ``[b, b']`` with ``reset_after=True``, else
        ``(3 * units,)``; absent when ``use_bias=False``.

    Args:
        units: positive int, size of $h_t$.
        activation: $\phi$. Default ``"tanh"``.
        recurrent_activation: $\sigma$, used by both gates. Default ``"sigmoid"``.
        use_bias: whether to add the biases. Default ``True``.
        kernel_initializer: Default ``"glorot_uniform"``.
        recurrent_initializer: Default ``"orthogonal"``.
        bias_initializer: Default ``"zeros"``.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: Default ``None``.
        kernel_constraint, recurrent_constraint, bias_constraint: Default ``None``.
        dropout: fraction in [0, 1) of $x_t$ dropped in training, one mask per sequence.
        recurrent_dropout: fraction in [0, 1) of $h_{t-1}$ dropped in training. When it is
            positive, each gate gets its own input and recurrent mask, as in Keras.
        reset_after: where the reset gate acts (see above). Default ``True``.
        seed: int or None, seed of the dropout masks.

    Call arguments:
        inputs: one time step, ``(batch, input_dim)``.
        states: ``[h_prev]``, ``(batch, units)``.
        training: whether dropout is applied.

    Returns ``(h, [h])``.

    Example:

    >>> gru = keras.layers.RNN(GRUCell(4, reset_after=False))
    >>> gru(np.zeros((2, 10, 3))).shape
    (2, 4)
    """

    n_blocks = 3

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        reset_after=True,
        **kwargs,
    ):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = checks.activation(
            "recurrent_activation", recurrent_activation
        )
        self.reset_after = checks.flag("reset_after", reset_after)
        self.state_size = self.units

    def build(self, input_shape):
        self._build_kernels(input_shape)
        if not self.use_bias:
            self.bias = None
        elif self.reset_after:
            # separate biases for the input and the recurrent products
            self._add_bias((2, 3 * self.units))
        else:
            self._add_bias((3 * self.units,))

    def call(self, inputs, states, training=False):
        self._check_step(inputs)
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        x_z, x_r, x_h = self._project(inputs, self.kernel, self._input_masks(inputs, training))
        recurrent_masks = self._recurrent_masks(h_prev, training)

        if self.reset_after:
            h_z, h_r, h_h = self._project(h_prev, self.recurrent_kernel, recurrent_masks)
            if self.use_bias:
                b_z, b_r, b_h = ops.split(self.bias[0], 3)
                rb_z, rb_r, rb_h = ops.split(self.bias[1], 3)
                x_z, x_r, x_h = x_z + b_z, x_r + b_r, x_h + b_h
                h_z, h_r, h_h = h_z + rb_z, h_r + rb_r, h_h + rb_h
            z = self.recurrent_activation(x_z + h_z)
            r = self.recurrent_activation(x_r + h_r)
            # reset gate applied after the matrix product
            h_candidate = self.activation(x_h + r * h_h)
        else:
            U_z, U_r, U_h = ops.split(self.recurrent_kernel, 3, axis=1)
            h_for = _per_gate(h_prev, recurrent_masks)
            if self.use_bias:
                b_z, b_r, b_h = ops.split(self.bias, 3)
                x_z, x_r, x_h = x_z + b_z, x_r + b_r, x_h + b_h
            z = self.recurrent_activation(x_z + ops.matmul(h_for[0], U_z))
            r = self.recurrent_activation(x_r + ops.matmul(h_for[1], U_r))
            # reset gate applied before the matrix product
            h_candidate = self.activation(x_h + ops.matmul(r * h_for[2], U_h))

        h = z * h_prev + (1 - z) * h_candidate
        return h, ([h] if isinstance(states, (list, tuple)) else h)

    def get_config(self):
        config = {
            "recurrent_activation": keras.activations.serialize(self.recurrent_activation),
            "reset_after": self.reset_after,
        }
        return {**super().get_config(), **config}


def _per_gate(h_prev, masks):
    """``h_prev`` as each of the three gates sees it after recurrent dropout."""
    if masks is None:
        return [h_prev] * 3
    if isinstance(masks, (list, tuple)):
        return [h_prev * mask for mask in masks]
    return [h_prev * masks] * 3
