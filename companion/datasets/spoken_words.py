"""Generated "spoken words": sequences of spectral frames, for a small word classifier.

A real speech demo needs recorded audio and hours of training; this module makes a stand-in
that keeps the property that matters for a recurrent model. Each *phoneme* is a spectrum over
``N_CHANNELS`` filterbank channels with energy at two formant channels; each *word* is a sequence
of phonemes; an *utterance* of a word holds every phoneme for a random number of frames (speaking
rate varies), shifts all formants by a random amount (speakers differ), and adds noise and a
little silence at both ends. The six words are the six orders of the same three phonemes, like
"pat", "tap" and "apt": the average spectrum of an utterance says almost nothing about the word,
its order says everything.
"""

import itertools

import keras
import numpy as np

from companion import checks

N_CHANNELS = 16
#: formant channels (F1, F2) of each phoneme
PHONEMES = {"a": (3.0, 9.0), "i": (2.0, 13.0), "s": (11.0, 14.5)}
#: the words: every order of the three phonemes
WORDS = tuple("".join(order) for order in itertools.permutations("ais"))


def phoneme_spectrum(formants, shift=0.0, width=1.2):
    """Energy per channel: a Gaussian bump of ``width`` channels at each formant (+ ``shift``)."""
    channels = np.arange(N_CHANNELS)[:, None]
    centres = np.asarray(formants, dtype=float)[None, :] + shift
    return np.exp(-0.5 * ((channels - centres) / width) ** 2).sum(axis=1)


def utterances(n_per_word, seed=None, min_frames=2, max_frames=10, noise=0.25):
    """``n_per_word`` generated utterances of each of ``WORDS``, in a random order.

    Each phoneme lasts between ``min_frames`` and ``max_frames`` frames, drawn uniformly and
    independently; each utterance gets one formant shift, uniform in [-1, 1] channel, a loudness
    in [0.7, 1.3], 0 to 3 frames of silence at each end, and Gaussian noise of sd ``noise`` on
    every channel of every frame.

    Returns:
        ``(frames, labels)``: a list of float32 arrays ``(frames_i, N_CHANNELS)`` and an int32
        array of indices into ``WORDS``.
    """
    n_per_word = checks.positive_int("n_per_word", n_per_word)
    min_frames = checks.positive_int("min_frames", min_frames)
    max_frames = checks.positive_int("max_frames", max_frames, minimum=min_frames)
    if not noise >= 0:
        raise ValueError(f"Argument `noise` must be >= 0, got {noise!r}.")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.repeat(np.arange(len(WORDS)), n_per_word)).astype("int32")
    frames = []
    for label in labels:
        shift, loudness = rng.uniform(-1, 1), rng.uniform(0.7, 1.3)
        parts = [np.zeros((rng.integers(0, 4), N_CHANNELS))]
        for phoneme in WORDS[label]:
            spectrum = loudness * phoneme_spectrum(PHONEMES[phoneme], shift)
            parts.append(np.tile(spectrum, (rng.integers(min_frames, max_frames + 1), 1)))
        parts.append(np.zeros((rng.integers(0, 4), N_CHANNELS)))
        utterance = np.concatenate(parts)
        utterance += noise * rng.standard_normal(utterance.shape)
        frames.append(utterance.astype("float32"))
    return frames, labels


def pad_frames(frames):
    """Frames padded after each utterance with all-zero frames, ``(n, longest, N_CHANNELS)``.

    Generated frames carry noise on every channel, so no real frame is all zero and
    ``keras.layers.Masking(0.0)`` masks exactly the padding.
    """
    if not frames:
        raise ValueError("Argument `frames` must hold at least one utterance, got none.")
    return keras.utils.pad_sequences(frames, dtype="float32", padding="post", value=0.0)


def mean_frame_features(frames):
    """The order-blind baseline's input: each utterance's average spectrum."""
    return np.stack([utterance.mean(axis=0) for utterance in frames])


def resampled_features(frames, n_frames=12):
    """An order-aware baseline's input: each utterance stretched to ``n_frames`` frames
    (linear interpolation in time) and flattened, the simplest time normalisation."""
    n_frames = checks.positive_int("n_frames", n_frames, minimum=2)
    rows = []
    for utterance in frames:
        old = np.linspace(0.0, 1.0, len(utterance))
        new = np.linspace(0.0, 1.0, n_frames)
        rows.append(np.stack([np.interp(new, old, channel) for channel in utterance.T], axis=1).ravel())
    return np.stack(rows)
