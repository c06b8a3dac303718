"""Forecast errors, and recurrent forecasters trained several seeds at a time.

A *stack* of ``n`` members is one Keras recurrent layer of ``n * units`` units whose recurrent
matrix and output layer are block-diagonal: member ``m`` owns units ``m * units ...`` of every
gate and its own output columns, and a constraint keeps the blocks between members at zero
after every optimiser step. The members therefore never read each other's state; each is
exactly the network ``single_member`` builds with the same seed, trained on the same batches,
but the stack costs one layer's tracing and per-step overhead instead of ``n``.
"""

import keras
import numpy as np

LAYERS = {"SimpleRNN": keras.layers.SimpleRNN, "LSTM": keras.layers.LSTM, "GRU": keras.layers.GRU}
GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}  # column blocks of Keras' kernels and biases


# --- errors ---------------------------------------------------------------------------------

def _pair(truth, forecast):
    truth, forecast = np.asarray(truth, dtype=float), np.asarray(forecast, dtype=float)
    if truth.shape != forecast.shape or truth.size == 0:
        raise ValueError(f"Argument `forecast`: shape {forecast.shape}; expected the non-empty "
                         f"shape of `truth`, {truth.shape}.")
    return truth, forecast


def rmse(truth, forecast):
    r"""Root mean squared error $\sqrt{\frac1H \sum_h (y_h - \hat y_h)^2}$."""
    truth, forecast = _pair(truth, forecast)
    return float(np.sqrt(np.mean((truth - forecast) ** 2)))


def mae(truth, forecast):
    r"""Mean absolute error $\frac1H \sum_h |y_h - \hat y_h|$."""
    truth, forecast = _pair(truth, forecast)
    return float(np.mean(np.abs(truth - forecast)))


def mape(truth, forecast):
    r"""Mean absolute percentage error $\frac{100}{H} \sum_h |y_h - \hat y_h| / |y_h|$."""
    truth, forecast = _pair(truth, forecast)
    if np.any(truth == 0):
        raise ValueError("Argument `truth`: contains 0; MAPE is undefined there.")
    return float(100 * np.mean(np.abs(truth - forecast) / np.abs(truth)))


def errors(truth, forecast):
    """``{"RMSE": ..., "MAE": ..., "MAPE": ...}`` of one forecast."""
    return {"RMSE": rmse(truth, forecast), "MAE": mae(truth, forecast), "MAPE": mape(truth, forecast)}


# --- one network, and a stack of them -------------------------------------------------------

def _check_cell(cell):
    if cell not in LAYERS:
        raise ValueError(f"Argument `cell`: got {cell!r}; expected one of {sorted(LAYERS)}.")


def _seeds(seed):
    """Separate seeds for the input kernel, the recurrent kernel and the output layer."""
    return 3 * seed, 3 * seed + 1, 3 * seed + 2


def single_member(cell, window, n_outputs, seed, units=16):
    """``Input(window, 1) -> cell layer(units) -> Dense(n_outputs)``, initialised from ``seed``."""
    _check_cell(cell)
    kernel_seed, recurrent_seed, head_seed = _seeds(seed)
    return keras.Sequential([
        keras.Input((window, 1)),
        LAYERS[cell](units, kernel_initializer=keras.initializers.GlorotUniform(kernel_seed),
                     recurrent_initializer=keras.initializers.Orthogonal(seed=recurrent_seed)),
        keras.layers.Dense(n_outputs, kernel_initializer=keras.initializers.GlorotUniform(head_seed)),
    ])


def _member_columns(member, per_member, n_members, n_blocks):
    """Columns of ``member`` in a matrix of ``n_blocks`` blocks of ``n_members * per_member``."""
    width = n_members * per_member
    return np.concatenate([np.arange(block * width + member * per_member,
                                     block * width + (member + 1) * per_member)
                           for block in range(n_blocks)])


@keras.saving.register_keras_serializable(package="companion")
class BlockDiagonal(keras.constraints.Constraint):
    """Zero every weight that joins two different members (rows of ``rows_per_member``,
    columns in blocks of ``n_members`` groups of ``columns_per_member``)."""

    def __init__(self, n_members, rows_per_member, columns_per_member):
        self.n_members = n_members
        self.rows_per_member = rows_per_member
        self.columns_per_member = columns_per_member

    def mask(self, shape):
        rows, columns = np.arange(shape[0]), np.arange(shape[1])
        row_member = rows // self.rows_per_member
        column_member = (columns % (self.n_members * self.columns_per_member)) // self.columns_per_member
        return (row_member[:, None] == column_member[None, :]).astype("float32")

    def __call__(self, w):
        return w * keras.ops.convert_to_tensor(self.mask(w.shape), dtype=w.dtype)

    def get_config(self):
        return {"n_members": self.n_members, "rows_per_member": self.rows_per_member,
                "columns_per_member": self.columns_per_member}


