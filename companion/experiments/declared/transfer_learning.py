"""Pretraining on unlabelled text, then fine-tuning for sentiment (Dai & Le 2015).

The classifier reads a Rotten Tomatoes snippet as the word ids of the language-modelling corpus
(``companion.datasets.snippet_words``: training words seen at least 10 times, ``<s> ... </s>``,
padding masked) through an embedding of 64 dimensions, an LSTM of 64 units and a sigmoid
output. Variants:

- ``scratch``: every weight drawn at random;
- ``language model``: the embedding and the LSTM start from the untied word-level language
  model of the ``tied_embeddings`` experiment, trained on the same training snippets without
  their labels (run ``seed % 3`` of it: that experiment has three seeds); the output layer is
  new.

Everything else is shared: Adam, batches of 64, dropout 0.3 on the embeddings, validation
accuracy for early stopping, five seeds each; the test snippets are scored once, at the end.
"""

import functools

from companion.datasets import rotten_tomatoes, snippet_words
from companion.experiments.declared.rotten_tomatoes import RottenTomatoesSentiment

INITS = ("scratch", "language model")
LM_EXPERIMENT = "tied_embeddings"
LM_VARIANT = "output=untied,width=64"
LM_SEEDS = 3


@functools.lru_cache(maxsize=1)
def data():
    """{split: (ids, labels)}: the corpus' framed ids and the snippets' labels, in one order."""
    corpus = snippet_words.load()
    reviews = rotten_tomatoes.load()
    return {split: (getattr(corpus, split), getattr(reviews, split).labels.astype("float32"))
            for split in snippet_words.SPLITS}


def pretrained_language_model(seed):
    """The shipped word-level language model whose embedding and LSTM a fine-tuned run starts
    from; an ``ArtefactError`` says what to run when its artefact is missing or changed."""
    from companion.experiments import artefacts
    from companion.experiments.declared.tied_embeddings import MAX_WORDS, MIN_COUNT
    from companion.models.tied_embedding import word_language_model

    artefacts.check_intact(LM_EXPERIMENT)
    corpus = snippet_words.load(MIN_COUNT, MAX_WORDS)
    model = word_language_model(len(corpus.vocabulary), 64, 64, tied=False, dropout=0.25)
    key = f"{LM_VARIANT},seed={seed % LM_SEEDS}"
    artefacts.load_weights(model, artefacts.folder(LM_EXPERIMENT) / artefacts.RUNS
                           / f"{key}.weights.npz")
    return model


class TransferLearning(RottenTomatoesSentiment):
    """The classifier, data handling and training of ``rotten_tomatoes`` (one LSTM, embeddings
    of 64 dimensions), read on the language model's vocabulary, from two initialisations."""

    name = "transfer_learning"
    question = ("Does an LSTM pretrained as a language model on the unlabelled training "
                "snippets classify their sentiment better than one trained from scratch?")
    embedding_dim = 64

    def settings(self):
        return {"units": self.units, "embedding_dim": self.embedding_dim,
                "batch_size": self.batch_size, "optimizer": "adam",
                "learning_rate": self.learning_rate, "budget": self.budget,
                "embedding_dropout": 0.3, "corpus": "snippet_words, min_count 10, 30 words",
                "language_model": f"{LM_EXPERIMENT}: {LM_VARIANT}, run seed % {LM_SEEDS}"}

    def variants(self):
        return [{"init": init} for init in INITS]

    def arrays(self, split):
        return data()[split]

    def build_model(self, variant):
        return self.build_run_model(variant, seed=0)

    def build_run_model(self, variant, seed):
        import keras

        vocab_size = len(snippet_words.load().vocabulary)
        embedding = keras.layers.Embedding(vocab_size, self.embedding_dim, mask_zero=True,
                                           name="embedding")
        recurrent = keras.layers.LSTM(self.units, use_cudnn=False, name="recurrent")
        model = keras.Sequential([
            keras.Input((None,), dtype="int32"),
            embedding,
            keras.layers.Dropout(0.3),
            recurrent,
            keras.layers.Dense(1, activation="sigmoid", name="sentiment"),
        ])
        if variant["init"] == "language model":
            language_model = pretrained_language_model(seed)
            embedding.set_weights(language_model.get_layer("embedding").get_weights())
            recurrent.set_weights(language_model.get_layer("recurrent").get_weights())
        model.compile(keras.optimizers.Adam(self.learning_rate, global_clipnorm=1.0),
                      "binary_crossentropy")
        return model
