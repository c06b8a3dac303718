"""Review snippets as a word-level language-modelling corpus.

The Rotten Tomatoes snippets of ``companion.datasets.rotten_tomatoes`` (12,752 one-sentence
reviews, split 80/10/10 by that module) without their labels: each snippet is tokenised by
``companion.datasets.words.tokenize``, cut to its first ``max_words`` tokens, and framed by a
start and an end token, ``<s> w_1 ... w_n </s>``. A model reads ``<s> w_1 ... w_n`` and
predicts ``w_1 ... w_n </s>``. Words seen fewer than ``min_count`` times in the training split
become the unknown word; id 0 is padding, which the loss ignores.
"""

import functools
from collections import Counter
from dataclasses import dataclass

import numpy as np

from companion import checks
from companion.datasets import rotten_tomatoes
from companion.datasets.words import Vocabulary, tokenize

START, END = "<s>", "</s>"
SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class SnippetCorpus:
    """``vocabulary`` (a ``words.Vocabulary``) and, per split, ids ``(n, max_words + 2)``:
    ``inputs = ids[:, :-1]`` and ``targets = ids[:, 1:]``, padded with 0 after the end."""

    vocabulary: Vocabulary
    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    max_words: int

    def split(self, name):
        """``(inputs, targets)`` of split ``name``."""
        ids = getattr(self, checks.choice("name", name, SPLITS))
        return ids[:, :-1], ids[:, 1:]


@functools.lru_cache(maxsize=4)
def _tokens(split):
    reviews = getattr(rotten_tomatoes.load(), split)
    return tuple(tuple(tokenize(text)) for text in reviews.texts)


def framed(tokens, max_words):
    """``[<s>, w_1 ... w_n, </s>]`` with at most ``max_words`` words."""
    return [START, *tokens[:max_words], END]


@functools.lru_cache(maxsize=4)
def load(min_count=10, max_words=30):
    """The corpus with a vocabulary of the training words seen at least ``min_count`` times."""
    min_count = checks.positive_int("min_count", min_count)
    max_words = checks.positive_int("max_words", max_words)
    sentences = {split: [framed(t, max_words) for t in _tokens(split)] for split in SPLITS}
    vocabulary = Vocabulary(sentences["train"], min_count=min_count)
    arrays = {split: vocabulary.encode(sentences[split], length=max_words + 2)
              for split in SPLITS}
    return SnippetCorpus(vocabulary, max_words=max_words, **arrays)


def word_counts(split="train"):
    """How often each word occurs in ``split`` (all words, before any vocabulary cut)."""
    return Counter(word for tokens in _tokens(checks.choice("split", split, SPLITS))
                   for word in tokens)


def unknown_rate(corpus, split="validation"):
    """The fraction of the real target tokens of ``split`` that are the unknown word."""
    _, targets = corpus.split(split)
    real = targets[targets != 0]
    return float(np.mean(real == corpus.vocabulary.ids[Vocabulary.UNKNOWN]))
