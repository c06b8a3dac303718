r"""minGRU and minLSTM (Feng et al. 2024, "Were RNNs All We Needed?"), sequential and parallel.

Both cells drop the dependence of the gates on $h_{t-1}$. What is left is a *linear*
recurrence with input-dependent coefficients,

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

import numbers

import keras
from keras import ops

from companion.cells import _validation as check

MODES = ("parallel", "sequential")


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
        self.units = check.check_units(units)
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


class _StepCell(keras.layers.Layer):
    """One step of a minGRU/minLSTM for ``keras.layers.RNN``: coefficients of $x_t$, then the update.

    This is the paper's sequential mode: the input projections are computed inside the loop,
    one step at a time, as a GRU computes its own.
    """

    def __init__(self, coefficients, units, **kwargs):
        super().__init__(**kwargs)
        self.coefficients = coefficients  # the owner's bound method (not a layer, so not tracked)
        self.state_size = units
        self.output_size = units

    def call(self, x_t, states):
        a, b = self.coefficients(x_t)
        h = a * states[0] + b
        return h, [h]


class _MinRNN(keras.layers.Layer):
    """What minGRU and minLSTM share: arguments, weights, the two forms, serialisation."""

    n_blocks = None  # input projections per cell: z, h (minGRU) or f, i, h (minLSTM)

    def __init__(
        self,
        units,
        mode="parallel",
        return_sequences=False,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = check.check_units(units)
        if mode not in MODES:
            raise ValueError(f"Argument `mode` must be one of {list(MODES)}, got {mode!r}.")
        self.mode = mode
        self.return_sequences = check.check_bool("return_sequences", return_sequences)
        self.use_bias = check.check_bool("use_bias", use_bias)
        self.kernel_initializer = check.resolve_initializer("kernel_initializer", kernel_initializer)
        self.bias_initializer = check.resolve_initializer("bias_initializer", bias_initializer)

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(
                f"{type(self).__name__} expects inputs of shape (batch, time, features) with a "
                f"known number of features; got input shape {input_shape}."
            )
        width = self.n_blocks * self.units
        # one matrix for all blocks, as Keras' recurrent layers store their kernels
        self.kernel = self.add_weight(
            name="kernel", shape=(input_shape[-1], width), initializer=self.kernel_initializer
        )
        self.bias = (
            self.add_weight(name="bias", shape=(width,), initializer=self.bias_initializer)
            if self.use_bias else None
        )

    def _projections(self, inputs):
        # The gates see x_t only, so all T steps are one matrix product.
        k = ops.matmul(inputs, self.kernel)
        if self.use_bias:
            k = k + self.bias
        return ops.split(k, self.n_blocks, axis=-1)

    def call(self, inputs, initial_state=None, mode=None):
        """Run the cell over ``inputs`` ``(batch, time, features)``.

        ``mode`` (``"parallel"`` or ``"sequential"``) overrides the layer's own for this call;
        ``initial_state`` is $h_0$, ``(batch, units)``, zeros if None.
        """
        mode = self.mode if mode is None else mode
        if mode == "parallel":
            states = parallel_scan_log(*self.log_coefficients(inputs), initial_state)
        elif mode == "sequential":
            loop = keras.layers.RNN(_StepCell(self.coefficients, self.units), return_sequences=True)
            states = loop(inputs, initial_state=None if initial_state is None else [initial_state])
        else:
            raise ValueError(f"Argument `mode` must be one of {list(MODES)} or None, got {mode!r}.")
        return states if self.return_sequences else states[:, -1]

    def step(self, x_t, h_prev):
        r"""One step for streaming inference: $O(1)$ work and memory per new input.

        Args:
            x_t: ``(batch, features)``; h_prev: ``(batch, units)``. Returns $h_t$.
        """
        a, b = self.coefficients(x_t)
        return a * h_prev + b

    def compute_output_shape(self, input_shape):
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.units)
        return (input_shape[0], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "mode": self.mode,
            "return_sequences": self.return_sequences,
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }


@keras.saving.register_keras_serializable(package="companion")
class MinGRU(_MinRNN):
    r"""minGRU: a GRU whose update gate and candidate see only $x_t$.

    $$
    \begin{aligned}
    z_t &= \sigma(x_t W_z + b_z) &\text{update gate}\\
    \tilde h_t &= g(x_t W_h + b_h) &\text{candidate}\\
    h_t &= (1 - z_t) \odot h_{t-1} + z_t \odot \tilde h_t &\text{new state}
    \end{aligned}
    $$

    (the paper's convention: $z_t$ is the fraction *replaced*, the opposite of Keras' GRU).
    So $a_t = 1 - z_t$ and $b_t = z_t \tilde h_t$; in log space
    $\log a_t = -\operatorname{softplus}(k_z)$, $\log z_t = -\operatorname{softplus}(-k_z)$
    with $k_z = x_t W_z + b_z$. No reset gate, no recurrent matrix, no $\tanh$: the state is a
    convex mix of the old state and a candidate, so it stays within the range of $h_0$ and the
    candidates.

    Weights: ``kernel`` ``[W_z W_h]`` of shape ``(features, 2 * units)`` and ``bias``
    ``(2 * units,)`` (absent with ``use_bias=False``).

    Args:
        units: positive int, size of $h_t$.
        mode: ``"parallel"`` (log-space parallel scan) or ``"sequential"`` (one step after
            another in ``keras.layers.RNN``). Same function, different schedule.
        return_sequences: return all states ``(batch, time, units)`` or only the last.
        use_bias: whether to add $b$.
        kernel_initializer, bias_initializer: Keras initialisers.

    Example:

    >>> MinGRU(8, return_sequences=True)(np.zeros((2, 5, 3))).shape
    (2, 5, 8)
    """

    n_blocks = 2

    def coefficients(self, inputs):
        """$(a_t, b_t)$ in linear space, as the paper's sequential form computes them."""
        k_z, k_h = self._projections(inputs)
        z = ops.sigmoid(k_z)
        return 1.0 - z, z * g(k_h)

    def log_coefficients(self, inputs):
        r"""$(\log a_t, \log b_t)$, computed without forming $a_t$ or $b_t$."""
        k_z, k_h = self._projections(inputs)
        return -ops.softplus(k_z), -ops.softplus(-k_z) + log_g(k_h)


