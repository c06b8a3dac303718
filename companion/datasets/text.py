"""A character-level corpus that is always available offline, and its batching.

The corpus is the English reference text that CPython ships for ``help()``: the values of
``pydoc_data.topics.topics`` (about 465 kB), joined in the order of their sorted keys so that the
text is the same on every run. ``CharVocabulary`` maps characters to integer ids, with rare
characters sent to one unknown id; ``split_by_position`` cuts the text into a training and a
validation part at one position (a random split of characters would put the neighbours of every
validation character into the training text); ``next_char_windows`` draws (input, next character)
training windows; ``evaluation_streams`` lays a stretch of text out as parallel streams with a
warm-up prefix so that every character is scored with a known amount of context.
"""

import hashlib
import numbers
from collections import Counter

import numpy as np

from companion import checks

#: The id of the unknown symbol; real characters are 1, 2, ...
UNKNOWN_ID = 0
#: How ``CharVocabulary.decode`` writes the unknown symbol.
UNKNOWN_CHAR = "\N{REPLACEMENT CHARACTER}"



def pydoc_topics_text():
    """CPython's ``help()`` topics as one string: the topics sorted by name, joined by newlines.

    The module ships with every CPython (it is how ``help("if")`` works offline); its text can
    differ between Python releases, so record ``text_sha256`` next to anything trained on it.
    """
    from pydoc_data.topics import topics

    return "\n".join(topics[name] for name in sorted(topics))


def text_sha256(text):
    """The SHA-256 of ``text`` in UTF-8, to tell whether two runs saw the same corpus."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CharVocabulary:
    """Characters <-> integer ids; id 0 (``UNKNOWN_ID``) stands for every character not listed.

    Args:
        chars: the known characters, each a string of length one, no repeats; they get ids
            1, 2, ... in the given order.

    >>> vocabulary = CharVocabulary.from_text("abracadabra", min_count=2)
    >>> vocabulary.chars, vocabulary.encode("bad").tolist(), vocabulary.decode([2, 0, 1])
    ('abr', [2, 1, 0], 'b\ufffda')
    """

    def __init__(self, chars):
        chars = tuple(chars)
        for char in chars:
            if not isinstance(char, str) or len(char) != 1:
                raise ValueError(f"Argument `chars`: expected single characters, got {char!r}.")
        if len(set(chars)) != len(chars):
            repeated = sorted({c for c in chars if chars.count(c) > 1})
            raise ValueError(f"Argument `chars`: expected distinct characters, {repeated!r} repeat.")
        self.chars = "".join(chars)
        self._ids = {char: number for number, char in enumerate(chars, start=UNKNOWN_ID + 1)}

    @classmethod
    def from_text(cls, text, min_count=1):
        """The characters of ``text`` seen at least ``min_count`` times, most frequent first
        (ties by code point, so the order is the same on every run)."""
        min_count = checks.positive_int("min_count", min_count, 1)
        counts = Counter(text)
        kept = sorted((c for c, n in counts.items() if n >= min_count), key=lambda c: (-counts[c], c))
        return cls(kept)

    @property
    def size(self):
        """The number of ids, the unknown symbol included."""
        return len(self.chars) + 1

    def encode(self, text):
        """``text`` as an int32 array of ids, unknown characters as ``UNKNOWN_ID``."""
        return np.fromiter((self._ids.get(c, UNKNOWN_ID) for c in text), dtype=np.int32, count=len(text))

    def decode(self, ids):
        """The string of ``ids``, the unknown id written as ``UNKNOWN_CHAR``."""
        table = UNKNOWN_CHAR + self.chars
        ids = np.asarray(ids)
        if ids.size and (ids.min() < 0 or ids.max() >= self.size):
            raise ValueError(f"Argument `ids`: expected ids in [0, {self.size}), got "
                             f"values from {ids.min()} to {ids.max()}.")
        return "".join(table[i] for i in ids.ravel())


def split_by_position(sequence, validation_fraction=0.1):
    """The first ``1 - validation_fraction`` of ``sequence`` and the rest, as two contiguous parts."""
    if not (isinstance(validation_fraction, numbers.Real) and 0 < validation_fraction < 1):
        raise ValueError(f"Argument `validation_fraction` must be in (0, 1), got {validation_fraction!r}.")
    cut = int(round(len(sequence) * (1 - validation_fraction)))
    if cut == 0 or cut == len(sequence):
        raise ValueError(f"Argument `sequence` of length {len(sequence)} is too short to split "
                         f"with validation_fraction={validation_fraction}.")
    return sequence[:cut], sequence[cut:]


def next_char_windows(ids, length, batch_size, rng):
    """``batch_size`` random windows of ``ids``: inputs ``ids[s:s+length]`` and targets shifted by
    one, ``ids[s+1:s+length+1]`` (the next character at every position); both (batch, length).

    ``rng`` is a ``numpy.random.Generator`` (or a seed), so a run draws the same windows again.
    """
    ids = np.asarray(ids)
    length = checks.positive_int("length", length, 1)
    batch_size = checks.positive_int("batch_size", batch_size, 1)
    if ids.ndim != 1 or len(ids) < length + 1:
        raise ValueError(f"Argument `ids`: expected a 1-D array longer than length={length}, "
                         f"got shape {ids.shape}.")
    rng = np.random.default_rng(rng)
    starts = rng.integers(0, len(ids) - length, size=batch_size)
    index = starts[:, None] + np.arange(length + 1)
    windows = ids[index]
    return windows[:, :-1], windows[:, 1:]


def evaluation_streams(ids, start, n_streams, warmup):
    """Lay ``ids[start:]`` out as ``n_streams`` parallel rows for scoring, each row preceded by
    the ``warmup`` ids before it, so every scored character has at least ``warmup`` of context.

    Returns ``(inputs, targets)``: ``inputs`` (n_streams, warmup + L) holds the ids that are read;
    ``targets`` (n_streams, warmup + L) holds the next id at each position, and -1 where nothing is
    scored (the warm-up, and the padding of the last row). Every id of ``ids[start:]`` is a target
    exactly once. ``start`` must be at least ``warmup + 1`` (the context comes from ``ids``).
    """
    ids = np.asarray(ids)
    n_streams = checks.positive_int("n_streams", n_streams, 1)
    warmup = checks.positive_int("warmup", warmup, 0)
    start = checks.positive_int("start", start, warmup + 1)
    n_scored = len(ids) - start
    if n_scored < n_streams:
        raise ValueError(f"Argument `n_streams`={n_streams} exceeds the {n_scored} ids to score.")
    row_length = -(-n_scored // n_streams)  # ceiling: the last row is padded
    total = warmup + row_length
    inputs = np.zeros((n_streams, total), dtype=np.int32)
    targets = np.full((n_streams, total), -1, dtype=np.int32)
    for row in range(n_streams):
        first = start + row * row_length  # first target of this row
        last = min(first + row_length, len(ids))
        # read ids[first - warmup - 1 : last - 1], predict ids[first - warmup : last]
        read = ids[first - warmup - 1:last - 1]
        inputs[row, :len(read)] = read
        targets[row, warmup:warmup + last - first] = ids[first:last]
    return inputs, targets
