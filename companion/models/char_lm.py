"""A character-level recurrent language model: build, train, score in bits, sample with temperature.

The model reads ids and predicts, at every position, a distribution over the next id:
``Embedding -> recurrent layer (all steps) -> Dense`` giving logits ``z_t`` and
``P(x_{t+1} = k | x_{<=t}) = softmax(z_t)_k``. It is trained with teacher forcing: the input at
every step is the true previous character, never the model's own sample.

Sampling divides the logits by a temperature ``tau > 0`` before the softmax,
``p_k(tau) = exp(z_k / tau) / sum_j exp(z_j / tau)``: ``tau < 1`` sharpens the distribution
towards its most likely id (greedy decoding as ``tau -> 0``), ``tau > 1`` flattens it towards
uniform.
"""

import math
import numbers

import keras
import numpy as np

import companion
from companion import checks
from companion.datasets.text import next_char_windows
from companion.reference.functions import softmax

CELLS = ("lstm", "gru")


def char_language_model(vocab_size, units=128, embedding_dim=32, cell="lstm", companion_cell=False,
                        dropout=0.0):
    """``Embedding(vocab_size, embedding_dim) -> LSTM or GRU(units) -> Dense(vocab_size)`` logits.

    Input: int ids (batch, time). Output: logits (batch, time, vocab_size), one next-id
    distribution per position. The layers are named ``embedding``, ``recurrent`` and ``logits``;
    the recurrent layer also returns its final states, which ``step_model`` uses for sampling.
    With ``companion_cell=True`` the recurrent layer is ``keras.layers.RNN(companion.LSTMCell)``
    (or ``GRUCell``), with the same weight layout as Keras' built-in layer. ``dropout`` > 0
    puts a ``Dropout`` layer (named ``dropout``, active in training only) between the recurrent
    outputs and the logits.
    """
    dropout = checks.rate("dropout", dropout)
    for name, value in [("vocab_size", vocab_size), ("units", units), ("embedding_dim", embedding_dim)]:
        checks.positive_int(name, value)
    if cell not in CELLS:
        raise ValueError(f"Argument `cell` must be one of {CELLS}, got {cell!r}.")
    options = dict(return_sequences=True, return_state=True, name="recurrent")
    if companion_cell:
        cell_class = companion.LSTMCell if cell == "lstm" else companion.GRUCell
        recurrent = keras.layers.RNN(cell_class(units), **options)
    else:
        # use_cudnn=False: the same computation on a CPU, and the model may be compiled with XLA
        layer = keras.layers.LSTM if cell == "lstm" else keras.layers.GRU
        recurrent = layer(units, use_cudnn=False, **options)
    ids = keras.Input((None,), dtype="int32", name="ids")
    embedded = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")(ids)
    outputs = recurrent(embedded)[0]
    if dropout:
        outputs = keras.layers.Dropout(dropout, name="dropout")(outputs)
    logits = keras.layers.Dense(vocab_size, name="logits")(outputs)
    return keras.Model(ids, logits, name=f"char_{cell}")


