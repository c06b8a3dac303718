"""The date-normalisation task, the character vocabulary and the teacher-forcing arrays."""

import datetime

import numpy as np
import pytest
from companion.datasets import dates as data


def test_dates_are_correct_in_every_format():
    sources, targets, formats = data.date_normalisation_data(2000, seed=0, return_formats=True)
    assert len(sources) == len(targets) == len(formats) == 2000
    assert set(formats) == set(data.DATE_FORMATS)  # every format occurs
    months = {name.lower(): i + 1 for i, name in enumerate(data.MONTHS)}
    for source, target, name in zip(sources, targets, formats):
        date = datetime.date.fromisoformat(target)
        assert data.FIRST_DATE <= date <= data.LAST_DATE and data.is_iso_date(target)
        # read the source back independently of the generator
        if name == "03/03/21":
            day, month, yy = map(int, source.split("/"))
            year = 2000 + yy if yy < 50 else 1900 + yy
        elif name == "3.3.2021":
            day, month, year = map(int, source.split("."))
        elif name == "20210303":
            year, month, day = int(source[:4]), int(source[4:6]), int(source[6:])
        else:
            words = source.replace(",", "").split()
            if name.startswith("Wednesday"):
                assert words[0] == data.WEEKDAYS[date.weekday()]
                words = words[1:]
            numbers = [int(w.rstrip("stndrh")) for w in words if w[0].isdigit()]
            (month,) = [m for word in words for key, m in months.items()
                        if word.lower() in (key, key[:3])]
            day, year = numbers
            if name == "03 MAR 21":
                year = 2000 + year if year < 50 else 1900 + year
        assert datetime.date(year, month, day) == date, (source, target, name)


def test_same_seed_same_data_and_formats_restrict():
    assert data.date_normalisation_data(50, seed=3) == data.date_normalisation_data(50, seed=3)
    assert data.date_normalisation_data(50, seed=3) != data.date_normalisation_data(50, seed=4)
    sources, _ = data.date_normalisation_data(100, seed=0, formats=["20210303"])
    assert all(len(s) == 8 and s.isdigit() for s in sources)


def test_ordinal_suffixes():
    sources, targets = data.date_normalisation_data(3000, seed=1, formats=["March 3rd, 2021"])
    seen = {}
    for source, target in zip(sources, targets):
        seen[int(target[-2:])] = source.split()[1].rstrip(",")
    assert {seen[d] for d in (1, 2, 3, 11, 12, 13, 21, 22, 23, 31)} == {
        "1st", "2nd", "3rd", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st"}


@pytest.mark.parametrize("kwargs, name", [
    (dict(n=0), "`n`"), (dict(n=2.5), "`n`"), (dict(n=5, seed="a"), "`seed`"),
    (dict(n=5, formats=["dd-mm"]), "`formats`"), (dict(n=5, formats=[]), "`formats`"),
])
def test_bad_arguments_raise(kwargs, name):
    with pytest.raises(ValueError, match=name):
        data.date_normalisation_data(**kwargs)


def test_is_iso_date():
    assert data.is_iso_date("2021-03-03")
    for text in ["2021-02-30", "2021-3-03", "20210303", "2021-03-03x", "", None]:
        assert not data.is_iso_date(text)


def test_split_is_disjoint_by_target_and_covers_everything():
    sources, targets = data.date_normalisation_data(600, seed=0)
    targets = targets + targets[:100]  # repeated dates must land on one side only
    sources = sources + ["x"] * 100
    train, test = data.disjoint_split_indices(targets, test_fraction=0.25, seed=0)
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(len(targets)))
    assert not {targets[i] for i in train} & {targets[i] for i in test}
    assert 0.15 < len(test) / len(targets) < 0.35
    tr_s, tr_t, te_s, te_t = data.disjoint_train_test_split(sources, targets, 0.25, seed=0)
    assert tr_t == [targets[i] for i in train] and te_s == [sources[i] for i in test]
    with pytest.raises(ValueError, match="`test_fraction`"):
        data.disjoint_split_indices(targets, test_fraction=1.0)
    with pytest.raises(ValueError, match="distinct"):
        data.disjoint_split_indices(["a", "a"])
    with pytest.raises(ValueError, match="same length"):
        data.disjoint_train_test_split(sources, targets[:3])


def test_vocabulary_round_trip_and_reserved_ids():
    vocabulary = data.CharVocabulary.from_texts(["2021-03-03", "1999-12-31"])
    assert (vocabulary.pad_id, vocabulary.start_id, vocabulary.end_id) == (0, 1, 2)
    assert vocabulary.size == len(vocabulary) == 3 + len(set("2021-03-031999-12-31"))
    ids = vocabulary.encode("2021-03-03", add_start=True, add_end=True)
    assert ids[0] == 1 and ids[-1] == 2 and min(ids[1:-1]) >= 3
    assert vocabulary.decode(ids) == "2021-03-03"
    assert vocabulary.decode(ids + [5, 6]) == "2021-03-03"  # stops at the end id
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocabulary.encode("2021/03/03")
    with pytest.raises(ValueError, match="`characters`"):
        data.CharVocabulary(["a", "a"])
    with pytest.raises(ValueError, match="`texts`"):
        data.CharVocabulary.from_texts("abc")


def test_encode_batch_pads_at_the_end_and_never_truncates():
    vocabulary = data.CharVocabulary.from_texts(["abc"])
    batch = vocabulary.encode_batch(["abc", "a"], add_end=True)
    assert batch.dtype == np.int32 and batch.shape == (2, 4)
    assert batch[1, 2:].tolist() == [0, 0] and vocabulary.decode_batch(batch) == ["abc", "a"]
    assert vocabulary.encode_batch(["a"], length=5).shape == (1, 5)
    with pytest.raises(ValueError, match="`length`"):
        vocabulary.encode_batch(["abc"], length=2)


def test_teacher_forcing_arrays_shift_the_target_right():
    sources, targets = ["3 March 2021", "Mar 3, 21"], ["2021-03-03", "2021-03-03"]
    source_vocabulary = data.CharVocabulary.from_texts(sources)
    target_vocabulary = data.CharVocabulary.from_texts(targets)
    (source_ids, decoder_input), decoder_target = data.teacher_forcing_arrays(
        source_vocabulary, target_vocabulary, sources, targets)
    assert source_ids.shape == (2, 12) and decoder_input.shape == decoder_target.shape == (2, 11)
    assert (decoder_input[:, 0] == 1).all() and (decoder_target[:, -1] == 2).all()
    np.testing.assert_array_equal(decoder_input[:, 1:], decoder_target[:, :-1])
    assert source_vocabulary.decode_batch(source_ids) == sources
