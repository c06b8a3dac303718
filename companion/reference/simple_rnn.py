"""NumPy reference for Keras' SimpleRNN: forward pass and backpropagation through time."""

from dataclasses import dataclass

import numpy as np

from companion.reference import _shapes


@dataclass
class SimpleRNNCache:
    """What ``simple_rnn_backward`` needs from the forward pass.

    Attributes:
        x: inputs, (batch, time, features).
        kernel: W, (features, units).
        recurrent_kernel: U, (units, units).
        has_bias: whether a bias b was used (False means use_bias=False).
        h0: initial state h_0, (batch, units) (zeros if none was given).
        outputs: h_1 .. h_T, (batch, time, units).
    """

    x: np.ndarray
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    has_bias: bool
    h0: np.ndarray
    outputs: np.ndarray


def simple_rnn_forward(x, kernel, recurrent_kernel, bias, h0=None):
    """Run a Keras SimpleRNN (tanh) over a sequence.

    For t = 1 .. T, with row vectors (batch along the first axis):

        a_t = x_t W + h_{t-1} U + b
        h_t = tanh(a_t)

    Shapes:
        x                 (batch, time, features)
        kernel W          (features, units)
        recurrent_kernel U (units, units)
        bias b            (units,), or None for use_bias=False
        h0                (batch, units), or None for zeros

    Returns:
        outputs: h_1 .. h_T stacked, (batch, time, units).
        cache: a ``SimpleRNNCache`` for ``simple_rnn_backward``.
    """
    x = _shapes.check_sequence(x)
    kernel, recurrent_kernel, units = _shapes.check_weights(
        x, kernel, recurrent_kernel, n_gates=1
    )
    bias = _shapes.check_bias(bias, recurrent_kernel, (units,))
    h0 = _shapes.check_state(h0, "h0", x, units)

    batch, time, _ = x.shape
    outputs = np.zeros((batch, time, units))
    h_prev = h0
    for t in range(time):
        a = x[:, t] @ kernel + h_prev @ recurrent_kernel
        if bias is not None:
            a = a + bias
        h = np.tanh(a)
        outputs[:, t] = h
        h_prev = h

    cache = SimpleRNNCache(
        x=x,
        kernel=kernel,
        recurrent_kernel=recurrent_kernel,
        has_bias=bias is not None,
        h0=h0,
        outputs=outputs,
    )
    return outputs, cache


def simple_rnn_backward(d_outputs, cache):
    """Backpropagation through time for ``simple_rnn_forward``.

    ``d_outputs`` is dL/dh_t for every t, (batch, time, units): the gradient
    of the loss with respect to each output taken on its own. Going backwards
    from t = T to 1, the total gradient reaching h_t adds the part that comes
    through the recurrence from step t+1 (``dh_next``, zero at t = T):

        dh_t     = d_outputs_t + dh_next
        da_t     = dh_t * (1 - h_t^2)           (tanh' = 1 - tanh^2)
        dW      += x_t^T da_t
        dU      += h_{t-1}^T da_t
        db      += sum over the batch of da_t
        dx_t     = da_t W^T
        dh_next  = da_t U^T                     (gradient into h_{t-1})

    After the loop, ``dh_next`` is the gradient with respect to h_0.

    Returns:
        dict with keys "x" (batch, time, features), "kernel", "recurrent_kernel",
        "bias" (None if the forward pass had no bias) and "h0" (batch, units).
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
    d_bias = np.zeros(units)
    dh_next = np.zeros((batch, units))

    for t in reversed(range(time)):
        h = outputs[:, t]
        h_prev = outputs[:, t - 1] if t > 0 else cache.h0

        dh = d_outputs[:, t] + dh_next
        da = dh * (1.0 - h**2)

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
    }
