r"""The output layer of a large vocabulary: the full softmax, sampled softmax, and what the
alternatives cost.

The full softmax scores every word of the vocabulary at every position, with one row $w_k$ of
an output table $W$ ($V \times d$) per word:

$$
z = h W^{\top} + b \in \mathbb{R}^{V}, \qquad
\mathcal{L} = -z_y + \log \sum_{k=1}^{V} e^{z_k},
$$

$d \cdot V$ multiply-adds per position and a $V$-wide row of logits (and of their gradient) in
memory. *Sampled softmax* (Jean et al., 2015) replaces the sum over $V$ words by the true word
and $n$ words drawn from a proposal distribution $Q$, each logit corrected by the log of its
expected number of draws $\log(n\,Q(k))$ so that frequent proposals are not favoured:

$$
\tilde z_k = z_k - \log\big(n\,Q(k)\big), \qquad
\tilde{\mathcal{L}} = -\tilde z_y + \log\Big(e^{\tilde z_y} + \sum_{j=1}^{n} e^{\tilde z_{s_j}}\Big),
$$

with a drawn word that equals the true one (an *accidental hit*) removed. It costs
$d\,(n + 1)$ per position instead of $d V$. Its gradient approximates the full one, but the
loss is a different number: it is for training, and a model is evaluated with the full
softmax. The proposal is usually the *log-uniform* (Zipfian) distribution over ids sorted by
frequency, $Q(k) = \log\frac{k + 2}{k + 1} / \log(V + 1)$ for $k = 0 \dots V - 1$, which is
TensorFlow's ``log_uniform_candidate_sampler``.

The cost functions at the end count multiply-adds per position for the full softmax, a
two-level hierarchical softmax (Morin & Bengio, 2005; Goodman, 2001), a binary-tree one, and
the adaptive softmax of Grave et al. (2017).
"""

import math

import numpy as np
from keras import ops

from companion import checks

PROPOSALS = ("uniform", "log_uniform")


def proposal_probabilities(vocab_size, proposal="log_uniform"):
    r"""$Q(k)$ for $k = 0 \dots V - 1$: uniform, or log-uniform over frequency-sorted ids."""
    vocab_size = checks.positive_int("vocab_size", vocab_size, minimum=2)
    proposal = checks.choice("proposal", proposal, PROPOSALS)
    if proposal == "uniform":
        return np.full(vocab_size, 1.0 / vocab_size)
    k = np.arange(vocab_size, dtype=np.float64)
    return (np.log(k + 2.0) - np.log(k + 1.0)) / math.log(vocab_size + 1.0)


def sample_candidates(probabilities, n_samples, rng):
    r"""``n_samples`` ids drawn with replacement from ``probabilities``, and the expected number
    of draws of every id, ``n_samples * probabilities`` (the correction's $n\,Q(k)$)."""
    n_samples = checks.positive_int("n_samples", n_samples)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    ids = rng.choice(len(probabilities), size=n_samples, p=probabilities)
    return ids.astype("int32"), n_samples * probabilities


def full_softmax_loss(hidden, weights, bias, labels):
    r"""$-\log \operatorname{softmax}(hW^\top + b)_y$ per row: ``hidden (N, d)``, ``weights
    (V, d)`` (one row per word, the layout of an embedding table and of
    ``tf.nn.sampled_softmax_loss``; a ``Dense`` layer's kernel is its transpose), ``bias (V,)``,
    ``labels (N,)``; returns ``(N,)``."""
    logits = ops.matmul(hidden, ops.transpose(weights)) + bias
    return ops.logsumexp(logits, axis=-1) - ops.take_along_axis(
        logits, ops.expand_dims(ops.cast(labels, "int32"), -1), axis=-1)[:, 0]


