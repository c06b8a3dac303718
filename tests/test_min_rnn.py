"""minGRU / minLSTM: both forms compute the same function, with the same gradients."""

import keras
import numpy as np
import pytest
from cell_pairs import function_gradient, weight_gradients

from companion.layers.min_rnn import MinGRU, MinLSTM, min_gru_parameters
from companion.layers.parallel_scan import (
    LinearRecurrenceCell,
    g,
    log_g,
    parallel_scan_log,
    sequential_scan,
)

RNG = np.random.default_rng(0)


def _inputs(batch, steps, features, scale=1.0):
    return (scale * RNG.standard_normal((batch, steps, features))).astype("float32")


def _loop(a, b, h0):
    # The recurrence written as a plain Python loop in float64.
    h, states = h0.astype("float64"), []
    for t in range(a.shape[1]):
        h = a[:, t] * h + b[:, t]
        states.append(h)
    return np.stack(states, axis=1)


@pytest.mark.parametrize("steps", [1, 2, 5, 64, 100])
def test_parallel_scan_matches_a_loop_for_any_length(steps):
    a = RNG.uniform(0.05, 1.0, (3, steps, 4))
    b = RNG.uniform(0.01, 2.0, (3, steps, 4))
    h0 = RNG.standard_normal((3, 4))  # any sign: h0 enters in linear space
    expected = _loop(a, b, h0)
    parallel = parallel_scan_log(np.log(a).astype("float32"), np.log(b).astype("float32"),
                                 h0.astype("float32"))
    sequential = sequential_scan(a.astype("float32"), b.astype("float32"), h0.astype("float32"))
    np.testing.assert_allclose(parallel, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(sequential, expected, rtol=1e-5, atol=1e-5)


def test_scan_without_initial_state_starts_from_zero():
    a = RNG.uniform(0.1, 0.9, (2, 7, 3))
    b = RNG.uniform(0.1, 0.9, (2, 7, 3))
    expected = _loop(a, b, np.zeros((2, 3)))
    np.testing.assert_allclose(parallel_scan_log(np.log(a), np.log(b)), expected, atol=1e-6)
    np.testing.assert_allclose(sequential_scan(a.astype("float32"), b.astype("float32")),
                               expected, atol=1e-6)


def test_g_and_log_g():
    x = np.linspace(-20, 20, 401).astype("float32")
    values = keras.ops.convert_to_numpy(g(x))
    assert (values > 0).all()
    np.testing.assert_allclose(values[x >= 0], x[x >= 0] + 0.5, rtol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(log_g(x)), np.log(values), rtol=1e-5, atol=1e-6)
    # no NaN gradient from the branch that is not taken
    assert np.isfinite(function_gradient(log_g, x)).all()


@pytest.mark.parametrize("layer_class", [MinGRU, MinLSTM])
@pytest.mark.parametrize("steps", [33, 300])
def test_parallel_and_sequential_forms_agree(layer_class, steps):
    layer = layer_class(8, return_sequences=True)
    x = _inputs(3, steps, 5, scale=2.0)
    h0 = _inputs(3, 1, 8)[:, 0]
    parallel = layer(x, initial_state=h0, mode="parallel")
    sequential = layer(x, initial_state=h0, mode="sequential")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(parallel),
                               keras.ops.convert_to_numpy(sequential), rtol=0, atol=1e-5)

    def gradients(mode):
        return weight_gradients(layer, x, initial_state=h0, mode=mode)

    for p, s in zip(gradients("parallel"), gradients("sequential")):
        scale = float(np.abs(s).max())
        np.testing.assert_allclose(p, s, rtol=0, atol=1e-5 * max(scale, 1.0))


def test_min_gru_follows_its_equations():
    layer = MinGRU(4, return_sequences=True, bias_initializer="random_normal")
    x = _inputs(2, 6, 3)
    layer.build(x.shape)
    kernel, bias = (keras.ops.convert_to_numpy(w).astype("float64") for w in layer.get_weights())
    k = x.astype("float64") @ kernel + bias
    z = 1 / (1 + np.exp(-k[..., :4]))
    k_h = k[..., 4:]
    candidate = np.where(k_h >= 0, k_h + 0.5, 1 / (1 + np.exp(-k_h)))
    expected = _loop(1 - z, z * candidate, np.zeros((2, 4)))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), expected, atol=1e-5)


