"""NumPy reference for Keras' GRU: forward pass and backpropagation through time."""

from dataclasses import dataclass
from typing import Optional

import numpy as np

from companion.reference import _shapes
from companion.reference.functions import sigmoid


@dataclass
class GRUCache:
    """What ``gru_backward`` needs from the forward pass.

    Attributes:
        x: inputs, (batch, time, features).
        kernel: W, (features, 3*units), gate blocks in the order z, r, h.
        recurrent_kernel: U, (units, 3*units), same gate order.
        has_bias: whether a bias was used (False means use_bias=False).
        reset_after: which GRU variant ran (see ``gru_forward``).
        h0: initial state, (batch, units).
        outputs: h_1 .. h_T, (batch, time, units).
        z, r: update and reset gates, each (batch, time, units).
        h_hat: candidate states, (batch, time, units).
        recurrent_h: h_{t-1} U_h + b_rec_h, (batch, time, units); only kept
            when reset_after=True (the reset gate multiplies it), else None.
    """

    x: np.ndarray
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    has_bias: bool
    reset_after: bool
    h0: np.ndarray
    outputs: np.ndarray
    z: np.ndarray
    r: np.ndarray
    h_hat: np.ndarray
    recurrent_h: Optional[np.ndarray]


def gru_forward(x, kernel, recurrent_kernel, bias, h0=None, reset_after=True):
    """Run a Keras GRU (sigmoid gates, tanh activation) over a sequence.

    The kernel, recurrent kernel and bias hold three blocks of ``units``
    columns each, in Keras' order z (update), r (reset), h (candidate); the
    blocks of U are written U_z, U_r, U_h. For t = 1 .. T, with row vectors:

    reset_after=True (Keras' default; bias is [b_in, b_rec], shape (2, 3*units)):

        [ax_z, ax_r, ax_h] = x_t W + b_in
        [ah_z, ah_r, ah_h] = h_{t-1} U + b_rec
        z_t     = sigmoid(ax_z + ah_z)
        r_t     = sigmoid(ax_r + ah_r)
        h_hat_t = tanh(ax_h + r_t * ah_h)

    reset_after=False (bias b of shape (3*units,)):

        [ax_z, ax_r, ax_h] = x_t W + b
        z_t     = sigmoid(ax_z + h_{t-1} U_z)
        r_t     = sigmoid(ax_r + h_{t-1} U_r)
        h_hat_t = tanh(ax_h + (r_t * h_{t-1}) U_h)

    and in both cases (Keras' convention: z_t keeps the *old* state)

        h_t = z_t * h_{t-1} + (1 - z_t) * h_hat_t

    Shapes:
        x                  (batch, time, features)
        kernel W           (features, 3*units)
        recurrent_kernel U (units, 3*units)
        bias               (2, 3*units) if reset_after else (3*units,);
                           or None for use_bias=False
        h0                 (batch, units), or None for zeros

    Returns:
        outputs: h_1 .. h_T stacked, (batch, time, units).
        cache: a ``GRUCache`` for ``gru_backward``.
    """
    x = _shapes.check_sequence(x)
    kernel, recurrent_kernel, units = _shapes.check_weights(
        x, kernel, recurrent_kernel, n_gates=3
    )
    if reset_after:
        bias = _shapes.check_bias(
            bias, recurrent_kernel, (2, 3 * units),
            note=" (reset_after=True: rows are [input_bias, recurrent_bias])",
        )
    else:
        bias = _shapes.check_bias(
            bias, recurrent_kernel, (3 * units,), note=" (reset_after=False)"
        )
    h0 = _shapes.check_state(h0, "h0", x, units)

    # use_bias=False computes exactly what a zero bias does.
    if bias is None:
        input_bias, recurrent_bias = np.zeros(3 * units), np.zeros(3 * units)
    elif reset_after:
        input_bias, recurrent_bias = bias[0], bias[1]
    else:
        input_bias, recurrent_bias = bias, None
    recurrent_kernel_zr = recurrent_kernel[:, : 2 * units]
    recurrent_kernel_h = recurrent_kernel[:, 2 * units :]

    batch, time, _ = x.shape
    outputs = np.zeros((batch, time, units))
    z_all = np.zeros((batch, time, units))
    r_all = np.zeros((batch, time, units))
    h_hat_all = np.zeros((batch, time, units))
    recurrent_h_all = np.zeros((batch, time, units)) if reset_after else None

    h_prev = h0
    for t in range(time):
        ax_z, ax_r, ax_h = np.split(x[:, t] @ kernel + input_bias, 3, axis=1)
        if reset_after:
            ah_z, ah_r, ah_h = np.split(
                h_prev @ recurrent_kernel + recurrent_bias, 3, axis=1
            )
            z = sigmoid(ax_z + ah_z)
            r = sigmoid(ax_r + ah_r)
            h_hat = np.tanh(ax_h + r * ah_h)
            recurrent_h_all[:, t] = ah_h
        else:
            ah_z, ah_r = np.split(h_prev @ recurrent_kernel_zr, 2, axis=1)
            z = sigmoid(ax_z + ah_z)
            r = sigmoid(ax_r + ah_r)
            h_hat = np.tanh(ax_h + (r * h_prev) @ recurrent_kernel_h)
        h = z * h_prev + (1.0 - z) * h_hat

        outputs[:, t] = h
        z_all[:, t], r_all[:, t], h_hat_all[:, t] = z, r, h_hat
        h_prev = h

    cache = GRUCache(
        x=x,
        kernel=kernel,
        recurrent_kernel=recurrent_kernel,
        has_bias=bias is not None,
        reset_after=reset_after,
        h0=h0,
        outputs=outputs,
        z=z_all,
        r=r_all,
        h_hat=h_hat_all,
        recurrent_h=recurrent_h_all,
    )
    return outputs, cache