def sampled_softmax_loss(hidden, weights, bias, labels, sampled, expected_counts,
                         remove_accidental_hits=True):
    r"""The sampled softmax loss per row, $\tilde{\mathcal{L}}$ of the module docstring.

    Args:
        hidden: ``(N, d)`` the states that the output layer reads.
        weights, bias: the output layer's ``(V, d)`` rows and ``(V,)`` bias.
        labels: ``(N,)`` the true ids.
        sampled: ``(n,)`` ids drawn from the proposal, shared by every row.
        expected_counts: ``(V,)`` the expected number of draws of each id, $n\,Q(k)$.
        remove_accidental_hits: drop a drawn id from a row whose true id it is.

    Returns:
        ``(N,)``. Only the rows of ``weights`` that are used enter the computation, and
        the gradient of ``weights`` is sparse (the rows gathered), as in a real training step.
    """
    labels = ops.cast(labels, "int32")
    sampled = ops.cast(sampled, "int32")
    log_expected = ops.log(ops.cast(expected_counts, hidden.dtype))
    true_weights = ops.take(weights, labels, axis=0)                     # (N, d)
    true_logits = (ops.sum(hidden * true_weights, axis=-1) + ops.take(bias, labels)
                   - ops.take(log_expected, labels))
    sampled_logits = (ops.matmul(hidden, ops.transpose(ops.take(weights, sampled, axis=0)))
                      + ops.take(bias, sampled) - ops.take(log_expected, sampled))  # (N, n)
    if remove_accidental_hits:
        hits = ops.equal(ops.expand_dims(labels, 1), ops.expand_dims(sampled, 0))
        sampled_logits = ops.where(hits, ops.full_like(sampled_logits, -1e30), sampled_logits)
    logits = ops.concatenate([ops.expand_dims(true_logits, 1), sampled_logits], axis=1)
    return ops.logsumexp(logits, axis=-1) - true_logits


# --- what each output layer costs, in multiply-adds per position ------------------------------


def full_softmax_cost(vocab_size, hidden):
    r"""$d \cdot V$."""
    return hidden * vocab_size


def sampled_softmax_cost(n_samples, hidden):
    r"""$d\,(n + 1)$: the true word and $n$ drawn ones (training only)."""
    return hidden * (n_samples + 1)


def two_level_softmax_cost(vocab_size, hidden, n_classes=None):
    r"""A class-based (two-level hierarchical) softmax: $p(w) = p(c(w)) \, p(w \mid c(w))$.

    One softmax over the $C$ classes and one over the words of the true word's class; with
    $C = \sqrt{V}$ classes of $\sqrt{V}$ words each, $d\,(C + V / C) = 2 d \sqrt{V}$.
    """
    n_classes = n_classes or math.ceil(math.sqrt(vocab_size))
    return hidden * (n_classes + math.ceil(vocab_size / n_classes))


def binary_tree_softmax_cost(vocab_size, hidden):
    r"""A binary tree of sigmoids (Morin & Bengio, 2005): $d \lceil \log_2 V \rceil$."""
    return hidden * math.ceil(math.log2(vocab_size))


def adaptive_softmax_cost(frequencies, hidden, cutoffs, reduction=4):
    r"""Expected multiply-adds per position of an adaptive softmax (Grave et al., 2017).

    The ids, sorted by ``frequencies`` (most frequent first), are cut at ``cutoffs`` into a
    head and tail clusters. The head is a softmax over the head words and one entry per tail
    cluster, $d\,(k_0 + c)$, computed at every position. Tail cluster $i$ (words $k_i$) is
    computed only at the positions whose word lies in it, a fraction $p_i$ of them, on a state
    projected to $d_i = d / \text{reduction}^i$: $d\,d_i + d_i k_i$. The expected cost is

    $$ d\,(k_0 + c) + \sum_{i=1}^{c} p_i \,(d\, d_i + d_i\, k_i). $$
    """
    frequencies = np.sort(np.asarray(frequencies, dtype=np.float64))[::-1]
    share = frequencies / frequencies.sum()
    bounds = [0, *cutoffs, len(frequencies)]
    if any(later <= earlier for earlier, later in zip(bounds, bounds[1:])):
        raise ValueError(f"Argument `cutoffs` must increase inside (0, {len(frequencies)}), "
                         f"got {cutoffs}.")
    clusters = len(bounds) - 2
    cost = hidden * (bounds[1] + clusters)
    for i in range(1, clusters + 1):
        width = max(1, hidden // reduction**i)
        size = bounds[i + 1] - bounds[i]
        cost += share[bounds[i]:bounds[i + 1]].sum() * (hidden * width + width * size)
    return float(cost)
