"""Gate activations of a trained LSTM or GRU layer, step by step, for heatmaps.

A Keras recurrent layer returns only its hidden states; its gates live inside the step loop.
``lstm_gate_activations`` and ``gru_gate_activations`` read the layer's weights and run
``companion.reference``'s NumPy forward pass on them, whose cache keeps every gate at every
step. The arithmetic is therefore written once (in ``companion.reference``), and the traced
``"hidden"`` states can be compared with the layer's own outputs to show that the gates
belong to the same computation.

``plot_gate_heatmap`` draws one gate of one sequence as a units x time image, with red
triangles above chosen steps (the markers of the adding problem, say). ``state_correlations``
finds the units whose state follows a quantity of the task (a count, a stored number).
"""

import keras
import numpy as np

from companion import reference
from companion.cells import GRUCell, LSTMCell

__all__ = ["lstm_gate_activations", "gru_gate_activations", "state_correlations"]

_LSTM_CELLS = (LSTMCell, keras.layers.LSTMCell)
_GRU_CELLS = (GRUCell, keras.layers.GRUCell)


def _built_cell(rnn_layer, cell_types, kind):
    """The layer's cell, checked: the right kind, built, with the reference's activations."""
    cell = getattr(rnn_layer, "cell", None)
    article = "an" if kind == "LSTM" else "a"
    if not isinstance(cell, cell_types):
        raise ValueError(
            f"Argument `rnn_layer` must be a recurrent layer with {article} {kind} cell "
            f"(keras.layers.RNN(companion.{kind}Cell(...)) or keras.layers.{kind}), "
            f"got {rnn_layer!r} with cell {cell!r}."
        )
    if not cell.built:
        raise ValueError(
            f"Argument `rnn_layer` ({rnn_layer.name}) is not built yet: call it on a batch "
            "(or train it) before tracing its gates."
        )
    # The NumPy reference computes sigmoid gates and tanh candidates only.
    for name, expected in [("activation", "tanh"), ("recurrent_activation", "sigmoid")]:
        found = keras.activations.serialize(getattr(cell, name))
        if found != expected:
            raise ValueError(
                f"Argument `rnn_layer` has {name}={found!r}; gate tracing needs the "
                f"default {expected!r}."
            )
    if getattr(rnn_layer, "go_backwards", False):
        raise ValueError(
            "Argument `rnn_layer` has go_backwards=True; gate tracing runs forward in time only."
        )
    return cell


def _weights(cell):
    bias = None if cell.bias is None else cell.bias.numpy()
    return cell.kernel.numpy(), cell.recurrent_kernel.numpy(), bias


def _checked_inputs(inputs, kernel):
    inputs = np.asarray(inputs, dtype=np.float64)
    if inputs.ndim != 3 or inputs.shape[2] != kernel.shape[0]:
        raise ValueError(
            f"Argument `inputs` has shape {inputs.shape}: expected (batch, time, "
            f"{kernel.shape[0]}), the layer's number of input features being {kernel.shape[0]}."
        )
    return inputs


def lstm_gate_activations(rnn_layer, inputs):
    """Every gate of an LSTM layer at every step, for a batch of sequences (inference mode).

    Args:
        rnn_layer: a built ``keras.layers.RNN(companion.LSTMCell(...))`` or
            ``keras.layers.LSTM``, with the default tanh/sigmoid activations.
        inputs: ``(batch, time, features)``; the states start at zero, as in the layer.

    Returns:
        dict of float64 arrays, each ``(batch, time, units)``: ``"input"`` i_t,
        ``"forget"`` f_t, ``"output"`` o_t, ``"candidate"`` c~_t, ``"cell"`` c_t and
        ``"hidden"`` h_t (which equals the layer's output sequence). Dropout is not applied.
    """
    cell = _built_cell(rnn_layer, _LSTM_CELLS, "LSTM")
    kernel, recurrent_kernel, bias = _weights(cell)
    inputs = _checked_inputs(inputs, kernel)
    hidden, cache = reference.lstm_forward(inputs, kernel, recurrent_kernel, bias)
    return {
        "input": cache.i,
        "forget": cache.f,
        "output": cache.o,
        "candidate": cache.c_hat,
        "cell": cache.cells,
        "hidden": hidden,
    }


def gru_gate_activations(rnn_layer, inputs):
    """Every gate of a GRU layer at every step, for a batch of sequences (inference mode).

    Keras' convention: h_t = z_t * h_{t-1} + (1 - z_t) * h~_t, so an update gate z_t near 1
    *keeps* the old state and near 0 writes the candidate.

    Args:
        rnn_layer: a built ``keras.layers.RNN(companion.GRUCell(...))`` or
            ``keras.layers.GRU`` (either ``reset_after``), with the default activations.
        inputs: ``(batch, time, features)``; the state starts at zero, as in the layer.

    Returns:
        dict of float64 arrays, each ``(batch, time, units)``: ``"update"`` z_t,
        ``"reset"`` r_t, ``"candidate"`` h~_t and ``"hidden"`` h_t (which equals the
        layer's output sequence). Dropout is not applied.
    """
    cell = _built_cell(rnn_layer, _GRU_CELLS, "GRU")
    kernel, recurrent_kernel, bias = _weights(cell)
    inputs = _checked_inputs(inputs, kernel)
    hidden, cache = reference.gru_forward(
        inputs, kernel, recurrent_kernel, bias, reset_after=cell.reset_after
    )
    return {"update": cache.z, "reset": cache.r, "candidate": cache.h_hat, "hidden": hidden}


def state_correlations(states, target):
    """Pearson correlation of each unit's state with a quantity of the task.

    Args:
        states: ``(samples, units)``, e.g. a traced state at the positions that count.
        target: ``(samples,)``, the quantity at the same positions.

    Returns:
        float64 ``(units,)``; about 0 (a rounding error, not NaN) for a unit whose state
        does not vary.
    """
    states, target = np.asarray(states, np.float64), np.asarray(target, np.float64)
    if states.ndim != 2 or target.shape != states.shape[:1]:
        raise ValueError(f"Arguments `states` and `target`: expected shapes (samples, units) "
                         f"and (samples,), got {states.shape} and {target.shape}.")
    states = states - states.mean(axis=0)
    target = target - target.mean()
    spread = np.sqrt((states ** 2).sum(axis=0) * (target ** 2).sum())
    return np.divide(states.T @ target, spread, out=np.zeros(states.shape[1]), where=spread > 0)
