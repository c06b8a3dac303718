"""Streaming a causal frame labeller: one frame at a time equals the whole sequence; the state
must be reset between streams; online greedy CTC equals best-path decoding."""

import keras
import numpy as np
import pytest
from companion.models import streaming
from companion.reference import ctc


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    return streaming.frame_labeller(5, 4, units=6)


def test_frame_by_frame_equals_the_whole_sequence(model):
    frames = np.random.default_rng(0).standard_normal((12, 5)).astype("float32")
    whole = keras.ops.convert_to_numpy(model(frames[None]))[0]
    live = streaming.streaming_copy(model)
    np.testing.assert_allclose(streaming.stream(live, frames), whole, rtol=1e-5, atol=1e-5)
    # a causal model: the first 7 outputs do not depend on the frames after them
    first = keras.ops.convert_to_numpy(model(frames[None, :7]))[0]
    np.testing.assert_allclose(first, whole[:7], rtol=1e-5, atol=1e-6)


def test_state_carries_over_unless_reset(model):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 8, 5)).astype("float32")
    live = streaming.streaming_copy(model)
    streaming.stream(live, a)
    carried = streaming.stream(live, b, reset=False)
    fresh = streaming.stream(live, b)
    expected = keras.ops.convert_to_numpy(model(b[None]))[0]
    np.testing.assert_allclose(fresh, expected, rtol=1e-5, atol=1e-5)
    assert np.abs(carried - expected).max() > 1e-3


def test_online_greedy_ctc_is_best_path_decoding():
    rng = np.random.default_rng(2)
    for _ in range(20):
        logits = 3 * rng.standard_normal((15, 4))
        decoder = streaming.OnlineGreedyCTC()
        for frame in logits:
            decoder.push(frame)
        assert decoder.labels == ctc.best_path_decode(ctc.log_softmax(logits))


def test_stateful_needs_a_batch_size():
    with pytest.raises(ValueError, match="batch_size"):
        streaming.frame_labeller(5, 4, stateful=True)
