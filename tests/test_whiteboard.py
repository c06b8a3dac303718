"""The interview chapter's whiteboard solutions are right, its broken cells are caught."""

import difflib

import keras
import numpy as np
import pytest
from companion.reference import gru_forward, lstm_forward, whiteboard


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lstm_step_runs_a_sequence_like_the_reference(seed):
    kernel, recurrent_kernel, bias = whiteboard.random_weights("lstm", 3, 4, seed)
    x = np.random.default_rng(seed).standard_normal((2, 12, 3))
    expected, cache = lstm_forward(x, kernel, recurrent_kernel, bias)
    h = c = np.zeros((2, 4))
    for t in range(x.shape[1]):
        h, c = whiteboard.lstm_step(x[:, t], h, c, kernel, recurrent_kernel, bias)
        np.testing.assert_allclose(h, expected[:, t], rtol=0, atol=1e-12)
        np.testing.assert_allclose(c, cache.cells[:, t], rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gru_step_runs_a_sequence_like_the_reference(seed):
    kernel, recurrent_kernel, bias = whiteboard.random_weights("gru", 3, 4, seed)
    x = np.random.default_rng(seed).standard_normal((2, 12, 3))
    expected, _ = gru_forward(x, kernel, recurrent_kernel, bias, reset_after=True)
    h = np.zeros((2, 4))
    for t in range(x.shape[1]):
        h = whiteboard.gru_step(x[:, t], h, kernel, recurrent_kernel, bias)
        np.testing.assert_allclose(h, expected[:, t], rtol=0, atol=1e-12)


def test_lstm_step_matches_keras_layer():
    layer = keras.layers.LSTM(5, return_sequences=True)
    x = np.random.default_rng(3).standard_normal((2, 7, 3)).astype("float32")
    layer.build(x.shape)
    layer.set_weights([w.astype("float32") for w in whiteboard.random_weights("lstm", 3, 5, 3)])
    kernel, recurrent_kernel, bias = layer.get_weights()
    h = c = np.zeros((2, 5))
    for t in range(x.shape[1]):
        h, c = whiteboard.lstm_step(x[:, t], h, c, kernel, recurrent_kernel, bias)
    np.testing.assert_allclose(h, np.asarray(layer(x))[:, -1], rtol=0, atol=1e-5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_correct_steps_pass_both_checks(seed):
    for errors in (whiteboard.gru_step_errors(whiteboard.gru_step, seed=seed),
                   whiteboard.lstm_step_errors(whiteboard.lstm_step, seed=seed)):
        assert max(errors.values()) < 1e-12, errors


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_broken_steps_fail_both_checks(seed):
    gru = whiteboard.gru_step_errors(whiteboard.gru_step_with_bug, seed=seed)
    lstm = whiteboard.lstm_step_errors(whiteboard.lstm_step_with_bug, seed=seed)
    assert min(gru.values()) > 0.05, gru
    assert min(lstm.values()) > 0.05, lstm


@pytest.mark.parametrize("broken, fixed", [
    (whiteboard.gru_step_with_bug, whiteboard.gru_step),
    (whiteboard.lstm_step_with_bug, whiteboard.lstm_step),
])
def test_each_broken_step_differs_from_its_fix_in_one_line(broken, fixed):
    a, b = whiteboard.code_lines(broken), whiteboard.code_lines(fixed)
    changed = [line for line in difflib.ndiff(a, b) if line[:1] in "+-"]
    assert len(a) == len(b) and len(changed) == 2, changed


def test_code_lines_drops_the_docstring_and_keeps_statements():
    lines = whiteboard.code_lines(whiteboard.sigmoid)
    assert lines == ["return 1.0 / (1.0 + np.exp(-a))"]


def test_bad_shapes_and_arguments_raise_value_errors():
    kernel, recurrent_kernel, bias = whiteboard.random_weights("lstm", 3, 4)
    h = np.zeros((2, 4))
    with pytest.raises(ValueError, match="kernel"):
        whiteboard.lstm_step(np.zeros((2, 5)), h, h, kernel, recurrent_kernel, bias)
    with pytest.raises(ValueError, match="recurrent_kernel"):
        whiteboard.gru_step(np.zeros((2, 3)), h, kernel[:, :12], recurrent_kernel, bias)
    with pytest.raises(ValueError, match="x_t"):
        whiteboard.lstm_step(np.zeros(3), h, h, kernel, recurrent_kernel, bias)
    with pytest.raises(ValueError, match="cell"):
        whiteboard.random_weights("rnn", 3, 4)
    with pytest.raises(ValueError, match="function"):
        whiteboard.code_lines(42)
