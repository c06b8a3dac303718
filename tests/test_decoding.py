"""Greedy and beam-search decoding, on hand-made next-token tables and on an encoder-decoder."""

import math

import keras
import numpy as np
import pytest
from companion.models import decoding
from companion.models.seq2seq import build_encoder_decoder

PAD, START, END, A, B = 0, 1, 2, 3, 4


class TableModel:
    """A 'model' whose next-token distribution depends on the prefix only, given as a table.

    ``table[(token, ...)]`` is the distribution over ids after ``<start> token ...``; prefixes not
    in the table end with certainty. It has the decoders' signature: [source, prefix] -> logits.
    """

    def __init__(self, table, vocab=5):
        self.table, self.vocab, self.calls = table, vocab, 0

    def __call__(self, inputs, training=False):
        _, prefix = inputs
        self.calls += 1
        prefix = np.asarray(prefix)
        logits = np.zeros((len(prefix), prefix.shape[1], self.vocab), dtype="float32")
        for row, ids in enumerate(prefix.tolist()):
            probs = np.full(self.vocab, 1e-9)
            for token, p in self.table.get(tuple(t for t in ids[1:] if t != PAD), {END: 1.0}).items():
                probs[token] = p
            logits[row, -1] = np.log(probs)
        return logits


# Greedy takes A (0.6) and then ends with 0.4: 0.24. B then end has 0.4 * 0.9 = 0.36.
GREEDY_TRAP = {(): {A: 0.6, B: 0.4}, (A,): {END: 0.4, A: 0.3, B: 0.3}, (B,): {END: 0.9, A: 0.1}}
SOURCE = np.ones((1, 3), dtype="int32")


def test_beam_search_finds_the_sequence_that_greedy_misses():
    model = TableModel(GREEDY_TRAP)
    greedy, greedy_score = decoding.greedy_decode(model, SOURCE, 5, START, END, return_scores=True)
    beam, beam_score = decoding.beam_search_decode(model, SOURCE, 2, 5, START, END, return_scores=True)
    assert greedy == [[A]] and beam == [[B]]
    np.testing.assert_allclose(greedy_score, [math.log(0.6 * 0.4)], rtol=1e-6)
    np.testing.assert_allclose(beam_score, [math.log(0.4 * 0.9)], rtol=1e-6)
    assert decoding.beam_search_decode(model, SOURCE, 1, 5, START, END) == greedy


def test_beam_search_is_exact_when_the_beam_holds_every_prefix():
    # Enumerate all sequences of at most 3 tokens of a random table; a beam as wide as the
    # number of prefixes must return the most probable one.
    rng = np.random.default_rng(0)
    table = {}
    for prefix in [(), (A,), (B,), (A, A), (A, B), (B, A), (B, B)]:
        p = rng.dirichlet(np.ones(3))
        table[prefix] = {END: p[0], A: p[1], B: p[2]}
    model = TableModel(table)

    def probability(sequence):
        total = 1.0
        for i, token in enumerate(list(sequence) + [END]):
            total *= table.get(tuple(sequence[:i]), {END: 1.0}).get(token, 1e-9)
        return total

    candidates = [()] + [(x,) for x in (A, B)] + [(x, y) for x in (A, B) for y in (A, B)] + [
        (x, y, z) for x in (A, B) for y in (A, B) for z in (A, B)]
    best = max(candidates, key=probability)
    assert decoding.beam_search_decode(model, SOURCE, 8, 4, START, END) == [list(best)]


def test_length_penalty_trades_probability_for_length():
    # "" (end at once) has p = 0.5; "A B" has p = 0.5 * 0.9 * 0.9 = 0.405 over 3 ids.
    model = TableModel({(): {END: 0.5, A: 0.5}, (A,): {B: 0.9, END: 0.1}, (A, B): {END: 0.9, A: 0.1}})
    assert decoding.beam_search_decode(model, SOURCE, 2, 5, START, END, length_penalty=0.0) == [[]]
    assert decoding.beam_search_decode(model, SOURCE, 2, 5, START, END, length_penalty=1.0) == [[A, B]]