class _MemberInitializer(keras.initializers.Initializer):
    """Each member's block drawn by its own seeded initializer with that member's shape, as
    ``single_member`` would draw it; zeros between members."""

    def __init__(self, make, seeds, per_member, n_blocks, rows_per_member=None):
        self.make, self.seeds, self.per_member = make, seeds, per_member
        self.n_blocks, self.rows_per_member = n_blocks, rows_per_member

    def __call__(self, shape, dtype=None):
        n_members = len(self.seeds)
        full = np.zeros(shape, dtype="float32")
        for member, seed in enumerate(self.seeds):
            columns = _member_columns(member, self.per_member, n_members, self.n_blocks)
            if self.rows_per_member is None:  # input kernel: every member reads the same input
                rows = np.arange(shape[0])
            else:
                rows = np.arange(member * self.rows_per_member, (member + 1) * self.rows_per_member)
            block = self.make(seed)((len(rows), len(columns)), dtype="float32")
            full[np.ix_(rows, columns)] = keras.ops.convert_to_numpy(block)
        return keras.ops.convert_to_tensor(full, dtype=dtype)


def stacked_members(cell, window, n_outputs, seeds, units=16):
    """Members ``single_member(cell, window, n_outputs, seed, units)`` for every seed in
    ``seeds``, as one model whose output has shape ``(batch, len(seeds), n_outputs)``."""
    _check_cell(cell)
    seeds = list(seeds)
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"Argument `seeds`: got {seeds!r}; expected distinct ints, at least one.")
    n_members, gates = len(seeds), GATES[cell]
    by_part = list(zip(*[_seeds(seed) for seed in seeds]))  # kernel, recurrent, head seeds
    recurrent_layer = LAYERS[cell](
        n_members * units,
        kernel_initializer=_MemberInitializer(keras.initializers.GlorotUniform, by_part[0], units, gates),
        recurrent_initializer=_MemberInitializer(lambda s: keras.initializers.Orthogonal(seed=s),
                                                 by_part[1], units, gates, rows_per_member=units),
        recurrent_constraint=BlockDiagonal(n_members, units, units))
    head = keras.layers.Dense(
        n_members * n_outputs,
        kernel_initializer=_MemberInitializer(keras.initializers.GlorotUniform, by_part[2],
                                              n_outputs, 1, rows_per_member=units),
        kernel_constraint=BlockDiagonal(n_members, units, n_outputs))
    inputs = keras.Input((window, 1))
    outputs = keras.layers.Reshape((n_members, n_outputs))(head(recurrent_layer(inputs)))
    return keras.Model(inputs, outputs)


def member_weights(stack, member):
    """The weights of member ``member`` of a ``stacked_members`` model, in the order and shapes
    of ``single_member(...).get_weights()``."""
    recurrent_layer, head = [layer for layer in stack.layers if layer.weights][:2]
    n_members = stack.output.shape[1]
    if not isinstance(member, (int, np.integer)) or not 0 <= member < n_members:
        raise ValueError(f"Argument `member`: got {member!r}; expected an int from 0 to {n_members - 1}.")
    kernel, recurrent, bias = recurrent_layer.get_weights()
    head_kernel, head_bias = head.get_weights()
    units, n_outputs = recurrent.shape[0] // n_members, head_bias.shape[0] // n_members
    columns = _member_columns(member, units, n_members, kernel.shape[1] // recurrent.shape[0])
    rows = np.arange(member * units, (member + 1) * units)
    head_columns = np.arange(member * n_outputs, (member + 1) * n_outputs)
    return [kernel[:, columns], recurrent[np.ix_(rows, columns)], bias[..., columns],
            head_kernel[np.ix_(rows, head_columns)], head_bias[head_columns]]


def fit_stack(stack, x, y, epochs, batch_size=32, learning_rate=1e-2, seed=0):
    """Train every member on ``(x, y)`` with the mean squared error and Adam; the members see
    the same batches. Returns the loss (mean over members) of each epoch."""
    n_members = stack.output.shape[1]
    targets = np.repeat(np.asarray(y, dtype="float32")[:, None, :], n_members, axis=1)
    keras.utils.set_random_seed(seed)  # the batch order
    # No XLA: compiling it costs more than it saves on these few hundred small steps.
    stack.compile(keras.optimizers.Adam(learning_rate), "mse", jit_compile=False)
    history = stack.fit(np.asarray(x, dtype="float32"), targets, epochs=epochs,
                        batch_size=batch_size, verbose=0)
    return history.history["loss"]


# --- multi-step forecasts -------------------------------------------------------------------

def direct_forecast(stack, last_window):
    """Every member's ``n_outputs`` steps at once from the last observed ``window`` values:
    shape ``(n_members, n_outputs)``."""
    x = np.asarray(last_window, dtype="float32").reshape(1, -1, 1)
    return np.asarray(stack.predict_on_batch(x))[0]


def recursive_forecast(stack, last_window, horizon):
    """One step at a time, each prediction appended to the member's own input window:
    shape ``(n_members, horizon)``. Needs a stack trained for one step ahead."""
    if stack.output.shape[2] != 1:
        raise ValueError(f"Argument `stack`: predicts {stack.output.shape[2]} steps; expected a "
                         "one-step model for a recursive forecast.")
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ValueError(f"Argument `horizon`: got {horizon!r}; expected a positive int.")
    n_members = stack.output.shape[1]
    own = np.arange(n_members)
    inputs = np.repeat(np.asarray(last_window, dtype="float32").reshape(1, -1, 1), n_members, axis=0)
    steps = []
    for _ in range(horizon):  # row m of the batch is member m's own trajectory
        step = np.asarray(stack.predict_on_batch(inputs))[own, own, 0]
        steps.append(step)
        inputs = np.concatenate([inputs[:, 1:], step[:, None, None]], axis=1)
    return np.stack(steps, axis=1)
