"""Generated melodies from a second-order Markov rule, and the baselines a note model must beat.

Notes are the eight degrees of a major scale, 0 (C) to 7 (the C an octave up). The next note
depends on the last two, through a rule with a little musical sense: after a step, a melody tends
to keep moving the same way; after a leap, it tends to step back ("gap fill"); sometimes it
repeats a note or jumps anywhere. Because the source is a known order-2 Markov chain, the best
possible next-note accuracy on its melodies can be computed: predict the most probable next note
under the true probabilities. No model can beat that ceiling on average.
"""


import numpy as np

from companion import checks
from companion.reference.functions import softmax

N_NOTES = 8
NOTE_NAMES = ("C", "D", "E", "F", "G", "A", "B", "C'")


def transition_probabilities():
    """``P[a, b, c]``: the probability of note c after the notes a, b (the rule above).

    After a step or a repeat (|b - a| <= 2): 0.55 one step on in the same direction (split
    between up and down after a repeat), 0.2 one step back, 0.1 repeat b, 0.15 spread over all
    notes. After a leap (|b - a| >= 3): 0.6 one step back towards a, 0.1 repeat, 0.3 spread.
    A step that would leave the scale goes the other way.
    """
    P = np.zeros((N_NOTES, N_NOTES, N_NOTES))

    for a in range(N_NOTES):
        for b in range(N_NOTES):
            row = P[a, b]
            direction = np.sign(b - a)
            if abs(b - a) >= 3:
                row[_reflect(b - direction, b)] += 0.6
                row[b] += 0.1
                row += 0.3 / N_NOTES
                continue
            for sign, share in ([(direction, 1.0)] if direction else [(1, 0.5), (-1, 0.5)]):
                row[_reflect(b + sign, b)] += 0.55 * share
                row[_reflect(b - sign, b)] += 0.2 * share
            row[b] += 0.1
            row += 0.15 / N_NOTES
    return P


def _reflect(note, origin):
    """A step that leaves the scale goes the other way from ``origin``."""
    if 0 <= note < N_NOTES:
        return note
    return 2 * origin - note


def _draw(probabilities, rng):
    """One note per row of ``probabilities`` ``(n, N_NOTES)``, by inverting the cumulative sum."""
    cumulative = probabilities.cumsum(axis=1)
    return np.minimum((cumulative < rng.random((len(probabilities), 1))).sum(axis=1), N_NOTES - 1)


def generate_melodies(n_melodies, length, seed=None):
    """``n_melodies`` melodies of ``length`` notes, int32 ``(n_melodies, length)``: two random
    first notes, then each note drawn from ``transition_probabilities``."""
    n_melodies = checks.positive_int("n_melodies", n_melodies)
    length = checks.positive_int("length", length, minimum=3)
    rng = np.random.default_rng(seed)
    P = transition_probabilities()
    melodies = np.zeros((n_melodies, length), dtype="int32")
    melodies[:, :2] = rng.integers(0, N_NOTES, (n_melodies, 2))
    for t in range(2, length):
        melodies[:, t] = _draw(P[melodies[:, t - 2], melodies[:, t - 1]], rng)
    return melodies


def ngram_probabilities(melodies, order, smoothing=0.1):
    """Next-note probabilities estimated by counting: ``P[context] -> (N_NOTES,)`` as an array
    of shape ``(N_NOTES,) * order + (N_NOTES,)`` (order 0: the note frequencies)."""
    order = checks.positive_int("order", order, minimum=0)
    melodies = np.asarray(melodies)
    counts = np.full((N_NOTES,) * order + (N_NOTES,), float(smoothing))
    for t in range(order, melodies.shape[1]):
        np.add.at(counts, tuple(melodies[:, t - order + k] for k in range(order + 1)), 1.0)
    return counts / counts.sum(axis=-1, keepdims=True)


def next_note_scores(probabilities, melodies, order, start=2):
    """``(accuracy, bits per note)`` of an order-``order`` table of probabilities (from
    ``ngram_probabilities`` or ``transition_probabilities``) predicting notes ``start`` onwards:
    accuracy of the most probable note and mean -log2 of the true note's probability."""
    order = checks.positive_int("order", order, minimum=0)
    melodies = np.asarray(melodies)
    if start < order:
        raise ValueError(f"Argument `start` must be >= order={order}, got {start!r}.")
    correct, bits, count = 0, 0.0, 0
    for t in range(start, melodies.shape[1]):
        rows = probabilities[tuple(melodies[:, t - order + k] for k in range(order))]
        rows = np.broadcast_to(rows, (len(melodies), N_NOTES))  # order 0: one row for all
        correct += int(np.sum(rows.argmax(axis=-1) == melodies[:, t]))
        bits += float(-np.log2(rows[np.arange(len(melodies)), melodies[:, t]]).sum())
        count += len(melodies)
    return correct / count, bits / count


def step_statistics(melodies):
    """Fractions of steps (|interval| = 1), repeats and leaps (>= 3) between consecutive notes."""
    intervals = np.abs(np.diff(np.asarray(melodies), axis=1))
    return {"step": float(np.mean(intervals == 1)), "repeat": float(np.mean(intervals == 0)),
            "leap": float(np.mean(intervals >= 3))}


def _lstm_parts(weights):
    if len(weights) != 6:
        raise ValueError(
            "Argument `weights` must be the 6 arrays of Embedding -> LSTM -> Dense "
            f"(embedding, kernel, recurrent_kernel, bias, dense kernel, dense bias), got {len(weights)}."
        )
    return [np.asarray(w, dtype=float) for w in weights]



def lstm_note_probabilities(weights, melodies):
    """Next-note probabilities ``(n, length, N_NOTES)`` of an Embedding -> LSTM -> softmax
    model, computed in NumPy (``companion.reference.lstm_forward``) from its Keras weights."""
    from companion.reference import lstm_forward

    embedding, kernel, recurrent_kernel, bias, dense_kernel, dense_bias = _lstm_parts(weights)
    states, _ = lstm_forward(embedding[np.asarray(melodies)], kernel, recurrent_kernel, bias)
    return softmax(states @ dense_kernel + dense_bias)


def sample_melodies(weights, n_melodies, length, seed=None, temperature=1.0):
    """Melodies drawn note by note from the model of ``lstm_note_probabilities``, starting
    from two random notes; the LSTM state is carried from step to step."""
    from companion.reference import lstm_forward

    n_melodies = checks.positive_int("n_melodies", n_melodies)
    length = checks.positive_int("length", length, minimum=3)
    if not temperature > 0:
        raise ValueError(f"Argument `temperature` must be > 0, got {temperature!r}.")
    embedding, kernel, recurrent_kernel, bias, dense_kernel, dense_bias = _lstm_parts(weights)
    rng = np.random.default_rng(seed)
    melodies = np.zeros((n_melodies, length), dtype="int32")
    melodies[:, :2] = rng.integers(0, N_NOTES, (n_melodies, 2))
    states, cache = lstm_forward(embedding[melodies[:, :2]], kernel, recurrent_kernel, bias)
    for t in range(2, length):
        logits = states[:, -1] @ dense_kernel + dense_bias
        melodies[:, t] = _draw(softmax(logits / temperature), rng)
        states, cache = lstm_forward(embedding[melodies[:, t:t + 1]], kernel, recurrent_kernel, bias,
                                     h0=states[:, -1], c0=cache.cells[:, -1])
    return melodies
