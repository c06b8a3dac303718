"""The companion cells under Keras' mixed-precision policies.

Documented behaviour (the chapter "Training recurrent networks in practice", mixed precision):
variables are float32; outputs and states are in the compute dtype (float16 or bfloat16),
exactly as in Keras' built-in layers; a float32 cell inside a mixed model stays float32;
training under ``mixed_float16`` uses a ``LossScaleOptimizer`` and decreases the loss.
"""

import companion
import keras
import numpy as np
import pytest
from companion.datasets import long_term_tasks

PAIRS = {
    "simple_rnn": (companion.SimpleRNNCell, keras.layers.SimpleRNN),
    "lstm": (companion.LSTMCell, keras.layers.LSTM),
    "gru": (companion.GRUCell, keras.layers.GRU),
}
POLICIES = ["mixed_float16", "mixed_bfloat16"]


@pytest.fixture(autouse=True)
def float32_after_each_test():
    keras.config.set_dtype_policy("float32")
    yield
    keras.config.set_dtype_policy("float32")


def dtype_name(tensor):
    return keras.backend.standardize_dtype(tensor.dtype)


def inputs(seed=0, time=9):
    return np.random.default_rng(seed).standard_normal((3, time, 4)).astype("float32")


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("kind", sorted(PAIRS))
def test_variables_float32_outputs_and_states_in_compute_dtype(policy, kind):
    cell_class, builtin_class = PAIRS[kind]
    keras.config.set_dtype_policy(policy)
    compute = policy.split("_")[1]
    ours = keras.layers.RNN(cell_class(5), return_sequences=True, return_state=True)
    outputs = ours(inputs())
    builtin_outputs = builtin_class(5, return_sequences=True, return_state=True)(inputs())
    assert {dtype_name(w) for w in ours.weights} == {"float32"}
    assert ours.cell.compute_dtype == compute and ours.cell.variable_dtype == "float32"
    assert [dtype_name(o) for o in outputs] == [compute] * len(outputs)
    assert [dtype_name(o) for o in outputs] == [dtype_name(o) for o in builtin_outputs]
    initial = ours.cell.get_initial_state(batch_size=3)
    assert {dtype_name(s) for s in initial} == {compute}


@pytest.mark.parametrize("kind", sorted(PAIRS))
@pytest.mark.parametrize("seed", [0, 1])
def test_mixed_float16_matches_keras_and_stays_close_to_float32(kind, seed):
    cell_class, builtin_class = PAIRS[kind]
    x = inputs(seed, time=30)
    reference = keras.layers.RNN(cell_class(6), return_sequences=True)
    reference.build(x.shape)
    rng = np.random.default_rng(seed + 10)
    weights = [(0.5 * rng.standard_normal(w.shape)).astype("float32") for w in reference.get_weights()]
    reference.set_weights(weights)
    float32_outputs = keras.ops.convert_to_numpy(reference(x))

    keras.config.set_dtype_policy("mixed_float16")
    ours = keras.layers.RNN(cell_class(6), return_sequences=True)
    builtin = builtin_class(6, return_sequences=True)
    for layer in (ours, builtin):
        layer.build(x.shape)
        layer.set_weights(weights)
    half = keras.ops.convert_to_numpy(ours(x)).astype(np.float32)
    half_builtin = keras.ops.convert_to_numpy(builtin(x)).astype(np.float32)
    np.testing.assert_allclose(half, half_builtin, atol=2e-3)  # the same computation as Keras'
    error = np.abs(half - float32_outputs).max()
    assert 0 < error < 2e-2  # float16 round-off: visible, small


@pytest.mark.parametrize("kind", sorted(PAIRS))
def test_training_under_mixed_float16_uses_loss_scaling_and_learns(kind):
    cell_class, _ = PAIRS[kind]
    keras.config.set_dtype_policy("mixed_float16")
    keras.utils.set_random_seed(0)
    x, y = long_term_tasks.adding_problem(256, 10, seed=0)
    model = keras.Sequential([
        keras.Input((10, 2)),
        keras.layers.RNN(cell_class(16)),
        keras.layers.Dense(1, dtype="float32"),
    ])
    model.compile(keras.optimizers.Adam(1e-2), "mse")
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    losses = model.fit(x, y, batch_size=32, epochs=4, verbose=0).history["loss"]
    assert np.all(np.isfinite(losses)) and losses[-1] < 0.7 * losses[0]
    assert {dtype_name(w) for w in model.weights} == {"float32"}
    predictions = keras.ops.convert_to_numpy(model(x))
    assert np.all(np.isfinite(predictions))
    assert dtype_name(model.layers[0](x)) == "float16"


def test_bfloat16_needs_no_loss_scaling():
    keras.config.set_dtype_policy("mixed_bfloat16")
    model = keras.Sequential([keras.Input((5, 2)), keras.layers.RNN(companion.GRUCell(4)),
                              keras.layers.Dense(1, dtype="float32")])
    model.compile(keras.optimizers.Adam(), "mse")
    assert not isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)


def test_an_overflowing_step_is_skipped_and_halves_the_scale():
    keras.config.set_dtype_policy("mixed_float16")
    keras.utils.set_random_seed(0)
    x, y = long_term_tasks.adding_problem(32, 10, seed=0)
    model = keras.Sequential([keras.Input((10, 2)), keras.layers.RNN(companion.LSTMCell(8)),
                              keras.layers.Dense(1, dtype="float32")])
    model.compile(keras.optimizers.SGD(1e-3), "mse")
    before = model.get_weights()
    model.train_on_batch(x, y * 1e4)  # scaled gradients far beyond float16's 65504
    scale = float(keras.ops.convert_to_numpy(model.optimizer.dynamic_scale))
    assert scale == model.optimizer.initial_scale / 2
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    model.train_on_batch(x, y)  # an ordinary batch is applied
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_float32_island_in_a_mixed_model():
    keras.config.set_dtype_policy("mixed_float16")
    island = keras.layers.RNN(companion.LSTMCell(4, dtype="float32"), dtype="float32",
                              return_state=True)
    wrapper_only = keras.layers.RNN(companion.LSTMCell(4), dtype="float32")
    outputs = island(inputs())
    wrapper_only(inputs())
    assert {dtype_name(o) for o in outputs} == {"float32"}
    assert island.cell.compute_dtype == "float32"
    assert wrapper_only.cell.compute_dtype == "float16"  # the cell keeps the global policy