@keras.saving.register_keras_serializable(package="companion")
class MinLSTM(_MinRNN):
    r"""minLSTM: forget and input gates that see only $x_t$, normalised to sum to one.

    $$
    \begin{aligned}
    f_t &= \sigma(x_t W_f + b_f), \quad i_t = \sigma(x_t W_i + b_i) &\text{gates}\\
    f'_t &= \frac{f_t}{f_t + i_t}, \quad i'_t = \frac{i_t}{f_t + i_t} &\text{normalised}\\
    \tilde h_t &= g(x_t W_h + b_h) &\text{candidate}\\
    h_t &= f'_t \odot h_{t-1} + i'_t \odot \tilde h_t &\text{new state}
    \end{aligned}
    $$

    No output gate, no cell state separate from $h_t$. The normalisation makes the scale of
    $h_t$ independent of time. In log space, with $d = \operatorname{softplus}(-k_f) -
    \operatorname{softplus}(-k_i)$: $\log f'_t = -\operatorname{softplus}(d)$ and
    $\log i'_t = -\operatorname{softplus}(-d)$.

    Weights: ``kernel`` ``[W_f W_i W_h]`` of shape ``(features, 3 * units)`` and ``bias``
    ``(3 * units,)``. Arguments as for ``MinGRU``.
    """

    n_blocks = 3

    def coefficients(self, inputs):
        """$(f'_t, i'_t \\tilde h_t)$ in linear space."""
        k_f, k_i, k_h = self._projections(inputs)
        f, i = ops.sigmoid(k_f), ops.sigmoid(k_i)
        return f / (f + i), i / (f + i) * g(k_h)

    def log_coefficients(self, inputs):
        r"""$(\log f'_t, \log i'_t + \log \tilde h_t)$."""
        k_f, k_i, k_h = self._projections(inputs)
        d = ops.softplus(-k_f) - ops.softplus(-k_i)
        return -ops.softplus(d), -ops.softplus(-d) + log_g(k_h)


def min_gru_parameters(features, units):
    """Weights of a ``MinGRU`` with biases: $2(DU + U)$ (a GRU has about $3(DU + U^2)$)."""
    for name, value in (("features", features), ("units", units)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"Argument `{name}` must be a positive integer, got {value!r}.")
    return 2 * (features * units + units)
