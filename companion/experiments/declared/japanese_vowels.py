"""Speaker recognition from Japanese vowels: which of nine speakers said "ae"?

Each utterance is 7 to 29 frames of 12 LPC cepstral coefficients (Kudo, Toyama & Shimbo
1999; ``companion.datasets.japanese_vowels``). Variants: an LSTM and a GRU of 32 units read the
frames (zero-padded and masked) and classify the speaker from the last state, from five seeds
each. A fixed fifth of the 270 training utterances (stratified by speaker) is held out for
early stopping; the official 370 test utterances are scored once, at the end.
"""

import functools

import numpy as np

from companion.datasets import japanese_vowels
from companion.experiments.protocol import Experiment

CELLS = ("lstm", "gru")
N_SPEAKERS = 9


@functools.lru_cache(maxsize=1)
def data():
    """(train indices, validation indices, the loaded data set, feature mean, feature std)."""
    vowels = japanese_vowels.load()
    labels = vowels.train.labels
    rng = np.random.default_rng(1999)
    validation = np.sort(np.concatenate([
        rng.choice(np.flatnonzero(labels == speaker), size=6, replace=False)
        for speaker in range(N_SPEAKERS)]))
    train = np.setdiff1d(np.arange(len(labels)), validation)
    frames = np.concatenate([vowels.train.series[i] for i in train])
    return train, validation, vowels, frames.mean(axis=0), frames.std(axis=0)


def pad(series, mean, std):
    """Standardised frames padded with zeros to the longest, and a (batch, time) mask."""
    length = max(len(s) for s in series)
    inputs = np.zeros((len(series), length, series[0].shape[1]), dtype="float32")
    mask = np.zeros((len(series), length), dtype=bool)
    for row, s in enumerate(series):
        inputs[row, :len(s)] = (s - mean) / std
        mask[row, :len(s)] = True
    return inputs, mask


class JapaneseVowelsSpeakers(Experiment):
    name = "japanese_vowels"
    question = ("How accurately do an LSTM and a GRU recognise nine speakers from short "
                "vowel recordings, against 1-nearest-neighbour with Euclidean and DTW distance?")
    seeds = (0, 1, 2, 3, 4)
    metric = "validation_accuracy"
    lower_is_better = False
    eval_every = 50
    keep_best = True
    units = 32
    batch_size = 32
    learning_rate = 3e-3
    budget = 1500

    def settings(self):
        return {"units": self.units, "batch_size": self.batch_size, "optimizer": "adam",
                "learning_rate": self.learning_rate, "budget": self.budget,
                "validation": "6 training utterances per speaker, drawn with seed 1999",
                "features": "standardised with the training frames' mean and std"}

    def variants(self):
        return [{"cell": cell} for cell in CELLS]

    def build_model(self, variant):
        import keras

        layer = keras.layers.LSTM if variant["cell"] == "lstm" else keras.layers.GRU
        inputs = keras.Input((None, 12))
        mask = keras.Input((None,), dtype="bool")
        state = layer(self.units, use_cudnn=False)(inputs, mask=mask)
        logits = keras.layers.Dense(N_SPEAKERS)(state)
        model = keras.Model([inputs, mask], logits)
        model.compile(keras.optimizers.Adam(self.learning_rate, global_clipnorm=1.0),
                      keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        return model

    def _arrays(self, series, indices):
        train, validation, vowels, mean, std = data()
        return pad([series[i] for i in indices], mean, std)

    def training_batch(self, variant, rng, step):
        train, _, vowels, _, _ = data()
        chosen = rng.choice(train, size=self.batch_size, replace=False)
        inputs, mask = self._arrays(vowels.train.series, chosen)
        return [inputs, mask], vowels.train.labels[chosen]

    def held_out(self, variant):
        _, validation, vowels, _, _ = data()
        validation = validation[:9] if self.smoke else validation
        return self._arrays(vowels.train.series, validation), vowels.train.labels[validation]

    @staticmethod
    def _accuracy(model, arrays, labels):
        logits = model.predict_on_batch(list(arrays))
        return float(np.mean(np.asarray(logits).argmax(axis=-1) == labels))

    def evaluate(self, model, variant, data_):
        arrays, labels = data_
        return {"validation_accuracy": self._accuracy(model, arrays, labels)}

    def test_metrics(self, model, variant):
        vowels = data()[2]
        indices = np.arange(9 if self.smoke else len(vowels.test))
        arrays = self._arrays(vowels.test.series, indices)
        return {"test_accuracy": self._accuracy(model, arrays, vowels.test.labels[indices])}

    def max_steps(self, variant):
        return self.budget
