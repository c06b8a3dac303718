"""The character corpus: deterministic text, vocabulary, contiguous split, training windows and
evaluation streams."""

import numpy as np
import pytest
from companion.datasets import text


def test_pydoc_topics_text_is_deterministic_english_and_large():
    corpus = text.pydoc_topics_text()
    assert corpus == text.pydoc_topics_text()
    assert text.text_sha256(corpus) == text.text_sha256(text.pydoc_topics_text())
    assert len(corpus) > 200_000
    assert "statement" in corpus and corpus.count(" the ") > 1000
    from pydoc_data.topics import topics
    first = sorted(topics)[0]
    assert corpus.startswith(topics[first])  # sorted by topic name, not by dict order


def test_vocabulary_round_trip_and_unknown_symbol():
    vocabulary = text.CharVocabulary.from_text("aaabbc", min_count=2)
    assert vocabulary.chars == "ab" and vocabulary.size == 3  # c is rare: unknown
    ids = vocabulary.encode("abcz")
    assert ids.dtype == np.int32 and ids.tolist() == [1, 2, text.UNKNOWN_ID, text.UNKNOWN_ID]
    assert vocabulary.decode(ids) == "ab" + text.UNKNOWN_CHAR * 2
    assert vocabulary.decode(vocabulary.encode("baab")) == "baab"


def test_vocabulary_orders_by_frequency_then_code_point():
    vocabulary = text.CharVocabulary.from_text("ccbbaad" + "e" * 5)
    assert vocabulary.chars == "eabcd"
    assert text.CharVocabulary(vocabulary.chars).encode("dace").tolist() == \
        vocabulary.encode("dace").tolist()  # rebuilt from its characters: the same ids


@pytest.mark.parametrize("chars, message", [(["ab"], "single characters"), ("aba", "distinct")])
def test_vocabulary_rejects_bad_characters(chars, message):
    with pytest.raises(ValueError, match=message):
        text.CharVocabulary(chars)


def test_vocabulary_rejects_bad_arguments():
    with pytest.raises(ValueError, match="`min_count`"):
        text.CharVocabulary.from_text("abc", min_count=0)
    with pytest.raises(ValueError, match="`ids`"):
        text.CharVocabulary("ab").decode([3])


def test_split_by_position_is_contiguous():
    sequence = np.arange(1000)
    train, validation = text.split_by_position(sequence, 0.1)
    assert len(train) == 900 and len(validation) == 100
    assert np.array_equal(np.concatenate([train, validation]), sequence)
    assert text.split_by_position("abcdefghij", 0.3) == ("abcdefg", "hij")
    for bad in [0, 1, -0.5, "0.1"]:
        with pytest.raises(ValueError, match="`validation_fraction`"):
            text.split_by_position(sequence, bad)
    with pytest.raises(ValueError, match="too short"):
        text.split_by_position([1, 2], 0.1)


def test_next_char_windows_targets_are_inputs_shifted_by_one():
    ids = np.arange(50)
    inputs, targets = text.next_char_windows(ids, length=7, batch_size=32, rng=0)
    assert inputs.shape == targets.shape == (32, 7)
    assert np.array_equal(targets, inputs + 1)  # ids are positions here
    assert np.all(np.diff(inputs, axis=1) == 1)  # contiguous windows
    assert targets.max() <= 49 and len(np.unique(inputs[:, 0])) > 10  # random starts, in range
    again, _ = text.next_char_windows(ids, 7, 32, rng=0)
    assert np.array_equal(inputs, again)
    with pytest.raises(ValueError, match="`ids`"):
        text.next_char_windows(np.arange(5), length=5, batch_size=1, rng=0)


@pytest.mark.parametrize("n_ids, start, n_streams, warmup", [(100, 11, 4, 10), (103, 20, 7, 3), (50, 1, 1, 0)])
def test_evaluation_streams_score_every_id_once_with_its_context(n_ids, start, n_streams, warmup):
    ids = np.arange(n_ids) + 1000
    inputs, targets = text.evaluation_streams(ids, start, n_streams, warmup)
    assert inputs.shape == targets.shape and inputs.shape[0] == n_streams
    scored = targets[targets >= 0]
    assert np.array_equal(scored, ids[start:])  # every id once, in reading order
    rows, columns = np.nonzero(targets >= 0)
    assert columns.min() == warmup  # at least `warmup` ids read before each scored one
    # the id read at a scored position is the id just before its target
    assert np.all(inputs[rows, columns] == targets[rows, columns] - 1)
    # and the warm-up is the text just before, read in order
    assert np.all(np.diff(inputs[rows[0], :warmup + 1]) == 1)


def test_evaluation_streams_reject_missing_context():
    with pytest.raises(ValueError, match="`start`"):
        text.evaluation_streams(np.arange(100), start=5, n_streams=2, warmup=10)
    with pytest.raises(ValueError, match="`n_streams`"):
        text.evaluation_streams(np.arange(100), start=95, n_streams=10, warmup=2)
