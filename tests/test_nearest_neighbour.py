"""companion.models.nearest_neighbour: DTW and Euclidean 1-NN, the time-series baselines."""

import numpy as np
import pytest

from companion.models import nearest_neighbour as nn


def sequences(seed, count, features=3, lengths=(4, 9)):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((rng.integers(*lengths), features)) for _ in range(count)]


def test_dtw_of_a_sequence_with_itself_and_with_a_stretched_copy_is_zero():
    a = np.random.default_rng(0).standard_normal((6, 2))
    assert nn.dtw_distance(a, a) == 0.0
    stretched = np.repeat(a, 2, axis=0)  # every frame twice: the warping path absorbs it
    assert nn.dtw_distance(a, stretched) == pytest.approx(0.0, abs=1e-12)
    assert nn.dtw_distance(a, a[::-1]) > 0


def test_vectorised_dtw_matches_the_pairwise_recursion():
    queries, references = sequences(1, 5), sequences(2, 4)
    matrix = nn.dtw_distances(queries, references)
    expected = np.array([[nn.dtw_distance(q, r) for r in references] for q in queries])
    np.testing.assert_allclose(matrix, expected, rtol=1e-9, atol=1e-9)


def test_dtw_is_symmetric_and_bounded_by_the_diagonal_alignment():
    a, b = sequences(3, 2, lengths=(7, 8))
    a, b = a[:7], b[:7]
    assert nn.dtw_distance(a, b) == pytest.approx(nn.dtw_distance(b, a))
    assert nn.dtw_distance(a, b) <= ((a - b) ** 2).sum() + 1e-12


def test_resample_keeps_the_end_frames_and_interpolates_between():
    s = np.array([[0.0], [1.0], [4.0]])
    out = nn.resample(s, 5)
    np.testing.assert_allclose(out[:, 0], [0.0, 0.5, 1.0, 2.5, 4.0])


def test_one_nearest_neighbour_labels_and_euclidean_shapes():
    references = sequences(4, 6)
    labels = np.arange(6)
    distances = nn.euclidean_distances(references, references, length=8)
    assert distances.shape == (6, 6)
    assert np.array_equal(nn.one_nearest_neighbour(distances, labels), labels)
    with pytest.raises(ValueError, match="`distances`"):
        nn.one_nearest_neighbour(distances[:, :3], labels)
    with pytest.raises(ValueError, match="`a` and `b`"):
        nn.dtw_distance(np.zeros((3, 2)), np.zeros((3, 4)))
