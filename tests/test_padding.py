"""Variable-length data: the last-token task, padding without truncation, bucketing, masking."""

import companion
import keras
import numpy as np
import pytest
from companion.datasets import padding


def test_last_token_task_lengths_tokens_and_labels():
    sequences, labels = padding.last_token_task(300, 3, 11, vocab_size=7, n_classes=3, seed=0)
    lengths = np.array([len(s) for s in sequences])
    assert len(sequences) == len(labels) == 300
    assert lengths.min() == 3 and lengths.max() == 11  # both ends of the range occur
    tokens = np.concatenate(sequences)
    assert tokens.min() >= 1 and tokens.max() <= 6  # 0 is reserved for padding
    assert all(label == s[-1] % 3 for s, label in zip(sequences, labels))
    again, _ = padding.last_token_task(300, 3, 11, vocab_size=7, n_classes=3, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(sequences, again))


def test_log_uniform_lengths_have_a_long_tail():
    sequences, _ = padding.last_token_task(2000, 4, 200, seed=0, length_distribution="log-uniform")
    lengths = np.array([len(s) for s in sequences])
    assert lengths.min() >= 4 and lengths.max() <= 200 and lengths.max() > 150
    assert np.median(lengths) < 40 < lengths.mean() < 60  # most short, a few long
    with pytest.raises(ValueError, match="`length_distribution`"):
        padding.last_token_task(5, 1, 3, length_distribution="normal")


@pytest.mark.parametrize("side", ["post", "pre"])
def test_pad_keeps_every_token(side):
    sequences = [np.array([1, 2, 3]), np.array([4])]
    padded = padding.pad(sequences, length=5, padding=side)
    assert padded.shape == (2, 5) and padded.dtype == np.int32
    for row, sequence in zip(padded, sequences):
        real = row[row != padding.PAD]
        assert real.tolist() == sequence.tolist()
        if side == "post":
            assert row[: len(sequence)].tolist() == sequence.tolist()
        else:
            assert row[-len(sequence):].tolist() == sequence.tolist()
    assert padding.pad(sequences).shape == (2, 3)  # default: the longest sequence


@pytest.mark.parametrize(
    "kwargs, argument",
    [({"length": 2}, "length"), ({"padding": "middle"}, "padding"), ({"length": 0}, "length")],
)
def test_pad_rejects_bad_arguments(kwargs, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        padding.pad([np.array([1, 2, 3])], **kwargs)


def test_pad_rejects_empty_input():
    with pytest.raises(ValueError, match="`sequences`"):
        padding.pad([])
    with pytest.raises(ValueError, match="`sequences`"):
        padding.pad([np.array([1]), np.array([], dtype=int)])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bucketing_keeps_every_pair_and_pads_less(seed):
    sequences, labels = padding.last_token_task(203, 1, 60, seed=seed)
    buckets = padding.bucket_by_length(sequences, labels, batch_size=16, seed=seed)
    flat = padding.padded_to_max(sequences, labels, batch_size=16, seed=seed)
    assert sum(len(y) for _, y in buckets) == sum(len(y) for _, y in flat) == 203
    assert max(len(y) for _, y in buckets) == 16

    def pairs(batches):  # (tokens without padding, label), as a multiset
        return sorted((tuple(row[row != padding.PAD]), int(label))
                      for x, y in batches for row, label in zip(x, y))

    expected = sorted((tuple(s), int(label)) for s, label in zip(sequences, labels))
    assert pairs(buckets) == pairs(flat) == expected
    for inputs, _ in buckets:  # each batch is padded to its own longest member
        assert (inputs[:, -1] != padding.PAD).any()
    assert all(x.shape[1] == 60 for x, _ in flat)
    assert padding.padding_fraction(buckets) < 0.2 < padding.padding_fraction(flat)


def test_bucket_order_is_shuffled_but_reproducible():
    sequences, labels = padding.last_token_task(400, 1, 100, seed=0)
    first = padding.bucket_by_length(sequences, labels, 20, seed=5)
    again = padding.bucket_by_length(sequences, labels, 20, seed=5)
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(first, again))
    widths = [x.shape[1] for x, _ in first]
    assert widths != sorted(widths)  # not all short batches first


def test_bucketing_rejects_mismatched_labels_and_bad_batch_size():
    sequences, labels = padding.last_token_task(10, 1, 5, seed=0)
    with pytest.raises(ValueError, match="`labels`"):
        padding.bucket_by_length(sequences, labels[:-1], 4)
    with pytest.raises(ValueError, match="`batch_size`"):
        padding.bucket_by_length(sequences, labels, 0)


def test_padding_fraction_counts_pad_tokens():
    batches = [(np.array([[1, 0, 0], [2, 3, 0]]), np.array([0, 1]))]
    assert padding.padding_fraction(batches) == pytest.approx(3 / 6)


def test_dataset_yields_the_batches_with_free_length():
    sequences, labels = padding.last_token_task(50, 1, 30, seed=0)
    batches = padding.bucket_by_length(sequences, labels, 8, seed=0)
    dataset = padding.as_dataset(batches)
    assert dataset.element_spec[0].shape.as_list() == [None, None]
    assert int(dataset.cardinality()) == len(batches)
    for (x, y), (x_expected, y_expected) in zip(dataset, batches):
        np.testing.assert_array_equal(x.numpy(), x_expected)
        np.testing.assert_array_equal(y.numpy(), y_expected)


@pytest.mark.parametrize("cell_class", [companion.SimpleRNNCell, companion.LSTMCell, companion.GRUCell])
def test_masked_post_padding_gives_the_state_of_the_unpadded_sequence(cell_class):
    """What the chapter relies on: with a mask, padding after the sequence changes nothing."""
    keras.utils.set_random_seed(0)
    sequences, _ = padding.last_token_task(6, 2, 9, seed=3)
    embedding = keras.layers.Embedding(9, 4, mask_zero=True)
    rnn = keras.layers.RNN(cell_class(5))
    padded = padding.pad(sequences, length=12)
    batch_states = keras.ops.convert_to_numpy(rnn(embedding(padded)))
    for row, sequence in enumerate(sequences):
        alone = keras.ops.convert_to_numpy(rnn(embedding(sequence[None, :])))
        np.testing.assert_allclose(batch_states[row], alone[0], atol=1e-6)


def test_masked_model_trains_on_bucketed_batches():
    keras.utils.set_random_seed(0)
    sequences, labels = padding.last_token_task(256, 2, 20, seed=1)
    model = keras.Sequential([
        keras.Input((None,), dtype="int32"),
        keras.layers.Embedding(9, 8, mask_zero=True),
        keras.layers.RNN(companion.GRUCell(8)),
        keras.layers.Dense(4, activation="softmax"),
    ])
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy")
    batches = padding.bucket_by_length(sequences, labels, 32, seed=0)
    history = model.fit(padding.as_dataset(batches), epochs=3, shuffle=False, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 3 and losses[-1] < losses[0]
