r"""Probes of a recurrent layer's gradients through time: how much survives the trip back.

The quantity behind vanishing and exploding gradients is the Jacobian of the last hidden state
with respect to an earlier one,

.. math::

    \frac{\partial h_T}{\partial h_{T-k}}
      = \left[ \frac{\partial s_T}{\partial s_{T-1}} \frac{\partial s_{T-1}}{\partial s_{T-2}}
        \cdots \frac{\partial s_{T-k+1}}{\partial s_{T-k}} \right]_{h \times h\text{ block}},

a product of ``k`` one-step Jacobians of the cell's state :math:`s_t` (:math:`s_t = h_t` for
SimpleRNN and GRU, :math:`s_t = (h_t, c_t)` for the LSTM). Backpropagation through time
multiplies the gradient arriving at :math:`h_T` by exactly this matrix (transposed) on its way
back to step :math:`T-k`.

:func:`hidden_state_jacobians` computes these matrices for any ``keras.layers.RNN`` (the
built-in ``SimpleRNN``, ``LSTM``, ``GRU`` or ``keras.layers.RNN(cell)`` around a companion cell)
and :func:`hidden_state_gradient_norms` their norms as a function of the lag ``k``.

How: the layer's cell is run step by step over the inputs to record every state
:math:`s_0, \dots, s_{T-1}`; then the cell is called *once* on all ``(x_t, s_{t-1})`` pairs
(time folded into the batch) under ``tf.GradientTape``; one backward pass per state component
gives that row of every one-step Jacobian :math:`\partial s_t / \partial s_{t-1}` at once. The
products are taken in float64 with NumPy, so a gradient that shrinks to 1e-30 is measured rather
than flushed to zero by float32 underflow, as a plain backward pass in float32 would do.

For the LSTM, :math:`\partial h_T / \partial h_{T-k}` perturbs :math:`h_{T-k}` with
:math:`c_{T-k}` held fixed (the "h" block of the state Jacobian); every path from
:math:`h_{T-k}` to :math:`h_T`, including those running along the cell state
:math:`c_{T-k+1}, \dots, c_T`, is in the product.
"""

import numbers

import keras
import numpy as np

__all__ = [
    "hidden_state_gradient_norms", "hidden_state_jacobians", "one_step_state_jacobians", "NORMS"
]

#: matrix norms :func:`hidden_state_gradient_norms` can take
NORMS = ("spectral", "frobenius")


def _check_layer(rnn_layer):
    if not isinstance(rnn_layer, keras.layers.RNN):
        raise ValueError(
            f"Argument `rnn_layer` must be a keras.layers.RNN (SimpleRNN, LSTM, GRU or "
            f"keras.layers.RNN(cell)), got {rnn_layer!r}."
        )
    if rnn_layer.go_backwards:
        raise ValueError(
            "Argument `rnn_layer` has go_backwards=True: expected a layer that reads its "
            "inputs forwards (the probe runs the cell over `inputs` in the order given)."
        )
    sizes = rnn_layer.cell.state_size
    sizes = list(sizes) if isinstance(sizes, (list, tuple)) else [sizes]
    stacked = isinstance(rnn_layer.cell, keras.layers.StackedRNNCells)
    if stacked or not all(isinstance(size, numbers.Integral) for size in sizes):
        raise ValueError(
            f"Argument `rnn_layer` has a cell with state_size={rnn_layer.cell.state_size!r}: "
            "expected an int or a flat list of ints (one cell, not stacked cells)."
        )
    return [int(size) for size in sizes]


def _check_inputs(inputs):
    inputs = np.asarray(inputs)
    if inputs.ndim != 3 or 0 in inputs.shape:
        raise ValueError(
            f"Argument `inputs` has shape {inputs.shape}: expected a non-empty 3-D array "
            "(batch, time, features)."
        )
    if not np.issubdtype(inputs.dtype, np.number) or not np.all(np.isfinite(inputs)):
        raise ValueError(
            f"Argument `inputs` (dtype {inputs.dtype}) must hold finite numbers only."
        )
    return inputs


