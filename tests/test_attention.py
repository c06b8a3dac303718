"""The companion's attention layers against Keras' attention layers, weights copied over."""

import keras
import numpy as np
import pytest

from companion.datasets.digit_strings import random_strings
from companion.layers.dot_product_attention import (
    causal_mask,
    masked_softmax,
    scaled_dot_product_attention,
)
from companion.layers.encoder_decoder_attention import BahdanauAttention, LuongAttention
from companion.layers.multi_head_attention import MultiHeadAttention
from companion.models.attention_seq2seq import (
    attention_weights_model,
    build_attention_encoder_decoder,
    teacher_forced_exact_match,
)
from companion.reference.differences import max_abs_difference

TOLERANCE = 1e-5


def _random(rng, *shape):
    return rng.standard_normal(shape).astype("float32")


def _padding(rng, batch, length):
    """Boolean (batch, length) mask with a random number (>= 1) of real positions per row."""
    real = rng.integers(1, length + 1, size=batch)
    return np.arange(length)[None, :] < real[:, None]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("use_causal_mask", [False, True])
@pytest.mark.parametrize("with_mask", [False, True])
def test_multi_head_attention_matches_keras(seed, use_causal_mask, with_mask):
    rng = np.random.default_rng(seed)
    batch, length, width = 3, 6, 10
    query = _random(rng, batch, length, width)
    value = _random(rng, batch, length, 7)
    mask = None
    if with_mask:
        mask = rng.random((batch, length, length)) > 0.4
        mask[:, :, 0] = True  # every query keeps a key it may attend to
    theirs = keras.layers.MultiHeadAttention(num_heads=3, key_dim=5, value_dim=4)
    expected, expected_scores = theirs(query, value, attention_mask=mask,
                                       use_causal_mask=use_causal_mask,
                                       return_attention_scores=True)
    if keras.backend.backend() == "jax":
        # Keras' fused path on JAX (ops.dot_product_attention) needs value_dim == key_dim
        with pytest.raises(Exception, match="value shape should be|cannot reshape"):
            theirs(query, value, attention_mask=mask, use_causal_mask=use_causal_mask)
        expected_fused = expected
    else:
        expected_fused = theirs(query, value, attention_mask=mask,
                                use_causal_mask=use_causal_mask)
    ours = MultiHeadAttention(num_heads=3, key_dim=5, value_dim=4)
    ours(query, value)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    ours.set_weights(theirs.get_weights())
    output, scores = ours(query, value, attention_mask=mask, use_causal_mask=use_causal_mask,
                          return_attention_scores=True)
    assert max_abs_difference(output, expected) < TOLERANCE
    assert max_abs_difference(output, expected_fused) < TOLERANCE
    assert max_abs_difference(scores, expected_scores) < TOLERANCE
    if use_causal_mask:
        assert np.all(np.triu(keras.ops.convert_to_numpy(scores), k=1) == 0)


def test_multi_head_attention_padding_masks_match_keras_attention_mask():
    rng = np.random.default_rng(3)
    query, value = _random(rng, 4, 5, 8), _random(rng, 4, 6, 8)
    query_mask, value_mask = _padding(rng, 4, 5), _padding(rng, 4, 6)
    theirs = keras.layers.MultiHeadAttention(2, 4, output_shape=3, use_bias=False)
    combined = query_mask[:, :, None] & value_mask[:, None, :]
    expected, expected_scores = theirs(query, value, attention_mask=combined,
                                       return_attention_scores=True)
    ours = MultiHeadAttention(2, 4, output_dim=3, use_bias=False)
    ours(query, value)
    ours.set_weights(theirs.get_weights())
    output, scores = ours(query, value, query_mask=query_mask, value_mask=value_mask,
                          return_attention_scores=True)
    assert output.shape == (4, 5, 3)
    assert max_abs_difference(output, expected) < TOLERANCE
    assert max_abs_difference(scores, expected_scores) < TOLERANCE
    # padded keys get no weight; padded queries a row of zeros
    scores = keras.ops.convert_to_numpy(scores)
    assert np.all(scores[np.broadcast_to(~value_mask[:, None, None, :], scores.shape)] == 0)
    assert np.all(scores[np.broadcast_to(~query_mask[:, None, :, None], scores.shape)] == 0)


def test_multi_head_attention_parameter_count():
    d_model, heads, key_dim = 16, 4, 8
    layer = MultiHeadAttention(heads, key_dim)
    layer(np.zeros((1, 3, d_model)), np.zeros((1, 3, d_model)))
    projections = 3 * (d_model * heads * key_dim + heads * key_dim)
    output = heads * key_dim * d_model + d_model
    assert layer.count_params() == projections + output
    keras_layer = keras.layers.MultiHeadAttention(heads, key_dim)
    keras_layer(np.zeros((1, 3, d_model)), np.zeros((1, 3, d_model)))
    assert layer.count_params() == keras_layer.count_params()


