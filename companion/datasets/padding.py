"""Variable-length sequences: a task that needs the last real token, padding, and bucketing.

A batch is one rectangular tensor, so sequences of different lengths are padded to a common
length with a value (0 here) that the model is told to ignore through a mask. This module
makes such data, pads it (``keras.utils.pad_sequences``, with its arguments checked), and
groups sequences of similar length into the same batch (``bucket_by_length``), so that a
batch is padded only to its own longest sequence instead of the longest of the data set.
"""


import keras
import numpy as np

from companion import checks

#: The token reserved for padding; real tokens are 1, 2, ...
PAD = 0


LENGTH_DISTRIBUTIONS = ("uniform", "log-uniform")


def last_token_task(
    n_sequences,
    min_length,
    max_length,
    vocab_size=9,
    n_classes=4,
    seed=None,
    length_distribution="uniform",
):
    """Token sequences of random lengths whose label is fixed by their last real token.

    Each sequence has a length between ``min_length`` and ``max_length``, drawn uniformly
    (``length_distribution="uniform"``) or with a uniform logarithm (``"log-uniform"``: many
    short sequences and a long tail, as for sentences or sessions), and tokens drawn
    uniformly from ``1..vocab_size - 1`` (0 is ``PAD``). Its label is
    ``last_token % n_classes``. A model that reads the sequence to its real end solves the
    task exactly; one that reads padding after the end must carry the answer across it.

    Returns:
        ``(sequences, labels)``: a list of int32 arrays and an int32 array of shape
        ``(n_sequences,)``.
    """
    n_sequences = checks.positive_int("n_sequences", n_sequences)
    min_length = checks.positive_int("min_length", min_length)
    max_length = checks.positive_int("max_length", max_length)
    if max_length < min_length:
        raise ValueError(
            f"Argument `max_length` must be >= min_length={min_length}, got {max_length!r}."
        )
    vocab_size = checks.positive_int("vocab_size", vocab_size, minimum=2)
    n_classes = checks.positive_int("n_classes", n_classes, minimum=2)
    if length_distribution not in LENGTH_DISTRIBUTIONS:
        raise ValueError(
            f"Argument `length_distribution` must be one of {LENGTH_DISTRIBUTIONS}, got "
            f"{length_distribution!r}."
        )
    rng = np.random.default_rng(seed)
    if length_distribution == "uniform":
        lengths = rng.integers(min_length, max_length + 1, size=n_sequences)
    else:
        logs = rng.uniform(np.log(min_length), np.log(max_length + 1), size=n_sequences)
        lengths = np.clip(np.floor(np.exp(logs)).astype(int), min_length, max_length)
    sequences = [rng.integers(1, vocab_size, size=length).astype("int32") for length in lengths]
    labels = np.array([sequence[-1] % n_classes for sequence in sequences], dtype="int32")
    return sequences, labels


def _check_sequences(sequences):
    if isinstance(sequences, np.ndarray) and sequences.ndim == 2:
        sequences = list(sequences)
    if not isinstance(sequences, (list, tuple)) or not sequences:
        raise ValueError(
            f"Argument `sequences` must be a non-empty list of 1-D arrays, got "
            f"{type(sequences).__name__}."
        )
    lengths = np.array([len(sequence) for sequence in sequences])
    if lengths.min() < 1:
        raise ValueError("Argument `sequences` holds an empty sequence; every length must be >= 1.")
    return sequences, lengths


