"""Update geometry: with plain SGD and global_clipnorm the step is at most c * eta long and
points straight down the clipped gradient; Adam's first step is about eta * sign(g), of norm
about eta * sqrt(N), whatever c; the measurement refuses a model it cannot measure."""

import keras
import numpy as np
import pytest
from companion.experiments import optimizer_steps


def small_model(optimizer, seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((5, 2)),
                              keras.layers.SimpleRNN(4),
                              keras.layers.Dense(1)])
    model.compile(optimizer, loss="mse")
    return model


def batches(seed, n_steps, scale=1.0):
    rng = np.random.default_rng(seed)
    return [(scale * rng.normal(size=(8, 5, 2)).astype("float32"),
             scale * rng.normal(size=(8, 1)).astype("float32")) for _ in range(n_steps)]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("clip", [0.01, 1.0, 100.0])
def test_plain_sgd_steps_are_bounded_by_c_eta_and_follow_the_clipped_gradient(seed, clip):
    model = small_model(keras.optimizers.SGD(0.1, global_clipnorm=clip), seed)
    geometry = optimizer_steps.update_geometry(model, batches(seed, 4, scale=3.0))
    assert len(geometry.cosines) == 4
    np.testing.assert_allclose(geometry.cosines, 1.0, atol=1e-4)
    assert np.all(geometry.step_over_bound <= 1 + 1e-4)
    # when the clip acts, the step is exactly c * eta; otherwise |g| / c
    expected = np.minimum(geometry.gradient_norms, clip) / clip
    np.testing.assert_allclose(geometry.step_over_bound, expected, rtol=1e-3)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("clip", [0.5, 2.0])
def test_adam_first_step_is_eta_times_the_sign_of_the_gradient(seed, clip):
    model = small_model(keras.optimizers.Adam(1e-3, global_clipnorm=clip), seed)
    n_weights = model.count_params()
    geometry = optimizer_steps.update_geometry(model, batches(seed, 1, scale=3.0))
    # |eta * sign(g)| = eta * sqrt(N): relative to c * eta, sqrt(N) / c, whatever the
    # gradient (up to Adam's epsilon, which shrinks the step of the tiniest components)
    np.testing.assert_allclose(geometry.step_over_bound[0], np.sqrt(n_weights) / clip,
                               rtol=1e-2)
    assert geometry.cosines[0] < 1 - 1e-3  # sign(g) is not along g


def test_adam_steps_exceed_c_eta_and_turn_away_from_the_gradient():
    model = small_model(keras.optimizers.Adam(1e-2, global_clipnorm=1.0), 0)
    geometry = optimizer_steps.update_geometry(model, batches(0, 5))
    assert np.all(geometry.step_over_bound > 1)
    assert np.all(geometry.cosines < 0.99)


def test_a_model_without_global_clipnorm_or_uncompiled_is_refused():
    model = small_model(keras.optimizers.SGD(0.1, clipnorm=1.0), 0)
    with pytest.raises(ValueError, match="global_clipnorm"):
        optimizer_steps.update_geometry(model, batches(0, 1))
    with pytest.raises(ValueError, match="compiled keras.Model"):
        optimizer_steps.update_geometry(keras.layers.Dense(1), batches(0, 1))