def test_multi_head_attention_dropout_only_in_training():
    rng = np.random.default_rng(4)
    x = _random(rng, 2, 5, 8)
    layer = MultiHeadAttention(2, 4, dropout=0.5, seed=1)
    inference = keras.ops.convert_to_numpy(layer(x, x))
    assert max_abs_difference(layer(x, x), inference) == 0
    assert max_abs_difference(layer(x, x, training=True), inference) > 1e-3


@pytest.mark.parametrize("score", ["dot", "general"])
def test_luong_attention_matches_keras_attention(score):
    rng = np.random.default_rng(5)
    query, value = _random(rng, 3, 4, 6), _random(rng, 3, 7, 6)
    query_mask, value_mask = _padding(rng, 3, 4), _padding(rng, 3, 7)
    layer = LuongAttention(score)
    context, weights = layer(query, value, query_mask=query_mask, value_mask=value_mask,
                             return_attention_scores=True)
    key = value @ keras.ops.convert_to_numpy(layer.kernel) if score == "general" else value
    expected, expected_weights = keras.layers.Attention(score_mode="dot")(
        [query, value, key], mask=[query_mask, value_mask], return_attention_scores=True
    )
    assert max_abs_difference(context, expected) < TOLERANCE
    assert max_abs_difference(weights, expected_weights) < TOLERANCE


def test_bahdanau_attention_matches_keras_additive_attention():
    rng = np.random.default_rng(6)
    query, value = _random(rng, 2, 5, 4), _random(rng, 2, 6, 9)
    query_mask, value_mask = _padding(rng, 2, 5), _padding(rng, 2, 6)
    layer = BahdanauAttention(8)
    context, weights = layer(query, value, query_mask=query_mask, value_mask=value_mask,
                             return_attention_scores=True)
    w_query, w_key, v = (keras.ops.convert_to_numpy(w) for w in layer.get_weights())
    keras_layer = keras.layers.AdditiveAttention(use_scale=True)
    inputs = [query @ w_query, value, value @ w_key]
    keras_layer(inputs)
    keras_layer.set_weights([v])
    expected, expected_weights = keras_layer(inputs, mask=[query_mask, value_mask],
                                             return_attention_scores=True)
    assert context.shape == (2, 5, 9)
    assert max_abs_difference(context, expected) < TOLERANCE
    assert max_abs_difference(weights, expected_weights) < TOLERANCE
    weights = keras.ops.convert_to_numpy(weights)
    assert np.allclose(weights.sum(-1), 1, atol=1e-6)
    assert np.all(weights[np.broadcast_to(~value_mask[:, None, :], weights.shape)] == 0)


def test_scaled_dot_product_attention_matches_keras_ops():
    rng = np.random.default_rng(7)
    # JAX's dot_product_attention (behind keras.ops') needs values as wide as keys
    value_dim = 6 if keras.backend.backend() == "jax" else 4
    q, k = _random(rng, 2, 5, 3, 6), _random(rng, 2, 7, 3, 6)
    v = _random(rng, 2, 7, 3, value_dim)
    # ours works on (..., T, d); keras.ops.dot_product_attention on (B, T, heads, d)
    heads_first = [np.swapaxes(x, 1, 2) for x in (q, k, v)]
    output, weights = scaled_dot_product_attention(*heads_first)
    expected = keras.ops.dot_product_attention(q, k, v)
    assert max_abs_difference(np.swapaxes(keras.ops.convert_to_numpy(output), 1, 2), expected) < TOLERANCE
    scores = heads_first[0] @ np.swapaxes(heads_first[1], -1, -2) / np.sqrt(6)
    reference = np.exp(scores) / np.exp(scores).sum(-1, keepdims=True)
    assert max_abs_difference(weights, reference) < TOLERANCE


def test_masked_softmax_and_causal_mask():
    scores = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, 0.5]], "float32")
    mask = np.array([[True, False, True], [False, False, False]])
    weights = keras.ops.convert_to_numpy(masked_softmax(scores, mask))
    assert weights[0, 1] == 0 and np.isclose(weights[0].sum(), 1)
    assert np.all(weights[1] == 0)  # a fully masked row attends to nothing
    expected = np.tril(np.ones((4, 6), bool))
    assert np.array_equal(keras.ops.convert_to_numpy(causal_mask(4, 6))[0], expected)


