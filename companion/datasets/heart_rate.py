"""Heart rate of a patient with internal bleeding, with one labelled anomaly (UCR / KDD-TSAD 135).

Data: series 135 (``InternalBleeding16``) of the UCR Time Series Anomaly Archive, prepared for
the SIGKDD 2021 anomaly-detection competition: Keogh, Dutta Roy, Naik and Agrawal (2021),
"Multi-dataset time-series anomaly detection competition", SIGKDD 2021; Wu and Keogh (2021),
"Current time series anomaly detection benchmarks are flawed and are creating the illusion of
progress", IEEE Transactions on Knowledge and Data Engineering. aeon describes it as the heart
rate of a patient with internal bleeding (values 55.7 to 104.5, one per time step, no unit or
rate given). Every series of the archive has exactly one anomaly, placed after a stretch of
normal training data. The archive's own file name,
``135_UCR_Anomaly_InternalBleeding16_1200_4187_4199.txt``, ends with the training length and
the anomaly's first and last positions.

Files: ``aeon/datasets/data/KDD-TSAD_135/135_UCR_Anomaly_InternalBleeding16_{TRAIN,TEST}.csv``
of the PyPI package ``aeon==1.6.0`` (BSD-3-Clause), installed with ``pip install --no-deps`` and
read by path, never imported. Both are TimeEval CSV files with the columns ``timestamp`` (0, 1,
2, ...), ``value`` and ``is_anomaly`` (0 or 1), as aeon's ``load_from_timeeval_csv_file``
reads them. The TRAIN file holds the first 1,200 values, all normal; the TEST file holds the
whole series, 7,501 values (its first 1,200 are the TRAIN file again), with ``is_anomaly = 1``
at positions 4,187 to 4,198: 12 values, the half-open range ``[4187, 4199)``.

A detector is fitted on ``train`` and scores the whole ``series``; the anomaly lies in
``test = series[train_length:]``. Loading takes a few milliseconds.
"""

from dataclasses import dataclass

import numpy as np

from companion.datasets import real_files

DISTRIBUTION = "aeon"
VERSION = real_files.PINNED[DISTRIBUTION]
FOLDER = "aeon/datasets/data/KDD-TSAD_135"
FILES = {
    "train": ("135_UCR_Anomaly_InternalBleeding16_TRAIN.csv",
              "a531b6f4f556b17c0321d144c3f6b4a7bdf5e8464b2218566181702e77962c2b"),
    "test": ("135_UCR_Anomaly_InternalBleeding16_TEST.csv",
             "fe26577b94896943e8205d04d56bf2511fe05c008df535a1ec3826adff3597e2"),
}
HEADER = "timestamp,value,is_anomaly"


@dataclass(frozen=True)
class HeartRate:
    """The whole series and its labels.

    ``series``: float32 ``(7501,)``. ``labels``: int8 ``(7501,)``, 1 inside the anomaly.
    ``train_length``: 1200, the length of the normal training prefix. ``anomalies``: int64
    ``(k, 2)``, the half-open ``[start, stop)`` of each run of labels 1 (here ``k = 1``).
    """

    series: np.ndarray
    labels: np.ndarray
    train_length: int
    anomalies: np.ndarray

    @property
    def train(self):
        """The normal training prefix, ``series[:train_length]``."""
        return self.series[:self.train_length]

    @property
    def test(self):
        """The part after the training prefix, where the anomaly lies."""
        return self.series[self.train_length:]

    @property
    def test_labels(self):
        return self.labels[self.train_length:]


def parse_timeeval(text, filename):
    """``(values, labels)`` of a univariate TimeEval CSV (``timestamp,value,is_anomaly``)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != HEADER:
        raise ValueError(f"{filename}: header {lines[0] if lines else ''!r}; expected {HEADER!r}")
    table = np.array([line.split(",") for line in lines[1:] if line.strip()], dtype=np.float64)
    if not np.array_equal(table[:, 0], np.arange(len(table))):
        raise ValueError(f"{filename}: the timestamps are not 0, 1, 2, ...")
    if not np.isin(table[:, 2], (0, 1)).all():
        raise ValueError(f"{filename}: is_anomaly holds values other than 0 and 1")
    return table[:, 1].astype(np.float32), table[:, 2].astype(np.int8)


def anomaly_ranges(labels):
    """The half-open ``[start, stop)`` of each run of 1 in a 0/1 array, as int64 ``(k, 2)``."""
    edges = np.diff(np.concatenate([[0], np.asarray(labels, dtype=np.int64), [0]]))
    return np.stack([np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)], axis=1)


def _read(split):
    filename, sha256 = FILES[split]
    data = real_files.read_file(DISTRIBUTION, VERSION, f"{FOLDER}/{filename}", sha256)
    return parse_timeeval(data.decode("ascii"), filename)


def load():
    """Load the series, its labels and its training length.

    Returns:
        :class:`HeartRate`. Raises ``real_files.DataFileError`` when aeon 1.6.0's files are
        missing or changed.
    """
    train, train_labels = _read("train")
    series, labels = _read("test")
    # the archive's convention: the training part is the normal prefix of the whole series
    if train_labels.any() or not np.array_equal(series[:len(train)], train):
        raise ValueError(f"{FILES['train'][0]} is not the anomaly-free prefix of "
                         f"{FILES['test'][0]}")
    return HeartRate(series, labels, len(train), anomaly_ranges(labels))
