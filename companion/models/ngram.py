"""Count-based baselines for a character language model, scored in bits per character.

``NGramModel(order)`` predicts the next id from the ``order - 1`` ids before it. Counts of
unseen n-grams are zero, so raw relative frequencies give zero probability to much of a new text
(and infinitely many bits); both smoothings here *interpolate*, mixing the estimate of each order
with the next shorter context's, down to a uniform distribution over the vocabulary:

- ``"witten_bell"``: with ``c(h)`` the count of context ``h`` and ``t(h)`` the number of distinct
  ids seen after it,
  ``P(w | h) = (c(hw) + t(h) P(w | h')) / (c(h) + t(h))``, where ``h'`` drops the oldest id:
  a context followed by many different ids leaves more room for the shorter one.
- ``"kneser_ney"`` (interpolated, one discount ``D`` per order estimated as
  ``n1 / (n1 + 2 n2)`` from the numbers of n-grams seen once and twice):
  ``P(w | h) = max(c(hw) - D, 0) / c(h) + D t(h) / c(h) P(w | h')``, where every order below the
  highest counts *continuation* types (in how many different contexts ``hw`` was seen) instead of
  occurrences.

Everything is vectorised: an n-gram of ids is one integer ``sum_j id_j V^(n-1-j)``, and counts are
looked up with ``np.searchsorted`` in sorted tables.
"""

import numbers

import numpy as np

from companion import checks

SMOOTHINGS = ("witten_bell", "kneser_ney")


