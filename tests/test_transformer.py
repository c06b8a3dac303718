"""The Transformer: positional encoding, blocks, and the encoder–decoder."""

import keras
import numpy as np
import pytest

from companion.layers.positional_encoding import (
    PositionalEmbedding,
    sinusoidal_positional_encoding,
)
from companion.layers.transformer_blocks import (
    TransformerDecoderBlock,
    TransformerEncoderBlock,
)
from companion.models.attention_seq2seq import attention_weights_model
from companion.models.decoding import greedy_decode
from companion.models.transformer import build_transformer_encoder_decoder
from companion.reference.differences import max_abs_difference


def test_positional_encoding_shape_start_and_bounds():
    code = keras.ops.convert_to_numpy(sinusoidal_positional_encoding(50, 16))
    assert code.shape == (50, 16)
    # position 0: sin 0 = 0 in even columns, cos 0 = 1 in odd columns
    assert np.array_equal(code[0], np.tile([0.0, 1.0], 8))
    assert np.all(np.abs(code) <= 1.0)
    # each (sin, cos) pair lies on the unit circle
    assert np.allclose(code[:, 0::2] ** 2 + code[:, 1::2] ** 2, 1.0, atol=1e-5)


def test_positional_encoding_follows_the_formula():
    length, depth = 30, 8
    code = keras.ops.convert_to_numpy(sinusoidal_positional_encoding(length, depth))
    for position in (1, 7, 29):
        for i in range(depth // 2):
            angle = position / 10000 ** (2 * i / depth)
            assert np.isclose(code[position, 2 * i], np.sin(angle), atol=1e-5)
            assert np.isclose(code[position, 2 * i + 1], np.cos(angle), atol=1e-5)


def test_positional_encoding_shift_is_a_rotation():
    # PE[p + k] = PE[p] rotated, pair by pair, by the angle of PE[k]: the same map for every p
    depth, shift = 8, 5
    code = keras.ops.convert_to_numpy(sinusoidal_positional_encoding(40, depth)).astype(np.float64)
    sin_k, cos_k = code[shift, 0::2], code[shift, 1::2]
    sin_p, cos_p = code[:-shift, 0::2], code[:-shift, 1::2]
    assert np.allclose(code[shift:, 0::2], sin_p * cos_k + cos_p * sin_k, atol=1e-5)
    assert np.allclose(code[shift:, 1::2], cos_p * cos_k - sin_p * sin_k, atol=1e-5)


@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda: sinusoidal_positional_encoding(10, 7), "depth"),
        (lambda: sinusoidal_positional_encoding(0, 8), "length"),
        (lambda: sinusoidal_positional_encoding(10, 8, base=1), "base"),
        (lambda: PositionalEmbedding(10, 5), "units"),
        (lambda: TransformerEncoderBlock(0, 4, 8), "num_heads"),
        (lambda: TransformerEncoderBlock(2, 4, 8, dropout=-0.1), "dropout"),
        (lambda: TransformerDecoderBlock(2, 4, 8, norm_first=1), "norm_first"),
        (lambda: build_transformer_encoder_decoder(10, 10, units=30, num_heads=4), "num_heads"),
        (lambda: build_transformer_encoder_decoder(10, 10, num_layers=0), "num_layers"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(call, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        call()


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_block_ignores_padding(norm_first):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 6, 8)).astype("float32")
    mask = np.array([[True] * 4 + [False] * 2, [True] * 6])
    block = TransformerEncoderBlock(2, 4, 16, norm_first=norm_first)
    output = keras.ops.convert_to_numpy(block(x, mask=mask))
    assert output.shape == x.shape
    changed = x.copy()
    changed[0, 4:] = 100.0  # whatever sits at padded positions
    assert max_abs_difference(block(changed, mask=mask)[0, :4], output[0, :4]) < 1e-5


def test_decoder_block_is_causal():
    rng = np.random.default_rng(1)
    y = rng.standard_normal((2, 5, 8)).astype("float32")
    encoded = rng.standard_normal((2, 7, 8)).astype("float32")
    block = TransformerDecoderBlock(2, 4, 16)
    output, weights = block(y, encoded, return_attention_scores=True)
    assert output.shape == y.shape and weights.shape == (2, 2, 5, 7)
    changed = y.copy()
    changed[:, 3:] = 0.0  # change the future: positions 0..2 must not move
    assert max_abs_difference(block(changed, encoded)[:, :3], keras.ops.convert_to_numpy(output)[:, :3]) < 1e-5
    assert max_abs_difference(block(changed, encoded)[:, 3:], keras.ops.convert_to_numpy(output)[:, 3:]) > 1e-3


@pytest.mark.parametrize(
    "layer",
    [TransformerEncoderBlock(2, 4, 16, dropout=0.1), TransformerDecoderBlock(1, 8, 8,
                                                                            norm_first=True),
     PositionalEmbedding(12, 6)],
)
def test_config_round_trip(layer):
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config


def test_transformer_encoder_decoder(tmp_path):
    keras.utils.set_random_seed(0)
    model = build_transformer_encoder_decoder(13, 11, units=16, num_heads=2, ff_dim=32)
    rng = np.random.default_rng(2)
    source = rng.integers(3, 13, (3, 6)).astype("int32")
    source[1, 3:] = 0
    decoder_input = rng.integers(3, 11, (3, 4)).astype("int32")
    logits = keras.ops.convert_to_numpy(model([source, decoder_input]))
    assert logits.shape == (3, 4, 11)
    # causal: the logits at step t do not depend on decoder inputs after t
    changed = decoder_input.copy()
    changed[:, 2:] = 3
    assert max_abs_difference(model([source, changed])[:, :2], logits[:, :2]) < 1e-5
    # padding: more of it changes nothing
    longer = np.pad(source, ((0, 0), (0, 2)))
    assert max_abs_difference(model([longer, decoder_input]), logits) < 1e-5
    weights = keras.ops.convert_to_numpy(attention_weights_model(model, "decoder_0")([source, decoder_input]))
    assert weights.shape == (3, 2, 4, 6)
    assert np.all(weights[1, :, :, 3:] == 0)
    assert np.allclose(weights.sum(-1), 1, atol=1e-6)
    # the shared decoders accept it
    decoded = greedy_decode(model, source, max_length=5, start_id=1, end_id=2)
    assert len(decoded) == 3 and all(len(ids) <= 5 for ids in decoded)
    path = tmp_path / "transformer.keras"
    model.save(path)
    assert max_abs_difference(keras.saving.load_model(path)([source, decoder_input]), logits) < 1e-6
