r"""One-nearest-neighbour classification of sequences: the standard baselines of time-series
classification, with Euclidean distance and with dynamic time warping (DTW).

- **Euclidean**: sequences of different lengths are first resampled to a common length by
  linear interpolation along time, then compared frame by frame.
- **DTW** {cite}`sakoe1978dynamic`: the cost of the best monotone alignment of the two
  sequences' frames, computed by the recursion

  $$
  D(i, j) = \lVert a_i - b_j \rVert^2 + \min\{D(i-1, j),\, D(i, j-1),\, D(i-1, j-1)\},
  $$

  with $D(0, 0) = 0$ and $D(i, 0) = D(0, j) = \infty$; the distance is $D(n, m)$ (squared
  frame distances, no window), as in the UCR/UEA archives' DTW baselines.
"""

import numpy as np

from companion import checks


def resample(sequence, length):
    """``sequence`` ``(frames, features)`` linearly interpolated to ``length`` frames."""
    sequence = np.asarray(sequence, dtype=np.float64)
    length = checks.positive_int("length", length, minimum=2)
    if sequence.ndim != 2 or len(sequence) < 2:
        raise ValueError(f"Argument `sequence` must be (frames >= 2, features), got shape "
                         f"{sequence.shape}.")
    old = np.linspace(0.0, 1.0, len(sequence))
    new = np.linspace(0.0, 1.0, length)
    return np.stack([np.interp(new, old, sequence[:, k]) for k in range(sequence.shape[1])],
                    axis=1)


def dtw_distance(a, b):
    """The DTW distance of two sequences ``(n, features)`` and ``(m, features)``."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"Arguments `a` and `b` must be (frames, features) with the same "
                         f"features, got {a.shape} and {b.shape}.")
    cost = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1)
    n, m = cost.shape
    previous = np.full(m + 1, np.inf)
    previous[0] = 0.0
    for i in range(n):
        current = np.full(m + 1, np.inf)
        for j in range(m):
            current[j + 1] = cost[i, j] + min(previous[j + 1], current[j], previous[j])
        previous = current
    return float(previous[m])


def dtw_distances(queries, references, chunk=8):
    """The ``(len(queries), len(references))`` matrix of DTW distances.

    The recursion runs over anti-diagonals for all pairs at once (cells of one anti-diagonal
    depend only on the two before it), so the Python loop is over ``n + m`` diagonals rather
    than over pairs and cells: sequences are padded to the longest, and each pair's distance
    is read at its own end cell. Queries go ``chunk`` at a time, to bound the memory.
    """
    queries = [np.asarray(q, dtype=np.float64) for q in queries]
    chunk = checks.positive_int("chunk", chunk)
    if len(queries) > chunk:
        return np.concatenate([dtw_distances(queries[k:k + chunk], references, chunk)
                               for k in range(0, len(queries), chunk)])
    references = [np.asarray(r, dtype=np.float64) for r in references]
    n_max, m_max = max(len(q) for q in queries), max(len(r) for r in references)
    features = queries[0].shape[1]
    qa = np.zeros((len(queries), n_max, features))
    ra = np.zeros((len(references), m_max, features))
    for k, q in enumerate(queries):
        qa[k, :len(q)] = q
    for k, r in enumerate(references):
        ra[k, :len(r)] = r
    # cost[p, q, i, j]: squared distance of frame i of query p and frame j of reference q
    cost = (np.einsum("pif,pif->pi", qa, qa)[:, None, :, None]
            + np.einsum("qjf,qjf->qj", ra, ra)[None, :, None, :]
            - 2.0 * np.einsum("pif,qjf->pqij", qa, ra))
    cost = np.maximum(cost, 0.0)
    table = np.full((len(queries), len(references), n_max + 1, m_max + 1), np.inf)
    table[:, :, 0, 0] = 0.0
    for diagonal in range(2, n_max + m_max + 1):
        i = np.arange(max(1, diagonal - m_max), min(n_max, diagonal - 1) + 1)
        j = diagonal - i
        best = np.minimum(np.minimum(table[:, :, i - 1, j], table[:, :, i, j - 1]),
                          table[:, :, i - 1, j - 1])
        table[:, :, i, j] = cost[:, :, i - 1, j - 1] + best
    lengths_q = np.array([len(q) for q in queries])
    lengths_r = np.array([len(r) for r in references])
    return table[np.arange(len(queries))[:, None], np.arange(len(references))[None, :],
                 lengths_q[:, None], lengths_r[None, :]]


def euclidean_distances(queries, references, length):
    """Squared Euclidean distances after resampling every sequence to ``length`` frames."""
    q = np.stack([resample(s, length).ravel() for s in queries])
    r = np.stack([resample(s, length).ravel() for s in references])
    return np.maximum((q ** 2).sum(1)[:, None] + (r ** 2).sum(1)[None, :] - 2 * q @ r.T, 0.0)


def one_nearest_neighbour(distances, reference_labels):
    """The label of each query's nearest reference (the first on ties)."""
    distances = np.asarray(distances)
    reference_labels = np.asarray(reference_labels)
    if distances.ndim != 2 or distances.shape[1] != len(reference_labels):
        raise ValueError(f"Argument `distances` must be (queries, {len(reference_labels)}), "
                         f"got {distances.shape}.")
    return reference_labels[np.argmin(distances, axis=1)]
