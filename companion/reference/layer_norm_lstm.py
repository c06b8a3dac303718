"""NumPy reference (float64) for the layer-normalised LSTM of Ba, Kiros and Hinton (2016).

The forward pass of ``companion.cells.LayerNormLSTMCell`` written out with NumPy, in Keras'
layout (row vectors, gate blocks i, f, c, o side by side). Keras has no such layer to
compare the cell with, so this is what the test suite compares it to.
"""

import numpy as np

from companion.reference import _shapes
from companion.reference.functions import sigmoid


def layer_norm(a, gamma, beta=None, epsilon=1e-3):
    r"""$\gamma \odot (a - \mu) / \sqrt{s^2 + \epsilon} + \beta$ over the last axis of ``a``,
    with $\mu$ and $s^2$ the mean and the (biased) variance of each row's own entries."""
    a = _shapes.as_float64(a)
    mean = a.mean(axis=-1, keepdims=True)
    variance = ((a - mean) ** 2).mean(axis=-1, keepdims=True)
    normalised = gamma * (a - mean) / np.sqrt(variance + epsilon)
    return normalised if beta is None else normalised + beta


def layer_norm_lstm_forward(
    x,
    kernel,
    recurrent_kernel,
    bias,
    input_gamma,
    recurrent_gamma,
    cell_gamma,
    cell_beta,
    h0=None,
    c0=None,
    epsilon=1e-3,
):
    """Run a layer-normalised LSTM (sigmoid gates, tanh activation) over a sequence.

    For t = 1 .. T, with row vectors and LN over the last axis (``layer_norm``):

        [a_i, a_f, a_c, a_o] = LN(x_t W; g_x) + LN(h_{t-1} U; g_h) + b
        i_t, f_t, o_t = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o)
        c_hat_t = tanh(a_c)
        c_t = f_t * c_{t-1} + i_t * c_hat_t
        h_t = o_t * tanh(LN(c_t; g_c, beta_c))

    Shapes:
        x                                    (batch, time, features)
        kernel W                             (features, 4*units)
        recurrent_kernel U                   (units, 4*units)
        bias b                               (4*units,), or None for use_bias=False
        input_gamma g_x, recurrent_gamma g_h (4*units,)
        cell_gamma g_c, cell_beta beta_c     (units,)
        h0, c0                               (batch, units), or None for zeros

    The arguments after ``x`` are, in order, the weights of ``LayerNormLSTMCell``
    (``layer.get_weights()``; with ``use_bias=False`` pass ``None`` for the bias).

    Returns:
        outputs: h_1 .. h_T, (batch, time, units).
        cells: c_1 .. c_T, (batch, time, units).
    """
    x = _shapes.check_sequence(x)
    kernel, recurrent_kernel, units = _shapes.check_weights(
        x, kernel, recurrent_kernel, n_gates=4
    )
    bias = _shapes.check_bias(bias, recurrent_kernel, (4 * units,))
    gains = {}
    for name, value, size in [
        ("input_gamma", input_gamma, 4 * units),
        ("recurrent_gamma", recurrent_gamma, 4 * units),
        ("cell_gamma", cell_gamma, units),
        ("cell_beta", cell_beta, units),
    ]:
        value = _shapes.as_float64(value)
        if value.shape != (size,):
            raise ValueError(
                f"{name} has shape {value.shape} but recurrent_kernel has shape "
                f"{recurrent_kernel.shape}: expected {name} of shape {(size,)}"
            )
        gains[name] = value
    h = _shapes.check_state(h0, "h0", x, units)
    c = _shapes.check_state(c0, "c0", x, units)

    batch, time, _ = x.shape
    outputs = np.zeros((batch, time, units))
    cells = np.zeros((batch, time, units))
    for t in range(time):
        a = layer_norm(x[:, t] @ kernel, gains["input_gamma"], epsilon=epsilon)
        a = a + layer_norm(h @ recurrent_kernel, gains["recurrent_gamma"], epsilon=epsilon)
        if bias is not None:
            a = a + bias
        a_i, a_f, a_c, a_o = np.split(a, 4, axis=1)
        c = sigmoid(a_f) * c + sigmoid(a_i) * np.tanh(a_c)
        normalised_c = layer_norm(c, gains["cell_gamma"], gains["cell_beta"], epsilon)
        h = sigmoid(a_o) * np.tanh(normalised_c)
        outputs[:, t], cells[:, t] = h, c
    return outputs, cells