def test_reserved_ids_are_never_generated_and_max_length_stops():
    # The table prefers pad and start, which must be skipped; A never ends.
    model = TableModel({(): {PAD: 0.5, START: 0.3, A: 0.2}, (A,): {A: 0.6, PAD: 0.4},
                        (A, A): {A: 1.0}, (A, A, A): {A: 1.0}})
    for decoded in (decoding.greedy_decode(model, SOURCE, 3, START, END),
                    decoding.beam_search_decode(model, SOURCE, 3, 3, START, END)):
        assert decoded == [[A, A, A]]


def test_a_finished_sequence_waits_for_the_others():
    source = np.ones((2, 3), dtype="int32")

    class TwoRows(TableModel):
        def __call__(self, inputs, training=False):  # row 0 ends at once, row 1 after A A
            logits = super().__call__(inputs)
            logits[0, -1] = np.log(np.where(np.arange(5) == END, 1.0, 1e-9))
            return logits

    model = TwoRows({(): {A: 1.0}, (A,): {A: 1.0}})
    assert decoding.greedy_decode(model, source, 6, START, END) == [[], [A, A]]
    assert decoding.beam_search_decode(model, source, 3, 6, START, END) == [[], [A, A]]
    assert model.calls == 6  # 3 steps each, then every sequence had ended


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_greedy_equals_beam_of_width_one_on_an_encoder_decoder(cell):
    keras.utils.set_random_seed(0)
    model = build_encoder_decoder(12, 9, 16, cell=cell, embedding_dim=8)
    rng = np.random.default_rng(0)
    source = rng.integers(3, 12, size=(20, 7)).astype("int32")
    source[::2, 5:] = 0  # some padded sources
    greedy, greedy_scores = decoding.greedy_decode(model, source, 6, START, END, return_scores=True)
    beam, beam_scores = decoding.beam_search_decode(model, source, 1, 6, START, END,
                                                    return_scores=True)
    assert greedy == beam and len(greedy) == 20
    np.testing.assert_allclose(greedy_scores, beam_scores, rtol=1e-9)
    # chunked model calls, and the eager call of the same model, give the same answer
    assert decoding.greedy_decode(model, source, 6, START, END, batch_size=7) == greedy
    eager = lambda inputs, training=False: model(inputs, training=training)
    assert decoding.greedy_decode(eager, source, 6, START, END) == greedy
    wide = decoding.beam_search_decode(model, source, 3, 6, START, END, batch_size=5)
    assert len(wide) == 20 and all(min(s, default=3) >= 3 for s in wide)


@pytest.mark.parametrize("call, name", [
    (lambda m: decoding.greedy_decode(m, SOURCE, 0, START, END), "`max_length`"),
    (lambda m: decoding.greedy_decode(m, SOURCE[0], 3, START, END), "`source_ids`"),
    (lambda m: decoding.greedy_decode(m, SOURCE.astype(float), 3, START, END), "`source_ids`"),
    (lambda m: decoding.greedy_decode(m, SOURCE, 3, START, START), "`start_id`"),
    (lambda m: decoding.greedy_decode(m, SOURCE, 3, START, END, batch_size=0), "`batch_size`"),
    (lambda m: decoding.beam_search_decode(m, SOURCE, 0, 3, START, END), "`beam_width`"),
    (lambda m: decoding.beam_search_decode(m, SOURCE, 2.0, 3, START, END), "`beam_width`"),
    (lambda m: decoding.beam_search_decode(m, SOURCE, 2, 3, START, -1), "`end_id`"),
    (lambda m: decoding.beam_search_decode(m, SOURCE, 2, 3, START, END, length_penalty=-1),
     "`length_penalty`"),
])
def test_bad_arguments_raise(call, name):
    with pytest.raises(ValueError, match=name):
        call(TableModel(GREEDY_TRAP))


def test_exact_match_accuracy():
    assert decoding.exact_match_accuracy(["a", "b", "c", "d"], ["a", "x", "c", "d"]) == 0.75
    assert decoding.exact_match_accuracy([[3, 4], np.array([5])], [(3, 4), [6]]) == 0.5
    with pytest.raises(ValueError, match="same length"):
        decoding.exact_match_accuracy(["a"], ["a", "b"])
    with pytest.raises(ValueError, match="non-empty"):
        decoding.exact_match_accuracy([], [])
