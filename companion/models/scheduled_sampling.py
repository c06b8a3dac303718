r"""Teacher forcing, scheduled sampling and free running with one recurrent cell.

A model that generates a sequence token by token reads, at step $t$, the previous token. In
training that token can be the *true* one, $y_{t-1}$ (teacher forcing), or the model's *own*
previous prediction $\hat y_{t-1}$; at inference it is always the model's own. Scheduled
sampling (Bengio et al., 2015) flips a coin at every step of every training sequence: with
probability $\epsilon_i$ the true token, otherwise the model's own, where $\epsilon_i$ decays
over the training steps $i$ from 1 (teacher forcing) towards 0 (free running). The paper's
three decays, with $k$ setting the speed, are

$$
\epsilon_i = \max(\epsilon_{\min},\, 1 - i/k) \ \text{(linear)}, \qquad
\epsilon_i = c^{\,i} \ \text{(exponential, } c = 1 - 1/k\text{)}, \qquad
\epsilon_i = \frac{k}{k + \exp(i / k)} \ \text{(inverse sigmoid)} .
$$

``FeedbackCell`` wraps any Keras recurrent cell so that all three regimes run inside one
``keras.layers.RNN``, compiled, without a Python loop over the steps. Its state carries the
previous step's logits besides the cell's own state, and each step's input holds the true
previous token (one-hot), a 0/1 *flag* (1: read the model's own token instead) and optional
Gumbel noise. The model's own token is $\arg\max(z_{t-1} + g_{t-1})$: with zero noise the
greedy choice, with Gumbel noise $g$ a sample from $\operatorname{softmax}(z_{t-1})$, as the
paper samples. No gradient flows through that choice (as in the paper). ``feedback_inputs``
builds the step inputs from the tokens and the flags.
"""

import math

import keras
import numpy as np
from keras import ops

from companion import checks

DECAYS = ("linear", "exponential", "inverse_sigmoid")


def teacher_forcing_probability(step, k, decay="inverse_sigmoid", minimum=0.0):
    r"""$\epsilon_i$: the probability of reading the true token at training step ``step``."""
    step = checks.positive_int("step", step, minimum=0)
    k = checks.positive_float("k", k)
    decay = checks.choice("decay", decay, DECAYS)
    if decay == "linear":
        value = 1.0 - step / k
    elif decay == "exponential":
        if k <= 1:
            raise ValueError(f"Argument `k` must be > 1 for the exponential decay, got {k}.")
        value = (1.0 - 1.0 / k) ** step
    else:
        value = k / (k + math.exp(min(step / k, 700.0)))
    return max(float(minimum), value)


def feedback_inputs(previous_tokens, read_own, vocab_size, noise=None):
    r"""The step inputs of a ``FeedbackCell``: ``(batch, T, 2 * vocab_size + 1)`` float32.

    Args:
        previous_tokens: ``(batch, T)`` ints, the true token before each step ($y_{t-1}$).
        read_own: ``(batch, T)`` 0/1: where 1, the step reads the model's own previous token
            instead (must be 0 at the first step, which has no previous prediction).
        vocab_size: the number of token ids.
        noise: ``(batch, T, vocab_size)`` added to the previous logits before the argmax
            (Gumbel noise to sample); ``None`` for zeros (greedy).
    """
    vocab_size = checks.positive_int("vocab_size", vocab_size, minimum=2)
    tokens = np.asarray(previous_tokens)
    flags = np.asarray(read_own, dtype="float32")
    if tokens.ndim != 2 or flags.shape != tokens.shape:
        raise ValueError(f"Arguments `previous_tokens` and `read_own` must both be (batch, T), "
                         f"got shapes {tokens.shape} and {flags.shape}.")
    if tokens.min() < 0 or tokens.max() >= vocab_size:
        raise ValueError(f"Argument `previous_tokens` must hold ids in [0, {vocab_size}), got "
                         f"values from {tokens.min()} to {tokens.max()}.")
    if np.any(flags[:, 0] != 0):
        raise ValueError("Argument `read_own` must be 0 at the first step: there is no "
                         "previous prediction to read.")
    if noise is None:
        noise = np.zeros((*tokens.shape, vocab_size), dtype="float32")
    one_hot = np.eye(vocab_size, dtype="float32")[tokens]
    return np.concatenate([one_hot, flags[..., None], np.asarray(noise, "float32")], axis=-1)


