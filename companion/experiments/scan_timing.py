r"""Wall time of a forward + backward pass against sequence length, for layers of equal width.

Every layer maps ``(batch, T, width)`` to ``(batch, T, width)``: a recurrent layer returns all
its states, a causal ``Conv1D`` and causal self-attention keep the length. The time of one call
of a ``tf.function`` that computes the gradients of a mean-square loss with respect to the
layer's weights is measured as in ``companion.experiments.bench`` (median of ``repeats`` calls after
``warmup`` untimed ones; the first untimed call also traces the function), except that calls
are repeated until they fill ``min_seconds`` (at most ``max_repeats`` calls), so that a brief
stall of a busy machine cannot decide the median of a fast layer.

- ``make_layer(kind, width)``: ``"lstm"``, ``"gru"``, ``"conv1d"``, ``"self_attention"``,
  ``"min_gru_parallel"``, ``"min_gru_sequential"``.
- ``time_against_length``: wall and CPU milliseconds, ``{kind: [ms at each length]}`` each.
- ``growth_exponent``: the slope of $\log t$ against $\log T$ between two lengths; 1 for
  work linear in $T$, 2 for quadratic.
- ``crossover_length``: where one layer's time curve first meets another's.
"""

import math
import numbers

import keras

from companion import checks
from companion.experiments.timing import median_ms
from companion.layers.causal_self_attention import CausalSelfAttention
from companion.layers.min_rnn import MinGRU

LAYER_KINDS = (
    "lstm", "gru", "conv1d", "self_attention", "min_gru_parallel", "min_gru_sequential",
)


def make_layer(kind, width):
    """A layer of ``kind`` (one of ``LAYER_KINDS``) mapping ``(B, T, width)`` to ``(B, T, width)``."""
    if kind not in LAYER_KINDS:
        raise ValueError(f"Argument `kind` must be one of {list(LAYER_KINDS)}, got {kind!r}.")
    width = checks.positive_int("width", width)
    if kind == "lstm":
        return keras.layers.LSTM(width, return_sequences=True)
    if kind == "gru":
        return keras.layers.GRU(width, return_sequences=True)
    if kind == "conv1d":
        return keras.layers.Conv1D(width, 3, padding="causal")
    if kind == "self_attention":
        return CausalSelfAttention(width)
    mode = "parallel" if kind == "min_gru_parallel" else "sequential"
    return MinGRU(width, mode=mode, return_sequences=True)


def forward_backward(layer, width=None):
    """A ``tf.function`` ``inputs -> gradients`` of ``mean(layer(inputs)**2)`` w.r.t. its weights.

    With ``width``, the function is traced once for inputs ``(batch, any T, width)``; without,
    once per input shape (needed by the parallel scan, whose depth depends on $T$).
    """
    import tensorflow as tf

    signature = None if width is None else [tf.TensorSpec((None, None, width), "float32")]

    @tf.function(input_signature=signature)
    def step(inputs):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(layer(inputs, training=True)))
        return tape.gradient(loss, layer.trainable_variables)

    return step


def time_against_length(kinds, lengths, width=32, batch=2, repeats=3, warmup=1, seed=0,
                        min_seconds=0.2):
    """Median milliseconds (wall and CPU) of forward + backward for every kind at every length.

    Args:
        kinds: names from ``LAYER_KINDS``.
        lengths: sequence lengths $T$ (positive ints).
        width: features in and out of every layer.
        batch: sequences per call.
        repeats, warmup, min_seconds: as in ``median_ms``.
        seed: seed of the random inputs.

    Returns:
        ``(wall, cpu)``, each ``{kind: [ms at lengths[0], ms at lengths[1], ...]}``. One layer
        (one set of weights)
        per kind serves all lengths. Its function is traced once for every length, except for
        the parallel minGRU, which is traced again for each new length (during warm-up).
    """
    import tensorflow as tf

    kinds = list(kinds)
    for kind in kinds:
        if kind not in LAYER_KINDS:
            raise ValueError(f"Argument `kinds`: unknown kind {kind!r}; expected names from "
                             f"{list(LAYER_KINDS)}.")
    if not kinds:
        raise ValueError("Argument `kinds` must name at least one layer kind, got none.")
    lengths = [checks.positive_int("lengths", length) for length in lengths]
    if not lengths:
        raise ValueError("Argument `lengths` must hold at least one length, got none.")
    width, batch = checks.positive_int("width", width), checks.positive_int("batch", batch)
    repeats = checks.positive_int("repeats", repeats)
    warmup = checks.positive_int("warmup", warmup, minimum=0)
    if isinstance(min_seconds, bool) or not isinstance(min_seconds, numbers.Real) or min_seconds < 0:
        raise ValueError(f"Argument `min_seconds` must be a number >= 0, got {min_seconds!r}.")

    steps = {}
    for kind in kinds:
        layer = make_layer(kind, width)
        layer.build((None, None, width))
        steps[kind] = forward_backward(layer, None if kind == "min_gru_parallel" else width)
    wall, cpu = {kind: [] for kind in kinds}, {kind: [] for kind in kinds}
    for length in lengths:
        inputs = tf.random.normal((batch, length, width), seed=seed)
        for kind in kinds:
            wall_ms, cpu_ms = median_ms(steps[kind], inputs, repeats, warmup, min_seconds)
            wall[kind].append(wall_ms)
            cpu[kind].append(cpu_ms)
    return wall, cpu


def growth_exponent(lengths, times, first=-2, last=-1):
    r"""Slope of $\log t$ against $\log T$ between ``lengths[first]`` and ``lengths[last]``."""
    if len(lengths) != len(times):
        raise ValueError(f"Arguments `lengths` and `times` must have the same length, got "
                         f"{len(lengths)} and {len(times)}.")
    t0, t1 = lengths[first], lengths[last]
    if t0 == t1 or min(t0, t1, times[first], times[last]) <= 0:
        raise ValueError(f"Need two different positive lengths with positive times, got "
                         f"T = {t0}, {t1} and times {times[first]}, {times[last]}.")
    return math.log(times[last] / times[first]) / math.log(t1 / t0)


def crossover_length(lengths, times_a, times_b):
    r"""First $T$ at which curve ``times_a`` crosses curve ``times_b``, or ``None``.

    Interpolated linearly in $\log T$ and $\log t$ between the two measured lengths around
    the first change of sign of $\log(t_a / t_b)$.
    """
    if not len(lengths) == len(times_a) == len(times_b):
        raise ValueError("Arguments `lengths`, `times_a` and `times_b` must have the same length.")
    gaps = [math.log(a / b) for a, b in zip(times_a, times_b)]
    for i in range(1, len(lengths)):
        if gaps[i - 1] * gaps[i] <= 0 and gaps[i - 1] != 0:
            fraction = gaps[i - 1] / (gaps[i - 1] - gaps[i])
            log_t = math.log(lengths[i - 1]) + fraction * math.log(lengths[i] / lengths[i - 1])
            return math.exp(log_t)
    return None


