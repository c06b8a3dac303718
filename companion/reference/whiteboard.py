"""Whiteboard exercises of the interview chapter: solutions, two broken cells, and their checks.

``lstm_step`` and ``gru_step`` are one time step of Keras' LSTM and GRU (``reset_after=True``)
in NumPy, in Keras' layout: row vectors, ``kernel`` (D, G*U), ``recurrent_kernel`` (U, G*U),
gate blocks i, f, c, o (LSTM) and z, r, h (GRU). ``gru_step_with_bug`` and
``lstm_step_with_bug`` each differ from them in one line, the kind of slip an interviewer
asks you to find. ``gru_step_errors`` and ``lstm_step_errors`` are the tests that catch them:
each compares a step function with the NumPy reference of ``companion.reference`` (itself
checked against Keras in the test suite) and checks one behaviour the equations promise.
"""

import ast
import inspect

import numpy as np

from companion.reference import gru_forward, lstm_forward
from companion.reference.functions import sigmoid

SATURATING_BIAS = 40.0  # sigmoid(40) = 1 and sigmoid(-40) = 0 to float64 rounding



def _check_step(x_t, h_prev, kernel, recurrent_kernel, n_gates):
    """Return float64 arrays after checking Keras' step layout; raise ValueError otherwise."""
    x_t, h_prev = np.asarray(x_t, dtype=float), np.asarray(h_prev, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    recurrent_kernel = np.asarray(recurrent_kernel, dtype=float)
    if x_t.ndim != 2 or h_prev.ndim != 2:
        raise ValueError(f"Arguments `x_t` and `h_prev` must be (batch, features) and "
                         f"(batch, units), got shapes {x_t.shape} and {h_prev.shape}.")
    units = h_prev.shape[1]
    if recurrent_kernel.shape != (units, n_gates * units):
        raise ValueError(f"Argument `recurrent_kernel` has shape {recurrent_kernel.shape}: "
                         f"expected (units, {n_gates}*units) = {(units, n_gates * units)}.")
    if kernel.shape != (x_t.shape[1], n_gates * units):
        raise ValueError(f"Argument `kernel` has shape {kernel.shape}: expected "
                         f"(features, {n_gates}*units) = {(x_t.shape[1], n_gates * units)}.")
    return x_t, h_prev, kernel, recurrent_kernel


def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """One step of Keras' LSTM; returns ``(h_t, c_t)``, each (batch, units).

    [a_i, a_f, a_c, a_o] = x_t W + h_{t-1} U + b
    c_t = sigmoid(a_f) * c_{t-1} + sigmoid(a_i) * tanh(a_c),   h_t = sigmoid(a_o) * tanh(c_t)
    """
    x_t, h_prev, kernel, recurrent_kernel = _check_step(x_t, h_prev, kernel, recurrent_kernel, 4)
    a_i, a_f, a_c, a_o = np.split(x_t @ kernel + h_prev @ recurrent_kernel + bias, 4, axis=-1)
    c_t = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_c)
    h_t = sigmoid(a_o) * np.tanh(c_t)
    return h_t, c_t


def lstm_step_with_bug(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """A broken LSTM step for the reader to debug (same arguments as ``lstm_step``)."""
    x_t, h_prev, kernel, recurrent_kernel = _check_step(x_t, h_prev, kernel, recurrent_kernel, 4)
    a_i, a_f, a_c, a_o = np.split(x_t @ kernel + h_prev @ recurrent_kernel + bias, 4, axis=-1)
    c_t = np.tanh(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_c)
    h_t = sigmoid(a_o) * np.tanh(c_t)
    return h_t, c_t


def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    """One step of Keras' GRU with ``reset_after=True``; ``bias`` is (2, 3*units).

    [x_z, x_r, x_h] = x_t W + b,   [u_z, u_r, u_h] = h_{t-1} U + b'
    z = sigmoid(x_z + u_z),  r = sigmoid(x_r + u_r),  h~ = tanh(x_h + r * u_h)
    h_t = z * h_{t-1} + (1 - z) * h~        (Keras: z is the share of the old state kept)
    """
    x_t, h_prev, kernel, recurrent_kernel = _check_step(x_t, h_prev, kernel, recurrent_kernel, 3)
    x_z, x_r, x_h = np.split(x_t @ kernel + bias[0], 3, axis=-1)
    u_z, u_r, u_h = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=-1)
    z, r = sigmoid(x_z + u_z), sigmoid(x_r + u_r)
    h_tilde = np.tanh(x_h + r * u_h)
    return z * h_prev + (1 - z) * h_tilde


