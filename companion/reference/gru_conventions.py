r"""The two ways of writing the GRU's update, and conversion of weights between them.

Keras (and the companion's ``GRUCell``) compute, like Cho et al. (2014),

$$h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t,$$

so $z_t$ is the fraction of the old state that is *kept*. Chung et al. (2014) and the
book's seed documents write

$$h_t = (1 - z_t) \odot h_{t-1} + z_t \odot \tilde h_t,$$

where $z_t$ is the fraction that is *replaced*. The two are one family of functions with the
update gate relabelled: since $1 - \sigma(a) = \sigma(-a)$, a GRU of the second form with
update-gate weights $(W_z, U_z, b_z)$ is a Keras GRU with $(-W_z, -U_z, -b_z)$.

This module holds a NumPy forward pass written from the second form (``chung_gru_forward``),
in the papers' column-vector notation, and the conversions to and from the weights of
``keras.layers.GRU(units, reset_after=False)``, the variant whose reset gate acts where the
papers put it: on $h_{t-1}$, before the recurrent matrix product.
"""

import numpy as np

from companion.reference.functions import sigmoid

__all__ = [
    "chung_gru_forward",
    "chung_to_keras_weights",
    "keras_to_chung_weights",
    "flip_update_gate",
]

#: Order of the gate blocks, in the stacked ``W``, ``U``, ``b`` here and in Keras' kernels.
GATES = ("z", "r", "h")



def _check_shape(name, array, expected, meaning):
    if array.shape != tuple(expected):
        raise ValueError(
            f"Argument `{name}` has shape {array.shape}: expected {tuple(expected)} ({meaning})."
        )


def _check_chung_weights(W, U, b):
    """Return float64 ``W, U, b`` after checking they stack three gates of one size."""
    W, U = np.asarray(W, dtype=np.float64), np.asarray(U, dtype=np.float64)
    if U.ndim != 3 or U.shape[0] != 3 or U.shape[1] != U.shape[2]:
        raise ValueError(
            f"Argument `U` has shape {U.shape}: expected (3, units, units), the recurrent "
            "matrices U_z, U_r, U_h stacked."
        )
    units = U.shape[1]
    if W.ndim != 3 or W.shape[:2] != (3, units):
        raise ValueError(
            f"Argument `W` has shape {W.shape}: expected (3, {units}, features), the input "
            f"matrices W_z, W_r, W_h stacked (units={units} is read from `U`)."
        )
    if b is not None:
        b = np.asarray(b, dtype=np.float64)
        _check_shape("b", b, (3, units), "the biases b_z, b_r, b_h stacked, or None for none")
    return W, U, b


