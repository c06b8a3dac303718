r"""Byte-pair encoding (Sennrich, Haddow & Birch, 2016): a subword vocabulary learned by merges.

Every word starts as its characters, the last one marked as the end of a word (``</w>``), so
that "low" and the "low" inside "lower" stay different symbols. Learning repeats one step:
count every pair of adjacent symbols over the corpus (each word weighted by its frequency),
and merge the most frequent pair into a new symbol everywhere. After $m$ merges the
vocabulary is the alphabet plus $m$ symbols; frequent words end up as one symbol, rare words
as a few pieces, and no word is ever unknown as long as its characters are known.

Each merge of a pair seen $c$ times shortens the corpus by $c$ symbols (fewer where the pair
overlaps itself, as in "eee"), so ``learn_bpe`` can report the whole trade-off of a vocabulary size against a sequence length
while it learns: ``history[m]`` is the number of symbols of the training corpus after $m$
merges. Pair counts are updated only for the words that contain the merged pair, and the
most frequent pair is found with a heap whose stale entries are skipped, so a few thousand
merges over a corpus of a hundred thousand words take seconds.
"""

import heapq
from collections import Counter, defaultdict

from companion import checks

END_OF_WORD = "</w>"


def word_symbols(word):
    """The starting symbols of ``word``: its characters, the last one marked ``</w>``."""
    if not word:
        raise ValueError("Argument `word` must be a non-empty string, got ''.")
    return (*word[:-1], word[-1] + END_OF_WORD)


def _pairs(symbols):
    return zip(symbols, symbols[1:])


def _merge(symbols, pair, joined):
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and symbols[i] == pair[0] and symbols[i + 1] == pair[1]:
            out.append(joined)
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


def learn_bpe(word_counts, n_merges):
    """Learn up to ``n_merges`` merges from ``{word: count}``.

    Returns:
        ``(merges, history, alphabet)``: the merged pairs in order; ``history[m]``, the number
        of symbols in the corpus after ``m`` merges (``history[0]`` is its number of
        characters); and the sorted starting symbols. Ties between equally frequent pairs go
        to the smaller pair, so the result does not depend on the order of ``word_counts``.
        Learning stops early when no pair occurs twice.
    """
    n_merges = checks.positive_int("n_merges", n_merges, minimum=0)
    words = [word_symbols(w) for w in word_counts]
    counts = [int(c) for c in word_counts.values()]
    pair_counts = Counter()
    where = defaultdict(set)  # pair -> indices of the words that contain it
    for index, symbols in enumerate(words):
        for pair in _pairs(symbols):
            pair_counts[pair] += counts[index]
            where[pair].add(index)
    heap = [(-c, pair) for pair, c in pair_counts.items()]
    heapq.heapify(heap)
    alphabet = sorted({s for symbols in words for s in symbols})
    history = [sum(len(s) * c for s, c in zip(words, counts))]
    merges = []
    while len(merges) < n_merges and heap:
        negative, pair = heapq.heappop(heap)
        if pair_counts.get(pair, 0) != -negative:
            continue  # stale: the count changed after this entry was pushed
        if -negative < 2:
            break
        joined = pair[0] + pair[1]
        changed, shortened = set(), 0
        for index in where.pop(pair, ()):
            old = words[index]
            new = _merge(old, pair, joined)
            if new == old:
                continue
            for p in _pairs(old):
                pair_counts[p] -= counts[index]
                changed.add(p)
            for p in _pairs(new):
                pair_counts[p] += counts[index]
                where[p].add(index)
                changed.add(p)
            words[index] = new
            shortened += (len(old) - len(new)) * counts[index]
        for p in changed:
            if pair_counts[p] > 0:
                heapq.heappush(heap, (-pair_counts[p], p))
            else:
                pair_counts.pop(p, None)
        merges.append(pair)
        history.append(history[-1] - shortened)
    return merges, history, alphabet


def segment(word, merges):
    """``word`` split into the symbols that ``merges`` (in their learned order) make of it."""
    rank = {pair: r for r, pair in enumerate(merges)}
    symbols = word_symbols(word)
    while len(symbols) > 1:
        candidates = [(rank[p], p) for p in _pairs(symbols) if p in rank]
        if not candidates:
            break
        _, pair = min(candidates)
        symbols = _merge(symbols, pair, pair[0] + pair[1])
    return list(symbols)