def gru_step_with_bug(x_t, h_prev, kernel, recurrent_kernel, bias):
    """A broken GRU step for the reader to debug (same arguments as ``gru_step``)."""
    x_t, h_prev, kernel, recurrent_kernel = _check_step(x_t, h_prev, kernel, recurrent_kernel, 3)
    x_z, x_r, x_h = np.split(x_t @ kernel + bias[0], 3, axis=-1)
    u_z, u_r, u_h = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=-1)
    z, r = sigmoid(x_z + u_z), sigmoid(x_r + u_r)
    h_tilde = np.tanh(x_h + r * u_h)
    return (1 - z) * h_prev + z * h_tilde


def random_weights(cell, features, units, seed=0, scale=0.7):
    """Random ``(kernel, recurrent_kernel, bias)`` in Keras' layout for ``cell`` 'lstm' or 'gru'.

    Every bias entry is random too: a zero bias would hide a mixed-up bias block.
    """
    if cell not in ("lstm", "gru"):
        raise ValueError(f"Argument `cell` must be 'lstm' or 'gru', got {cell!r}.")
    n_gates = 4 if cell == "lstm" else 3
    rng = np.random.default_rng(seed)
    bias_shape = (n_gates * units,) if cell == "lstm" else (2, n_gates * units)
    return (scale * rng.standard_normal((features, n_gates * units)),
            scale * rng.standard_normal((units, n_gates * units)),
            scale * rng.standard_normal(bias_shape))


def gru_step_errors(step, seed=0, batch=4, features=3, units=5):
    """Run the two tests a GRU step must pass; return ``{test: max |error|}``.

    - ``'reference'``: one step from a random state against ``companion.reference.gru_forward``
      with random weights (Keras' GRU, ``reset_after=True``).
    - ``'keeps state'``: with the update gate's bias at +40, so that z = 1, Keras' GRU keeps
      h_{t-1}: the error is max |h_t - h_{t-1}|.

    A correct step gives float64 rounding (below 1e-12) for both.
    """
    rng = np.random.default_rng(seed + 1)
    x_t = rng.standard_normal((batch, features))
    h_prev = rng.uniform(-0.9, 0.9, (batch, units))
    kernel, recurrent_kernel, bias = random_weights("gru", features, units, seed)
    expected, _ = gru_forward(x_t[:, None], kernel, recurrent_kernel, bias, h0=h_prev)
    keep_bias = bias.copy()
    keep_bias[:, :units] = 0.0
    keep_bias[0, :units] = SATURATING_BIAS
    return {
        "reference": float(np.abs(step(x_t, h_prev, kernel, recurrent_kernel, bias)
                                  - expected[:, 0]).max()),
        "keeps state": float(np.abs(step(x_t, h_prev, kernel, recurrent_kernel, keep_bias)
                                    - h_prev).max()),
    }


def lstm_step_errors(step, seed=0, batch=4, features=3, units=5):
    """Run the two tests an LSTM step must pass; return ``{test: max |error|}``.

    - ``'reference'``: one step (both h_t and c_t) from random states against
      ``companion.reference.lstm_forward`` with random weights.
    - ``'forgets'``: with the forget-gate and input-gate biases at -40 (f = 0, i = 0), the
      new memory must be empty: the error is max |c_t|.

    A correct step gives float64 rounding (below 1e-12) for both.
    """
    rng = np.random.default_rng(seed + 1)
    x_t = rng.standard_normal((batch, features))
    h_prev = rng.uniform(-0.9, 0.9, (batch, units))
    c_prev = rng.uniform(-2.0, 2.0, (batch, units))
    kernel, recurrent_kernel, bias = random_weights("lstm", features, units, seed)
    h_ref, cache = lstm_forward(x_t[:, None], kernel, recurrent_kernel, bias, h0=h_prev,
                                c0=c_prev)
    h_t, c_t = step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias)
    forget_bias = bias.copy()
    forget_bias[: 2 * units] = -SATURATING_BIAS  # blocks i and f
    _, c_forgotten = step(x_t, h_prev, c_prev, kernel, recurrent_kernel, forget_bias)
    return {
        "reference": float(max(np.abs(h_t - h_ref[:, 0]).max(),
                               np.abs(c_t - cache.cells[:, 0]).max())),
        "forgets": float(np.abs(c_forgotten).max()),
    }


def code_lines(function):
    """The statements of ``function``'s body without its docstring, one normalised line each.

    Comparing two functions' ``code_lines`` shows which lines differ, whatever their names,
    docstrings, comments and line breaks.
    """
    if not callable(function):
        raise ValueError(f"Argument `function` must be a function, got {function!r}.")
    tree = ast.parse(inspect.getsource(function).strip())
    body = tree.body[0].body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None),
                                                             ast.Constant):
        body = body[1:]  # the docstring
    return [ast.unparse(statement) for statement in body]
