r"""The counting languages $a^n b^n$ and $a^n b^n c^n$, as next-symbol prediction (generated).

After Weiss, Goldberg & Yahav (2018): a network reads ``^`` (start) and then a string of the
language one symbol at a time, and after each symbol predicts the *set* of symbols that may come
next (a multi-hot vector over ``a``, ``b``, ``c``, ``$``, where ``$`` ends the string). While it
reads a's, both ``a`` and ``b`` may follow; once the b's start, the next symbol is determined by
how many a's there were. Predicting every position right is possible only by counting, so
training on $n \le N$ and testing on larger $n$ shows whether a network learned to count or
learned the lengths it saw.
"""

import numpy as np

from companion import checks

SYMBOLS = ("^", "a", "b", "c", "$")
INPUTS = ("^", "a", "b", "c")      # what the network reads
NEXT = ("a", "b", "c", "$")        # what it predicts: the set of possible next symbols
LANGUAGES = {"anbn": ("a", "b"), "anbncn": ("a", "b", "c")}


def string(language, n):
    """The string of ``language`` with ``n`` of each letter, e.g. ``"aaabbb"``."""
    letters = LANGUAGES[checks.choice("language", language, tuple(LANGUAGES))]
    return "".join(letter * checks.positive_int("n", n) for letter in letters)


def next_symbol_sets(language, n):
    """For ``^`` + ``string(language, n)``: after each symbol read, the set of symbols that
    may follow, as a list of sets (length ``len(string) + 1``)."""
    letters = LANGUAGES[checks.choice("language", language, tuple(LANGUAGES))]
    n = checks.positive_int("n", n)
    sets = [{"a"}]                                   # after ^: at least one a
    sets += [{"a", "b"}] * n                          # after each a: more a's, or the first b
    for index, letter in enumerate(letters[1:], start=1):
        following = letters[index + 1] if index + 1 < len(letters) else "$"
        sets += [{letter}] * (n - 1) + [{following}]  # the count decides when it ends
    return sets


def encode(language, ns):
    """One-hot inputs, multi-hot targets and a mask for the strings with counts ``ns``,
    padded to the longest.

    Returns:
        ``(inputs, targets, mask)``: float32 ``(len(ns), T, 4)`` (``^ a b c`` one-hot),
        float32 ``(len(ns), T, 4)`` (next ``a b c $``, multi-hot), and float32
        ``(len(ns), T)`` that is 1 on real positions and 0 on padding.
    """
    ns = [checks.positive_int("ns", n) for n in ns]
    letters = LANGUAGES[checks.choice("language", language, tuple(LANGUAGES))]
    length = 1 + len(letters) * max(ns)
    inputs = np.zeros((len(ns), length, len(INPUTS)), dtype="float32")
    targets = np.zeros((len(ns), length, len(NEXT)), dtype="float32")
    mask = np.zeros((len(ns), length), dtype="float32")
    for row, n in enumerate(ns):
        read = "^" + string(language, n)
        for t, (symbol, allowed) in enumerate(zip(read, next_symbol_sets(language, n))):
            inputs[row, t, INPUTS.index(symbol)] = 1.0
            targets[row, t, [NEXT.index(s) for s in allowed]] = 1.0
            mask[row, t] = 1.0
    return inputs, targets, mask


def running_count(inputs):
    """The count after each symbol read, a's read minus b's read so far: what a counter for
    ``a^n b^n`` has to hold (float64 ``(batch, T)``, from one-hot ``inputs`` as ``encode``
    makes them)."""
    inputs = np.asarray(inputs, dtype=np.float64)
    if inputs.ndim != 3 or inputs.shape[-1] != len(INPUTS):
        raise ValueError(f"Argument `inputs`: expected one-hot symbols of shape (batch, time, "
                         f"{len(INPUTS)}) as `encode` makes them, got shape {inputs.shape}.")
    return np.cumsum(inputs[..., INPUTS.index("a")] - inputs[..., INPUTS.index("b")], axis=1)


def accepted(probabilities, targets, mask, threshold=0.5):
    """Per string: does thresholding the predicted probabilities give the right set at every
    real position? (bool ``(batch,)``)"""
    predicted = np.asarray(probabilities) > threshold
    right = (predicted == (np.asarray(targets) > 0.5)).all(axis=-1)
    return (right | (np.asarray(mask) == 0)).all(axis=-1)
