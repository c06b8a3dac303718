"""Build the same architecture twice, once from Keras' layers and once from companion cells.

Shared by the cell tests: ``twin_models`` returns a built-in model and a companion model with
identical (random, not initial) weights, so any difference is a difference of the cells.
"""

import companion
import keras
import numpy as np
import tensorflow as tf

KINDS = {
    "simple_rnn": (companion.SimpleRNNCell, keras.layers.SimpleRNN, {}),
    "lstm": (companion.LSTMCell, keras.layers.LSTM, {}),
    "gru_reset_after": (companion.GRUCell, keras.layers.GRU, {"reset_after": True}),
    "gru_reset_before": (companion.GRUCell, keras.layers.GRU, {"reset_after": False}),
}

# Arguments that belong to the layer (the RNN wrapper), not to the cell.
LAYER_ARGS = {"return_sequences", "return_state", "go_backwards", "stateful", "unroll"}


def rnn_factory(kind, use_companion):
    """A function ``make(units, **kwargs)`` returning the kind's layer, built-in or companion."""
    cell_class, layer_class, kind_kwargs = KINDS[kind]

    def make(units, **kwargs):
        kwargs = {**kind_kwargs, **kwargs}
        if not use_companion:
            return layer_class(units, **kwargs)
        layer_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in LAYER_ARGS}
        return keras.layers.RNN(cell_class(units, **kwargs), **layer_kwargs)

    return make


def twin_models(kind, architecture, seed, weight_scale=0.6):
    """``architecture(make_rnn) -> keras.Model``, built from both sides with the same weights."""
    builtin = architecture(rnn_factory(kind, use_companion=False))
    custom = architecture(rnn_factory(kind, use_companion=True))
    rng = np.random.default_rng(seed)
    weights = [
        (weight_scale * rng.standard_normal(w.shape)).astype(w.dtype)
        for w in builtin.get_weights()
    ]
    builtin.set_weights(weights)
    custom.set_weights(weights)
    assert [w.shape for w in custom.get_weights()] == [w.shape for w in weights]
    return builtin, custom


def as_list(outputs):
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def outputs_and_gradients(model, inputs, seed, input_gradients=True):
    """Outputs, and gradients of a random linear functional of them w.r.t. inputs and weights."""
    inputs = [tf.convert_to_tensor(x) for x in as_list(inputs)]
    rng = np.random.default_rng(seed + 1000)
    with tf.GradientTape() as tape:
        if input_gradients:
            for x in inputs:
                tape.watch(x)
        outputs = as_list(model(inputs if len(inputs) > 1 else inputs[0]))
        probes = [rng.standard_normal(o.shape).astype(o.dtype.name) for o in outputs]
        loss = sum(tf.reduce_sum(o * p) for o, p in zip(outputs, probes))
    sources = list(model.trainable_weights) + (inputs if input_gradients else [])
    grads = tape.gradient(loss, sources)
    return [o.numpy() for o in outputs], [tf.convert_to_tensor(g).numpy() for g in grads]


def assert_twins_agree(builtin, custom, inputs, seed, input_gradients=True, atol=1e-5, gtol=1e-4):
    """Outputs and states to ``atol``, gradients to ``gtol``; returns the largest differences."""
    out_b, grad_b = outputs_and_gradients(builtin, inputs, seed, input_gradients)
    out_c, grad_c = outputs_and_gradients(custom, inputs, seed, input_gradients)
    assert len(out_b) == len(out_c) and len(grad_b) == len(grad_c)
    out_diff = max(float(np.max(np.abs(b - c))) for b, c in zip(out_b, out_c))
    grad_diff = max(float(np.max(np.abs(b - c))) for b, c in zip(grad_b, grad_c))
    for b, c in zip(out_b, out_c):
        np.testing.assert_allclose(c, b, rtol=0, atol=atol)
    for b, c in zip(grad_b, grad_c):
        np.testing.assert_allclose(c, b, rtol=0, atol=gtol)
    # guard against a vacuous pass (everything zero or saturated)
    assert max(float(np.max(np.abs(b))) for b in grad_b) > 1e-3
    return out_diff, grad_diff
