"""Chunks for truncated BPTT: row i of batch k+1 continues row i of batch k, and a stateful
layer fed the chunks computes the same forward pass as the layer over the whole streams."""

import companion
import keras
import numpy as np
import pytest
from companion.datasets import sequence_chunks


def test_streams_are_contiguous_pieces_and_the_remainder_is_dropped():
    sequence = np.arange(23 * 2).reshape(23, 2)  # 23 steps, 2 features
    streams = sequence_chunks.split_into_streams(sequence, n_streams=4)
    assert streams.shape == (4, 5, 2)  # 23 // 4 = 5 steps per stream, 3 steps dropped
    for i in range(4):
        np.testing.assert_array_equal(streams[i], sequence[5 * i: 5 * (i + 1)])
    streams[0, 0, 0] = -1  # a copy, not a view
    assert sequence[0, 0] == 0


@pytest.mark.parametrize("n_streams, chunk_length", [(1, 1), (3, 4), (5, 7), (2, 10)])
def test_each_row_continues_the_same_row_of_the_previous_chunk(n_streams, chunk_length):
    sequence = np.arange(211)
    streams = sequence_chunks.split_into_streams(sequence, n_streams)
    chunks = sequence_chunks.chunk_streams(streams, chunk_length)
    length = 211 // n_streams
    assert chunks.shape == (length // chunk_length, n_streams, chunk_length)
    # Reading every row of every chunk in order gives back each stream, minus its remainder.
    for i in range(n_streams):
        row_over_time = np.concatenate([chunk[i] for chunk in chunks])
        np.testing.assert_array_equal(row_over_time, streams[i, : len(row_over_time)])
    for k in range(1, len(chunks)):
        np.testing.assert_array_equal(chunks[k][:, 0], chunks[k - 1][:, -1] + 1)


def test_batches_chunk_several_arrays_alike():
    rng = np.random.default_rng(0)
    x, y, w = rng.normal(size=(3, 20, 2)), rng.normal(size=(3, 20, 1)), rng.normal(size=(3, 20))
    batches = sequence_chunks.truncated_bptt_batches(x, y, w, chunk_length=6)
    assert len(batches) == 3 and all(len(batch) == 3 for batch in batches)
    for k, (xk, yk, wk) in enumerate(batches):
        np.testing.assert_array_equal(xk, x[:, 6 * k: 6 * k + 6])
        np.testing.assert_array_equal(yk, y[:, 6 * k: 6 * k + 6])
        np.testing.assert_array_equal(wk, w[:, 6 * k: 6 * k + 6])


@pytest.mark.parametrize("cell_class", [companion.SimpleRNNCell, companion.GRUCell, companion.LSTMCell])
@pytest.mark.parametrize("seed", [0, 1])
def test_stateful_chunks_reproduce_the_whole_forward_pass(cell_class, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, 24, 2)).astype("float32")
    keras.utils.set_random_seed(seed)
    whole = keras.layers.RNN(cell_class(5), return_sequences=True)
    expected = np.asarray(whole(x))

    inputs = keras.Input(batch_shape=(3, 8, 2))
    stateful = keras.Model(inputs, keras.layers.RNN(cell_class(5), return_sequences=True,
                                                    stateful=True)(inputs))
    stateful.layers[1].set_weights(whole.get_weights())
    for _ in range(2):  # a second pass must start from a reset state, not from the first's end
        sequence_chunks.reset_stateful_layers(stateful)
        got = np.concatenate([np.asarray(stateful(chunk))
                              for chunk in sequence_chunks.chunk_streams(x, 8)], axis=1)
        np.testing.assert_allclose(got, expected, atol=1e-5)

    # Without the carried state the chunks would not match: the test can fail.
    restarted = []
    for chunk in sequence_chunks.chunk_streams(x, 8):
        sequence_chunks.reset_stateful_layers(stateful)
        restarted.append(np.asarray(stateful(chunk)))
    assert np.abs(np.concatenate(restarted, axis=1) - expected).max() > 1e-3


def test_run_stateful_epoch_resets_first_and_returns_one_loss_per_chunk():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(batch_shape=(2, 5, 1))
    outputs = keras.layers.Dense(1)(keras.layers.RNN(companion.GRUCell(4), return_sequences=True,
                                                     stateful=True)(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.SGD(0.0), "mse")  # no learning: only the state changes
    x = np.random.default_rng(0).standard_normal((2, 20, 1)).astype("float32")
    batches = sequence_chunks.truncated_bptt_batches(x, np.zeros_like(x), chunk_length=5)
    first = sequence_chunks.run_stateful_epoch(model, batches)
    second = sequence_chunks.run_stateful_epoch(model, batches, train=False)
    assert first.shape == (4,) and np.all(np.isfinite(first))
    np.testing.assert_allclose(second, first, rtol=1e-5)  # same start state on both passes
    assert len(set(np.round(first, 6))) > 1


def test_a_model_without_a_stateful_layer_is_rejected():
    model = keras.Sequential([keras.Input((5, 1)), keras.layers.RNN(companion.GRUCell(2))])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="stateful"):
        sequence_chunks.run_stateful_epoch(model, [(np.zeros((1, 5, 1)), np.zeros((1, 2)))])


@pytest.mark.parametrize("call, match", [
    (lambda: sequence_chunks.split_into_streams(np.arange(5), 0), "n_streams"),
    (lambda: sequence_chunks.split_into_streams(np.arange(5), 2.0), "n_streams"),
    (lambda: sequence_chunks.split_into_streams(np.arange(3), 4), "sequence"),
    (lambda: sequence_chunks.split_into_streams(np.float32(1.0), 1), "sequence"),
    (lambda: sequence_chunks.chunk_streams(np.zeros((2, 5)), 6), "chunk_length"),
    (lambda: sequence_chunks.chunk_streams(np.zeros((2, 5)), -1), "chunk_length"),
    (lambda: sequence_chunks.chunk_streams(np.zeros(5), 1), "streams"),
    (lambda: sequence_chunks.truncated_bptt_batches(np.zeros((2, 6)), np.zeros((3, 6)),
                                                    chunk_length=2), "same batch"),
    (lambda: sequence_chunks.truncated_bptt_batches(chunk_length=2), "at least one"),
])
def test_bad_arguments_raise_value_errors_that_name_them(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_docstring_examples():
    import doctest

    failed, attempted = doctest.testmod(sequence_chunks)[:2]
    assert attempted >= 2 and failed == 0
