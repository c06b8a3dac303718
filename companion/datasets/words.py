"""Words: a tokenizer for English review text, and a vocabulary of word ids with padding."""

import re
from collections import Counter

import numpy as np

from companion import checks
from companion.datasets.padding import PAD, pad

# words (with inner apostrophes and hyphens), numbers, and each punctuation mark on its own
_TOKEN = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*|[^\sa-z0-9]")


def tokenize(text):
    """Lower-cased word and punctuation tokens: ``"It's not bad, really!"`` gives
    ``["it's", "not", "bad", ",", "really", "!"]``."""
    return _TOKEN.findall(text.lower())


class Vocabulary:
    """Words to integer ids: 0 is padding (``PAD``), 1 an unknown word, then words by frequency.

    Args:
        sentences: token lists the vocabulary is built from (the training set only).
        min_count: words seen fewer times become the unknown word.
    """

    UNKNOWN = "[UNK]"

    def __init__(self, sentences, min_count=1):
        min_count = checks.positive_int("min_count", min_count)
        counts = Counter(word for sentence in sentences for word in sentence)
        if not counts:
            raise ValueError("Argument `sentences` must contain at least one word, got none.")
        # ties broken alphabetically so that the ids do not depend on the order of the data
        words = sorted((word for word, n in counts.items() if n >= min_count),
                       key=lambda word: (-counts[word], word))
        self.words = ["", self.UNKNOWN, *words]
        self.ids = {word: index for index, word in enumerate(self.words)}

    def __len__(self):
        return len(self.words)

    def encode(self, sentences, length=None):
        """Padded ids ``(len(sentences), length)``, padding after each sentence with ``PAD``;
        a sentence longer than ``length`` keeps its first ``length`` words."""
        unknown = self.ids[self.UNKNOWN]
        sequences = [np.array([self.ids.get(word, unknown) for word in sentence][:length],
                              dtype="int32") for sentence in sentences]
        return pad(sequences, length=length, padding="post")

    def decode(self, ids):
        """The words of one row of ids, padding dropped."""
        return [self.words[index] for index in np.asarray(ids).tolist() if index != PAD]
