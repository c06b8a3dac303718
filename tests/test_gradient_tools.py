"""Gradient tools: the NumPy clipping rules match Keras' optimizers, the recorded gradient norm
is the norm before clipping, divergence is reported, spectral-radius scaling is exact."""

import companion
import keras
import numpy as np
import pytest
import tensorflow as tf
from companion.experiments import gradient_tools


def random_gradients(seed):
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 3, size=shape) for shape in [(4, 6), (6, 6), (6,), (6, 1)]]


def test_global_norm_is_the_norm_of_everything_together():
    gradients = random_gradients(0)
    flat = np.concatenate([g.ravel() for g in gradients])
    assert gradient_tools.global_norm(gradients) == pytest.approx(np.linalg.norm(flat))
    assert gradient_tools.global_norm(gradients + [None]) == pytest.approx(np.linalg.norm(flat))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("rule, threshold", [("clipnorm", 1.0), ("clipvalue", 0.5),
                                             ("global_clipnorm", 2.0), ("clipnorm", 1e3)])
def test_numpy_rules_match_a_keras_optimizer_step(rule, threshold, seed):
    gradients = random_gradients(seed)
    variables = [keras.Variable(np.zeros(g.shape), dtype="float64") for g in gradients]
    keras.optimizers.SGD(learning_rate=1.0, **{rule: threshold}).apply_gradients(
        zip([g.astype("float64") for g in gradients], variables))
    keras_clipped = [-v.numpy() for v in variables]  # lr 1 from zero: the update is -clipped
    ours = gradient_tools.clip_gradients(gradients, **{rule: threshold})
    for a, b in zip(ours, keras_clipped):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-12)


def test_what_each_rule_preserves():
    gradients = random_gradients(3)
    by_variable = gradient_tools.clip_gradients(gradients, clipnorm=1.0)
    by_element = gradient_tools.clip_gradients(gradients, clipvalue=1.0)
    together = gradient_tools.clip_gradients(gradients, global_clipnorm=1.0)
    np.testing.assert_allclose([np.linalg.norm(g) for g in by_variable], 1.0)
    assert max(np.abs(g).max() for g in by_element) == 1.0
    assert gradient_tools.global_norm(together) == pytest.approx(1.0)
    # Only the global rule keeps the direction of the whole update.
    raw = np.concatenate([g.ravel() for g in gradients])
    for clipped, same_direction in [(together, True), (by_variable, False), (by_element, False)]:
        flat = np.concatenate([g.ravel() for g in clipped])
        cosine = flat @ raw / (np.linalg.norm(flat) * np.linalg.norm(raw))
        assert (abs(cosine - 1) < 1e-12) == same_direction


def test_small_gradients_are_left_alone_and_none_stays_none():
    gradients = [np.array([0.1, -0.2]), None]
    for rule in ("clipnorm", "clipvalue", "global_clipnorm"):
        clipped = gradient_tools.clip_gradients(gradients, **{rule: 1.0})
        np.testing.assert_array_equal(clipped[0], gradients[0])
        assert clipped[1] is None


@pytest.mark.parametrize("kwargs, match", [
    ({"clipnorm": 1.0, "clipvalue": 1.0}, "Only one"),
    ({"clipnorm": 0.0}, "clipnorm"),
    ({"clipvalue": -1.0}, "clipvalue"),
    ({"global_clipnorm": "1"}, "global_clipnorm"),
])
def test_bad_clipping_arguments_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gradient_tools.clip_gradients([np.ones(2)], **kwargs)


def test_gradients_must_be_a_list():
    with pytest.raises(ValueError, match="gradients"):
        gradient_tools.global_norm(3.0)
    with pytest.raises(ValueError, match="gradients"):
        gradient_tools.global_norm([])


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("radius", [0.5, 1.0, 1.5])
def test_scale_to_spectral_radius(radius, seed):
    matrix = np.random.default_rng(seed).normal(size=(7, 7)).astype("float32")
    scaled = gradient_tools.scale_to_spectral_radius(matrix, radius)
    assert scaled.dtype == matrix.dtype
    assert gradient_tools.spectral_radius(scaled) == pytest.approx(radius, rel=1e-5)
    ratio = scaled / matrix  # a multiple of the original
    np.testing.assert_allclose(ratio, ratio.flat[0], rtol=1e-5)