def gumbel_noise(shape, rng):
    """Standard Gumbel noise: ``argmax(z + g)`` is then a sample from ``softmax(z)``."""
    uniform = rng.uniform(np.finfo("float32").tiny, 1.0, size=shape)
    return (-np.log(-np.log(uniform))).astype("float32")


@keras.saving.register_keras_serializable(package="companion")
class FeedbackCell(keras.layers.Layer):
    r"""A recurrent cell whose input token is the true one or its own previous prediction.

    Args:
        cell: a Keras recurrent cell (``keras.layers.GRUCell(32)``, ``companion.LSTMCell``...).
        vocab_size: the number of token ids $V$.
        embedding_dim: the width of the token embedding the cell reads.

    Step inputs: ``(batch, 2V + 1)`` from ``feedback_inputs``. Step output: the logits
    ``(batch, V)`` of the next token. State: the cell's states, then the previous logits.

    >>> layer = keras.layers.RNN(FeedbackCell(keras.layers.GRUCell(8), 5, 4),
    ...                          return_sequences=True)
    """

    def __init__(self, cell, vocab_size, embedding_dim=16, **kwargs):
        super().__init__(**kwargs)
        if isinstance(cell, dict):
            cell = keras.saving.deserialize_keras_object(cell)
        if not hasattr(cell, "state_size"):
            raise ValueError(f"Argument `cell` must be a Keras recurrent cell (with a "
                             f"`state_size`), got {cell!r}.")
        self.cell = cell
        self.vocab_size = checks.positive_int("vocab_size", vocab_size, minimum=2)
        self.embedding_dim = checks.positive_int("embedding_dim", embedding_dim)
        inner = cell.state_size
        self.inner_sizes = list(inner) if isinstance(inner, (list, tuple)) else [inner]
        self.state_size = [*self.inner_sizes, self.vocab_size]
        self.output_size = self.vocab_size

    def build(self, input_shape):
        v = self.vocab_size
        self.embeddings = self.add_weight(shape=(v, self.embedding_dim), name="embeddings",
                                          initializer="glorot_uniform")
        if not self.cell.built:  # a loaded model may have built it already
            self.cell.build((input_shape[0], self.embedding_dim))
        units = self.inner_sizes[0]
        self.output_kernel = self.add_weight(shape=(units, v), name="output_kernel",
                                             initializer="glorot_uniform")
        self.output_bias = self.add_weight(shape=(v,), name="output_bias", initializer="zeros")

    def call(self, inputs, states, training=False):
        v = self.vocab_size
        true_token = inputs[:, :v]
        read_own = inputs[:, v:v + 1]
        noise = inputs[:, v + 1:]
        *cell_states, previous_logits = states
        # the model's own previous token: greedy, or a sample when the noise is Gumbel
        own = ops.one_hot(ops.argmax(previous_logits + noise, axis=-1), v)
        token = ops.stop_gradient(read_own * own) + (1.0 - read_own) * true_token
        vectors = ops.matmul(token, self.embeddings)
        cell_states = cell_states[0] if len(cell_states) == 1 else cell_states
        hidden, new_states = self.cell(vectors, cell_states, training=training)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        logits = ops.matmul(hidden, self.output_kernel) + self.output_bias
        return logits, [*new_states, logits]

    def get_config(self):
        return {**super().get_config(), "cell": keras.saving.serialize_keras_object(self.cell),
                "vocab_size": self.vocab_size, "embedding_dim": self.embedding_dim}


def feedback_model(vocab_size, units=32, embedding_dim=16, cell="gru"):
    """``step inputs (batch, T, 2V + 1) -> logits (batch, T, V)``: one ``FeedbackCell``."""
    cell = checks.choice("cell", cell, ("gru", "lstm"))
    units = checks.positive_int("units", units)
    inner = keras.layers.GRUCell(units) if cell == "gru" else keras.layers.LSTMCell(units)
    inputs = keras.Input((None, 2 * vocab_size + 1), name="step_inputs")
    recurrent = keras.layers.RNN(FeedbackCell(inner, vocab_size, embedding_dim),
                                 return_sequences=True, name="feedback")
    return keras.Model(inputs, recurrent(inputs), name="feedback_model")
