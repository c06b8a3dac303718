"""Tied against untied input and output embeddings in a word-level language model.

The corpus: the Rotten Tomatoes review snippets as sentences (``companion.datasets.
snippet_words``: training words seen at least 10 times, the rest unknown; at most 30 words per
snippet, framed by start and end tokens). The model: embedding, one LSTM, output layer
(``companion.models.tied_embedding.word_language_model``), with dropout 0.25 on the embeddings
and on the LSTM's outputs. Variants:

- ``untied, width 64``: separate input and output tables of 64 dimensions;
- ``tied, width 64``: one table at both ends (Press & Wolf 2017; Inan et al. 2017), the same
  sizes and V x 64 fewer parameters;
- ``tied, width 104``: a tied model widened until it has about the parameters of the untied
  one (1 % more), the comparison at equal parameter count.

Every run takes the same budget of Adam steps (20 epochs of batches of 64 snippets); the
validation cross-entropy per word (nats, padding ignored) is measured once per epoch and the
best epoch's weights are kept (early stopping); the test split is scored once, at the end.
"""

import numpy as np

from companion.datasets import snippet_words
from companion.experiments.protocol import Experiment
from companion.models.tied_embedding import word_language_model

MIN_COUNT, MAX_WORDS = 10, 30


def masked_cross_entropy(model, inputs, targets, batch_size=512):
    """Mean cross-entropy per real target token (id 0, padding, excluded), in nats."""
    import keras

    total, count = 0.0, 0
    for start in range(0, len(inputs), batch_size):
        logits = model.predict_on_batch(inputs[start:start + batch_size])
        y = targets[start:start + batch_size]
        losses = keras.ops.convert_to_numpy(keras.losses.sparse_categorical_crossentropy(
            y, logits, from_logits=True))
        mask = y != 0
        total += float(losses[mask].sum())
        count += int(mask.sum())
    return total / count


class TiedEmbeddings(Experiment):
    name = "tied_embeddings"
    question = ("Does tying the input and output embeddings of a word-level language model "
                "lower its held-out loss, at equal width and at equal parameter count?")
    seeds = (0, 1, 2)
    metric = "validation_loss"
    eval_every = 160        # about one epoch of the 10,202 training snippets
    keep_best = True
    batch_size = 64
    learning_rate = 3e-3
    dropout = 0.25
    epochs = 20
    # XLA compiles the whole training step: 1.45x less time per step here
    jit_compile = True

    def settings(self):
        corpus = snippet_words.load(MIN_COUNT, MAX_WORDS)
        return {"min_count": MIN_COUNT, "max_words": MAX_WORDS,
                "vocab_size": len(corpus.vocabulary), "cell": "lstm",
                "batch_size": self.batch_size, "optimizer": "adam",
                "learning_rate": self.learning_rate, "dropout": self.dropout,
                "budget": self.epochs * self.eval_every, "early_stopping": "best validation",
                "jit_compile": self.jit_compile}

    def variants(self):
        return [{"output": "untied", "width": 64}, {"output": "tied", "width": 64},
                {"output": "tied", "width": 104}]

    def build_model(self, variant):
        import keras

        corpus = snippet_words.load(MIN_COUNT, MAX_WORDS)
        model = word_language_model(len(corpus.vocabulary), variant["width"],
                                    variant["width"], tied=variant["output"] == "tied",
                                    dropout=self.dropout)
        model.compile(optimizer=keras.optimizers.Adam(self.learning_rate),
                      loss=keras.losses.SparseCategoricalCrossentropy(
                          from_logits=True, ignore_class=0),
                      jit_compile=self.jit_compile)
        return model

    def training_batch(self, variant, rng, step):
        inputs, targets = snippet_words.load(MIN_COUNT, MAX_WORDS).split("train")
        rows = rng.integers(0, len(inputs), size=self.batch_size)
        return inputs[rows], targets[rows]

    def held_out(self, variant):
        inputs, targets = snippet_words.load(MIN_COUNT, MAX_WORDS).split("validation")
        return (inputs[:128], targets[:128]) if self.smoke else (inputs, targets)

    def evaluate(self, model, variant, data):
        return {"validation_loss": masked_cross_entropy(model, *data)}

    def test_metrics(self, model, variant):
        inputs, targets = snippet_words.load(MIN_COUNT, MAX_WORDS).split("test")
        if self.smoke:
            inputs, targets = inputs[:128], targets[:128]
        return {"test_loss": masked_cross_entropy(model, inputs, targets),
                "parameters": float(model.count_params())}

    def max_steps(self, variant):
        return self.epochs * self.eval_every


def perplexity(loss):
    """exp(cross-entropy in nats): the effective number of equally likely next words."""
    return float(np.exp(loss))