def pad(sequences, length=None, padding="post", value=PAD, dtype="int32"):
    """``keras.utils.pad_sequences`` with its arguments checked and no silent truncation.

    Args:
        sequences: list of 1-D arrays.
        length: the padded length; default the longest sequence. A shorter ``length``
            than some sequence raises instead of truncating it (Keras would cut it).
        padding: ``"post"`` (pad after the sequence, what cuDNN needs for masks) or
            ``"pre"`` (Keras' default).
        value: the padding value (``PAD``).

    Returns:
        An array ``(len(sequences), length)``.
    """
    sequences, lengths = _check_sequences(sequences)
    if padding not in ("pre", "post"):
        raise ValueError(f"Argument `padding` must be 'pre' or 'post', got {padding!r}.")
    longest = int(lengths.max())
    length = longest if length is None else checks.positive_int("length", length)
    if length < longest:
        raise ValueError(
            f"Argument `length` must be >= the longest sequence ({longest}) so that nothing "
            f"is cut off, got {length}."
        )
    return keras.utils.pad_sequences(
        sequences, maxlen=length, dtype=dtype, padding=padding, value=value
    )


def bucket_by_length(sequences, labels, batch_size, padding="post", seed=None):
    """Batches of sequences of similar length, each padded only to its own longest one.

    The sequences are sorted by length (ties in a random order drawn from ``seed``), cut
    into consecutive batches of ``batch_size`` (the last may be smaller), and each batch is
    padded to its longest member; the order of the batches is then shuffled with ``seed``,
    so training does not see all short sequences first.

    Returns:
        A list of ``(inputs, labels)`` pairs, ``inputs`` of shape ``(batch, its_length)``.
    """
    sequences, lengths = _check_sequences(sequences)
    labels = np.asarray(labels)
    if len(labels) != len(sequences):
        raise ValueError(
            f"Argument `labels` must have one label per sequence ({len(sequences)}), "
            f"got {len(labels)}."
        )
    batch_size = checks.positive_int("batch_size", batch_size)
    rng = np.random.default_rng(seed)
    tie_break = rng.permutation(len(sequences))
    order = tie_break[np.argsort(lengths[tie_break], kind="stable")]
    batches = []
    for start in range(0, len(order), batch_size):
        chosen = order[start : start + batch_size]
        inputs = pad([sequences[i] for i in chosen], padding=padding)
        batches.append((inputs, labels[chosen]))
    return [batches[i] for i in rng.permutation(len(batches))]


def padded_to_max(sequences, labels, batch_size, padding="post", seed=None):
    """The usual alternative: every batch padded to the longest sequence of the data set.

    Same return type as ``bucket_by_length``, with the sequences in a random order.
    """
    sequences, lengths = _check_sequences(sequences)
    labels = np.asarray(labels)
    if len(labels) != len(sequences):
        raise ValueError(
            f"Argument `labels` must have one label per sequence ({len(sequences)}), "
            f"got {len(labels)}."
        )
    batch_size = checks.positive_int("batch_size", batch_size)
    order = np.random.default_rng(seed).permutation(len(sequences))
    inputs = pad([sequences[i] for i in order], length=int(lengths.max()), padding=padding)
    return [
        (inputs[start : start + batch_size], labels[order[start : start + batch_size]])
        for start in range(0, len(order), batch_size)
    ]


def padding_fraction(batches, pad_value=PAD):
    """Fraction of the time steps of ``batches`` that are padding: the wasted work."""
    total = sum(inputs.size for inputs, _ in batches)
    padded = sum(int(np.sum(inputs == pad_value)) for inputs, _ in batches)
    return padded / total


def as_dataset(batches):
    """A ``tf.data.Dataset`` that yields ``batches`` in order, with the time length left free.

    The unknown time dimension makes Keras trace its training step once for all batch
    lengths instead of once per length; the declared cardinality tells ``fit`` how many
    batches an epoch has.
    """
    import tensorflow as tf

    if not batches:
        raise ValueError("Argument `batches` must hold at least one (inputs, labels) pair.")
    signature = (
        tf.TensorSpec((None, None), tf.as_dtype(batches[0][0].dtype)),
        tf.TensorSpec((None,), tf.as_dtype(batches[0][1].dtype)),
    )
    dataset = tf.data.Dataset.from_generator(lambda: iter(batches), output_signature=signature)
    return dataset.apply(tf.data.experimental.assert_cardinality(len(batches)))