def gru_backward(d_outputs, cache):
    """Backpropagation through time for ``gru_forward``.

    ``d_outputs`` is dL/dh_t for every t, (batch, time, units). Going
    backwards from t = T to 1, the gradient reaching h_t is its own output
    gradient plus ``dh_next``, what step t+1 sent back into its h_{t-1}
    (zero at t = T). With h_t = z_t h_{t-1} + (1 - z_t) h_hat_t:

        dh_t      = d_outputs_t + dh_next
        dz_t      = dh_t * (h_{t-1} - h_hat_t)
        da_h      = dh_t * (1 - z_t) * (1 - h_hat_t^2)   (candidate pre-activation)
        dh_prev   = dh_t * z_t                           (direct path)

    reset_after=True (ah_h = h_{t-1} U_h + b_rec_h was kept in the cache):

        dr_t  = da_h * ah_h,      d(ah_h) = da_h * r_t

    reset_after=False (candidate uses (r_t * h_{t-1}) U_h):

        d(r h) = da_h U_h^T,      dr_t = d(r h) * h_{t-1},
        dh_prev += d(r h) * r_t,  dU_h += (r_t * h_{t-1})^T da_h

    then, with da_z = dz_t z_t (1 - z_t) and da_r = dr_t r_t (1 - r_t), the
    gradient of x_t W + b_in is dax = [da_z, da_r, da_h], giving
    dW += x_t^T dax, db_in += sum over batch of dax, dx_t = dax W^T; and the
    gradient of the recurrent product, dah = [da_z, da_r, d(ah_h)] (or
    [da_z, da_r] against U_z, U_r only when reset_after=False), gives
    dU += h_{t-1}^T dah, db_rec += sum over batch of dah,
    dh_prev += dah U^T. Finally dh_next = dh_prev (the gradient into h_{t-1});
    after the loop it is the gradient with respect to h_0.

    Returns:
        dict with keys "x", "kernel", "recurrent_kernel", "bias" (shaped like
        the forward bias, None if there was none) and "h0".
    """
    x = cache.x
    kernel = cache.kernel
    recurrent_kernel = cache.recurrent_kernel
    outputs = cache.outputs
    d_outputs = _shapes.check_d_outputs(d_outputs, outputs.shape)

    batch, time, units = outputs.shape
    recurrent_kernel_zr = recurrent_kernel[:, : 2 * units]
    recurrent_kernel_h = recurrent_kernel[:, 2 * units :]

    dx = np.zeros_like(x)
    d_kernel = np.zeros_like(kernel)
    d_recurrent_kernel = np.zeros_like(recurrent_kernel)
    d_input_bias = np.zeros(3 * units)
    d_recurrent_bias = np.zeros(3 * units)
    dh_next = np.zeros((batch, units))

    for t in reversed(range(time)):
        z, r, h_hat = cache.z[:, t], cache.r[:, t], cache.h_hat[:, t]
        h_prev = outputs[:, t - 1] if t > 0 else cache.h0

        dh = d_outputs[:, t] + dh_next
        dz = dh * (h_prev - h_hat)
        da_h = dh * (1.0 - z) * (1.0 - h_hat**2)
        dh_prev = dh * z

        if cache.reset_after:
            dr = da_h * cache.recurrent_h[:, t]
            d_recurrent_h = da_h * r
        else:
            d_reset_h = da_h @ recurrent_kernel_h.T
            dr = d_reset_h * h_prev
            dh_prev += d_reset_h * r
            d_recurrent_kernel[:, 2 * units :] += (r * h_prev).T @ da_h

        da_z = dz * z * (1.0 - z)
        da_r = dr * r * (1.0 - r)

        dax = np.concatenate([da_z, da_r, da_h], axis=1)
        d_kernel += x[:, t].T @ dax
        d_input_bias += dax.sum(axis=0)
        dx[:, t] = dax @ kernel.T

        if cache.reset_after:
            dah = np.concatenate([da_z, da_r, d_recurrent_h], axis=1)
            d_recurrent_kernel += h_prev.T @ dah
            d_recurrent_bias += dah.sum(axis=0)
            dh_prev += dah @ recurrent_kernel.T
        else:
            dah_zr = np.concatenate([da_z, da_r], axis=1)
            d_recurrent_kernel[:, : 2 * units] += h_prev.T @ dah_zr
            dh_prev += dah_zr @ recurrent_kernel_zr.T

        dh_next = dh_prev

    if not cache.has_bias:
        d_bias = None
    elif cache.reset_after:
        d_bias = np.stack([d_input_bias, d_recurrent_bias])
    else:
        d_bias = d_input_bias

    return {
        "x": dx,
        "kernel": d_kernel,
        "recurrent_kernel": d_recurrent_kernel,
        "bias": d_bias,
        "h0": dh_next,
    }