def bits_per_char(probabilities):
    """The mean of ``-log2 p`` over the probabilities given to the true next characters."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.size == 0 or np.any(probabilities <= 0) or np.any(probabilities > 1):
        raise ValueError("Argument `probabilities`: expected a non-empty array of values in (0, 1].")
    return float(-np.mean(np.log2(probabilities)))


def uniform_bits_per_char(vocab_size):
    """``log2 V``: the bits per character of a model that gives every id the same probability."""
    checks.positive_int("vocab_size", vocab_size)
    return float(np.log2(vocab_size))


def _codes(ids, length, vocab_size):
    """The integer code of every window of ``length`` ids (one per start position)."""
    codes = np.zeros(len(ids) - length + 1, dtype=np.int64)
    for j in range(length):
        codes = codes * vocab_size + ids[j:len(ids) - length + 1 + j]
    return codes


def _unique_counts(codes):
    """The sorted distinct values of ``codes`` and how often each occurs (sorting is faster here
    than ``np.unique``'s hash table)."""
    codes = np.sort(codes)
    first = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    return codes[first], np.diff(np.append(first, len(codes)))


def _lookup(keys, values, queries):
    """``values`` at ``queries`` in the sorted table ``keys``, 0 where a query is absent."""
    where = np.minimum(np.searchsorted(keys, queries), max(len(keys) - 1, 0))
    found = (keys[where] == queries) if len(keys) else np.zeros(len(queries), bool)
    return np.where(found, values[where] if len(keys) else 0, 0)


def _table(keys, counts, vocab_size):
    """The lookup table of one length: ``(keys, counts, contexts, totals, types)`` (per context
    ``h``, the first ``length - 1`` ids: its total count ``c(h)`` and its number of distinct
    followers ``t(h)``), and the discount ``n1 / (n1 + 2 n2)`` of its counts."""
    n1, n2 = np.sum(counts == 1), np.sum(counts == 2)
    discount = float(n1 / (n1 + 2 * n2)) if n1 + n2 else 0.5
    contexts, types = _unique_counts(keys // vocab_size)  # keys are sorted, so are contexts
    first = np.append(0, np.cumsum(types)[:-1])
    totals = np.add.reduceat(counts, first)
    types = np.add.reduceat((counts > 0).astype(np.int64), first)
    return (keys, counts, contexts, totals, types), discount


class NGramModel:
    """An interpolated character n-gram model over ids ``0 .. vocab_size - 1``.

    Args:
        order: n, the length of the n-grams (1: unigram; 5: the next id from the 4 before it).
        vocab_size: V, the number of ids.
        smoothing: ``"witten_bell"`` or ``"kneser_ney"`` (see the module docstring).

    >>> model = NGramModel(2, vocab_size=3).fit([0, 1, 2, 0, 1, 2, 0, 1])
    >>> round(float(model.probabilities([0, 1, 2])[1:].prod()), 3) > 0.5
    True
    """

    def __init__(self, order, vocab_size, smoothing="witten_bell"):
        for name, value in [("order", order), ("vocab_size", vocab_size)]:
            checks.positive_int(name, value)
        if smoothing not in SMOOTHINGS:
            raise ValueError(f"Argument `smoothing` must be one of {SMOOTHINGS}, got {smoothing!r}.")
        if vocab_size ** order >= 2 ** 62:
            raise ValueError(f"Arguments `order`={order} and `vocab_size`={vocab_size}: codes of "
                             "V**order would overflow int64.")
        self.order, self.vocab_size, self.smoothing = int(order), int(vocab_size), smoothing
        self.tables = None

    def _check_ids(self, ids, name):
        ids = np.asarray(ids)
        if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"Argument `{name}`: expected a 1-D array of integer ids, got {ids.dtype} {ids.shape}.")
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocab_size):
            raise ValueError(f"Argument `{name}`: ids must lie in [0, {self.vocab_size}), got "
                             f"{ids.min()} to {ids.max()}.")
        return ids.astype(np.int64)

    def fit(self, ids):
        """Count the n-grams of lengths 1 .. order in ``ids``; returns ``self``."""
        ids = self._check_ids(ids, "ids")
        if len(ids) < self.order:
            raise ValueError(f"Argument `ids`: need at least order={self.order} ids, got {len(ids)}.")
        V = self.vocab_size
        self.tables, self.discounts = [], []
        # Kneser-Ney only: the raw-count table and discount of every length below the order,
        # the top table of the lower-order models (see ``probabilities_by_order``)
        self.raw_tables, self.raw_discounts = [], []
        longer_keys = None
        for length in range(self.order, 0, -1):  # longest first: continuation counts need it
            keys, counts = _unique_counts(_codes(ids, length, V))
            if self.smoothing == "kneser_ney" and length < self.order:
                table, discount = _table(keys, counts, V)
                self.raw_tables.insert(0, table)
                self.raw_discounts.insert(0, discount)
                # continuation count: the number of distinct ids seen just before this n-gram
                continuation_keys, counts = _unique_counts(longer_keys % V ** length)
                # an n-gram seen only at the very start of the text has no id before it
                counts = _lookup(continuation_keys, counts, keys)
            longer_keys = keys
            table, discount = _table(keys, counts, V)
            self.tables.insert(0, table)
            self.discounts.insert(0, discount)
        return self

    def probabilities(self, ids, start=None):
        """P(ids[t] | the order - 1 ids before it) for t = start .. len(ids) - 1, as an array.

        ``start`` defaults to ``order - 1``, the first position with a full context; a smaller
        start gives the first positions a shorter context.
        """
        ids, positions = self._positions(ids, start)
        return self._interpolate(ids, positions[:, None], ids[positions][:, None])[:, 0]

    def _positions(self, ids, start):
        """The checked ids and the positions ``start .. len(ids) - 1`` to score (``start``
        defaults to ``order - 1``); a ``ValueError`` when the model is not fitted or ``start``
        is out of range."""
        if self.tables is None:
            raise ValueError("This NGramModel is not fitted: call fit(ids) first.")
        ids = self._check_ids(ids, "ids")
        start = self.order - 1 if start is None else start
        if isinstance(start, bool) or not isinstance(start, numbers.Integral) or not 0 <= start < len(ids):
            raise ValueError(f"Argument `start` must be an integer in [0, {len(ids)}), got {start!r}.")
        return ids, np.arange(start, len(ids))

    def context_counts(self, ids, start=None):
        """How often the full context of each position t = start .. len(ids) - 1 (its
        ``order - 1`` preceding ids) occurred in the training ids; ``start`` defaults to ``order - 1``."""
        if self.tables is None:
            raise ValueError("This NGramModel is not fitted: call fit(ids) first.")
        ids = self._check_ids(ids, "ids")
        start = self.order - 1 if start is None else start
        if isinstance(start, bool) or not isinstance(start, numbers.Integral) or not self.order - 1 <= start < len(ids):
            raise ValueError(f"Argument `start` must be an integer in [{self.order - 1}, {len(ids)}), got {start!r}.")
        if self.order == 1:
            return np.full(len(ids) - start, self.tables[0][3][0])
        codes = _codes(ids[start - self.order + 1:-1], self.order - 1, self.vocab_size)
        _, _, contexts, totals, _ = self.tables[-1]
        return _lookup(contexts, totals, codes)

    def next_distribution(self, context):
        """The distribution over all ``vocab_size`` ids after ``context`` (a sequence of ids)."""
        if self.tables is None:
            raise ValueError("This NGramModel is not fitted: call fit(ids) first.")
        context = np.asarray(context)
        if context.size == 0:
            context = context.astype(np.int64)
        ids = np.append(self._check_ids(context, "context"), 0)
        candidates = np.arange(self.vocab_size)[None, :]
        return self._interpolate(ids, np.array([[len(ids) - 1]]), candidates)[0]

    def probabilities_by_order(self, ids, start=None):
        """The probabilities of ``probabilities(ids, start)`` for every order at once: row
        ``n - 1`` (an array of shape (order, positions)) is what ``NGramModel(n, ...)`` fitted
        on the same ids would give, for n = 1 .. order.

        One pass over the tables instead of one per order, to tune the order cheaply: an
        order-n model interpolates the same lengths 1 .. n as this one, so its probability is
        an intermediate of this one's (for Kneser-Ney, with the raw counts of length n in
        place of the continuation counts, as ``fit`` keeps them).
        """
        ids, positions = self._positions(ids, start)
        by_order = self._interpolate(ids, positions[:, None], ids[positions][:, None],
                                     every_order=True)
        return np.stack([p[:, 0] for p in by_order])

    def _interpolate(self, ids, positions, candidates, every_order=False):
        """P(candidate | context before position) for (N, 1) positions and (N or 1, K)
        candidates; with ``every_order``, the list of those of the models of orders 1 .. order."""
        V = self.vocab_size
        probability = np.full(np.broadcast_shapes(positions.shape, candidates.shape), 1.0 / V)
        context_code = np.zeros(positions.shape, dtype=np.int64)
        by_order = []
        for length in range(1, self.order + 1):
            if length > 1:  # extend the context by one id further back
                back = positions - (length - 1)
                known = back >= 0
                context_code = np.where(known, ids[np.maximum(back, 0)] * V ** (length - 2) + context_code,
                                        -1)
            query = np.where(context_code >= 0, context_code * V + candidates, -1)
            if every_order and self.smoothing == "kneser_ney" and length < self.order:
                # the order-`length` model: raw counts at its top length
                by_order.append(self._mix(self.raw_tables[length - 1],
                                          self.raw_discounts[length - 1], context_code, query,
                                          probability))
            probability = self._mix(self.tables[length - 1], self.discounts[length - 1],
                                    context_code, query, probability)
            if every_order and len(by_order) < length:
                by_order.append(probability)
        return by_order if every_order else probability

    def _mix(self, table, discount, context_code, query, shorter):
        """One length's estimate mixed with ``shorter``, the estimate of the next shorter
        context; where the context was never seen, ``shorter`` itself."""
        keys, counts, contexts, totals, types = table
        total = _lookup(contexts, totals, context_code).astype(np.float64)
        n_types = _lookup(contexts, types, context_code).astype(np.float64)
        count = _lookup(keys, counts, query)
        seen = total > 0
        safe_total = np.where(seen, total, 1.0)
        if self.smoothing == "witten_bell":
            mixed = (count + n_types * shorter) / np.where(seen, total + n_types, 1.0)
        else:
            mixed = (np.maximum(count - discount, 0) + discount * n_types * shorter) / safe_total
        return np.where(seen, mixed, shorter)  # an unseen context keeps the shorter one
