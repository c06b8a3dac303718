"""What the output layer of a language model costs against its recurrent layer, measured.

``output_layer_step`` times one training step (forward and backward) of the output layer
alone, ``Dense(V)`` on ``positions`` hidden states followed by the softmax cross-entropy, and
reads the peak memory the step allocates; ``sampled_output_step`` does the same with the
sampled softmax of ``companion.models.sampled_softmax``; ``recurrent_layer_step`` times the
recurrent layer that produces those states (an LSTM over ``batch`` sequences of ``steps``
steps, ``batch * steps = positions``). All three use ``companion.experiments.timing.median_ms``
and, for memory, the allocator that ``companion.experiments.bench.memory_stats_device``
finds (TensorFlow's CPU allocator counts every tensor only when the chapter's ``setup`` asked
for ``allocator_stats``); memory is ``None`` without it. TensorFlow only.
"""

import numpy as np

from companion import checks
from companion.experiments.bench import measure_layer, memory_stats_device, step_peak_mib
from companion.experiments.timing import median_ms
from companion.models import sampled_softmax


def _peak_mib(step, argument, device):
    return None if device is None else step_peak_mib(step, argument, device)


def _output_weights(vocab_size, hidden, positions, seed):
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    h = tf.constant(rng.standard_normal((positions, hidden)).astype("float32"))
    weights = tf.Variable(0.05 * rng.standard_normal((vocab_size, hidden)).astype("float32"))
    bias = tf.Variable(np.zeros(vocab_size, dtype="float32"))
    labels = tf.constant(rng.integers(0, vocab_size, size=positions).astype("int32"))
    return h, weights, bias, labels


def output_layer_step(vocab_size, hidden=128, positions=128, repeats=2, seed=0):
    """Median ms of a forward and backward pass of ``Dense(V)`` + softmax cross-entropy over
    ``positions`` states of width ``hidden``, and its peak memory in MiB (or None)."""
    import tensorflow as tf

    vocab_size = checks.positive_int("vocab_size", vocab_size, minimum=2)
    h, weights, bias, labels = _output_weights(vocab_size, hidden, positions, seed)

    @tf.function
    def step(h):
        with tf.GradientTape() as tape:
            tape.watch(h)
            loss = tf.reduce_mean(sampled_softmax.full_softmax_loss(h, weights, bias, labels))
        return tape.gradient(loss, [h, weights, bias])

    ms = median_ms(step, h, repeats=repeats, warmup=1)[0]
    return {"vocab_size": vocab_size, "train_ms": ms,
            "peak_MiB": _peak_mib(step, h, memory_stats_device(on_gpu=False)),
            "parameters": hidden * vocab_size + vocab_size,
            "logits_MiB": positions * vocab_size * 4 / 2**20}


def sampled_output_step(vocab_size, n_samples, hidden=128, positions=128, repeats=2, seed=0,
                        proposal="log_uniform"):
    """As ``output_layer_step``, with the sampled softmax of ``n_samples`` proposals (drawn
    once, outside the timed step: a real training step draws new ones each time, which costs
    microseconds)."""
    import tensorflow as tf

    h, weights, bias, labels = _output_weights(vocab_size, hidden, positions, seed)
    q = sampled_softmax.proposal_probabilities(vocab_size, proposal)
    sampled, expected = sampled_softmax.sample_candidates(q, n_samples,
                                                          np.random.default_rng(seed))
    sampled, expected = tf.constant(sampled), tf.constant(expected.astype("float32"))

    @tf.function
    def step(h):
        with tf.GradientTape() as tape:
            tape.watch(h)
            loss = tf.reduce_mean(sampled_softmax.sampled_softmax_loss(
                h, weights, bias, labels, sampled, expected))
        return tape.gradient(loss, [h, weights, bias])

    ms = median_ms(step, h, repeats=repeats, warmup=1)[0]
    return {"vocab_size": vocab_size, "n_samples": n_samples, "train_ms": ms,
            "peak_MiB": _peak_mib(step, h, memory_stats_device(on_gpu=False))}


def recurrent_layer_step(units=128, batch=8, steps=16, features=128, repeats=3):
    """``bench.measure_layer`` of Keras' LSTM: ``train_ms`` and ``peak_MiB`` of one forward
    and backward pass over ``(batch, steps, features)``."""
    row = measure_layer("lstm", "built-in", batch, steps, units, features, repeats, 1,
                        memory_device=memory_stats_device(on_gpu=False))
    return {"train_ms": row["train_ms"], "peak_MiB": row["peak_MiB"] or None,
            "parameters": row["params"]}