def compile_language_model(model, learning_rate=3e-3, decay_steps=None, clipnorm=1.0):
    """Adam on the cross-entropy of the logits (in nats), with a cosine decay over
    ``decay_steps`` when given; returns ``model``."""
    schedule = learning_rate
    if decay_steps:
        schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps, alpha=0.05)
    model.compile(keras.optimizers.Adam(schedule, clipnorm=clipnorm),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def train_language_model(model, ids, steps, batch_size=64, length=100, seed=0,
                         evaluate=None, evaluate_every=None):
    """``steps`` Adam steps of teacher forcing on random windows of ``ids`` (see
    ``companion.datasets.text.next_char_windows``), the windows drawn from ``seed``.

    Returns a dict: ``train_bits`` (the training loss of every step, in bits per character) and,
    when ``evaluate`` (a function of the model returning a number) is given, ``evaluations``: a
    list of (steps done, evaluate(model)) every ``evaluate_every`` steps and at the end.
    """
    checks.positive_int("steps", steps)
    if evaluate is not None and (not isinstance(evaluate_every, numbers.Integral) or evaluate_every < 1):
        raise ValueError(f"Argument `evaluate_every` must be an integer >= 1 with `evaluate`, got {evaluate_every!r}.")
    rng = np.random.default_rng(seed)
    history = {"train_bits": [], "evaluations": []}
    if evaluate is not None:
        history["evaluations"].append((0, float(evaluate(model))))
    for step in range(1, steps + 1):
        inputs, targets = next_char_windows(ids, length, batch_size, rng)
        loss = model.train_on_batch(inputs, targets)
        history["train_bits"].append(float(loss) / math.log(2))
        if evaluate is not None and (step % evaluate_every == 0 or step == steps):
            history["evaluations"].append((step, float(evaluate(model))))
    return history


def target_probabilities(model, inputs, targets):
    """The probability the model gives each scored target, in reading order (row by row).

    ``inputs`` and ``targets`` as made by ``companion.datasets.text.evaluation_streams``: targets of -1
    are not scored. The whole array goes through the model in one batch, through
    ``predict_on_batch``: a compiled graph, about four times faster on a CPU than calling the
    model eagerly (where TensorFlow runs the recurrent loop step by step from Python), with
    the same numbers.
    """
    inputs, targets = np.asarray(inputs), np.asarray(targets)
    if inputs.shape != targets.shape or inputs.ndim != 2:
        raise ValueError(f"Arguments `inputs` and `targets`: expected two arrays of the same 2-D shape, "
                         f"got {inputs.shape} and {targets.shape}.")
    return probabilities_at_targets(model.predict_on_batch(inputs), targets)


def probabilities_at_targets(logits, targets):
    """``softmax(logits)`` at the ``targets`` (batch, time) that are >= 0, in reading order;
    ``logits`` (batch, time, vocab), computed in float64."""
    logits, targets = np.asarray(logits, dtype=np.float64), np.asarray(targets)
    if logits.shape[:-1] != targets.shape:
        raise ValueError(f"Arguments `logits` {logits.shape} and `targets` {targets.shape}: expected "
                         "targets of the shape of the logits without their last axis.")
    scored = targets >= 0
    logits = logits[scored]
    logits -= logits.max(axis=-1, keepdims=True)
    log_p = logits[np.arange(len(logits)), targets[scored]] - np.log(np.exp(logits).sum(axis=-1))
    return np.exp(log_p)


def _check_temperature(temperature):
    temperature = np.asarray(temperature, dtype=np.float64)
    if temperature.ndim > 1 or not np.all(np.isfinite(temperature)) or np.any(temperature <= 0):
        raise ValueError(f"Argument `temperature` must be a finite number > 0 (or a 1-D array of them), "
                         f"got {temperature.tolist()!r}.")
    return temperature


def softmax_with_temperature(logits, temperature):
    """``softmax(logits / temperature)`` over the last axis; ``temperature`` > 0, a number or one per
    row of ``logits``."""
    temperature = _check_temperature(temperature)
    logits = np.asarray(logits, dtype=np.float64)
    return softmax(logits / (temperature[..., None] if temperature.ndim else temperature))


def entropy_bits(probabilities):
    """The entropy ``-sum p log2 p`` of each distribution along the last axis, in bits."""
    p = np.asarray(probabilities, dtype=np.float64)
    return -np.sum(np.where(p > 0, p * np.log2(np.where(p > 0, p, 1.0)), 0.0), axis=-1)


def sample_next(logits, temperature, rng):
    """One id per row of ``logits`` (batch, vocab), drawn from ``softmax(logits / temperature)``.

    ``rng``: a ``numpy.random.Generator`` or a seed; the same seed draws the same ids.
    """
    logits = np.asarray(logits)
    if logits.ndim != 2:
        raise ValueError(f"Argument `logits`: expected shape (batch, vocab), got {logits.shape}.")
    if np.ndim(temperature) == 1 and len(temperature) != len(logits):
        raise ValueError(f"Argument `temperature`: expected one per row of `logits` ({len(logits)}), "
                         f"got {len(temperature)}.")
    probabilities = softmax_with_temperature(logits, temperature)
    rng = np.random.default_rng(rng)
    cumulative = np.cumsum(probabilities, axis=-1)
    draws = rng.random((len(logits), 1)) * cumulative[:, -1:]
    return np.minimum((cumulative < draws).sum(axis=-1), logits.shape[-1] - 1)


def step_model(model):
    """A model sharing ``model``'s layers that maps (ids, *states) to (last logits, *new states),
    so that generation carries the recurrent state instead of rereading the text."""
    recurrent = model.get_layer("recurrent")
    units = recurrent.cell.units
    n_states = len(recurrent.cell.state_size) if isinstance(recurrent.cell.state_size, (list, tuple)) else 1
    ids = keras.Input((None,), dtype="int32")
    states = [keras.Input((units,)) for _ in range(n_states)]
    outputs, *new_states = recurrent(model.get_layer("embedding")(ids), initial_state=states)
    logits = model.get_layer("logits")(outputs[:, -1])
    return keras.Model([ids, *states], [logits, *new_states])


def generate(model, vocabulary, prompt, length, temperatures, seed=0):
    """Continue ``prompt`` by ``length`` sampled characters, once per temperature (one batch).

    Returns a list of strings (the continuations, without the prompt), one per temperature. The
    same ``seed`` gives the same text.
    """
    temperatures = _check_temperature(np.atleast_1d(temperatures))
    checks.positive_int("length", length)
    if not isinstance(prompt, str) or not prompt:
        raise ValueError(f"Argument `prompt` must be a non-empty string, got {prompt!r}.")
    rng = np.random.default_rng(seed)
    stepper = step_model(model)
    batch = len(temperatures)
    units = model.get_layer("recurrent").cell.units
    n_states = len(stepper.inputs) - 1
    ids = np.repeat(vocabulary.encode(prompt)[None, :], batch, axis=0)
    states = [np.zeros((batch, units), "float32")] * n_states
    sampled = []
    for _ in range(length):
        logits, *states = stepper([ids, *states])
        states = [keras.ops.convert_to_numpy(state) for state in states]
        ids = sample_next(keras.ops.convert_to_numpy(logits), temperatures, rng)[:, None].astype("int32")
        sampled.append(ids[:, 0])
    return [vocabulary.decode(row) for row in np.stack(sampled, axis=1)]
