"""NumPy reference for Keras' LSTM: forward pass and backpropagation through time."""

from dataclasses import dataclass

import numpy as np

from companion.reference import _shapes
from companion.reference.functions import sigmoid


@dataclass
class LSTMCache:
    """What ``lstm_backward`` needs from the forward pass.

    Attributes:
        x: inputs, (batch, time, features).
        kernel: W, (features, 4*units), gate blocks in the order i, f, c, o.
        recurrent_kernel: U, (units, 4*units), same gate order.
        has_bias: whether a bias b was used (False means use_bias=False).
        h0, c0: initial hidden and cell states, (batch, units).
        outputs: h_1 .. h_T, (batch, time, units).
        cells: c_1 .. c_T, (batch, time, units).
        i, f, o: input, forget and output gates, each (batch, time, units).
        c_hat: candidate cell values tanh(...), (batch, time, units).
    """

    x: np.ndarray
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    has_bias: bool
    h0: np.ndarray
    c0: np.ndarray
    outputs: np.ndarray
    cells: np.ndarray
    i: np.ndarray
    f: np.ndarray
    o: np.ndarray
    c_hat: np.ndarray


def lstm_forward(x, kernel, recurrent_kernel, bias, h0=None, c0=None):
    """Run a Keras LSTM (sigmoid gates, tanh activation) over a sequence.

    The kernel, recurrent kernel and bias hold four blocks of ``units``
    columns each, in Keras' order i (input), f (forget), c (candidate),
    o (output). For t = 1 .. T, with row vectors:

        [a_i, a_f, a_c, a_o] = x_t W + h_{t-1} U + b
        i_t     = sigmoid(a_i)
        f_t     = sigmoid(a_f)
        c_hat_t = tanh(a_c)
        o_t     = sigmoid(a_o)
        c_t     = f_t * c_{t-1} + i_t * c_hat_t
        h_t     = o_t * tanh(c_t)

    Shapes:
        x                  (batch, time, features)
        kernel W           (features, 4*units)
        recurrent_kernel U (units, 4*units)
        bias b             (4*units,), or None for use_bias=False
        h0, c0             (batch, units), or None for zeros

    Returns:
        outputs: h_1 .. h_T stacked, (batch, time, units).
        cache: an ``LSTMCache`` for ``lstm_backward``.
    """
    x = _shapes.check_sequence(x)
    kernel, recurrent_kernel, units = _shapes.check_weights(
        x, kernel, recurrent_kernel, n_gates=4
    )
    bias = _shapes.check_bias(bias, recurrent_kernel, (4 * units,))
    h0 = _shapes.check_state(h0, "h0", x, units)
    c0 = _shapes.check_state(c0, "c0", x, units)

    batch, time, _ = x.shape
    outputs = np.zeros((batch, time, units))
    cells = np.zeros((batch, time, units))
    i_all = np.zeros((batch, time, units))
    f_all = np.zeros((batch, time, units))
    o_all = np.zeros((batch, time, units))
    c_hat_all = np.zeros((batch, time, units))

    h_prev, c_prev = h0, c0
    for t in range(time):
        a = x[:, t] @ kernel + h_prev @ recurrent_kernel
        if bias is not None:
            a = a + bias
        a_i, a_f, a_c, a_o = np.split(a, 4, axis=1)

        i = sigmoid(a_i)
        f = sigmoid(a_f)
        c_hat = np.tanh(a_c)
        o = sigmoid(a_o)
        c = f * c_prev + i * c_hat
        h = o * np.tanh(c)

        outputs[:, t], cells[:, t] = h, c
        i_all[:, t], f_all[:, t], o_all[:, t], c_hat_all[:, t] = i, f, o, c_hat
        h_prev, c_prev = h, c

    cache = LSTMCache(
        x=x,
        kernel=kernel,
        recurrent_kernel=recurrent_kernel,
        has_bias=bias is not None,
        h0=h0,
        c0=c0,
        outputs=outputs,
        cells=cells,
        i=i_all,
        f=f_all,
        o=o_all,
        c_hat=c_hat_all,
    )
    return outputs, cache


def lstm_backward(d_outputs, cache):
    """Backpropagation through time for ``lstm_forward``.

    ``d_outputs`` is dL/dh_t for every t, (batch, time, units). Going
    backwards from t = T to 1, two gradients arrive from step t+1 (both zero
    at t = T): ``dh_next`` into h_t through the recurrent kernel, and
    ``dc_next`` into c_t through the forget gate. Then

        dh_t    = d_outputs_t + dh_next
        do_t    = dh_t * tanh(c_t)
        dc_t    = dc_next + dh_t * o_t * (1 - tanh(c_t)^2)
        di_t    = dc_t * c_hat_t
        df_t    = dc_t * c_{t-1}
        dc_hat_t = dc_t * i_t
        dc_next = dc_t * f_t                           (gradient into c_{t-1})

    and through the activations (sigmoid' = s (1 - s), tanh' = 1 - tanh^2):

        da_t = [di_t i_t (1 - i_t), df_t f_t (1 - f_t),
                dc_hat_t (1 - c_hat_t^2), do_t o_t (1 - o_t)]
        dW += x_t^T da_t,   dU += h_{t-1}^T da_t,   db += sum over batch of da_t
        dx_t    = da_t W^T
        dh_next = da_t U^T                             (gradient into h_{t-1})

    After the loop, ``dh_next`` and ``dc_next`` are the gradients with
    respect to h_0 and c_0.

    Returns:
        dict with keys "x", "kernel", "recurrent_kernel", "bias" (None if the
        forward pass had no bias), "h0" and "c0".
    """
    x = cache.x
    kernel = cache.kernel
    recurrent_kernel = cache.recurrent_kernel
    outputs = cache.outputs
    d_outputs = _shapes.check_d_outputs(d_outputs, outputs.shape)

    batch, time, units = outputs.shape
    dx = np.zeros_like(x)
    d_kernel = np.zeros_like(kernel)
    d_recurrent_kernel = np.zeros_like(recurrent_kernel)
    d_bias = np.zeros(4 * units)
    dh_next = np.zeros((batch, units))
    dc_next = np.zeros((batch, units))

    for t in reversed(range(time)):
        i, f, o, c_hat = cache.i[:, t], cache.f[:, t], cache.o[:, t], cache.c_hat[:, t]
        tanh_c = np.tanh(cache.cells[:, t])
        h_prev = outputs[:, t - 1] if t > 0 else cache.h0
        c_prev = cache.cells[:, t - 1] if t > 0 else cache.c0

        dh = d_outputs[:, t] + dh_next
        do = dh * tanh_c
        dc = dc_next + dh * o * (1.0 - tanh_c**2)
        di = dc * c_hat
        df = dc * c_prev
        dc_hat = dc * i
        dc_next = dc * f

        da = np.concatenate(
            [
                di * i * (1.0 - i),
                df * f * (1.0 - f),
                dc_hat * (1.0 - c_hat**2),
                do * o * (1.0 - o),
            ],
            axis=1,
        )

        d_kernel += x[:, t].T @ da
        d_recurrent_kernel += h_prev.T @ da
        d_bias += da.sum(axis=0)
        dx[:, t] = da @ kernel.T
        dh_next = da @ recurrent_kernel.T

    return {
        "x": dx,
        "kernel": d_kernel,
        "recurrent_kernel": d_recurrent_kernel,
        "bias": d_bias if cache.has_bias else None,
        "h0": dh_next,
        "c0": dc_next,
    }
