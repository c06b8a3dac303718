"""Random digit strings: the sequences that chapter 8a's attention experiments learn to copy."""

import numpy as np

from companion import checks


def random_strings(n, min_length, max_length, alphabet="0123456789", seed=None):
    """``n`` random strings over ``alphabet``, lengths uniform in [min_length, max_length].

    The attention experiments copy them: the answer is as long as the input, so the input
    length alone sets how much an encoder without attention must carry in its final state.
    """
    n = checks.positive_int("n", n)
    min_length = checks.positive_int("min_length", min_length)
    max_length = checks.positive_int("max_length", max_length)
    if max_length < min_length:
        raise ValueError(
            f"Argument `max_length` must be >= `min_length` ({min_length}), got {max_length}."
        )
    if not isinstance(alphabet, str) or len(set(alphabet)) != len(alphabet) or not alphabet:
        raise ValueError(
            f"Argument `alphabet` must be a non-empty string of distinct characters, "
            f"got {alphabet!r}."
        )
    checks.seed("seed", seed)
    rng = np.random.default_rng(seed)
    symbols = np.array(list(alphabet))
    lengths = rng.integers(min_length, max_length + 1, size=n)
    return ["".join(rng.choice(symbols, size=length)) for length in lengths]
