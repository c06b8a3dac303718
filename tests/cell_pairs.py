"""Build the same architecture twice, once from Keras' layers and once from companion cells.

Shared by the cell tests: ``twin_models`` returns a built-in model and a companion model with
identical (random, not initial) weights, so any difference is a difference of the cells.
"""

import keras
import numpy as np

import companion

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
    """Outputs, and gradients of a random linear functional of them w.r.t. inputs and weights,
    computed by the running backend's own differentiation (TensorFlow's tape, JAX's grad of
    the model's stateless call, PyTorch's autograd)."""
    inputs = [np.asarray(x) for x in as_list(inputs)]
    single = len(inputs) == 1
    # ids (an Embedding's input) have no gradient
    input_gradients = input_gradients and all(np.issubdtype(x.dtype, np.floating)
                                              for x in inputs)
    rng = np.random.default_rng(seed + 1000)
    outputs = [keras.ops.convert_to_numpy(o)
               for o in as_list(model(inputs[0] if single else inputs))]
    probes = [rng.standard_normal(o.shape).astype(o.dtype) for o in outputs]
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        xs = [tf.convert_to_tensor(x) for x in inputs]
        with tf.GradientTape() as tape:
            for x in xs if input_gradients else []:
                tape.watch(x)
            outs = as_list(model(xs[0] if single else xs))
            loss = sum(tf.reduce_sum(o * p) for o, p in zip(outs, probes))
        sources = list(model.trainable_weights) + (xs if input_gradients else [])
        grads = tape.gradient(loss, sources)
    elif backend == "jax":
        import jax
        import jax.numpy as jnp

        non_trainable = [v.value for v in model.non_trainable_variables]

        def loss_of(trainable, xs):
            outs, _ = model.stateless_call(trainable, non_trainable, xs[0] if single else xs)
            return sum(jnp.sum(o * p) for o, p in zip(as_list(outs), probes))

        weights, xs = [v.value for v in model.trainable_variables], [jnp.asarray(x) for x in inputs]
        if input_gradients:
            weight_grads, input_grads = jax.grad(loss_of, argnums=(0, 1))(weights, xs)
            grads = list(weight_grads) + list(input_grads)
        else:
            grads = list(jax.grad(loss_of)(weights, xs))
    elif backend == "torch":
        import torch

        xs = [torch.tensor(x, requires_grad=input_gradients) for x in inputs]
        outs = as_list(model(xs[0] if single else xs))
        loss = sum((o * torch.as_tensor(p)).sum() for o, p in zip(outs, probes))
        sources = [v.value for v in model.trainable_variables] + (xs if input_gradients else [])
        grads = torch.autograd.grad(loss, sources)
    else:
        raise ValueError(f"no gradient route for Keras backend {backend!r}")
    return outputs, [keras.ops.convert_to_numpy(g) for g in grads]


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


def weight_gradients(layer, *args, **kwargs):
    """Gradients of ``sum(layer(*args, **kwargs) ** 2)`` w.r.t. the layer's trainable
    weights, by the running backend's own differentiation."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(layer(*args, **kwargs)))
        grads = tape.gradient(loss, layer.trainable_variables)
    elif backend == "jax":
        import jax
        import jax.numpy as jnp

        non_trainable = [v.value for v in layer.non_trainable_variables]

        def loss_of(trainable):
            outputs, _ = layer.stateless_call(trainable, non_trainable, *args, **kwargs)
            return jnp.sum(outputs ** 2)

        grads = jax.grad(loss_of)([v.value for v in layer.trainable_variables])
    elif backend == "torch":
        import torch

        loss = (layer(*args, **kwargs) ** 2).sum()
        grads = torch.autograd.grad(loss, [v.value for v in layer.trainable_variables])
    else:
        raise ValueError(f"no gradient route for Keras backend {backend!r}")
    return [keras.ops.convert_to_numpy(g) for g in grads]


def function_gradient(fn, x):
    """The gradient of ``sum(fn(x))`` w.r.t. the array ``x``, by the running backend."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(fn(x))
        return tape.gradient(y, x).numpy()
    if backend == "jax":
        import jax
        import jax.numpy as jnp

        return np.asarray(jax.grad(lambda v: jnp.sum(fn(v)))(jnp.asarray(x)))
    if backend == "torch":
        import torch

        x = torch.tensor(x, requires_grad=True)
        (gradient,) = torch.autograd.grad(fn(x).sum(), [x])
        return gradient.detach().numpy()
    raise ValueError(f"no gradient route for Keras backend {backend!r}")
