r"""Arithmetic progressions modulo $m$: a sequence-continuation task with one right answer.

Each sequence is $x_t = (a + t\,s) \bmod m$ for $t = 0 \dots T-1$, with a start $a$ drawn
uniformly from $\{0 \dots m-1\}$ and a step $s$ from $\{1 \dots m-1\}$. A model is shown the
first ``prompt`` tokens (two already fix $a$ and $s$) and writes the rest, one token at a
time, reading the token it wrote last. A model that has learned "next = previous + step" gets
every token right from a right prefix, and after one wrong token it continues from the wrong
one, so every later token is wrong too: the task shows exposure bias at its plainest.

Ids: the tokens are $0 \dots m-1$ and ``start_id(m) = m`` is read before the first token, so a
model needs ``vocab_size(m) = m + 1`` ids.
"""

import numpy as np

from companion import checks


def start_id(modulus):
    return checks.positive_int("modulus", modulus, minimum=2)


def vocab_size(modulus):
    return start_id(modulus) + 1


def modular_progressions(n_sequences, length, modulus=16, seed=None):
    """``n_sequences`` progressions of ``length`` tokens: ``(previous, tokens)``, two int32
    arrays ``(n, length)``; ``previous`` is ``tokens`` shifted right behind the start id (what
    a teacher-forced model reads)."""
    n_sequences = checks.positive_int("n_sequences", n_sequences)
    length = checks.positive_int("length", length, minimum=2)
    modulus = checks.positive_int("modulus", modulus, minimum=2)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    start = rng.integers(0, modulus, size=n_sequences)
    step = rng.integers(1, modulus, size=n_sequences)
    tokens = (start[:, None] + np.arange(length)[None, :] * step[:, None]) % modulus
    previous = np.concatenate([np.full((n_sequences, 1), modulus), tokens[:, :-1]], axis=1)
    return previous.astype("int32"), tokens.astype("int32")