def test_min_lstm_gates_are_normalised():
    layer = MinLSTM(4, bias_initializer="random_normal")
    x = _inputs(2, 6, 3)
    layer.build(x.shape)
    f_prime, i_prime_h = (keras.ops.convert_to_numpy(v) for v in layer.coefficients(x))
    kernel, bias = layer.get_weights()
    k_h = x @ kernel[:, 8:] + bias[8:]
    i_prime = i_prime_h / keras.ops.convert_to_numpy(g(k_h))
    np.testing.assert_allclose(f_prime + i_prime, 1.0, atol=1e-6)


def test_last_state_and_step_match_the_sequence():
    layer = MinGRU(5)
    x = _inputs(2, 9, 3)
    all_states = MinGRU.from_config({**layer.get_config(), "return_sequences": True})
    all_states.build(x.shape)
    layer.build(x.shape)
    all_states.set_weights(layer.get_weights())
    sequence = keras.ops.convert_to_numpy(all_states(x))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), sequence[:, -1], atol=1e-6)
    h = np.zeros((2, 5), dtype="float32")
    for t in range(9):  # streaming: one input at a time
        h = layer.step(x[:, t], h)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(h), sequence[:, -1], atol=1e-5)


def test_units_do_not_interact_through_time():
    # The gates ignore h_{t-1}: d h_T / d h_0 is diagonal.
    # Perturbing one unit of h_0 moves that unit of h_T only (exactly: no arithmetic mixes
    # them), and in the same direction.
    layer = MinGRU(4)
    x = _inputs(1, 5, 3)  # short: over many steps the perturbation decays to 0 in float32
    h0 = _inputs(1, 1, 4)[:, 0]
    base = keras.ops.convert_to_numpy(layer(x, initial_state=h0))[0]
    for unit in range(4):
        moved = h0.copy()
        moved[0, unit] += 0.5
        change = keras.ops.convert_to_numpy(layer(x, initial_state=moved))[0] - base
        others = np.delete(change, unit)
        assert np.all(others == 0.0) and change[unit] > 0


def test_parameters_and_serialization(tmp_path):
    layer = MinGRU(6, mode="sequential", use_bias=False)
    inputs = keras.Input((10, 4))
    model = keras.Model(inputs, layer(inputs))
    built = MinGRU(6)
    built.build((None, None, 4))
    assert built.count_params() == min_gru_parameters(4, 6)
    assert MinLSTM(6).n_blocks == 3
    x = _inputs(2, 10, 4)
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(restored(x)),
                               keras.ops.convert_to_numpy(model(x)), atol=1e-6)
    assert restored.layers[-1].get_config()["mode"] == "sequential"
    cell = LinearRecurrenceCell.from_config(LinearRecurrenceCell(3).get_config())
    assert cell.units == 3


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"units": 0}, "units"),
        ({"units": 2.5}, "units"),
        ({"units": 4, "mode": "scan"}, "mode"),
        ({"units": 4, "return_sequences": "yes"}, "return_sequences"),
        ({"units": 4, "use_bias": 1}, "use_bias"),
        ({"units": 4, "kernel_initializer": "no_such_thing"}, "kernel_initializer"),
    ],
)
def test_bad_arguments_are_named(arguments, message):
    with pytest.raises(ValueError, match=message):
        MinGRU(**arguments)


def test_bad_input_shapes_and_modes():
    with pytest.raises(ValueError, match="batch, time, features"):
        MinGRU(3).build((None, 4))
    with pytest.raises(ValueError, match="mode"):
        MinGRU(3)(_inputs(1, 4, 2), mode="fast")
    with pytest.raises(ValueError, match="features"):
        min_gru_parameters(0, 3)
