"""Japanese Vowels: who is speaking, from 12 LPC cepstrum coefficients per frame.

Data: nine male Japanese speakers each uttered the vowels /a/ and /e/ in succession; each
utterance, sampled at 10 kHz, was analysed by 12th-order linear prediction into 12 LPC
cepstrum coefficients per frame (frames of 25.6 ms, one every 6.4 ms), giving series of 7 to 29
frames. The task is to name the speaker. Kudo, Toyama and Shimbo (1999), "Multidimensional
curve classification using passing-through regions", Pattern Recognition Letters 20(11-13),
1103-1111; UCI Machine Learning Repository (licence CC BY 4.0).

Files: ``sktime/datasets/data/JapaneseVowels/JapaneseVowels_{TRAIN,TEST}.ts`` of the PyPI
package ``sktime==1.2.0`` (BSD-3-Clause; aeon 1.6.0 ships byte-identical copies), installed with
``pip install --no-deps`` and read by path, never imported. The ``.ts`` format: ``#`` comment
lines, ``@`` header lines, then after ``@data`` one utterance per line, its 12 dimensions
separated by ``:`` (each a comma-separated series) and the class label last.

The official split is kept: 270 training utterances (30 per speaker, 7 to 26 frames, mean
15.8) and 370 test utterances (24 to 88 per speaker, 7 to 29 frames, mean 15.4). Series have
different lengths and padding is left to the caller, e.g.
``keras.utils.pad_sequences(list(split.series), dtype="float32", padding="post")`` gives
``(270, 26, 12)`` for the training split (pad the test split to its own or a common length).
Loading takes about 0.1 s.
"""

from dataclasses import dataclass

import numpy as np

from companion.datasets import real_files

DISTRIBUTION = "sktime"
VERSION = real_files.PINNED[DISTRIBUTION]
FOLDER = "sktime/datasets/data/JapaneseVowels"
FILES = {
    "train": ("JapaneseVowels_TRAIN.ts",
              "68a430eabd919cc77f40b1f5f3bc0dcafacc1486bca9260785aeb7d262cc78cd"),
    "test": ("JapaneseVowels_TEST.ts",
             "b3d41d6a0ca3bcad3afb9ca7d4365382aa51341e2e58bae2a574babdda5b9462"),
}
N_COEFFICIENTS = 12


@dataclass(frozen=True)
class Utterances:
    """One split. ``series``: a tuple of float32 arrays ``(frames, 12)``, frames from 7 to 29;
    ``labels``: an int64 array, the speaker index 0 to 8 (the file's label minus one)."""

    series: tuple
    labels: np.ndarray

    def __len__(self):
        return len(self.series)


@dataclass(frozen=True)
class JapaneseVowels:
    """The official split; ``classes[i]`` is the file's name of speaker index ``i``."""

    train: Utterances
    test: Utterances
    classes: tuple


def parse_ts(text, dimensions=N_COEFFICIENTS):
    """``(series, labels, classes)`` of a multivariate ``.ts`` file with class labels:
    ``series`` a list of float32 arrays ``(length, dimensions)``, ``labels`` the label strings
    and ``classes`` the labels declared by ``@classLabel true ...``."""
    classes, series, labels = None, [], []
    lines = iter(text.splitlines())
    for line in lines:
        line = line.strip()
        if line.lower().startswith("@classlabel"):
            words = line.split()
            classes = tuple(words[2:]) if words[1].lower() == "true" else ()
        elif line.lower() == "@data":
            break
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        *channels, label = line.strip().split(":")
        values = [np.array(channel.split(","), dtype=np.float32) for channel in channels]
        if len(values) != dimensions or len({v.size for v in values}) != 1:
            raise ValueError(f"utterance {number}: {len(values)} dimensions of lengths "
                             f"{sorted({v.size for v in values})}; expected {dimensions} "
                             "dimensions of one length")
        series.append(np.stack(values, axis=1))
        labels.append(label)
    return series, labels, classes


def _split(filename, sha256):
    data = real_files.read_file(DISTRIBUTION, VERSION, f"{FOLDER}/{filename}", sha256)
    series, labels, classes = parse_ts(data.decode("ascii"))
    unknown = set(labels) - set(classes)
    if unknown:
        raise ValueError(f"{filename}: labels {sorted(unknown)} not among {classes}")
    index = {label: i for i, label in enumerate(classes)}
    return Utterances(tuple(series), np.array([index[x] for x in labels], dtype=np.int64)), classes


def load():
    """Load the official train and test splits (270 and 370 utterances, 9 speakers).

    Returns:
        :class:`JapaneseVowels`. Raises ``real_files.DataFileError`` when sktime 1.2.0's files
        are missing or changed.
    """
    train, classes = _split(*FILES["train"])
    test, test_classes = _split(*FILES["test"])
    if test_classes != classes:
        raise ValueError(f"the test file declares classes {test_classes}, the train file "
                         f"{classes}")
    return JapaneseVowels(train, test, classes)
