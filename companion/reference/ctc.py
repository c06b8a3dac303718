r"""Connectionist temporal classification (Graves et al., 2006) in NumPy: the loss and decoding.

A CTC model emits, at every one of $T$ frames, a distribution over the $C$ labels and one extra
symbol, the *blank* (id ``blank``, 0 by default, as in ``keras.ops.ctc_loss``). A *path*
$\pi = (\pi_1 \dots \pi_T)$ picks one symbol per frame; the map $\mathcal{B}$ merges
repeated symbols and then drops the blanks (``collapse``: ``a a - b b - b`` gives ``a b b``).
The probability of a label sequence $l$ is the total over the paths that collapse to it,

$$p(l \mid x) = \sum_{\pi \in \mathcal{B}^{-1}(l)} \prod_{t=1}^{T} y_t(\pi_t),$$

a sum over exponentially many paths that the forward algorithm computes in $O(T \cdot |l|)$.
It runs over the *extended* label sequence $l'$, the labels with a blank before, between and
after them (length $S = 2|l| + 1$), and $\alpha_t(s)$ is the total probability of the
prefixes $\pi_1 \dots \pi_t$ that end at position $s$ of $l'$:

$$\alpha_1(1) = y_1(\text{blank}), \quad \alpha_1(2) = y_1(l_1), \qquad
\alpha_t(s) = y_t(l'_s) \, \big(\alpha_{t-1}(s) + \alpha_{t-1}(s-1)
+ [\,l'_s \ne \text{blank} \wedge l'_s \ne l'_{s-2}\,]\, \alpha_{t-1}(s-2)\big),$$

and $p(l \mid x) = \alpha_T(S) + \alpha_T(S-1)$: a path ends on the last label or on the
blank after it. The skip from $s-2$ is what lets a path go from one label straight to the
next; it is not allowed onto a blank, nor between two equal labels, which must be separated
by a blank (so ``a a`` needs at least three frames). Everything here is computed in log
space, with ``logaddexp`` in place of ``+``, since a product of $T$ probabilities underflows
float64 within a few hundred frames.
"""

import itertools

import numpy as np

from companion import checks

NEG_INF = -np.inf


def log_softmax(logits):
    """Log-probabilities over the last axis, in float64 (the maximum subtracted first)."""
    logits = np.asarray(logits, dtype=np.float64)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _check_frames(log_probs, blank):
    log_probs = np.asarray(log_probs, dtype=np.float64)
    if log_probs.ndim != 2 or log_probs.shape[0] < 1 or log_probs.shape[1] < 2:
        raise ValueError(f"Argument `log_probs` must be (frames, symbols) with at least one "
                         f"frame and two symbols, got shape {log_probs.shape}.")
    blank = checks.positive_int("blank", blank, minimum=0)
    if blank >= log_probs.shape[1]:
        raise ValueError(f"Argument `blank` must be a symbol id below {log_probs.shape[1]}, "
                         f"got {blank}.")
    return log_probs, blank


def _check_labels(labels, n_symbols, blank):
    labels = [int(label) for label in np.asarray(labels, dtype=np.int64).ravel()]
    bad = [label for label in labels if not 0 <= label < n_symbols or label == blank]
    if bad:
        raise ValueError(f"Argument `labels` must hold symbol ids in [0, {n_symbols}) other "
                         f"than the blank {blank}, got {bad}.")
    return labels


def extended_labels(labels, blank=0):
    """$l'$: ``labels`` with the blank before, between and after them (length $2|l| + 1$)."""
    extended = [blank]
    for label in labels:
        extended += [int(label), blank]
    return np.array(extended, dtype=np.int64)