@pytest.mark.parametrize(
    "make, argument",
    [
        (lambda: MultiHeadAttention(0, 4), "num_heads"),
        (lambda: MultiHeadAttention(2, 2.5), "key_dim"),
        (lambda: MultiHeadAttention(2, 4, dropout=1.0), "dropout"),
        (lambda: MultiHeadAttention(2, 4, use_bias="yes"), "use_bias"),
        (lambda: MultiHeadAttention(2, 4, seed=1.5), "seed"),
        (lambda: BahdanauAttention(-1), "units"),
        (lambda: LuongAttention("concat"), "score"),
        (lambda: build_attention_encoder_decoder(13, 13, 8, attention="none"), "attention"),
        (lambda: build_attention_encoder_decoder(13, 13, 8, cell="rnn"), "cell"),
        (lambda: random_strings(5, 4, 3), "max_length"),
        (lambda: random_strings(5, 1, 3, alphabet="aa"), "alphabet"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(make, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        make()


def test_luong_dot_needs_equal_sizes():
    with pytest.raises(ValueError, match="same size"):
        LuongAttention()(np.zeros((1, 2, 3)), np.zeros((1, 2, 4)))


@pytest.mark.parametrize(
    "layer",
    [MultiHeadAttention(2, 3, value_dim=5, dropout=0.1, seed=2), BahdanauAttention(6),
     LuongAttention("general")],
)
def test_config_round_trip(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is type(layer) and restored.get_config() == config


@pytest.mark.parametrize("attention", ["bahdanau", "luong"])
def test_attention_encoder_decoder(attention, tmp_path):
    keras.utils.set_random_seed(0)
    model = build_attention_encoder_decoder(13, 11, 8, attention=attention)
    rng = np.random.default_rng(0)
    source = rng.integers(3, 13, (4, 7)).astype("int32")
    source[0, 4:] = 0  # padding
    decoder_input = rng.integers(3, 11, (4, 5)).astype("int32")
    logits = keras.ops.convert_to_numpy(model([source, decoder_input]))
    assert logits.shape == (4, 5, 11)
    weights = keras.ops.convert_to_numpy(attention_weights_model(model)([source, decoder_input]))
    assert weights.shape == (4, 5, 7)
    assert np.allclose(weights.sum(-1), 1, atol=1e-6)
    assert np.all(weights[0, :, 4:] == 0)
    # more padding changes nothing
    longer = np.pad(source, ((0, 0), (0, 3)))
    assert max_abs_difference(model([longer, decoder_input]), logits) < 1e-5
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert max_abs_difference(loaded([source, decoder_input]), logits) < 1e-6


def test_attention_weights_model_needs_weights_output():
    model = build_attention_encoder_decoder(13, 11, 8)
    with pytest.raises(ValueError, match="`layer_name`"):
        attention_weights_model(model, "logits")


def test_random_strings():
    strings = random_strings(200, 3, 9, alphabet="abc", seed=1)
    assert len(strings) == 200
    assert {len(s) for s in strings} == set(range(3, 10))
    assert set("".join(strings)) == set("abc")
    assert random_strings(20, 3, 9, seed=5) == random_strings(20, 3, 9, seed=5)
    assert random_strings(20, 3, 9, seed=5) != random_strings(20, 3, 9, seed=6)


def test_teacher_forced_exact_match():
    targets = np.array([[3, 4, 2, 0], [5, 2, 0, 0], [4, 4, 2, 0]])
    logits = np.full((3, 4, 6), -1.0)
    for row, ids in enumerate(targets):
        for step, token in enumerate(ids):
            logits[row, step, token] = 1.0
    logits[0, 3, 5] = 9.0  # a wrong argmax at a padded step does not count
    logits[1, 0, 1] = 9.0  # the start id is never emitted: the runner-up (right) counts
    logits[2, 1, 3] = 9.0  # a wrong argmax at a real step does
    assert teacher_forced_exact_match(logits, targets).tolist() == [True, True, False]
    with pytest.raises(ValueError, match="`target_ids`"):
        teacher_forced_exact_match(logits, targets[:, :3])


def test_teacher_forced_exact_match_agrees_with_greedy_decoding():
    from companion.models.decoding import greedy_decode

    keras.utils.set_random_seed(3)
    model = build_attention_encoder_decoder(13, 13, 8, attention="luong")
    rng = np.random.default_rng(3)
    source = rng.integers(3, 13, (6, 5)).astype("int32")
    length = 6
    decoded = greedy_decode(model, source, max_length=length, start_id=1, end_id=2)
    # the model's own greedy outputs, as targets, must count as exactly matched
    targets = np.zeros((len(source), length), "int32")
    inputs = np.zeros((len(source), length), "int32")
    inputs[:, 0] = 1
    for row, ids in enumerate(decoded):
        produced = (ids + [2])[:length]  # an output cut at max_length has no end id
        targets[row, : len(produced)] = produced
        inputs[row, 1 : len(produced)] = produced[:-1]
    logits = model([source, inputs])
    assert teacher_forced_exact_match(logits, targets).all()
    targets[0, 0] = 3 if targets[0, 0] != 3 else 4  # any other first token
    assert not teacher_forced_exact_match(logits, targets)[0]
