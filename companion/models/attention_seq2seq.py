"""The recurrent encoder-decoder with attention over the encoder states, and its measures."""

import keras
import numpy as np
from keras import ops

from companion import checks
from companion.layers.encoder_decoder_attention import BahdanauAttention, LuongAttention


def attention_weights_model(model, layer_name="attention"):
    """A model with ``model``'s inputs whose output is the attention weights of ``layer_name``.

    The layer must have been called with ``return_attention_scores=True`` (as the builders of
    this package do), so that its second output is the weights.
    """
    layer = model.get_layer(layer_name)
    outputs = layer.output
    if not isinstance(outputs, (list, tuple)) or len(outputs) != 2:
        raise ValueError(
            f"Argument `layer_name`: layer {layer_name!r} of {model.name!r} has no attention "
            "weights as second output; expected a layer called with "
            "return_attention_scores=True."
        )
    return keras.Model(model.inputs, outputs[1], name=f"{model.name}_attention_weights")


ATTENTIONS = {"bahdanau": BahdanauAttention, "luong": LuongAttention}


def build_attention_encoder_decoder(
    source_vocab_size,
    target_vocab_size,
    units,
    cell="gru",
    attention="bahdanau",
    embedding_dim=32,
    name=None,
):
    r"""The recurrent encoder–decoder of ``companion.models.seq2seq`` with attention over the encoder.

    Same inputs, layers and names as ``companion.models.seq2seq.build_encoder_decoder``
    (``[source_ids, decoder_input_ids] -> logits``), plus, between the decoder and the output
    layer, global attention in the form of Luong et al. (2015): decoder state $s_t$ is the
    query, the encoder states $h_j$ are keys and values, and

    $$
    c_t = \sum_j \alpha_{tj} h_j,\qquad
    \tilde s_t = \tanh\!\big([c_t; s_t]\, W_c + b_c\big),\qquad
    p(y_t \mid y_{<t}, x) = \operatorname{softmax}(\tilde s_t W_o + b_o),
    $$

    with $\alpha$ from ``BahdanauAttention`` (additive score) or ``LuongAttention`` (dot
    score). Bahdanau et al. (2015) fed $c_t$ into the decoder's next step instead; computing it
    after the decoder keeps the decoder a plain ``keras.layers.GRU``/``LSTM`` that runs over
    the whole teacher-forced target in one call, and the score function is what this book
    compares.

    Args:
        source_vocab_size, target_vocab_size: positive ints (ids 0, 1, 2 reserved).
        units: positive int, size of encoder and decoder states (and of the additive
            score's hidden layer).
        cell: ``"gru"`` or ``"lstm"``.
        attention: ``"bahdanau"`` or ``"luong"``.
        embedding_dim: positive int.

    The attention layer is named ``"attention"``; ``attention_weights_model(model)`` returns
    its weights $\alpha$ ``(batch, T, S)``.
    """
    source_vocab_size = checks.positive_int("source_vocab_size", source_vocab_size)
    target_vocab_size = checks.positive_int("target_vocab_size", target_vocab_size)
    units = checks.positive_int("units", units)
    embedding_dim = checks.positive_int("embedding_dim", embedding_dim)
    if cell not in ("gru", "lstm"):
        raise ValueError(f"Argument `cell` must be 'gru' or 'lstm', got {cell!r}.")
    if attention not in ATTENTIONS:
        raise ValueError(
            f"Argument `attention` must be one of {tuple(ATTENTIONS)}, got {attention!r}."
        )
    recurrent_layer = keras.layers.GRU if cell == "gru" else keras.layers.LSTM

    source_ids = keras.Input((None,), dtype="int32", name="source_ids")
    decoder_input_ids = keras.Input((None,), dtype="int32", name="decoder_input_ids")
    source_mask = ops.not_equal(source_ids, 0)
    source = keras.layers.Embedding(source_vocab_size, embedding_dim, mask_zero=True,
                                    name="source_embedding")(source_ids)
    encoder_states, *encoder_final = recurrent_layer(
        units, return_sequences=True, return_state=True, name="encoder"
    )(source)
    target = keras.layers.Embedding(target_vocab_size, embedding_dim, mask_zero=True,
                                    name="target_embedding")(decoder_input_ids)
    decoder_states = recurrent_layer(units, return_sequences=True, name="decoder")(
        target, initial_state=encoder_final
    )
    attention_layer = (BahdanauAttention(units, name="attention") if attention == "bahdanau"
                       else LuongAttention(name="attention"))
    context, _ = attention_layer(decoder_states, encoder_states, value_mask=source_mask,
                                 return_attention_scores=True)
    attentional_state = keras.layers.Dense(units, activation="tanh", name="attentional_state")(
        keras.layers.Concatenate(name="context_and_state")([context, decoder_states])
    )
    logits = keras.layers.Dense(target_vocab_size, name="logits")(attentional_state)
    return keras.Model([source_ids, decoder_input_ids], logits,
                       name=name or f"{cell}_{attention}_attention")


def teacher_forced_exact_match(logits, target_ids, pad_id=0, start_id=1):
    """Per row: is every next-token argmax right, given the true prefix? (bool ``(B,)``)

    With the pad and start ids excluded (a decoder never emits them), this is exactly whether
    greedy decoding reproduces the target: if every step's argmax given the true prefix is the
    true token, greedy search follows the true prefix to the end id, and if one step's is not,
    greedy search leaves it there. One forward pass instead of one per output token.
    """
    logits = np.array(keras.ops.convert_to_numpy(logits), dtype=np.float64)
    target_ids = np.asarray(target_ids)
    if logits.shape[:2] != target_ids.shape:
        raise ValueError(
            f"Argument `target_ids` must have shape {logits.shape[:2]} (the logits' first two "
            f"axes), got {target_ids.shape}."
        )
    logits[..., [pad_id, start_id]] = -np.inf
    correct = (logits.argmax(-1) == target_ids) | (target_ids == pad_id)
    return correct.all(axis=1)