def ctc_forward(log_probs, labels, blank=0):
    r"""The log forward variables $\log \alpha_t(s)$, an array ``(frames, 2 * len(labels) + 1)``.

    Args:
        log_probs: ``(frames, symbols)`` log-probabilities of each frame (``log_softmax`` of
            the model's logits).
        labels: the label sequence, ids other than ``blank`` (may be empty).
        blank: the blank's id.
    """
    log_probs, blank = _check_frames(log_probs, blank)
    labels = _check_labels(labels, log_probs.shape[1], blank)
    extended = extended_labels(labels, blank)
    frames, positions = log_probs.shape[0], len(extended)
    # the skip s-2 -> s is allowed onto a label that differs from the label two back
    skip = np.zeros(positions, dtype=bool)
    skip[2:] = (extended[2:] != blank) & (extended[2:] != extended[:-2])
    alpha = np.full((frames, positions), NEG_INF)
    alpha[0, 0] = log_probs[0, blank]
    if positions > 1:
        alpha[0, 1] = log_probs[0, extended[1]]
    for t in range(1, frames):
        previous = alpha[t - 1]
        total = previous.copy()                                   # stay at s
        total[1:] = np.logaddexp(total[1:], previous[:-1])        # come from s - 1
        total[2:] = np.where(skip[2:], np.logaddexp(total[2:], previous[:-2]), total[2:])
        alpha[t] = total + log_probs[t, extended]
    return alpha


def ctc_loss(log_probs, labels, blank=0):
    r"""$-\log p(l \mid x)$ of one sequence: ``inf`` when no path of ``frames`` frames
    collapses to ``labels`` (too few frames)."""
    alpha = ctc_forward(log_probs, labels, blank)
    last = alpha[-1, -2:] if alpha.shape[1] > 1 else alpha[-1, -1:]
    return float(-np.logaddexp.reduce(last))


def ctc_loss_batch(logits, labels, logit_lengths, label_lengths, blank=0):
    """``ctc_loss`` of every sequence of a padded batch, as ``keras.ops.ctc_loss`` takes it.

    Args:
        logits: ``(batch, max_frames, symbols)`` unnormalised scores.
        labels: ``(batch, max_labels)`` padded label ids.
        logit_lengths, label_lengths: ``(batch,)`` the real lengths.
        blank: the blank's id.

    Returns:
        float64 ``(batch,)``, the negative log-likelihoods.
    """
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels)
    if logits.ndim != 3 or labels.ndim != 2 or len(logits) != len(labels):
        raise ValueError(f"Arguments `logits` and `labels` must be (batch, frames, symbols) "
                         f"and (batch, labels) with one row each, got shapes {logits.shape} "
                         f"and {labels.shape}.")
    return np.array([
        ctc_loss(log_softmax(logits[b, :int(logit_lengths[b])]),
                 labels[b, :int(label_lengths[b])], blank)
        for b in range(len(logits))
    ])


def collapse(path, blank=0):
    r"""$\mathcal{B}(\pi)$: merge repeated symbols, then drop the blanks."""
    return [int(symbol) for symbol, _ in itertools.groupby(path) if symbol != blank]


def best_path_decode(log_probs, blank=0):
    """Greedy (best-path) decoding: the most probable symbol at each frame, collapsed.

    This is the labelling of the single most probable *path*, not necessarily the most
    probable *labelling*, whose probability sums over many paths (prefix beam search looks
    for that one).
    """
    log_probs, blank = _check_frames(log_probs, blank)
    return collapse(np.argmax(log_probs, axis=1), blank)


def brute_force_probability(log_probs, labels, blank=0):
    r"""$p(l \mid x)$ by listing all $C^T$ paths: the definition, for checks on a few frames."""
    log_probs, blank = _check_frames(log_probs, blank)
    labels = _check_labels(labels, log_probs.shape[1], blank)
    frames, symbols = log_probs.shape
    if symbols**frames > 2_000_000:
        raise ValueError(f"{symbols}^{frames} paths are too many to list; use at most "
                         "2,000,000 (fewer frames or symbols).")
    total = 0.0
    for path in itertools.product(range(symbols), repeat=frames):
        if collapse(path, blank) == labels:
            total += float(np.exp(log_probs[np.arange(frames), list(path)].sum()))
    return total
