"""The layer-normalised LSTM of Ba, Kiros and Hinton (2016), written from its equations.

Keras has no layer-normalised recurrent cell; this one is written in the style of
``companion.LSTMCell`` (same arguments, same layout of the kernels and the bias) and checked
in tests/test_layer_norm_lstm.py against the NumPy reference
``companion.reference.layer_norm_lstm``.
"""

import keras
from keras import ops

from companion import checks
from companion.cells.base import RecurrentCell


@keras.saving.register_keras_serializable(package="companion")
class LayerNormLSTMCell(RecurrentCell):
    r"""LSTM cell with layer normalisation (Ba, Kiros and Hinton 2016, section 3.1).

    Layer normalisation of a vector $a \in \mathbb{R}^n$ with gain $\gamma$ (and bias
    $\beta$) standardises it over its own $n$ entries, with no statistics across the batch
    or across time:

    $$
    \operatorname{LN}(a; \gamma, \beta) = \gamma \odot \frac{a - \mu}{\sqrt{s^2 + \epsilon}}
    + \beta, \qquad \mu = \frac{1}{n}\sum_j a_j, \quad s^2 = \frac{1}{n}\sum_j (a_j - \mu)^2 .
    $$

    The cell normalises the input term and the recurrent term of the pre-activations
    separately, each over all four gate blocks together ($n = 4U$), and the cell state
    before its output squashing ($n = U$). With $\sigma$ the recurrent activation and $\phi$
    the activation:

    $$
    \begin{aligned}
    [a_i, a_f, a_c, a_o] &= \operatorname{LN}(x_t W; \gamma_x)
        + \operatorname{LN}(h_{t-1} U; \gamma_h) + b\\
    i_t &= \sigma(a_i), \quad f_t = \sigma(a_f), \quad \tilde c_t = \phi(a_c),
        \quad o_t = \sigma(a_o)\\
    c_t &= f_t \odot c_{t-1} + i_t \odot \tilde c_t\\
    h_t &= o_t \odot \phi\bigl(\operatorname{LN}(c_t; \gamma_c, \beta_c)\bigr)
    \end{aligned}
    $$

    The paper gives each of the two pre-activation normalisations its own bias $\beta$ as
    well as the gates' bias $b$; only their sum acts, so the cell keeps $b$ alone. The state
    carried to the next step is $c_t$ itself, not its normalised form (as in the paper).
    Because of the normalisation, the pre-activations keep their scale whatever the size of
    $W$, $U$ and $h_{t-1}$: at every step the input and the recurrent term are each
    standardised (mean 0, variance 1 over their $4U$ entries) before their gain.

    Weights, in this order: those of ``LSTMCell`` (``kernel`` ``[W_i W_f W_c W_o]``
    ``(input_dim, 4 * units)``, ``recurrent_kernel`` ``(units, 4 * units)``, ``bias``
    ``(4 * units,)`` when ``use_bias``, gate blocks in the order i, f, c, o), then
    ``input_gamma`` $\gamma_x$ and ``recurrent_gamma`` $\gamma_h$, each ``(4 * units,)``,
    and ``cell_gamma`` $\gamma_c$ and ``cell_beta`` $\beta_c$, each ``(units,)``. The
    parameter count is ``4 * (units * (input_dim + units) + units) + 10 * units``.

    Args:
        units: positive int, size of $h_t$ and $c_t$.
        activation: $\phi$. Default ``"tanh"``.
        recurrent_activation: $\sigma$, used by the three gates. Default ``"sigmoid"``.
        unit_forget_bias: if ``True`` (default), $b_f$ is initialised to 1, as in
            ``LSTMCell``.
        epsilon: positive float added to the variance, $\epsilon$. Default ``1e-3``, the
            default of ``keras.layers.LayerNormalization``.
        gamma_initializer: initializer of the three gains. Default ``"ones"``.
        beta_initializer: initializer of $\beta_c$. Default ``"zeros"``.
        All other arguments (``use_bias``, initializers, regularizers and constraints of the
        kernels and the bias, ``dropout``, ``recurrent_dropout``, ``seed``): as for
        ``companion.LSTMCell``. Dropout masks act on $x_t$ and $h_{t-1}$ before the
        products, as in ``LSTMCell``.

    Call arguments:
        inputs: one time step, ``(batch, input_dim)``.
        states: ``[h_prev, c_prev]``, each ``(batch, units)``.
        training: whether dropout is applied.

    Returns ``(h, [h, c])``.

    Example:

    >>> lstm = keras.layers.RNN(LayerNormLSTMCell(4), return_state=True)
    >>> h, h_again, c = lstm(np.zeros((2, 10, 3)))
    >>> h.shape, c.shape
    ((2, 4), (2, 4))
    """

    n_blocks = 4

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        unit_forget_bias=True,
        epsilon=1e-3,
        gamma_initializer="ones",
        beta_initializer="zeros",
        **kwargs,
    ):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = checks.activation(
            "recurrent_activation", recurrent_activation
        )
        self.unit_forget_bias = checks.flag("unit_forget_bias", unit_forget_bias)
        self.epsilon = checks.positive_float("epsilon", epsilon)
        self.gamma_initializer = checks.initializer("gamma_initializer", gamma_initializer)
        self.beta_initializer = checks.initializer("beta_initializer", beta_initializer)
        self.state_size = [self.units, self.units]

    def build(self, input_shape):
        self._build_kernels(input_shape)
        units = self.units
        if self.use_bias:
            initializer = self.bias_initializer
            if self.unit_forget_bias:

                def initializer(shape, dtype=None):
                    return ops.concatenate(
                        [
                            self.bias_initializer((units,), dtype=dtype),  # b_i
                            ops.ones((units,), dtype=dtype),  # b_f starts at 1
                            self.bias_initializer((2 * units,), dtype=dtype),  # b_c, b_o
                        ]
                    )

            self._add_bias((4 * units,), initializer)
        else:
            self.bias = None
        self.input_gamma = self.add_weight(
            shape=(4 * units,), name="input_gamma", initializer=self.gamma_initializer
        )
        self.recurrent_gamma = self.add_weight(
            shape=(4 * units,), name="recurrent_gamma", initializer=self.gamma_initializer
        )
        self.cell_gamma = self.add_weight(
            shape=(units,), name="cell_gamma", initializer=self.gamma_initializer
        )
        self.cell_beta = self.add_weight(
            shape=(units,), name="cell_beta", initializer=self.beta_initializer
        )

    def _normalise(self, a, gamma, beta=None):
        """LN over the last axis: statistics of each example's own vector, per step."""
        mean = ops.mean(a, axis=-1, keepdims=True)
        variance = ops.mean(ops.square(a - mean), axis=-1, keepdims=True)
        normalised = gamma * (a - mean) * ops.rsqrt(variance + self.epsilon)
        return normalised if beta is None else normalised + beta

    def call(self, inputs, states, training=False):
        self._check_step(inputs)
        h_prev, c_prev = states[0], states[1]
        x_blocks = self._project(inputs, self.kernel, self._input_masks(inputs, training))
        h_blocks = self._project(
            h_prev, self.recurrent_kernel, self._recurrent_masks(h_prev, training)
        )
        # the two terms are normalised separately, each over all four gate blocks at once
        a = self._normalise(ops.concatenate(x_blocks, axis=-1), self.input_gamma)
        a = a + self._normalise(ops.concatenate(h_blocks, axis=-1), self.recurrent_gamma)
        if self.use_bias:
            a = a + self.bias
        a_i, a_f, a_c, a_o = ops.split(a, 4, axis=-1)

        i = self.recurrent_activation(a_i)
        f = self.recurrent_activation(a_f)
        c_candidate = self.activation(a_c)
        o = self.recurrent_activation(a_o)

        c = f * c_prev + i * c_candidate  # carried as is: only the output sees LN(c)
        h = o * self.activation(self._normalise(c, self.cell_gamma, self.cell_beta))
        return h, [h, c]

    def get_config(self):
        serialize = keras.saving.serialize_keras_object
        config = {
            "recurrent_activation": keras.activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
            "epsilon": self.epsilon,
            "gamma_initializer": serialize(self.gamma_initializer),
            "beta_initializer": serialize(self.beta_initializer),
        }
        return {**super().get_config(), **config}
