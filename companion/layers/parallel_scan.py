r"""The linear recurrence of minGRU and minLSTM, step by step and as a parallel scan.

A *linear* recurrence with input-dependent coefficients,

$$
h_t = a_t \odot h_{t-1} + b_t ,
$$

where $a_t$ and $b_t$ are functions of $x_t$ alone. It can be run step by step (the
sequential form, $T$ dependent steps) or all at once with a parallel scan, because composing
two steps is again a step of the same form:

$$
(a_1, b_1) \circ (a_2, b_2) = (a_1 a_2,\; a_2 b_1 + b_2),
$$

an associative operation, so all $T$ prefixes can be computed in $O(\log T)$ rounds
(Blelloch 1990; Martin and Cundy 2018). The paper does it in log space for stability; here
the pair $(\log a, \log b)$ is scanned (odd-even recursion, as ``jax.lax.associative_scan``) with

$$
(\alpha_1, \beta_1) \circ (\alpha_2, \beta_2) =
\big(\alpha_1 + \alpha_2,\; \operatorname{logaddexp}(\beta_1 + \alpha_2, \beta_2)\big).
$$

(The paper's appendix computes the same prefixes with a cumulative sum and a
log-cumulative-sum-exp; ``keras.ops`` has no log-cumulative-sum-exp, and
``keras.ops.associative_scan`` builds a graph on TensorFlow that took seconds to trace, so the
recursion is written out here.)

Keeping the scan in log space needs $b_t > 0$, which is why the paper passes the candidate
through $g(x) = x + \tfrac12$ for $x \ge 0$ and $\sigma(x)$ for $x < 0$ (positive, continuous,
and linear for large $x$). Both forms here use $g$, so they compute the same function.
"""

import keras
from keras import ops

from companion import checks


def g(x):
    r"""The paper's positive candidate activation: $x + \tfrac12$ for $x \ge 0$, else $\sigma(x)$."""
    return ops.where(x >= 0, x + 0.5, ops.sigmoid(x))


def log_g(x):
    r"""$\log g(x)$ without forming $g(x)$: $\log(x + \tfrac12)$ or $-\operatorname{softplus}(-x)$."""
    # relu keeps the unused branch finite (log of a negative number would give NaN gradients)
    return ops.where(x >= 0, ops.log(ops.relu(x) + 0.5), -ops.softplus(-x))


def _logaddexp(x, y):
    # log(e^x + e^y) without overflow; fewer ops than keras.ops.logaddexp's NaN handling
    return ops.maximum(x, y) + ops.log1p(ops.exp(-ops.abs(x - y)))


def _combine(earlier, later):
    # Two consecutive segments of h_t = a_t h_{t-1} + b_t, in log space: (log a, log b).
    log_a1, log_b1 = earlier
    log_a2, log_b2 = later
    return log_a1 + log_a2, _logaddexp(log_b1 + log_a2, log_b2)


def _pairs(x):
    # (batch, 2n, units) -> elements 0, 2, 4, ... and 1, 3, 5, ... along time
    _, length, units = x.shape
    pairs = ops.reshape(x, (-1, length // 2, 2, units))
    return pairs[:, :, 0], pairs[:, :, 1]


def _interleave(even, odd):
    # inverse of _pairs
    _, half, units = even.shape
    return ops.reshape(ops.stack([even, odd], axis=2), (-1, 2 * half, units))


def _scan(elements):
    r"""Inclusive scan of ``_combine`` over a power-of-two time axis, by odd-even recursion.

    Combine neighbours (0,1), (2,3), ...; scan that half-length sequence, which gives every
    odd prefix; one more combine gives the even ones. Depth $2 \log_2 T$, work $O(T)$.
    """
    length = elements[0].shape[1]
    if length == 1:
        return elements
    even, odd = zip(*(_pairs(x) for x in elements))
    odd_prefixes = _scan(_combine(even, odd))
    later_even = tuple(x[:, 1:] for x in even)
    even_prefixes = _combine(tuple(p[:, :-1] for p in odd_prefixes), later_even)
    even_prefixes = tuple(
        ops.concatenate([x[:, :1], p], axis=1) for x, p in zip(even, even_prefixes)
    )
    return tuple(_interleave(e, o) for e, o in zip(even_prefixes, odd_prefixes))


def parallel_scan_log(log_a, log_b, initial_state=None):
    r"""All states of $h_t = a_t h_{t-1} + b_t$ from $\log a$, $\log b$, by a parallel scan.

    Args:
        log_a, log_b: ``(batch, time, units)`` tensors with a known number of time steps,
            $\log a_t$ and $\log b_t$.
        initial_state: ``(batch, units)`` $h_0$ of any sign, or None for zeros.

    Returns:
        ``(batch, time, units)``: $h_1, \dots, h_T$.

    With $A_t = \prod_{k \le t} a_k$ and $S_t$ the state reached from $h_0 = 0$, the scan gives
    $(\log A_t, \log S_t)$ and $h_t = A_t h_0 + S_t$; $h_0$ enters in linear space, so it need
    not be positive. The time axis is padded to a power of two at the end: a prefix never sees
    what comes after it, so the padding changes nothing and is cut off again.
    """
    length = log_a.shape[1]
    if length is None:
        raise ValueError(
            "parallel_scan_log needs a known number of time steps (the scan's depth is fixed "
            f"when the graph is built); got inputs of shape {tuple(log_a.shape)}."
        )
    padded = 1 << (length - 1).bit_length()
    if padded != length:
        padding = [[0, 0], [0, padded - length], [0, 0]]
        log_a, log_b = ops.pad(log_a, padding), ops.pad(log_b, padding)
    log_prefix_a, log_state = (x[:, :length] for x in _scan((log_a, log_b)))
    states = ops.exp(log_state)
    if initial_state is None:
        return states
    return ops.exp(log_prefix_a) * ops.expand_dims(initial_state, 1) + states


@keras.saving.register_keras_serializable(package="companion")
class LinearRecurrenceCell(keras.layers.Layer):
    r"""A weightless cell for ``keras.layers.RNN``: input $[a_t\; b_t]$, state $h_t = a_t h_{t-1} + b_t$.

    Run by ``keras.layers.RNN``, the loop is the same ``while`` loop that runs Keras' own GRU
    and LSTM, so timing it against them compares like with like.
    """

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = checks.positive_int("units", units)
        self.state_size = self.units
        self.output_size = self.units

    def call(self, inputs, states):
        a, b = ops.split(inputs, 2, axis=-1)
        h = a * states[0] + b
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def sequential_scan(a, b, initial_state=None):
    r"""All states of $h_t = a_t h_{t-1} + b_t$, one step after another.

    Args:
        a, b: ``(batch, time, units)`` tensors.
        initial_state: ``(batch, units)`` or None for zeros.

    Returns:
        ``(batch, time, units)``: $h_1, \dots, h_T$, from ``keras.layers.RNN`` and
        ``LinearRecurrenceCell``.
    """
    loop = keras.layers.RNN(LinearRecurrenceCell(a.shape[-1]), return_sequences=True)
    pairs = ops.concatenate([a, b], axis=-1)
    if initial_state is None:
        return loop(pairs)
    return loop(pairs, initial_state=[initial_state])
