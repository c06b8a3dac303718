r"""Tying the input embedding and the output layer of a language model.

A word-level language model has two tables of the same shape $V \times d$: the input embedding
$E$, whose row $E_w$ is the vector read for word $w$, and the output layer's weights, whose row
$w$ is dotted with the hidden state to give the logit of $w$. *Tying* them uses one table for
both (Press & Wolf, 2017; Inan et al., 2017):

$$
e_t = E[x_t], \qquad z_t = h_t E^{\top} + b, \qquad
p(x_{t+1} = w \mid x_{\le t}) = \operatorname{softmax}(z_t)_w ,
$$

which saves $V d$ parameters, and gives every row of $E$ a gradient at every step (through
the softmax over all words), where an untied input row learns only at the steps that read its
word. It needs the hidden state to have the embedding's width $d$; a model whose recurrent
layer is wider projects $h_t$ down to $d$ first.

``TiedEmbedding`` is one layer used twice: ``layer(ids)`` looks rows up, and
``layer(hidden, reverse=True)`` gives the logits. ``word_language_model`` builds the model
``Embedding -> LSTM -> output`` in its tied and untied forms with the same input, hidden and
embedding sizes.
"""

import keras
from keras import ops

from companion import checks

CELLS = ("lstm", "gru")


@keras.saving.register_keras_serializable(package="companion")
class TiedEmbedding(keras.layers.Layer):
    r"""An embedding table $E$ (``input_dim`` $\times$ ``output_dim``) read at both ends.

    Args:
        input_dim: positive int, the vocabulary size $V$.
        output_dim: positive int, the embedding width $d$.
        embeddings_initializer: for $E$ (default ``"uniform"``, Keras' ``Embedding`` default).
        use_bias: whether the output logits get a bias $b$ of shape $(V,)$ (default True).

    Call arguments:
        inputs: integer ids ``(...)`` (``reverse=False``), giving ``(..., output_dim)``; or
            vectors ``(..., output_dim)`` (``reverse=True``), giving the logits
            ``(..., input_dim)``, $z = h E^\top + b$.
        reverse: False (default) to look up, True to score every word.

    >>> tied = TiedEmbedding(100, 8)
    >>> vectors = tied(keras.ops.ones((2, 5), dtype="int32"))        # (2, 5, 8)
    >>> logits = tied(vectors, reverse=True)                          # (2, 5, 100)
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", use_bias=True,
                 **kwargs):
        super().__init__(**kwargs)
        self.input_dim = checks.positive_int("input_dim", input_dim)
        self.output_dim = checks.positive_int("output_dim", output_dim)
        self.embeddings_initializer = checks.initializer(
            "embeddings_initializer", embeddings_initializer)
        self.use_bias = checks.flag("use_bias", use_bias)

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim), initializer=self.embeddings_initializer,
            name="embeddings")
        self.bias = (self.add_weight(shape=(self.input_dim,), initializer="zeros", name="bias")
                     if self.use_bias else None)

    def call(self, inputs, reverse=False):
        if not reverse:
            if "int" not in str(inputs.dtype):
                inputs = ops.cast(inputs, "int32")
            return ops.take(self.embeddings, inputs, axis=0)
        # the same table, transposed: one logit per word
        logits = ops.matmul(inputs, ops.transpose(ops.cast(self.embeddings, inputs.dtype)))
        return logits + self.bias if self.use_bias else logits

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim, "use_bias": self.use_bias,
                "embeddings_initializer": keras.initializers.serialize(
                    self.embeddings_initializer)}


def word_language_model(vocab_size, embedding_dim=64, units=64, tied=True, cell="lstm",
                        dropout=0.0):
    r"""``ids (batch, T) -> logits (batch, T, vocab_size)``: embedding, recurrent layer, output.

    Untied: ``Embedding`` and ``Dense(vocab_size)``, two $V \times d$ tables. Tied: one
    ``TiedEmbedding`` at both ends, and, when ``units != embedding_dim``, a ``Dense`` projection
    of the recurrent states to ``embedding_dim`` (no activation) before the scores. ``dropout``
    is applied to the embeddings and to the recurrent outputs (training only).
    """
    vocab_size = checks.positive_int("vocab_size", vocab_size)
    embedding_dim = checks.positive_int("embedding_dim", embedding_dim)
    units = checks.positive_int("units", units)
    tied = checks.flag("tied", tied)
    cell = checks.choice("cell", cell, CELLS)
    dropout = checks.rate("dropout", dropout)
    ids = keras.Input((None,), dtype="int32", name="ids")
    if tied:
        table = TiedEmbedding(vocab_size, embedding_dim, name="tied_embedding")
        vectors = table(ids)
    else:
        vectors = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")(ids)
    if dropout:
        vectors = keras.layers.Dropout(dropout)(vectors)
    layer = keras.layers.LSTM if cell == "lstm" else keras.layers.GRU
    # use_cudnn=False: the same computation on every device, and XLA may compile the model
    states = layer(units, return_sequences=True, use_cudnn=False, name="recurrent")(vectors)
    if dropout:
        states = keras.layers.Dropout(dropout)(states)
    if tied:
        if units != embedding_dim:
            states = keras.layers.Dense(embedding_dim, name="projection")(states)
        logits = table(states, reverse=True)
    else:
        logits = keras.layers.Dense(vocab_size, name="logits")(states)
    return keras.Model(ids, logits, name="tied_lm" if tied else "untied_lm")


def parameters_saved(vocab_size, embedding_dim, units):
    r"""How many parameters tying saves: the untied output kernel, $u V$ ($d V$ when the
    recurrent layer has $u = d$ units), less the projection ($u d + d$) that $u \ne d$ needs."""
    saved = vocab_size * units
    if units != embedding_dim:
        saved -= units * embedding_dim + embedding_dim
    return saved
