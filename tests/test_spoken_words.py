"""Generated spoken words: anagram words, variable durations, padding and the baselines' inputs."""

import numpy as np
import pytest
from companion.datasets import spoken_words


def test_words_are_the_orders_of_the_same_phonemes():
    assert len(spoken_words.WORDS) == len(set(spoken_words.WORDS)) == 6
    assert {"".join(sorted(word)) for word in spoken_words.WORDS} == {"ais"}


def test_utterances_have_varying_lengths_and_are_seeded():
    frames, labels = spoken_words.utterances(20, seed=0, min_frames=2, max_frames=6)
    assert len(frames) == len(labels) == 120
    assert np.bincount(labels).tolist() == [20] * 6
    lengths = [len(f) for f in frames]
    assert min(lengths) >= 6 and max(lengths) <= 18 + 6 and len(set(lengths)) > 5
    assert all(f.shape[1] == spoken_words.N_CHANNELS and f.dtype == np.float32 for f in frames)
    again, labels_again = spoken_words.utterances(20, seed=0, min_frames=2, max_frames=6)
    assert np.array_equal(labels, labels_again) and all(np.array_equal(a, b) for a, b in zip(frames, again))
    with pytest.raises(ValueError, match="`max_frames`"):
        spoken_words.utterances(2, min_frames=5, max_frames=3)


def test_phonemes_are_visible_in_order_without_noise():
    frames, labels = spoken_words.utterances(3, seed=1, noise=0.0)
    names = list(spoken_words.PHONEMES)
    templates = np.stack([spoken_words.phoneme_spectrum(spoken_words.PHONEMES[n]) for n in names])
    templates /= np.linalg.norm(templates, axis=1, keepdims=True)
    for utterance, label in zip(frames, labels):
        loud = utterance[utterance.sum(axis=1) > 0]  # drop the silence
        closest = [names[i] for i in np.argmax(loud @ templates.T, axis=1)]
        runs = [p for i, p in enumerate(closest) if i == 0 or p != closest[i - 1]]
        assert "".join(runs) == spoken_words.WORDS[label]  # the phonemes, in the word's order


def test_padding_and_features():
    frames, _ = spoken_words.utterances(2, seed=2)
    padded = spoken_words.pad_frames(frames)
    longest = max(len(f) for f in frames)
    assert padded.shape == (12, longest, spoken_words.N_CHANNELS)
    for row, utterance in zip(padded, frames):
        assert np.array_equal(row[: len(utterance)], utterance)
        assert not np.any(row[len(utterance):])
        assert np.all(np.any(utterance != 0, axis=1))  # no real frame looks like padding
    assert spoken_words.mean_frame_features(frames).shape == (12, spoken_words.N_CHANNELS)
    resampled = spoken_words.resampled_features(frames, n_frames=5)
    assert resampled.shape == (12, 5 * spoken_words.N_CHANNELS)
    np.testing.assert_allclose(resampled[0][: spoken_words.N_CHANNELS], frames[0][0], atol=1e-6)
    # reversing an utterance leaves its mean frame but not its resampled frames unchanged
    reversed_frames = [f[::-1] for f in frames]
    np.testing.assert_allclose(spoken_words.mean_frame_features(reversed_frames),
                               spoken_words.mean_frame_features(frames), atol=1e-6)
    assert np.abs(spoken_words.resampled_features(reversed_frames, 5) - resampled).max() > 0.1
    with pytest.raises(ValueError, match="`frames`"):
        spoken_words.pad_frames([])
