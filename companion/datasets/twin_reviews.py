"""Generated movie-review sentences whose sentiment depends on word order, and their tools.

No well-kept package ships labelled review text that loads offline with the book's stack, so
the sentiment chapter generates its data. Every sentence has two clauses joined by a connector,
and its label follows a documented rule (``review_label``):

- ``"A , but B"``: the label is the polarity of B (what comes after *but* wins);
- ``"A , although B"``: the label is the polarity of A (the *although* clause is a concession:
  "the movie was great , although the ending was dull" is positive);
- ``"although A , B"``: the label is the polarity of B, the main clause.

A clause is ``the SUBJECT VERB [not|never] [INTENSIFIER] ADJECTIVE [TAIL]``; its polarity is
that of the adjective, flipped by a negator. Sentences come in *twins*: the second sentence of
a pair uses exactly the same words as the first in another order and has the opposite label,
either because the two clauses swap places (``kind="contrast"``) or because the negator moves
to the other clause (``kind="negation"``). A classifier that sees only the bag of words gives
both twins the same answer, so on a set made of whole pairs it is right exactly half the time.
"""

from collections import Counter, namedtuple

import numpy as np

from companion import checks
from companion.datasets.padding import PAD, pad  # noqa: F401 (PAD: part of this API)
from companion.datasets.words import Vocabulary  # noqa: F401 (the reviews' vocabulary)

SUBJECTS = ("movie", "film", "plot", "acting", "ending", "story", "cast", "script", "music",
            "dialogue", "pacing", "camera")
VERBS = ("was", "is", "felt", "seemed")
POSITIVE = ("good", "great", "superb", "moving", "funny", "clever", "brilliant", "charming",
            "gripping", "beautiful")
NEGATIVE = ("bad", "dull", "boring", "weak", "awful", "clumsy", "tedious", "bland",
            "predictable", "messy")
NEGATORS = ("not", "never")
INTENSIFIERS = ("very", "really", "truly", "rather", "quite")
TAILS = (("overall",), ("at", "times"), ("to", "me"), ("in", "the", "end"))
#: ``(name, rule)``: the connector pattern and which clause decides the label.
CONSTRUCTIONS = ("but", "although-after", "although-before")
KINDS = ("contrast", "negation")

POLARITY = {**{word: 1 for word in POSITIVE}, **{word: -1 for word in NEGATIVE}}

Review = namedtuple("Review", "tokens label construction kind pair")
Review.__doc__ = """One generated sentence: ``tokens`` (tuple of str), ``label`` (1 positive,
0 negative), ``construction`` (one of ``CONSTRUCTIONS``), ``kind`` (``"contrast"`` or
``"negation"``) and ``pair`` (the index shared with its twin)."""


def clause_polarity(clause):
    """+1 or -1: the adjective's polarity, flipped once per negator in ``clause`` (tokens)."""
    adjectives = [word for word in clause if word in POLARITY]
    if len(adjectives) != 1:
        raise ValueError(
            f"Argument `clause` must hold exactly one sentiment adjective, got {list(clause)!r}."
        )
    negations = sum(word in NEGATORS for word in clause)
    return POLARITY[adjectives[0]] * (-1) ** negations


def review_label(tokens):
    """The label (1 positive, 0 negative) that the rule of this module gives ``tokens``.

    It parses the sentence itself (connector, comma, clauses), so it checks the generator
    rather than repeating it.
    """
    tokens = list(tokens)
    if "," not in tokens:
        raise ValueError(f"Argument `tokens` must contain a ',' between two clauses, got {tokens!r}.")
    comma = tokens.index(",")
    if tokens[0] == "although":
        deciding = tokens[comma + 1:]  # although A , B: the main clause B
    elif tokens[comma + 1] == "but":
        deciding = tokens[comma + 2:]  # A , but B: B
    elif tokens[comma + 1] == "although":
        deciding = tokens[:comma]  # A , although B: the main clause A
    else:
        raise ValueError(
            f"Argument `tokens` must follow one of the patterns {CONSTRUCTIONS}, got {tokens!r}."
        )
    return int(clause_polarity(deciding) > 0)


def _clause(rng, adjective):
    words = ["the", str(rng.choice(SUBJECTS)), str(rng.choice(VERBS))]
    if rng.random() < 0.6:
        words.append(str(rng.choice(INTENSIFIERS)))
    words.append(adjective)
    if rng.random() < 0.5:
        words.extend(TAILS[rng.integers(len(TAILS))])
    return words


def _join(construction, first, second):
    if construction == "but":
        return (*first, ",", "but", *second)
    if construction == "although-after":
        return (*first, ",", "although", *second)
    return ("although", *first, ",", *second)


def _negated(clause, negator):
    """The clause with ``negator`` after its verb ("the plot was not very good")."""
    return [*clause[:3], negator, *clause[3:]]


def generate_reviews(n_pairs, seed=None):
    """``2 * n_pairs`` generated reviews, twin after twin (see the module docstring).

    Each pair draws a construction and a kind uniformly. ``"contrast"``: two clauses without
    negation whose adjectives have opposite polarities; the twin swaps the clauses.
    ``"negation"``: two clauses with random adjectives, exactly one of them negated; the twin
    moves the negation to the other clause.

    Returns:
        A list of ``Review``; reviews ``2 i`` and ``2 i + 1`` are twins.
    """
    n_pairs = checks.positive_int("n_pairs", n_pairs)
    rng = np.random.default_rng(seed)
    reviews = []
    for pair in range(n_pairs):
        construction = CONSTRUCTIONS[rng.integers(len(CONSTRUCTIONS))]
        kind = KINDS[rng.integers(len(KINDS))]
        if kind == "contrast":
            polarities = (POSITIVE, NEGATIVE) if rng.random() < 0.5 else (NEGATIVE, POSITIVE)
            first = _clause(rng, str(rng.choice(polarities[0])))
            second = _clause(rng, str(rng.choice(polarities[1])))
            twins = [(first, second), (second, first)]
        else:
            first, second = (_clause(rng, str(rng.choice(POSITIVE + NEGATIVE))) for _ in "ab")
            negator = str(rng.choice(NEGATORS))  # the same word moves between the twins
            twins = [(_negated(first, negator), second), (first, _negated(second, negator))]
        for a, b in twins:
            tokens = _join(construction, a, b)
            reviews.append(Review(tokens, review_label(tokens), construction, kind, pair))
    return reviews


def bag_of_words(tokens):
    """The multiset of words of a sentence: all that a bag-of-words model sees."""
    return Counter(tokens)


