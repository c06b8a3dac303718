"""Data for sequence-to-sequence models: a character vocabulary and a date-normalisation task.

The task: read a date as a person might write it ("3 March 2021", "03/03/21",
"Wednesday, March 3, 2021", ...) and write it in ISO 8601 form, "2021-03-03". Input and output
are character strings of different lengths and alphabets, as in translation, but the answer is
unique and checkable, so a model's output is either exactly right or wrong.

Conventions of the formats below, fixed so that every input has exactly one answer:
numeric dates put the day first ("03/04/21" is 3 April), and a two-digit year ``yy`` means
``20yy`` when ``yy < 50`` and ``19yy`` otherwise (dates are drawn from 1950-2049).
"""

import datetime
import numbers

import numpy as np

from companion import checks

#: Reserved ids of every ``CharVocabulary``: padding, start of output, end of output.
PAD_ID, START_ID, END_ID = 0, 1, 2
RESERVED_TOKENS = ("<pad>", "<start>", "<end>")

FIRST_DATE = datetime.date(1950, 1, 1)
LAST_DATE = datetime.date(2049, 12, 31)

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _ordinal(day):
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


#: Name -> function(date) -> the date written in that format. ISO output is ``date.isoformat()``.
DATE_FORMATS = {
    "3 March 2021": lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    "03/03/21": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}",
    "Mar 3, 2021": lambda d: f"{MONTHS[d.month - 1][:3]} {d.day}, {d.year}",
    "Wednesday, March 3, 2021": lambda d: (
        f"{WEEKDAYS[d.weekday()]}, {MONTHS[d.month - 1]} {d.day}, {d.year}"),
    "3.3.2021": lambda d: f"{d.day}.{d.month}.{d.year}",
    "March 3rd, 2021": lambda d: f"{MONTHS[d.month - 1]} {_ordinal(d.day)}, {d.year}",
    "03 MAR 21": lambda d: f"{d.day:02d} {MONTHS[d.month - 1][:3].upper()} {d.year % 100:02d}",
    "20210303": lambda d: f"{d.year}{d.month:02d}{d.day:02d}",
}


def _check_formats(formats):
    if formats is None:
        return tuple(DATE_FORMATS)
    formats = tuple(formats)
    unknown = [name for name in formats if name not in DATE_FORMATS]
    if not formats or unknown:
        raise ValueError(
            f"Argument `formats` must be a non-empty list of names from DATE_FORMATS "
            f"{tuple(DATE_FORMATS)}, got {formats!r}.")
    return formats


def date_normalisation_data(n, seed=None, formats=None, return_formats=False):
    """``n`` dates written in human formats, and the same dates in ISO form.

    Each example draws a day uniformly from 1950-01-01 to 2049-12-31 and a format uniformly
    from ``formats`` (names of ``DATE_FORMATS``; default: all of them).

    Returns:
        ``(sources, targets)``, two lists of ``n`` strings, e.g. ``"Mar 3, 2021"`` and
        ``"2021-03-03"``; with ``return_formats=True``, also the list of format names.
    """
    n = checks.positive_int("n", n)
    formats = _check_formats(formats)
    rng = np.random.default_rng(checks.seed("seed", seed))
    span = (LAST_DATE - FIRST_DATE).days + 1
    offsets = rng.integers(0, span, size=n)
    chosen = rng.integers(0, len(formats), size=n)
    dates = [FIRST_DATE + datetime.timedelta(days=int(offset)) for offset in offsets]
    names = [formats[i] for i in chosen]
    sources = [DATE_FORMATS[name](date) for name, date in zip(names, dates)]
    targets = [date.isoformat() for date in dates]
    return (sources, targets, names) if return_formats else (sources, targets)


def is_iso_date(text):
    """Whether ``text`` is a real calendar date written as YYYY-MM-DD (e.g. not 2021-02-30)."""
    if not isinstance(text, str) or len(text) != 10:
        return False
    try:
        return datetime.date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def disjoint_split_indices(keys, test_fraction=0.2, seed=None):
    """Indices of a train/test split in which no key (e.g. the target date) is on both sides.

    All examples that share a key go to the same side, so a test date was never seen in
    training, in any format. About ``test_fraction`` of the distinct keys go to the test side.

    Returns:
        ``(train_indices, test_indices)``: sorted int arrays that together cover
        ``range(len(keys))``.
    """
    keys = list(keys)
    if not keys:
        raise ValueError("Argument `keys` must be a non-empty sequence, got an empty one.")
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real) or not (
            0.0 < test_fraction < 1.0):
        raise ValueError(f"Argument `test_fraction` must be a float in (0, 1), got {test_fraction!r}.")
    distinct = sorted(set(keys))
    if len(distinct) < 2:
        raise ValueError(f"Argument `keys` must hold at least 2 distinct keys to split, got {distinct!r}.")
    rng = np.random.default_rng(checks.seed("seed", seed))
    n_test = min(max(1, round(test_fraction * len(distinct))), len(distinct) - 1)
    test_keys = {distinct[i] for i in rng.permutation(len(distinct))[:n_test]}
    in_test = np.array([key in test_keys for key in keys])
    return np.flatnonzero(~in_test), np.flatnonzero(in_test)


