"""Decoding an output sequence from any encoder-decoder: greedy search and beam search.

Both work with any model that maps ``[source_ids (B, S), prefix_ids (B, t)]`` to logits
``(B, t, V)`` (the signature of ``companion.models.seq2seq.build_encoder_decoder`` and of the attention
and Transformer models built on it): at each step they call the whole model on the prefix
generated so far and read the logits of its last position. That recomputes the encoder and the
prefix at every step, which costs O(T^2) decoder steps instead of O(T) but needs nothing from
the model beyond its signature; for outputs of a dozen tokens it is cheap.

The pad and start ids are never generated. A sequence ends at ``end_id`` (not included in the
result) or after ``max_length`` generated tokens.
"""

import numbers
import weakref

import keras
import numpy as np

from companion import checks

_COMPILED_CALLS = weakref.WeakKeyDictionary()


def _compiled_call(model):
    """``model`` as a function of (source_ids, prefix_ids), traced once as a TensorFlow graph.

    Called eagerly, a recurrent model dispatches every op of every time step from Python, about
    ten times slower here than the same call as one graph. One trace with both lengths left
    open serves every prefix length. Other backends, and plain callables, are called as they are.
    """
    if keras.backend.backend() != "tensorflow" or not isinstance(model, keras.Model):
        return lambda source_ids, prefix_ids: model([source_ids, prefix_ids], training=False)
    if model not in _COMPILED_CALLS:
        import tensorflow as tf

        spec = tf.TensorSpec((None, None), tf.int32)
        _COMPILED_CALLS[model] = tf.function(
            lambda source_ids, prefix_ids: model([source_ids, prefix_ids], training=False),
            input_signature=[spec, spec])
    return _COMPILED_CALLS[model]


def _check_ids(start_id, end_id, pad_id):
    for name, value in (("start_id", start_id), ("end_id", end_id), ("pad_id", pad_id)):
        checks.positive_int(name, value, minimum=0)
    if len({start_id, end_id, pad_id}) != 3:
        raise ValueError(
            f"Arguments `start_id`, `end_id` and `pad_id` must be three different ids, got "
            f"{start_id!r}, {end_id!r} and {pad_id!r}.")


def _check_source(source_ids):
    source_ids = np.asarray(source_ids)
    if source_ids.ndim != 2 or source_ids.shape[0] == 0 or source_ids.shape[1] == 0 or not (
            np.issubdtype(source_ids.dtype, np.integer)):
        raise ValueError(
            f"Argument `source_ids` must be a non-empty 2-D integer array (batch, source length), "
            f"got shape {source_ids.shape} and dtype {source_ids.dtype}.")
    return source_ids.astype("int32")


def _next_log_probs(model, source_ids, prefix_ids, forbidden, batch_size):
    """log p(next id | prefix, source) for every row: float64 ``(B, V)``, forbidden ids at -inf."""
    call = _compiled_call(model)
    chunks = []
    for first in range(0, len(source_ids), batch_size or len(source_ids)):
        rows = slice(first, first + (batch_size or len(source_ids)))
        logits = call(source_ids[rows], prefix_ids[rows])
        chunks.append(keras.ops.convert_to_numpy(logits)[:, -1, :].astype(np.float64))
    logits = np.concatenate(chunks)
    logits -= logits.max(axis=1, keepdims=True)
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    log_probs[:, forbidden] = -np.inf
    return log_probs


def _strip(prefix_ids, end_id):
    """Rows ``<start> y_1 ... y_n <end> <pad> ...`` -> lists ``[y_1, ..., y_n]``."""
    sequences = []
    for row in prefix_ids[:, 1:].tolist():
        sequences.append(row[:row.index(end_id)] if end_id in row else row)
    return sequences


def greedy_decode(model, source_ids, max_length, start_id, end_id, pad_id=0, batch_size=None,
                  return_scores=False):
    """The most likely next id at every step, for a batch of sources.

    Args:
        model: callable as ``model([source_ids, prefix_ids], training=False)`` -> logits ``(B, t, V)``.
        source_ids: int array ``(B, S)``, padded with ``pad_id``.
        max_length: the most ids generated per sequence, the end id included.
        start_id, end_id, pad_id: the reserved ids of the target vocabulary.
        batch_size: rows per model call (default: all at once).
        return_scores: also return each sequence's log-probability (end id included).

    Returns:
        A list of ``B`` lists of ids, without the start and end ids; with ``return_scores``,
        also a float array ``(B,)``.
    """
    source_ids = _check_source(source_ids)
    max_length = checks.positive_int("max_length", max_length)
    _check_ids(start_id, end_id, pad_id)
    if batch_size is not None:
        batch_size = checks.positive_int("batch_size", batch_size)
    n = len(source_ids)
    prefix = np.full((n, 1), start_id, dtype="int32")
    finished = np.zeros(n, dtype=bool)
    scores = np.zeros(n)
    for _ in range(max_length):
        log_probs = _next_log_probs(model, source_ids, prefix, [pad_id, start_id], batch_size)
        choice = log_probs.argmax(axis=1)
        scores += np.where(finished, 0.0, log_probs[np.arange(n), choice])
        choice[finished] = pad_id  # a finished sequence only grows padding
        finished |= choice == end_id
        prefix = np.concatenate([prefix, choice[:, None].astype("int32")], axis=1)
        if finished.all():
            break
    sequences = _strip(prefix, end_id)
    return (sequences, scores) if return_scores else sequences


