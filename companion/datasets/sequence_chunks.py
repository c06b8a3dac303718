r"""Cutting long sequences into consecutive chunks, for truncated BPTT with a stateful layer.

Truncated backpropagation through time trains on a long sequence a piece at a time: the
forward pass carries the state from one piece to the next, the backward pass stops at the
piece's start. With Keras this is a ``stateful=True`` recurrent layer, which keeps the final
state of row ``i`` of one batch as the initial state of row ``i`` of the next; the batches
must therefore be laid out so that row ``i`` of batch ``k + 1`` *continues* row ``i`` of batch
``k``::

    one long sequence  s_0 s_1 ... s_{N-1}
        |  split_into_streams(sequence, n_streams=B)        (drops the last N mod B steps)
        v
    streams (B, L):  row i = s_{iL} ... s_{iL+L-1}          L = N // B
        |  chunk_streams(streams, chunk_length=tau)         (drops the last L mod tau steps)
        v
    chunks (K, B, tau):  chunks[k][i] = streams[i, k*tau : (k+1)*tau]

Feeding ``chunks[0], chunks[1], ...`` in order to a stateful layer, with its state reset at
the start of each pass (:func:`run_stateful_epoch`), computes exactly the forward pass of the
non-stateful layer over the whole streams; only the gradient is cut, every ``tau`` steps.
"""

from __future__ import annotations

import numpy as np

from companion import checks

__all__ = [
    "chunk_streams",
    "reset_stateful_layers",
    "run_stateful_epoch",
    "split_into_streams",
    "truncated_bptt_batches",
]


def split_into_streams(sequence, n_streams):
    """Cut one long sequence ``(N, ...)`` into ``n_streams`` contiguous pieces of equal length.

    Row ``i`` of the result is ``sequence[i * L : (i + 1) * L]`` with ``L = N // n_streams``;
    the last ``N mod n_streams`` steps are dropped. The rows become the parallel streams of a
    stateful batch.

    Returns:
        An array of shape ``(n_streams, L, ...)`` (a copy).

    >>> split_into_streams(np.arange(7), 2).tolist()
    [[0, 1, 2], [3, 4, 5]]
    """
    sequence = np.asarray(sequence)
    n_streams = checks.positive_int("n_streams", n_streams)
    if sequence.ndim < 1:
        raise ValueError(f"Argument `sequence` must have a time axis, got shape {sequence.shape}.")
    length = sequence.shape[0] // n_streams
    if length == 0:
        raise ValueError(f"Argument `sequence` has {sequence.shape[0]} steps, fewer than "
                         f"n_streams={n_streams}: expected at least one step per stream.")
    used = sequence[: n_streams * length]
    return used.reshape((n_streams, length) + sequence.shape[1:]).copy()


def chunk_streams(streams, chunk_length):
    """Cut streams ``(B, L, ...)`` into ``L // chunk_length`` consecutive chunks.

    ``chunks[k]`` has shape ``(B, chunk_length, ...)`` and holds steps
    ``k * chunk_length`` to ``(k + 1) * chunk_length - 1`` of every stream, so row ``i`` of
    chunk ``k + 1`` continues row ``i`` of chunk ``k``. The last ``L mod chunk_length`` steps
    are dropped.

    Returns:
        An array of shape ``(L // chunk_length, B, chunk_length, ...)`` (a copy).

    >>> chunk_streams(np.arange(8).reshape(2, 4), 2)[1].tolist()  # second chunk
    [[2, 3], [6, 7]]
    """
    streams = np.asarray(streams)
    chunk_length = checks.positive_int("chunk_length", chunk_length)
    if streams.ndim < 2:
        raise ValueError(f"Argument `streams` must have shape (batch, time, ...), got {streams.shape}.")
    n_chunks = streams.shape[1] // chunk_length
    if n_chunks == 0:
        raise ValueError(f"Argument `chunk_length`={chunk_length} is longer than the streams "
                         f"({streams.shape[1]} steps): expected at most {streams.shape[1]}.")
    used = streams[:, : n_chunks * chunk_length]
    chunks = used.reshape((streams.shape[0], n_chunks, chunk_length) + streams.shape[2:])
    return np.swapaxes(chunks, 0, 1).copy()


def truncated_bptt_batches(*arrays, chunk_length):
    """Chunk several aligned stream arrays (inputs, targets, sample weights) the same way.

    Args:
        *arrays: arrays of shapes ``(B, L, ...)`` with the same ``B`` and ``L``.
        chunk_length: the truncation length ``tau``, steps per chunk.

    Returns:
        A list of ``L // chunk_length`` tuples, one per chunk in time order, each holding the
        chunk of every array: ``[(x_0, y_0), (x_1, y_1), ...]``.
    """
    if not arrays:
        raise ValueError("Expected at least one array of shape (batch, time, ...), got none.")
    arrays = [np.asarray(a) for a in arrays]
    shapes = [a.shape[:2] for a in arrays]
    if any(a.ndim < 2 for a in arrays) or len(set(shapes)) != 1:
        raise ValueError(f"All arrays must have shape (batch, time, ...) with the same batch and "
                         f"time sizes, got shapes {[a.shape for a in arrays]}.")
    chunked = [chunk_streams(a, chunk_length) for a in arrays]
    return [tuple(c[k] for c in chunked) for k in range(chunked[0].shape[0])]


def reset_stateful_layers(model):
    """Set the state of every stateful recurrent layer of ``model`` to zeros.

    Returns the number of layers reset (0 if the model has no stateful layer).
    """
    count = 0
    for layer in getattr(model, "layers", [model]):
        if getattr(layer, "stateful", False) and hasattr(layer, "reset_state"):
            layer.reset_state()
            count += 1
    return count


def run_stateful_epoch(model, batches, train=True):
    """One pass over consecutive chunks with a stateful model: reset, then the chunks in order.

    Args:
        model: a compiled ``keras.Model`` whose recurrent layer(s) are ``stateful=True``.
        batches: the output of :func:`truncated_bptt_batches`: tuples ``(x, y)`` or
            ``(x, y, sample_weight)``, in time order.
        train: ``True`` to take one optimiser step per chunk (``train_on_batch``),
            ``False`` to evaluate only (``test_on_batch``); the state is carried either way.

    Returns:
        The loss of each chunk, as a float64 array.
    """
    if reset_stateful_layers(model) == 0:
        raise ValueError("Argument `model` has no stateful layer: a chunk's state would not "
                         "carry over to the next chunk. Build the recurrent layer with "
                         "stateful=True.")
    run = model.train_on_batch if train else model.test_on_batch
    losses = []
    for batch in batches:
        result = run(*batch)
        losses.append(float(result[0] if isinstance(result, (list, tuple)) else result))
    return np.array(losses)
