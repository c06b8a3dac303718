r"""Three ways of writing the same gated cell, and conversions between them.

Keras stores a gated cell's weights as row-vector blocks side by side (gate order i, f, c, o
for the LSTM, z, r, h for the GRU):

* ``kernel`` of shape ``(D, n_gates * U)``, ``recurrent_kernel`` ``(U, n_gates * U)`` and
  ``bias`` ``(n_gates * U,)``, and a gate's pre-activation is the row vector
  $x_t W_g + h_{t-1} U_g + b_g$ with $W_g$ = ``kernel[:, g*U:(g+1)*U]``.

The textbooks and the book's seeds use column vectors, in one of two forms:

* **separate** matrices (seeds 000, 002): $W_g x_t + U_g h_{t-1} + b_g$, with
  $W_g$ of shape ``(U, D)`` (the transpose of Keras' block) and $U_g$ ``(U, U)``;
* **concatenated** (seeds 001, 003): $W_g [h_{t-1}, x_t] + b_g$, one matrix
  of shape ``(U, U + D)`` acting on $h_{t-1}$ stacked *over* $x_t$, so that
  $W_g = [\,U_g \;\; W_g^{\text{sep}}\,]$.

``keras_to_separate`` and ``keras_to_concatenated`` convert Keras' weights to either form
(``separate_to_keras`` and ``concatenated_to_keras`` go back), and ``lstm_step_separate``
and ``lstm_step_concatenated`` compute one LSTM step in each form with NumPy, so the three
can be checked against each other.
"""

from __future__ import annotations

import numpy as np

from companion.reference.functions import sigmoid

__all__ = [
    "KERAS_LSTM_GATES",
    "KERAS_GRU_GATES",
    "keras_to_separate",
    "separate_to_keras",
    "keras_to_concatenated",
    "concatenated_to_keras",
    "lstm_step_separate",
    "lstm_step_concatenated",
]

#: Keras' order of the LSTM's blocks: input gate, forget gate, candidate (cell), output gate.
KERAS_LSTM_GATES = ("i", "f", "c", "o")
#: Keras' order of the GRU's blocks: update gate, reset gate, candidate.
KERAS_GRU_GATES = ("z", "r", "h")


def _check_gate_names(n_gates, gate_names):
    if isinstance(n_gates, bool) or not isinstance(n_gates, (int, np.integer)) or n_gates < 1:
        raise ValueError(f"Argument `n_gates` must be a positive integer, got {n_gates!r}.")
    if gate_names is None:
        defaults = {4: KERAS_LSTM_GATES, 3: KERAS_GRU_GATES}
        gate_names = defaults.get(n_gates, tuple(f"g{k}" for k in range(n_gates)))
    gate_names = tuple(gate_names)
    if len(gate_names) != n_gates or len(set(gate_names)) != n_gates:
        raise ValueError(
            f"Argument `gate_names` must be {n_gates} distinct names (one per gate block, "
            f"in Keras' order), got {gate_names!r}."
        )
    return int(n_gates), gate_names


def _check_keras_weights(kernel, recurrent_kernel, bias, n_gates):
    """Return (kernel, recurrent_kernel, bias, units) as float arrays, or raise ValueError."""
    kernel = np.asarray(kernel)
    recurrent_kernel = np.asarray(recurrent_kernel)
    if recurrent_kernel.ndim != 2 or recurrent_kernel.shape[1] != n_gates * recurrent_kernel.shape[0]:
        raise ValueError(
            f"Argument `recurrent_kernel` has shape {recurrent_kernel.shape}: expected "
            f"(units, {n_gates} * units) for n_gates={n_gates}."
        )
    units = recurrent_kernel.shape[0]
    if kernel.ndim != 2 or kernel.shape[1] != n_gates * units:
        raise ValueError(
            f"Argument `kernel` has shape {kernel.shape}: expected (input_dim, {n_gates * units}) "
            f"to match recurrent_kernel of shape {recurrent_kernel.shape}."
        )
    if bias is not None:
        bias = np.asarray(bias)
        if bias.shape != (n_gates * units,):
            raise ValueError(
                f"Argument `bias` has shape {bias.shape}: expected ({n_gates * units},), one "
                f"bias vector per gate (a GRU with reset_after=True has a (2, 3 * units) bias "
                f"whose recurrent half sits inside the reset gate and has no single-b form), "
                f"or None for use_bias=False."
            )
    return kernel, recurrent_kernel, bias, units


def _blocks(matrix, n_gates):
    return np.split(matrix, n_gates, axis=-1)