def beam_search_decode(model, source_ids, beam_width, max_length, start_id, end_id,
                       length_penalty=0.0, pad_id=0, batch_size=None, return_scores=False):
    r"""Beam search: keep the ``beam_width`` most likely prefixes per source at every step.

    Prefixes are ranked by their log-probability $\sum_t \log p(y_t \mid y_{<t}, x)$; a beam
    that has produced ``end_id`` stays in the beam with its score frozen, and the search stops
    when every beam has ended (no unfinished prefix can then overtake them, since adding a
    token only lowers a log-probability) or after ``max_length`` ids. The answer is the beam
    with the highest $\text{score} / n^{\alpha}$, with $n$ the number of ids generated (end id
    included) and $\alpha$ = ``length_penalty``: 0 ranks by probability alone, which favours
    short outputs; larger values favour longer ones.

    Arguments as for ``greedy_decode``, plus ``beam_width`` (a positive int; 1 is greedy search)
    and ``length_penalty`` (a float >= 0). With ``return_scores``, the log-probability of each
    returned sequence is returned too (without the length normalisation).
    """
    source_ids = _check_source(source_ids)
    beam_width = checks.positive_int("beam_width", beam_width)
    max_length = checks.positive_int("max_length", max_length)
    _check_ids(start_id, end_id, pad_id)
    if batch_size is not None:
        batch_size = checks.positive_int("batch_size", batch_size)
    if isinstance(length_penalty, bool) or not isinstance(length_penalty, numbers.Real) or not (
            length_penalty >= 0):
        raise ValueError(f"Argument `length_penalty` must be a float >= 0, got {length_penalty!r}.")
    n, k = len(source_ids), beam_width
    sources = np.repeat(source_ids, k, axis=0)  # row b * k + j: beam j of source b
    prefix = np.full((n * k, 1), start_id, dtype="int32")
    scores = np.full((n, k), -np.inf)
    scores[:, 0] = 0.0  # one live beam at first, so the k beams do not start as k copies
    finished = np.zeros((n, k), dtype=bool)
    lengths = np.zeros((n, k))
    for _ in range(max_length):
        log_probs = _next_log_probs(model, sources, prefix, [pad_id, start_id], batch_size)
        vocab = log_probs.shape[1]
        log_probs = log_probs.reshape(n, k, vocab)
        log_probs[finished] = -np.inf
        log_probs[finished, pad_id] = 0.0  # a finished beam's one continuation: itself
        candidates = (scores[:, :, None] + log_probs).reshape(n, k * vocab)
        best = np.argsort(-candidates, axis=1, kind="stable")[:, :k]
        parent, token = best // vocab, best % vocab
        scores = np.take_along_axis(candidates, best, axis=1)
        parent_finished = np.take_along_axis(finished, parent, axis=1)
        lengths = np.take_along_axis(lengths, parent, axis=1) + ~parent_finished
        finished = parent_finished | (token == end_id)
        rows = (np.arange(n)[:, None] * k + parent).ravel()
        prefix = np.concatenate([prefix[rows], token.reshape(-1, 1).astype("int32")], axis=1)
        if finished[np.isfinite(scores)].all():
            break
    with np.errstate(invalid="ignore"):
        ranking = np.where(np.isfinite(scores), scores / np.maximum(lengths, 1) ** length_penalty,
                           -np.inf)
    chosen = ranking.argmax(axis=1)
    sequences = _strip(prefix[np.arange(n) * k + chosen], end_id)
    chosen_scores = scores[np.arange(n), chosen]
    return (sequences, chosen_scores) if return_scores else sequences


def exact_match_accuracy(predicted, targets):
    """The fraction of predictions equal to their target (strings, or sequences of ids)."""
    predicted, targets = list(predicted), list(targets)
    if not targets or len(predicted) != len(targets):
        raise ValueError(
            f"Arguments `predicted` and `targets` must be non-empty and of the same length, got "
            f"lengths {len(predicted)} and {len(targets)}.")

    def normal(item):
        return item if isinstance(item, str) else tuple(np.asarray(item).ravel().tolist())

    return float(np.mean([normal(p) == normal(t) for p, t in zip(predicted, targets)]))