def one_step_state_jacobians(rnn_layer, inputs):
    r"""Every one-step Jacobian :math:`\partial s_t / \partial s_{t-1}` of the layer's cell.

    Args:
        rnn_layer: a ``keras.layers.RNN`` with a single cell (built-in or companion); it is
            built on ``inputs`` if it was not yet. Dropout is off (``training=False``) and
            masking is not applied: every step of ``inputs`` is run.
        inputs: array of shape ``(batch, time, features)``; the states start from zeros.

    Returns:
        ``(jacobians, state_sizes)``: ``jacobians`` is float64 of shape
        ``(time, batch, n, n)`` with ``jacobians[t, b, i, j]`` the derivative of component
        ``i`` of the state after step ``t + 1`` with respect to component ``j`` of the state
        before it, the state being the cell's states concatenated (``n = sum(state_sizes)``;
        ``h`` first, then ``c`` for the LSTM).
    """
    # Imported here: the Jacobians need TensorFlow's tape, the rest of the package does not.
    import tensorflow as tf

    if keras.backend.backend() != "tensorflow":
        raise RuntimeError(
            f"companion.experiments.probes needs the TensorFlow backend, Keras runs on "
            f"{keras.backend.backend()!r}."
        )
    sizes = _check_layer(rnn_layer)
    inputs = _check_inputs(inputs)
    cell = rnn_layer.cell
    batch, time, _ = inputs.shape
    if not rnn_layer.built:
        rnn_layer(inputs[:1, :1].astype(cell.compute_dtype))
    x = tf.convert_to_tensor(inputs, dtype=cell.compute_dtype)

    # Forward, one step at a time, keeping the state that goes *into* each step.
    states = [tf.zeros((batch, size), dtype=cell.compute_dtype) for size in sizes]
    states_before = []
    for t in range(time):
        states_before.append(tf.concat(states, axis=1))
        output, new_states = cell(x[:, t], states, training=False)
        states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if t == 0 and not np.array_equal(np.asarray(output), np.asarray(states[0])):
            raise ValueError(
                f"Argument `rnn_layer` has a cell ({type(cell).__name__}) whose output is not "
                "its first state: expected a cell whose first state is its output h_t, as in "
                "SimpleRNN, LSTM and GRU."
            )

    # One call on all steps at once: time folded into the batch, row t * batch + b.
    flat_x = tf.reshape(tf.transpose(x, (1, 0, 2)), (time * batch, -1))
    flat_states = tf.concat(states_before, axis=0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(flat_states)
        _, new_states = cell(flat_x, tf.split(flat_states, sizes, axis=1), training=False)
        if not isinstance(new_states, (list, tuple)):
            new_states = [new_states]
        flat_new_states = tf.concat(list(new_states), axis=1)
    # Row i of every Jacobian is one backward pass seeded with the unit vector e_i: the rows
    # of the folded batch are independent, so one pass serves all steps and sequences.
    n = sum(sizes)
    rows = []
    for i in range(n):
        seed = tf.one_hot(tf.fill([time * batch], i), n, dtype=flat_new_states.dtype)
        rows.append(tape.gradient(flat_new_states, flat_states, output_gradients=seed))
    del tape
    jacobians = np.stack([np.asarray(row, dtype=np.float64) for row in rows], axis=1)
    return jacobians.reshape(time, batch, n, n), sizes


def hidden_state_jacobians(rnn_layer, inputs):
    r"""The Jacobians :math:`\partial h_T / \partial h_{T-k}` for every lag ``k = 0 .. T-1``.

    ``h`` is the cell's first state, its output (for the LSTM, :math:`c_{T-k}` is held fixed;
    see the module docstring). Products are taken in float64 from the last step backwards,
    :math:`P_k = P_{k-1} \, \partial s_{T-k+1} / \partial s_{T-k}`, which is what
    backpropagation through time does to a gradient.

    Args:
        rnn_layer: a ``keras.layers.RNN`` (see :func:`one_step_state_jacobians`).
        inputs: array of shape ``(batch, time, features)``; the states start from zeros.

    Returns:
        float64 array of shape ``(time, batch, units, units)``; entry ``[k, b, i, j]`` is
        :math:`\partial h_{T,i} / \partial h_{T-k,j}` for sequence ``b`` (``k = 0`` gives
        the identity).
    """
    jacobians, sizes = one_step_state_jacobians(rnn_layer, inputs)
    time, batch, n, _ = jacobians.shape
    units = sizes[0]
    result = np.empty((time, batch, units, units))
    # Only the h rows of the product are needed: (batch, units, n) instead of (batch, n, n).
    rows = np.broadcast_to(np.eye(n)[:units], (batch, units, n)).copy()
    result[0] = rows[:, :, :units]
    for k in range(1, time):
        rows = rows @ jacobians[time - k]
        result[k] = rows[:, :, :units]
    return result


def hidden_state_gradient_norms(rnn_layer, inputs, norm="spectral"):
    r"""Batch mean of :math:`\lVert \partial h_T / \partial h_{T-k} \rVert` for ``k = 0 .. T-1``.

    Args:
        rnn_layer: a ``keras.layers.RNN`` whose cell is a single recurrent cell (built-in
            ``SimpleRNN``/``LSTM``/``GRU`` or a companion cell in ``keras.layers.RNN``).
        inputs: array of shape ``(batch, time, features)``; the states start from zeros.
        norm: ``"spectral"`` (largest singular value: the most a gradient can be amplified
            on its way back ``k`` steps; 1 at ``k = 0``) or ``"frobenius"`` (root of the sum of
            squared entries; ``sqrt(units)`` at ``k = 0``).

    Returns:
        float64 array of shape ``(time,)``; entry ``k`` is the mean over the batch of the
        norm of :math:`\partial h_T / \partial h_{T-k}`.

    Example:

    >>> layer = keras.layers.SimpleRNN(8)
    >>> norms = hidden_state_gradient_norms(layer, np.random.rand(4, 30, 2))
    >>> norms.shape, float(norms[0])
    ((30,), 1.0)
    """
    if norm not in NORMS:
        raise ValueError(f"Argument `norm` must be one of {NORMS}, got {norm!r}.")
    jacobians = hidden_state_jacobians(rnn_layer, inputs)
    if norm == "spectral":
        per_sequence = np.linalg.svd(jacobians, compute_uv=False)[..., 0]
    else:
        per_sequence = np.sqrt(np.sum(jacobians**2, axis=(-2, -1)))
    return per_sequence.mean(axis=1)
