r"""minGRU and minLSTM (Feng et al. 2024, "Were RNNs All We Needed?"), sequential and parallel.

Both cells drop the dependence of the gates on $h_{t-1}$, which leaves the linear recurrence
$h_t = a_t \odot h_{t-1} + b_t$ of ``companion.layers.parallel_scan``: run step by step (the
sequential form) or all at once with the parallel scan in log space. Both forms use the
positive candidate activation $g$, so they compute the same function.
"""


import keras
from keras import ops

from companion import checks
from companion.layers.parallel_scan import g, log_g, parallel_scan_log

MODES = ("parallel", "sequential")


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
        self.units = checks.positive_int("units", units)
        if mode not in MODES:
            raise ValueError(f"Argument `mode` must be one of {list(MODES)}, got {mode!r}.")
        self.mode = mode
        self.return_sequences = checks.flag("return_sequences", return_sequences)
        self.use_bias = checks.flag("use_bias", use_bias)
        self.kernel_initializer = checks.initializer("kernel_initializer", kernel_initializer)
        self.bias_initializer = checks.initializer("bias_initializer", bias_initializer)

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
        a, b = self.coefficients(ops.convert_to_tensor(x_t, dtype=self.compute_dtype))
        return a * ops.convert_to_tensor(h_prev, dtype=self.compute_dtype) + b

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
        checks.positive_int(name, value)
    return 2 * (features * units + units)