@pytest.mark.parametrize("matrix, radius, match", [
    (np.ones((2, 3)), 1.0, "square"),
    (np.zeros((3, 3)), 1.0, "spectral radius 0"),
    (np.eye(3), 0.0, "radius"),
    (np.eye(3), True, "radius"),
    (np.full((2, 2), np.nan), 1.0, "finite"),
])
def test_bad_scaling_arguments_are_rejected(matrix, radius, match):
    with pytest.raises(ValueError, match=match):
        gradient_tools.scale_to_spectral_radius(matrix, radius)


def small_model(**clipping):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6, 2)), keras.layers.RNN(companion.SimpleRNNCell(4)),
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.1, **clipping), "mse")
    return model


def test_the_recorded_norm_is_the_norm_before_clipping_and_the_step_is_clipped():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 6, 2)).astype("float32")
    y = 100 * rng.normal(size=(8, 1)).astype("float32")  # a large loss: a large gradient
    model = small_model(global_clipnorm=0.5)
    before = [v.numpy().copy() for v in model.trainable_variables]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.mean_squared_error(y, model(x)))
    expected = gradient_tools.global_norm(tape.gradient(loss, model.trainable_variables))

    step = gradient_tools.make_gradient_norm_step(model)
    recorded_loss, recorded_norm = step(x, y)
    assert recorded_loss == pytest.approx(float(loss), rel=1e-5)
    assert recorded_norm == pytest.approx(expected, rel=1e-4) and recorded_norm > 0.5
    moved = [after.numpy() - b for after, b in zip(model.trainable_variables, before)]
    assert gradient_tools.global_norm(moved) == pytest.approx(0.1 * 0.5, rel=1e-4)  # lr * c


def test_train_with_gradient_norms_records_every_step_and_evaluates():
    model = small_model()
    rng = np.random.default_rng(1)
    data = [(rng.normal(size=(8, 6, 2)).astype("float32"), rng.normal(size=(8, 1)).astype("float32"))
            for _ in range(12)]
    trace = gradient_tools.train_with_gradient_norms(model, lambda step: data[step - 1], 12,
                                                     eval_data=data[0], eval_every=5)
    assert len(trace.losses) == len(trace.gradient_norms) == 12 and not trace.diverged
    np.testing.assert_array_equal(trace.steps, np.arange(1, 13))
    np.testing.assert_array_equal(trace.eval_steps, [0, 5, 10, 12])
    assert np.all(trace.gradient_norms > 0) and trace.seconds > 0
    assert trace.eval_losses[0] == pytest.approx(trace.losses[0], rel=1e-5)  # same batch, step 0


def test_divergence_is_reported_not_raised():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(1e3), "mse")  # a step size that must blow up
    x = 100 * np.ones((4, 4), "float32")
    trace = gradient_tools.train_with_gradient_norms(model, lambda step: (x, np.ones((4, 1))), 500)
    assert trace.diverged and len(trace.losses) < 500
    assert not (np.isfinite(trace.losses[-1]) and np.isfinite(trace.gradient_norms[-1]))


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_bad_step_counts_are_rejected(bad):
    with pytest.raises(ValueError, match="max_steps"):
        gradient_tools.train_with_gradient_norms(small_model(), lambda step: None, bad)


def test_an_uncompiled_model_is_rejected():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="compiled"):
        gradient_tools.make_gradient_norm_step(model)


def test_docstring_examples():
    import doctest

    failed, attempted = doctest.testmod(gradient_tools)[:2]
    assert attempted >= 2 and failed == 0
