"""Teacher forcing against scheduled sampling (Bengio et al., 2015) on a continuation task.

The task (``companion.datasets.progressions``): continue an arithmetic progression modulo 16
from its first three tokens, 24 tokens in all. One GRU of 32 units reads, at each step, the
previous token, which a ``companion.models.scheduled_sampling.FeedbackCell`` takes either
from the data (teacher forcing) or from the model's own previous output (a sample of its
softmax, drawn with Gumbel noise, as in the paper). Variants, the same budget of Adam steps:

- ``teacher_forcing``: always the true token;
- ``scheduled_sampling``: the true token with probability eps_i = k / (k + exp(i / k)),
  k = 230 (the inverse-sigmoid decay), so eps falls from 1 to 0.90 at step 750 and to 0.25
  at the last step, 1,500;
- ``always_sampling``: always the model's own token after the prompt (eps = 0), the paper's
  third baseline.

Held-out metrics, on 1,000 progressions the training never saw: token accuracy with the true
prefix (teacher-forced), token accuracy and exact match of the greedy continuation (free
running), and *recovery*: the accuracy of the tokens after one wrong token is injected into
the continuation, where a model that continues from its input is wrong from there on.
"""

import numpy as np

from companion.datasets import progressions
from companion.experiments.protocol import Experiment
from companion.models import scheduled_sampling as ss

TRAINING = ("teacher_forcing", "scheduled_sampling", "always_sampling")
MODULUS, LENGTH, PROMPT = 16, 24, 3
INJECT_AT = PROMPT + 3  # the step that reads the injected token (it replaces x_5)


def read_own_flags(shape, teacher_forcing_probability, rng):
    """Where each step reads the model's own token: never within the prompt (the steps that
    read the start id and the prompt's tokens), elsewhere with 1 - eps."""
    flags = (rng.random(shape) >= teacher_forcing_probability).astype("float32")
    flags[:, :PROMPT + 1] = 0.0
    return flags


def free_running_inputs(previous, inject=None):
    """Step inputs for greedy free running after the prompt; ``inject`` (ids, one per row)
    replaces the token read at ``INJECT_AT``."""
    previous = previous.copy()
    flags = np.zeros(previous.shape, dtype="float32")
    flags[:, PROMPT + 1:] = 1.0
    if inject is not None:
        previous[:, INJECT_AT] = inject
        flags[:, INJECT_AT] = 0.0  # read the injected token, not the model's own
    return ss.feedback_inputs(previous, flags, progressions.vocab_size(MODULUS))


def wrong_tokens(tokens, rng):
    """For each row, a token other than the true one at ``INJECT_AT - 1``."""
    true = tokens[:, INJECT_AT - 1]
    return ((true + rng.integers(1, MODULUS, size=len(true))) % MODULUS).astype("int32")


class ScheduledSampling(Experiment):
    name = "scheduled_sampling"
    question = ("Does scheduled sampling beat teacher forcing when a model must continue a "
                "sequence from its own outputs?")
    seeds = (0, 1, 2)
    metric = "free_running_accuracy"
    lower_is_better = False
    eval_every = 100
    units = 32
    embedding_dim = 16
    batch_size = 64
    learning_rate = 1e-2
    k = 230.0
    budget = 1500
    held_out_size = 1000
    jit_compile = True

    def settings(self):
        return {"modulus": MODULUS, "length": LENGTH, "prompt": PROMPT,
                "inject_at": INJECT_AT, "units": self.units, "cell": "gru",
                "embedding_dim": self.embedding_dim, "batch_size": self.batch_size,
                "optimizer": "adam", "learning_rate": self.learning_rate,
                "decay": "inverse_sigmoid", "k": self.k, "budget": self.budget,
                "held_out_size": self.held_out_size, "jit_compile": self.jit_compile,
                "own_token": "sample (Gumbel-max); greedy at evaluation"}

    def variants(self):
        return [{"training": training} for training in TRAINING]

    def build_model(self, variant):
        import keras

        model = ss.feedback_model(progressions.vocab_size(MODULUS), self.units,
                                  self.embedding_dim, cell="gru")
        model.compile(optimizer=keras.optimizers.Adam(self.learning_rate),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      jit_compile=self.jit_compile)
        return model

    def teacher_forcing_probability(self, variant, step):
        if variant["training"] == "teacher_forcing":
            return 1.0
        if variant["training"] == "always_sampling":
            return 0.0
        return ss.teacher_forcing_probability(step, self.k, "inverse_sigmoid")

    def training_batch(self, variant, rng, step):
        previous, tokens = progressions.modular_progressions(
            self.batch_size, LENGTH, MODULUS, seed=rng)
        eps = self.teacher_forcing_probability(variant, step - 1)
        flags = read_own_flags(previous.shape, eps, rng)
        noise = ss.gumbel_noise((*previous.shape, progressions.vocab_size(MODULUS)), rng)
        inputs = ss.feedback_inputs(previous, flags, progressions.vocab_size(MODULUS), noise)
        return inputs, tokens

    def held_out(self, variant):
        size = 64 if self.smoke else self.held_out_size
        previous, tokens = progressions.modular_progressions(size, LENGTH, MODULUS,
                                                             seed=20_150)
        return previous, tokens, wrong_tokens(tokens, np.random.default_rng(20_151))

    def evaluate(self, model, variant, data):
        return continuation_metrics(model, *data)

    def max_steps(self, variant):
        return self.budget


def continuation_metrics(model, previous, tokens, injected):
    """Teacher-forced and free-running accuracy, exact match, and recovery after an
    injected wrong token, on the continuation (the tokens after the prompt)."""
    vocab = progressions.vocab_size(MODULUS)
    forced_flags = np.zeros(previous.shape, dtype="float32")
    batch = np.concatenate([ss.feedback_inputs(previous, forced_flags, vocab),
                            free_running_inputs(previous),
                            free_running_inputs(previous, inject=injected)])
    predicted = np.asarray(model.predict_on_batch(batch)).argmax(-1)
    forced, free, after_injection = np.split(predicted, 3)
    continuation = slice(PROMPT, None)
    later = slice(INJECT_AT, None)  # predicted after reading the injected token
    right = free[:, continuation] == tokens[:, continuation]
    return {
        "teacher_forced_accuracy": float(np.mean(
            forced[:, continuation] == tokens[:, continuation])),
        "free_running_accuracy": float(np.mean(right)),
        "exact_match": float(np.mean(right.all(axis=1))),
        "recovery": float(np.mean(after_injection[:, later] == tokens[:, later])),
        "no_injection_same_positions": float(np.mean(free[:, later] == tokens[:, later])),
    }