def chung_gru_forward(x, W, U, b=None, h0=None):
    r"""Run a GRU written as in Chung et al. (2014) and the seeds over a batch of sequences.

    For each sequence and t = 1 .. T, with column vectors as in the papers:

    $$
    \begin{aligned}
    z_t &= \sigma(W_z x_t + U_z h_{t-1} + b_z) &\text{update gate (fraction replaced)}\\
    r_t &= \sigma(W_r x_t + U_r h_{t-1} + b_r) &\text{reset gate}\\
    \tilde h_t &= \tanh\big(W_h x_t + U_h (r_t \odot h_{t-1}) + b_h\big) &\text{candidate}\\
    h_t &= (1 - z_t) \odot h_{t-1} + z_t \odot \tilde h_t &\text{new state}
    \end{aligned}
    $$

    The reset gate multiplies $h_{t-1}$ before the product with $U_h$, as in both papers
    (Keras' ``reset_after=False``). The papers write no biases; ``b=None`` leaves them out.

    Args:
        x: inputs, ``(batch, time, features)``.
        W: ``(3, units, features)``: ``W[0], W[1], W[2]`` are $W_z, W_r, W_h$.
        U: ``(3, units, units)``: $U_z, U_r, U_h$.
        b: ``(3, units)``: $b_z, b_r, b_h$; or None for no biases.
        h0: initial state ``(batch, units)``; None for zeros.

    Returns:
        $h_1 .. h_T$ as a float64 array ``(batch, time, units)``.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(
            f"Argument `x` has shape {x.shape}: expected a 3-D array (batch, time, features)."
        )
    W, U, b = _check_chung_weights(W, U, b)
    batch, time, features = x.shape
    units = U.shape[1]
    if W.shape[2] != features:
        raise ValueError(
            f"Argument `W` has shape {W.shape} but `x` has {features} features: expected "
            f"W of shape (3, {units}, {features})."
        )
    if h0 is None:
        h0 = np.zeros((batch, units))
    h0 = np.asarray(h0, dtype=np.float64)
    _check_shape("h0", h0, (batch, units), "(batch, units), or None for zeros")
    if b is None:
        b = np.zeros((3, units))

    # A batch holds one sequence per row, so each column-vector product W v is v @ W.T.
    outputs = np.zeros((batch, time, units))
    h = h0
    for t in range(time):
        x_t = x[:, t]
        z = sigmoid(x_t @ W[0].T + h @ U[0].T + b[0])
        r = sigmoid(x_t @ W[1].T + h @ U[1].T + b[1])
        h_candidate = np.tanh(x_t @ W[2].T + (r * h) @ U[2].T + b[2])
        h = (1.0 - z) * h + z * h_candidate
        outputs[:, t] = h
    return outputs


def flip_update_gate(kernel, recurrent_kernel, bias=None):
    """Negate the update gate's block of Keras GRU weights: turns z into 1 - z.

    Works for both Keras variants (a bias of shape ``(3*units,)`` or ``(2, 3*units)``) and
    is its own inverse. Returns new arrays ``[kernel, recurrent_kernel]`` plus ``bias`` when
    one is given; the inputs are not modified.
    """
    kernel, recurrent_kernel = np.array(kernel), np.array(recurrent_kernel)
    if recurrent_kernel.ndim != 2 or recurrent_kernel.shape[1] != 3 * recurrent_kernel.shape[0]:
        raise ValueError(
            f"Argument `recurrent_kernel` has shape {recurrent_kernel.shape}: expected "
            "(units, 3*units), Keras' layout with gate blocks z, r, h."
        )
    units = recurrent_kernel.shape[0]
    if kernel.ndim != 2 or kernel.shape[1] != 3 * units:
        raise ValueError(
            f"Argument `kernel` has shape {kernel.shape}: expected (features, {3 * units}) "
            f"to match `recurrent_kernel` of shape {recurrent_kernel.shape}."
        )
    kernel[:, :units] *= -1
    recurrent_kernel[:, :units] *= -1
    if bias is None:
        return [kernel, recurrent_kernel]
    bias = np.array(bias)
    if bias.shape not in ((3 * units,), (2, 3 * units)):
        raise ValueError(
            f"Argument `bias` has shape {bias.shape}: expected ({3 * units},) "
            f"(reset_after=False) or (2, {3 * units}) (reset_after=True)."
        )
    bias[..., :units] *= -1
    return [kernel, recurrent_kernel, bias]


def chung_to_keras_weights(W, U, b=None):
    """Weights of ``keras.layers.GRU(units, reset_after=False)`` computing ``chung_gru_forward``.

    The papers' column-vector matrices are transposed and laid side by side in Keras' gate
    order z, r, h, and the update-gate block is negated (``flip_update_gate``).

    Args:
        W, U, b: as for ``chung_gru_forward``; ``b=None`` for a layer built with
            ``use_bias=False``.

    Returns:
        ``[kernel (features, 3*units), recurrent_kernel (units, 3*units), bias (3*units,)]``,
        without the bias when ``b`` is None: a list for ``layer.set_weights``.
    """
    W, U, b = _check_chung_weights(W, U, b)
    kernel = np.concatenate([W[gate].T for gate in range(3)], axis=1)
    recurrent_kernel = np.concatenate([U[gate].T for gate in range(3)], axis=1)
    bias = None if b is None else np.concatenate(list(b))
    return flip_update_gate(kernel, recurrent_kernel, bias)


def keras_to_chung_weights(weights):
    """``(W, U, b)`` for ``chung_gru_forward`` from a Keras ``reset_after=False`` GRU.

    Args:
        weights: ``layer.get_weights()`` of ``keras.layers.GRU(units, reset_after=False)``
            (or of ``keras.layers.RNN(companion.GRUCell(units, reset_after=False))``):
            ``[kernel, recurrent_kernel]`` or ``[kernel, recurrent_kernel, bias]``.

    Returns:
        ``(W, U, b)`` shaped ``(3, units, features)``, ``(3, units, units)`` and
        ``(3, units)``; ``b`` is None when ``weights`` has no bias.
    """
    if not isinstance(weights, (list, tuple)) or len(weights) not in (2, 3):
        raise ValueError(
            f"Argument `weights` must be the list [kernel, recurrent_kernel] or [kernel, "
            f"recurrent_kernel, bias] of a Keras GRU, got {type(weights).__name__} of "
            f"length {len(weights) if hasattr(weights, '__len__') else 'unknown'}."
        )
    bias = weights[2] if len(weights) == 3 else None
    if bias is not None and np.ndim(bias) == 2:
        raise ValueError(
            f"Argument `weights` holds a bias of shape {np.shape(bias)}: that is a GRU built "
            "with reset_after=True (reset gate applied after the recurrent product), a "
            "different function from the papers' GRU, which applies it before. Expected the "
            "weights of a GRU built with reset_after=False (bias of shape (3*units,))."
        )
    flipped = flip_update_gate(*weights)
    kernel, recurrent_kernel = flipped[0], flipped[1]
    units = recurrent_kernel.shape[0]
    W = np.stack(np.split(kernel, 3, axis=1)).transpose(0, 2, 1)
    U = np.stack(np.split(recurrent_kernel, 3, axis=1)).transpose(0, 2, 1)
    b = None if bias is None else flipped[2].reshape(3, units)
    return W, U, b
