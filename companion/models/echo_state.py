r"""An echo state network: a fixed random recurrent layer and a linear read-out fitted in
closed form (Jaeger 2001; Lukoševičius and Jaeger 2009).

Only the read-out is learned. The recurrent layer, the *reservoir*, is drawn once at random,
sparse, and scaled so that the largest modulus of its eigenvalues, its spectral radius, is
the value asked for. It is driven by the input with the leaky tanh update

$$
x_t = (1 - \alpha)\, x_{t-1} + \alpha \tanh\bigl(W_{\text{in}} [1; u_t] + W x_{t-1}\bigr),
$$

and the output is linear in the extended state $z_t = [1; u_t; x_t]$,
$y_t = W_{\text{out}} z_t$. $W_{\text{out}}$ is the ridge-regression solution

$$
W_{\text{out}}^\top = (Z^\top Z + \lambda P)^{-1} Z^\top Y ,
$$

where the rows of $Z$ and $Y$ are the extended states and the targets of every step after a
washout, and $P$ is the identity with a 0 for the constant, which is not penalised. There is
no gradient and no backpropagation through time: fitting is one linear solve.

Everything is NumPy (float64); no Keras. Row vectors are used in the code
(``states @ recurrent_weights.T``), as in the rest of the book's references.
"""

from __future__ import annotations

import numbers

import numpy as np

from companion import checks


def _fraction(name, value, allow_one=True):
    """A real number in (0, 1] (or (0, 1))."""
    value = checks.positive_float(name, value)
    if value > 1.0 or (value == 1.0 and not allow_one):
        upper = "1]" if allow_one else "1)"
        raise ValueError(f"Argument `{name}` must be a number in (0, {upper}, got {value!r}.")
    return value


