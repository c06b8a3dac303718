r"""The recurrent encoder-decoder (Cho et al. 2014; Sutskever et al. 2014), trained with teacher forcing.

The encoder reads the source $x_1 \dots x_S$ and its final state becomes the decoder's initial
state; the decoder reads $\langle\text{start}\rangle, y_1, \dots, y_{T-1}$ and predicts
$y_1, \dots, y_T$ (the last one $\langle\text{end}\rangle$):

$$
\begin{aligned}
h^{\text{enc}}_s &= f_{\text{enc}}(h^{\text{enc}}_{s-1}, E_x[x_s]), & s &= 1 \dots S,\\
h^{\text{dec}}_0 &= h^{\text{enc}}_S,\\
h^{\text{dec}}_t &= f_{\text{dec}}(h^{\text{dec}}_{t-1}, E_y[y_{t-1}]), & y_0 &= \langle\text{start}\rangle,\\
p(y_t \mid y_{<t}, x) &= \operatorname{softmax}(h^{\text{dec}}_t W_o + b_o).
\end{aligned}
$$

Padded source positions (id 0) are masked, so $h^{\text{enc}}_S$ is the state after the last real
character, whatever the padding.
"""

import keras

from companion import checks
from companion.cells import GRUCell, LSTMCell
from companion.datasets.dates import PAD_ID

CELLS = ("gru", "lstm")

#: Layer names of ``build_encoder_decoder``'s model (stable: other chapters look layers up by name).
LAYER_NAMES = ("source_embedding", "encoder", "target_embedding", "decoder", "logits")


def _recurrent_layer(cell, units, companion_cells, name, **kwargs):
    if companion_cells:
        cell_class = GRUCell if cell == "gru" else LSTMCell
        return keras.layers.RNN(cell_class(units), name=name, **kwargs)
    layer_class = keras.layers.GRU if cell == "gru" else keras.layers.LSTM
    return layer_class(units, name=name, **kwargs)


def build_encoder_decoder(source_vocab_size, target_vocab_size, units, cell="gru",
                          embedding_dim=32, companion_cells=False, name="encoder_decoder"):
    """A recurrent encoder-decoder: ``[source_ids (B, S), decoder_input_ids (B, T)]`` -> logits ``(B, T, V)``.

    Both inputs are int ids padded with 0 (masked). The encoder's final state (``h``, or
    ``[h, c]`` for an LSTM) is the decoder's initial state; the output is unnormalised logits
    over the ``target_vocab_size`` ids.

    Args:
        source_vocab_size, target_vocab_size: ints >= 4 (3 reserved ids + at least one character).
        units: size of the encoder's and the decoder's state.
        cell: ``"gru"`` or ``"lstm"``.
        embedding_dim: size of the character embeddings.
        companion_cells: use ``keras.layers.RNN(companion.GRUCell / LSTMCell)`` instead of
            ``keras.layers.GRU / LSTM``; the weights have the same layout, so ``set_weights``
            carries them from one model to the other.
    """
    source_vocab_size = checks.positive_int("source_vocab_size", source_vocab_size, minimum=4)
    target_vocab_size = checks.positive_int("target_vocab_size", target_vocab_size, minimum=4)
    units = checks.positive_int("units", units)
    embedding_dim = checks.positive_int("embedding_dim", embedding_dim)
    if cell not in CELLS:
        raise ValueError(f"Argument `cell` must be one of {CELLS}, got {cell!r}.")
    if not isinstance(companion_cells, bool):
        raise ValueError(f"Argument `companion_cells` must be True or False, got {companion_cells!r}.")

    source_ids = keras.Input((None,), dtype="int32", name="source_ids")
    decoder_input_ids = keras.Input((None,), dtype="int32", name="decoder_input_ids")
    # mask_zero: padded positions are skipped by the recurrent layers and carry no loss.
    source = keras.layers.Embedding(source_vocab_size, embedding_dim, mask_zero=True,
                                    name="source_embedding")(source_ids)
    _, *encoder_state = _recurrent_layer(cell, units, companion_cells, "encoder",
                                         return_state=True)(source)
    target = keras.layers.Embedding(target_vocab_size, embedding_dim, mask_zero=True,
                                    name="target_embedding")(decoder_input_ids)
    decoder_states = _recurrent_layer(cell, units, companion_cells, "decoder",
                                      return_sequences=True)(target, initial_state=encoder_state)
    logits = keras.layers.Dense(target_vocab_size, name="logits")(decoder_states)
    return keras.Model([source_ids, decoder_input_ids], logits, name=name)


def sequence_loss(pad_id=PAD_ID):
    """Cross-entropy of the logits against the next target ids, averaged over real (non-pad) ids."""
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=pad_id)


def compile_encoder_decoder(model, learning_rate=1e-2, clipnorm=1.0):
    """Compile ``model`` with Adam and ``sequence_loss`` (the teacher-forcing objective)."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=clipnorm),
                  loss=sequence_loss())
    return model