def keras_to_separate(kernel, recurrent_kernel, bias=None, n_gates=4, gate_names=None):
    """Keras' row-vector blocks -> ``{gate: (W, U, b)}`` in column form.

    Args:
        kernel: ``(D, n_gates * U)``, Keras' ``kernel``.
        recurrent_kernel: ``(U, n_gates * U)``.
        bias: ``(n_gates * U,)`` or None (``use_bias=False``; then every ``b`` is None).
        n_gates: number of blocks (4 for the LSTM, 3 for the GRU, 1 for SimpleRNN).
        gate_names: one name per block in Keras' order; default ``("i", "f", "c", "o")``
            for 4 blocks, ``("z", "r", "h")`` for 3, ``("g0", ...)`` otherwise.

    Returns:
        A dict mapping each gate name to ``(W, U, b)`` with ``W`` of shape ``(U, D)``,
        ``U`` ``(U, U)`` and ``b`` ``(U,)``, so that the gate's pre-activation is
        ``W @ x + U @ h + b`` for column vectors ``x`` and ``h``. Copies, not views.
    """
    n_gates, gate_names = _check_gate_names(n_gates, gate_names)
    kernel, recurrent_kernel, bias, _ = _check_keras_weights(kernel, recurrent_kernel, bias, n_gates)
    biases = _blocks(bias, n_gates) if bias is not None else [None] * n_gates
    return {
        name: (w.T.copy(), u.T.copy(), None if b is None else b.copy())
        for name, w, u, b in zip(
            gate_names, _blocks(kernel, n_gates), _blocks(recurrent_kernel, n_gates), biases
        )
    }


def separate_to_keras(gates, gate_names=None):
    """``{gate: (W, U, b)}`` -> Keras' ``(kernel, recurrent_kernel, bias)``; inverse of
    ``keras_to_separate``. ``bias`` is None when every ``b`` is None."""
    gate_names = _gate_order(gates, gate_names)
    w_list, u_list, b_list = [], [], []
    units = input_dim = None
    for name in gate_names:
        if len(gates[name]) != 3:
            raise ValueError(f"Gate {name!r}: expected a triple (W, U, b), got {len(gates[name])} items.")
        w, u, b = (None if a is None else np.asarray(a) for a in gates[name])
        if u.ndim != 2 or u.shape[0] != u.shape[1] or (units is not None and u.shape[0] != units):
            raise ValueError(
                f"Gate {name!r}: U has shape {u.shape}: expected a square (units, units) matrix "
                f"with the same units for every gate."
            )
        units = u.shape[0]
        if w.ndim != 2 or w.shape[0] != units or (input_dim is not None and w.shape[1] != input_dim):
            raise ValueError(
                f"Gate {name!r}: W has shape {w.shape}: expected ({units}, input_dim) with the "
                f"same input_dim for every gate."
            )
        input_dim = w.shape[1]
        if b is not None and b.shape != (units,):
            raise ValueError(f"Gate {name!r}: b has shape {b.shape}: expected ({units},) or None.")
        w_list.append(w.T)
        u_list.append(u.T)
        b_list.append(b)
    if any(b is None for b in b_list) and not all(b is None for b in b_list):
        raise ValueError("Either every gate has a bias b or none has (use_bias is per cell).")
    bias = None if b_list[0] is None else np.concatenate(b_list)
    return np.concatenate(w_list, axis=1), np.concatenate(u_list, axis=1), bias


def keras_to_concatenated(kernel, recurrent_kernel, bias=None, n_gates=4, gate_names=None):
    """Keras' row-vector blocks -> ``{gate: (W_cat, b)}`` acting on ``[h_{t-1}; x_t]``.

    ``W_cat`` has shape ``(U, U + D)``: its first ``U`` columns multiply ``h_{t-1}`` (they are
    the recurrent block, transposed) and its last ``D`` columns multiply ``x_t`` (the input
    block, transposed), matching the seeds' $W_f [h_{t-1}, x_t]$ with $h$ first.
    Arguments as for ``keras_to_separate``.
    """
    separate = keras_to_separate(kernel, recurrent_kernel, bias, n_gates, gate_names)
    return {name: (np.concatenate([u, w], axis=1), b) for name, (w, u, b) in separate.items()}