def _non_negative(name, value):
    """A finite real number >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
        0.0 <= value < float("inf")
    ):
        raise ValueError(f"Argument `{name}` must be a finite number >= 0, got {value!r}.")
    return float(value)


def scaled_reservoir(units, spectral_radius, density=0.1, seed=0):
    """A sparse random ``(units, units)`` matrix whose spectral radius is ``spectral_radius``.

    A fraction ``density`` of the entries is drawn from U[-1, 1], the rest are 0, and the
    matrix is divided by its own spectral radius and multiplied by ``spectral_radius``.
    ``seed`` is an int, None, or a NumPy ``Generator`` to draw from.
    """
    units = checks.positive_int("units", units)
    spectral_radius = checks.positive_float("spectral_radius", spectral_radius)
    density = _fraction("density", density)
    if not isinstance(seed, np.random.Generator):
        seed = np.random.default_rng(checks.seed("seed", seed))
    rng = seed
    weights = rng.uniform(-1.0, 1.0, (units, units)) * (rng.random((units, units)) < density)
    radius = np.max(np.abs(np.linalg.eigvals(weights)))
    if radius == 0:
        raise ValueError(
            f"Argument `density`: {density} leaves a reservoir of {units} units with spectral "
            "radius 0 (too few connections to form a cycle); raise `density` or `units`."
        )
    return weights * (spectral_radius / radius)


class EchoStateNetwork:
    r"""Echo state network: fixed random leaky-tanh reservoir, ridge-regression read-out.

    Args:
        units: positive int, the number of reservoir units $N$. Default 200.
        spectral_radius: positive float, the spectral radius $\rho$ of $W$. Below 1 the
            reservoir forgets its initial state (the *echo state property* holds for most
            draws); well above 1 its own dynamics drown the input. Default 0.9.
        input_scaling: positive float; the input weights (columns for $u_t$) are drawn from
            U[-s, s]. Default 1.0.
        bias_scaling: non-negative float; the weights of the constant input 1 are drawn from
            U[-s, s]. Default 0.2.
        leak_rate: $\alpha$ in (0, 1]: the fraction of the state replaced at each step; 1 is
            the plain tanh reservoir, small values make a slower, smoother one (the linearised
            update has spectral radius $1 - \alpha + \alpha\rho$ for a real eigenvalue
            $\rho$). Default 1.0.
        density: fraction in (0, 1] of non-zero entries of $W$. Default 0.1.
        ridge: non-negative float, the regularisation $\lambda$ of the read-out. Default
            1e-6.
        washout: non-negative int, the first steps of each sequence left out of the fit, while
            the state forgets its (zero) initial value. Default 100.
        seed: int or None, seed of every random draw. Default 0.

    Attributes (after construction): ``recurrent_weights`` $W$ ``(units, units)``. After the
    first ``run`` or ``fit``: ``input_weights`` $W_{\text{in}}$ ``(units, 1 + features)``,
    the first column for the constant. After ``fit``: ``readout`` $W_{\text{out}}^\top$
    ``(1 + features + units, outputs)``.

    Inputs are ``(time, features)`` (one sequence) or ``(batch, time, features)``, targets
    ``(..., time, outputs)`` aligned step by step with the inputs.

    Example:

    >>> esn = EchoStateNetwork(units=50, seed=0)
    >>> u = np.sin(np.arange(600) / 5.0)[:, None]
    >>> y = esn.fit(u[:-1], u[1:]).predict(u[:-1])      # next-step prediction
    >>> bool(np.mean((y[100:] - u[101:]) ** 2) < 1e-6)
    True
    """

    def __init__(
        self,
        units=200,
        spectral_radius=0.9,
        input_scaling=1.0,
        bias_scaling=0.2,
        leak_rate=1.0,
        density=0.1,
        ridge=1e-6,
        washout=100,
        seed=0,
    ):
        self.units = checks.positive_int("units", units)
        self.spectral_radius = checks.positive_float("spectral_radius", spectral_radius)
        self.input_scaling = checks.positive_float("input_scaling", input_scaling)
        self.bias_scaling = _non_negative("bias_scaling", bias_scaling)
        self.leak_rate = _fraction("leak_rate", leak_rate)
        self.density = _fraction("density", density)
        self.ridge = _non_negative("ridge", ridge)
        self.washout = checks.positive_int("washout", washout, minimum=0)
        self.seed = checks.seed("seed", seed)
        # the reservoir and the input weights get independent streams of the one seed
        reservoir_rng, self._input_rng = (
            np.random.default_rng(None if self.seed is None else [self.seed, part])
            for part in (0, 1)
        )
        self.recurrent_weights = scaled_reservoir(
            self.units, self.spectral_radius, self.density, reservoir_rng
        )
        self.input_weights = None
        self.readout = None

    # -- the reservoir ----------------------------------------------------------------------

    def _as_batch(self, inputs, name="inputs"):
        array = np.asarray(inputs, dtype=np.float64)
        if array.ndim not in (2, 3) or not np.all(np.isfinite(array)):
            raise ValueError(
                f"Argument `{name}`: shape {array.shape}; expected finite values of shape "
                "(time, features) or (batch, time, features)."
            )
        return (array[None], True) if array.ndim == 2 else (array, False)

    def _build(self, features):
        if self.input_weights is None:
            scales = np.r_[self.bias_scaling, np.full(features, self.input_scaling)]
            self.input_weights = self._input_rng.uniform(-1, 1, (self.units, 1 + features)) * scales
        elif self.input_weights.shape[1] != 1 + features:
            raise ValueError(
                f"Argument `inputs`: {features} features, but this network was built for "
                f"{self.input_weights.shape[1] - 1}."
            )

    def run(self, inputs, initial_state=None):
        """The reservoir states $x_1 .. x_T$, shape ``(..., time, units)``, from
        ``initial_state`` (``(units,)`` or ``(batch, units)``; zeros by default)."""
        u, single = self._as_batch(inputs)
        batch, time, features = u.shape
        self._build(features)
        state = np.zeros((batch, self.units))
        if initial_state is not None:
            state = state + np.asarray(initial_state, dtype=np.float64)
        # the input drive of every step at once; the recurrence is the only loop
        drive = self.input_weights[:, 0] + u @ self.input_weights[:, 1:].T
        states = np.empty((batch, time, self.units))
        recurrent_t = self.recurrent_weights.T
        alpha = self.leak_rate
        for t in range(time):
            update = np.tanh(drive[:, t] + state @ recurrent_t)
            state = (1.0 - alpha) * state + alpha * update
            states[:, t] = state
        return states[0] if single else states

    def _given_states(self, states, u):
        states = np.asarray(states, dtype=np.float64)
        states = states[None] if states.ndim == 2 else states
        if states.shape != u.shape[:2] + (self.units,):
            raise ValueError(
                f"Argument `states`: shape {states.shape}; expected the reservoir states of "
                f"the inputs, {u.shape[:2] + (self.units,)} (or without the batch axis)."
            )
        return states

    def _extended(self, u, states):
        ones = np.ones(states.shape[:-1] + (1,))
        return np.concatenate([ones, u, states], axis=-1)

    # -- the read-out -----------------------------------------------------------------------

    def fit(self, inputs, targets, states=None):
        """Run the reservoir over ``inputs`` and fit the read-out to ``targets`` by ridge
        regression, leaving out the first ``washout`` steps of each sequence. Returns self.

        ``states``: the reservoir states of ``inputs`` (from ``run``), when they have
        already been computed; they are then used as they are, not recomputed."""
        u, _ = self._as_batch(inputs)
        y, _ = self._as_batch(targets, "targets")
        if y.shape[:2] != u.shape[:2]:
            raise ValueError(
                f"Argument `targets`: shape {np.shape(targets)}; expected one target per step "
                f"of `inputs` {np.shape(inputs)}, i.e. (..., time, outputs) with the same "
                "leading dimensions."
            )
        if u.shape[1] <= self.washout:
            raise ValueError(
                f"Argument `inputs`: {u.shape[1]} steps, no more than the washout of "
                f"{self.washout}; nothing would be left to fit."
            )
        states = self.run(u) if states is None else self._given_states(states, u)
        z = self._extended(u, states)[:, self.washout :].reshape(-1, 1 + u.shape[2] + self.units)
        y = y[:, self.washout :].reshape(-1, y.shape[2])
        penalty = self.ridge * np.eye(z.shape[1])
        penalty[0, 0] = 0.0  # the constant is not penalised
        self.readout = np.linalg.solve(z.T @ z + penalty, z.T @ y)
        return self

    def predict(self, inputs, initial_state=None, states=None):
        """The read-out at every step, shape ``(..., time, outputs)`` (washout steps
        included: the caller decides which steps to score). ``states``: as for ``fit``
        (then ``initial_state`` is not used)."""
        if self.readout is None:
            raise ValueError("This EchoStateNetwork has no read-out yet: call `fit` first.")
        u, single = self._as_batch(inputs)
        if states is None:
            states = self.run(u, initial_state)
        outputs = self._extended(u, self._given_states(states, u)) @ self.readout
        return outputs[0] if single else outputs