def disjoint_train_test_split(sources, targets, test_fraction=0.2, seed=None):
    """Split parallel lists so that no target occurs on both sides (``disjoint_split_indices``).

    Returns:
        ``(train_sources, train_targets, test_sources, test_targets)``, lists of strings.
    """
    if len(sources) != len(targets):
        raise ValueError(
            f"Arguments `sources` and `targets` must have the same length, got {len(sources)} "
            f"and {len(targets)}.")
    train, test = disjoint_split_indices(targets, test_fraction, seed)
    return ([sources[i] for i in train], [targets[i] for i in train],
            [sources[i] for i in test], [targets[i] for i in test])


class CharVocabulary:
    """Characters <-> integer ids, with ids 0, 1, 2 reserved for padding, start and end.

    ``CharVocabulary.from_texts(texts)`` collects the characters of ``texts``; the characters
    get ids 3, 4, ... in sorted order, so the same texts always give the same ids.
    """

    pad_id, start_id, end_id = PAD_ID, START_ID, END_ID

    def __init__(self, characters):
        characters = list(characters)
        bad = [c for c in characters if not (isinstance(c, str) and len(c) == 1)]
        if not characters or bad or len(set(characters)) != len(characters):
            raise ValueError(
                "Argument `characters` must be a non-empty sequence of distinct one-character "
                f"strings, got {characters!r}.")
        self.characters = tuple(characters)
        self._ids = {c: i + len(RESERVED_TOKENS) for i, c in enumerate(self.characters)}

    @classmethod
    def from_texts(cls, texts):
        if isinstance(texts, str):
            raise ValueError(f"Argument `texts` must be a list of strings, got one string {texts!r}.")
        return cls(sorted(set("".join(texts))))

    @property
    def size(self):
        """Number of ids, reserved ones included (the input and output dimension of a model)."""
        return len(RESERVED_TOKENS) + len(self.characters)

    def __len__(self):
        return self.size

    def __repr__(self):
        return f"CharVocabulary({''.join(self.characters)!r})"

    def encode(self, text, add_start=False, add_end=False):
        """The ids of ``text``'s characters, optionally after ``start_id`` / before ``end_id``."""
        if not isinstance(text, str):
            raise ValueError(f"Argument `text` must be a string, got {text!r}.")
        unknown = sorted(set(text) - set(self._ids))
        if unknown:
            raise ValueError(
                f"Argument `text` {text!r} has characters {unknown!r} that are not in the "
                f"vocabulary {''.join(self.characters)!r}.")
        ids = [self._ids[c] for c in text]
        return [self.start_id] * add_start + ids + [self.end_id] * add_end

    def decode(self, ids):
        """The text of ``ids``: stops at the first ``end_id``, skips padding and start."""
        characters = []
        for token in np.asarray(ids, dtype=np.int64).ravel().tolist():
            if token == self.end_id:
                break
            if token in (self.pad_id, self.start_id):
                continue
            if not 0 <= token < self.size:
                raise ValueError(f"Argument `ids` holds {token}, outside [0, {self.size}).")
            characters.append(self.characters[token - len(RESERVED_TOKENS)])
        return "".join(characters)

    def encode_batch(self, texts, add_start=False, add_end=False, length=None):
        """An int32 array ``(len(texts), length)`` of encoded texts, padded with 0 at the end.

        ``length`` defaults to the longest encoded text; a text longer than ``length`` raises
        instead of being cut.
        """
        if isinstance(texts, str):
            raise ValueError(f"Argument `texts` must be a list of strings, got one string {texts!r}.")
        encoded = [self.encode(text, add_start, add_end) for text in texts]
        longest = max((len(ids) for ids in encoded), default=0)
        if length is None:
            length = longest
        length = checks.positive_int("length", length)
        if longest > length:
            raise ValueError(
                f"Argument `length` must be >= the longest encoded text ({longest}), got {length}.")
        batch = np.full((len(encoded), length), self.pad_id, dtype=np.int32)
        for row, ids in zip(batch, encoded):
            row[:len(ids)] = ids
        return batch

    def decode_batch(self, batch):
        """``decode`` of every row (or every list of ids) of ``batch``."""
        return [self.decode(ids) for ids in batch]


def teacher_forcing_arrays(source_vocabulary, target_vocabulary, sources, targets,
                           source_length=None, target_length=None):
    """Inputs and labels for training an encoder-decoder with teacher forcing.

    The decoder reads ``<start> y_1 ... y_n`` and must predict ``y_1 ... y_n <end>``: its input
    is the target shifted right by one step.

    Returns:
        ``((source_ids, decoder_input_ids), decoder_target_ids)``, int32 arrays of shapes
        ``(B, S)``, ``(B, T)``, ``(B, T)``, padded with 0 (``T`` = longest target + 1).
    """
    if len(sources) != len(targets):
        raise ValueError(
            f"Arguments `sources` and `targets` must have the same length, got {len(sources)} "
            f"and {len(targets)}.")
    source_ids = source_vocabulary.encode_batch(sources, length=source_length)
    decoder_input_ids = target_vocabulary.encode_batch(targets, add_start=True, length=target_length)
    decoder_target_ids = target_vocabulary.encode_batch(targets, add_end=True, length=target_length)
    return (source_ids, decoder_input_ids), decoder_target_ids