def concatenated_to_keras(gates, input_dim, gate_names=None):
    """``{gate: (W_cat, b)}`` on ``[h; x]`` -> Keras' ``(kernel, recurrent_kernel, bias)``.

    ``input_dim`` (D) says where ``W_cat`` splits: ``W_cat[:, :U]`` acts on ``h`` and
    ``W_cat[:, U:]`` on ``x``, with ``U = W_cat.shape[1] - D``.
    """
    gate_names = _gate_order(gates, gate_names)
    if isinstance(input_dim, bool) or not isinstance(input_dim, (int, np.integer)) or input_dim < 1:
        raise ValueError(f"Argument `input_dim` must be a positive integer, got {input_dim!r}.")
    separate = {}
    for name in gate_names:
        if len(gates[name]) != 2:
            raise ValueError(f"Gate {name!r}: expected a pair (W_cat, b), got {len(gates[name])} items.")
        w_cat, b = gates[name]
        w_cat = np.asarray(w_cat)
        units = w_cat.shape[0] if w_cat.ndim == 2 else None
        if units is None or w_cat.shape[1] != units + input_dim:
            raise ValueError(
                f"Gate {name!r}: W_cat has shape {w_cat.shape}: expected (units, units + "
                f"input_dim) = (units, units + {input_dim})."
            )
        separate[name] = (w_cat[:, units:], w_cat[:, :units], b)
    return separate_to_keras(separate, gate_names)


def _gate_order(gates, gate_names):
    if not isinstance(gates, dict) or not gates:
        raise ValueError(f"Argument `gates` must be a non-empty dict gate -> weights, got {type(gates).__name__}.")
    if gate_names is None:
        gate_names = tuple(gates)  # dicts keep insertion order: the order they were made in
    gate_names = tuple(gate_names)
    if sorted(gate_names) != sorted(gates):
        raise ValueError(
            f"Argument `gate_names` {gate_names!r} must name exactly the gates in `gates` "
            f"({tuple(gates)!r})."
        )
    return gate_names


# -- one LSTM step, column vectors ----------------------------------------------------------



def _column(b, like):
    """A bias (U,) shaped to add to ``like``, which is (U,) or (U, batch)."""
    return 0.0 if b is None else np.reshape(b, (-1,) + (1,) * (like.ndim - 1))


def _check_step_vectors(x, h, c, units, input_dim):
    x, h, c = (np.asarray(a) for a in (x, h, c))
    if x.ndim not in (1, 2) or x.shape[0] != input_dim:
        raise ValueError(
            f"Argument `x` has shape {x.shape}: expected ({input_dim},) or ({input_dim}, batch)."
        )
    expected = (units,) + x.shape[1:]
    for name, state in (("h", h), ("c", c)):
        if state.shape != expected:
            raise ValueError(f"Argument `{name}` has shape {state.shape}: expected {expected}.")
    return x, h, c


def lstm_step_separate(x, h, c, gates):
    """One LSTM step with separate matrices, column vectors (seeds 000 and 002).

    ``gates`` is ``keras_to_separate(...)``'s dict with keys i, f, c, o; ``x`` is ``(D,)`` and
    ``h``, ``c`` are ``(U,)`` (or ``(D, batch)`` and ``(U, batch)``, one column per sequence).
    Returns ``(h_t, c_t)``.
    """
    (w_i, u_i, b_i), (w_f, u_f, b_f) = gates["i"], gates["f"]
    (w_c, u_c, b_c), (w_o, u_o, b_o) = gates["c"], gates["o"]
    x, h, c = _check_step_vectors(x, h, c, units=u_i.shape[0], input_dim=w_i.shape[1])
    i = sigmoid(w_i @ x + u_i @ h + _column(b_i, h))
    f = sigmoid(w_f @ x + u_f @ h + _column(b_f, h))
    g = np.tanh(w_c @ x + u_c @ h + _column(b_c, h))  # the candidate, g_t or C~_t
    o = sigmoid(w_o @ x + u_o @ h + _column(b_o, h))
    c_new = f * c + i * g
    return o * np.tanh(c_new), c_new


def lstm_step_concatenated(x, h, c, gates):
    """One LSTM step with one matrix per gate on ``[h_{t-1}; x_t]`` (seeds 001 and 003).

    ``gates`` is ``keras_to_concatenated(...)``'s dict with keys i, f, c, o; shapes as for
    ``lstm_step_separate``. Returns ``(h_t, c_t)``.
    """
    units = gates["i"][0].shape[0]
    x, h, c = _check_step_vectors(x, h, c, units=units, input_dim=gates["i"][0].shape[1] - units)
    hx = np.concatenate([h, x], axis=0)  # h first, as the seeds write [h_{t-1}, x_t]
    (w_i, b_i), (w_f, b_f), (w_c, b_c), (w_o, b_o) = (gates[k] for k in "ifco")
    f = sigmoid(w_f @ hx + _column(b_f, h))
    i = sigmoid(w_i @ hx + _column(b_i, h))
    c_tilde = np.tanh(w_c @ hx + _column(b_c, h))
    c_new = f * c + i * c_tilde
    o = sigmoid(w_o @ hx + _column(b_o, h))
    return o * np.tanh(c_new), c_new
