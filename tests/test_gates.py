"""companion.experiments.gates: the traced gates come from the computation the Keras layer performs.

The traced hidden states equal the layer's outputs (companion cells and built-in layers, random
weights, several seeds); the traces obey the cell equations, so no gate is filed under another
gate's name; constant weights give gate values known in closed form; bad arguments raise
ValueError.
"""

import matplotlib

matplotlib.use("Agg")

import companion
import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest
from companion.experiments.gates import (
    gru_gate_activations,
    lstm_gate_activations,
    state_correlations,
)
from companion.views.figures import plot_gate_heatmap

UNITS, FEATURES, TIME, BATCH = 5, 3, 9, 4
SEEDS = [0, 1, 2]


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def random_inputs(seed):
    return np.random.default_rng(seed).standard_normal((BATCH, TIME, FEATURES)).astype("float32")


def built_layer(layer, seed, scale=0.6):
    """Build ``layer`` on (TIME, FEATURES) inputs and give it random weights (not the initial ones)."""
    model = keras.Sequential([keras.Input((TIME, FEATURES)), layer])
    rng = np.random.default_rng(seed + 100)
    model.set_weights([scale * rng.standard_normal(w.shape).astype("float32")
                       for w in model.get_weights()])
    return layer


LSTM_LAYERS = {
    "companion": lambda **kw: keras.layers.RNN(companion.LSTMCell(UNITS, **kw),
                                               return_sequences=True),
    "builtin": lambda **kw: keras.layers.LSTM(UNITS, return_sequences=True, **kw),
}
GRU_LAYERS = {
    "companion": lambda **kw: keras.layers.RNN(companion.GRUCell(UNITS, **kw),
                                               return_sequences=True),
    "builtin": lambda **kw: keras.layers.GRU(UNITS, return_sequences=True, **kw),
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("source", sorted(LSTM_LAYERS))
@pytest.mark.parametrize("use_bias", [True, False])
def test_lstm_traced_hidden_states_equal_layer_outputs(source, use_bias, seed):
    layer = built_layer(LSTM_LAYERS[source](use_bias=use_bias), seed)
    x = random_inputs(seed)
    gates = lstm_gate_activations(layer, x)
    np.testing.assert_allclose(gates["hidden"], keras.ops.convert_to_numpy(layer(x)), atol=1e-5)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("source", sorted(GRU_LAYERS))
@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_traced_hidden_states_equal_layer_outputs(source, reset_after, seed):
    layer = built_layer(GRU_LAYERS[source](reset_after=reset_after), seed)
    x = random_inputs(seed)
    gates = gru_gate_activations(layer, x)
    np.testing.assert_allclose(gates["hidden"], keras.ops.convert_to_numpy(layer(x)), atol=1e-5)


def test_lstm_final_cell_state_equals_layer_state():
    layer = built_layer(keras.layers.RNN(companion.LSTMCell(UNITS), return_state=True), seed=4)
    x = random_inputs(4)
    _, h_last, c_last = layer(x)
    gates = lstm_gate_activations(layer, x)
    np.testing.assert_allclose(gates["hidden"][:, -1], keras.ops.convert_to_numpy(h_last), atol=1e-5)
    np.testing.assert_allclose(gates["cell"][:, -1], keras.ops.convert_to_numpy(c_last), atol=1e-5)


@pytest.mark.parametrize("seed", SEEDS)
def test_lstm_traces_obey_the_cell_equations(seed):
    """A swapped name (input under "forget", say) would break c_t = f c_{t-1} + i c~_t."""
    layer = built_layer(LSTM_LAYERS["companion"](), seed)
    g = lstm_gate_activations(layer, random_inputs(seed))
    c_prev = np.concatenate([np.zeros((BATCH, 1, UNITS)), g["cell"][:, :-1]], axis=1)
    np.testing.assert_allclose(g["cell"], g["forget"] * c_prev + g["input"] * g["candidate"],
                               atol=1e-12)
    np.testing.assert_allclose(g["hidden"], g["output"] * np.tanh(g["cell"]), atol=1e-12)
    for name in ["input", "forget", "output"]:
        assert g[name].shape == (BATCH, TIME, UNITS)
        assert np.all((g[name] > 0) & (g[name] < 1)), name


@pytest.mark.parametrize("seed", SEEDS)
def test_gru_traces_obey_the_keras_update_rule(seed):
    layer = built_layer(GRU_LAYERS["companion"](), seed)
    g = gru_gate_activations(layer, random_inputs(seed))
    h_prev = np.concatenate([np.zeros((BATCH, 1, UNITS)), g["hidden"][:, :-1]], axis=1)
    np.testing.assert_allclose(g["hidden"], g["update"] * h_prev + (1 - g["update"]) * g["candidate"],
                               atol=1e-12)
    for name in ["update", "reset"]:
        assert g[name].shape == (BATCH, TIME, UNITS)
        assert np.all((g[name] > 0) & (g[name] < 1)), name


def test_lstm_gates_with_zero_kernels_are_the_sigmoid_of_their_bias():
    """Golden values: with W = U = 0, each gate is sigmoid(its bias block), at every step."""
    layer = keras.layers.RNN(companion.LSTMCell(UNITS))
    layer.build((None, TIME, FEATURES))
    bias_blocks = {"input": -1.0, "forget": 2.0, "candidate": 0.5, "output": -0.5}  # order i, f, c, o
    layer.set_weights([
        np.zeros((FEATURES, 4 * UNITS), "float32"),
        np.zeros((UNITS, 4 * UNITS), "float32"),
        np.repeat(np.array(list(bias_blocks.values()), "float32"), UNITS),
    ])
    g = lstm_gate_activations(layer, random_inputs(0))
    for name in ["input", "forget", "output"]:
        np.testing.assert_allclose(g[name], sigmoid(bias_blocks[name]), rtol=1e-7)
    np.testing.assert_allclose(g["candidate"], np.tanh(0.5), rtol=1e-7)


def test_gru_gates_with_zero_kernels_are_the_sigmoid_of_their_biases():
    layer = keras.layers.RNN(companion.GRUCell(UNITS))  # reset_after: biases [input, recurrent]
    layer.build((None, TIME, FEATURES))
    input_bias = np.repeat(np.array([1.0, -2.0, 0.0], "float32"), UNITS)  # order z, r, h
    recurrent_bias = np.repeat(np.array([0.5, 0.5, 0.0], "float32"), UNITS)
    layer.set_weights([
        np.zeros((FEATURES, 3 * UNITS), "float32"),
        np.zeros((UNITS, 3 * UNITS), "float32"),
        np.stack([input_bias, recurrent_bias]),
    ])
    g = gru_gate_activations(layer, random_inputs(0))
    np.testing.assert_allclose(g["update"], sigmoid(1.5), rtol=1e-7)
    np.testing.assert_allclose(g["reset"], sigmoid(-1.5), rtol=1e-7)


# --- bad arguments ------------------------------------------------------------------------


def test_wrong_kind_of_layer_raises():
    gru = built_layer(GRU_LAYERS["companion"](), seed=0)
    lstm = built_layer(LSTM_LAYERS["builtin"](), seed=0)
    with pytest.raises(ValueError, match="rnn_layer.*LSTM cell"):
        lstm_gate_activations(gru, random_inputs(0))
    with pytest.raises(ValueError, match="rnn_layer.*GRU cell"):
        gru_gate_activations(lstm, random_inputs(0))
    with pytest.raises(ValueError, match="rnn_layer"):
        lstm_gate_activations(keras.layers.Dense(3), random_inputs(0))


def test_unbuilt_layer_raises():
    with pytest.raises(ValueError, match="rnn_layer.*not built"):
        lstm_gate_activations(keras.layers.RNN(companion.LSTMCell(UNITS)), random_inputs(0))


@pytest.mark.parametrize("argument", [{"activation": "relu"}, {"recurrent_activation": "hard_sigmoid"}])
def test_non_default_activations_raise(argument):
    layer = built_layer(GRU_LAYERS["companion"](**argument), seed=0)
    name = next(iter(argument))
    with pytest.raises(ValueError, match=f"{name}="):
        gru_gate_activations(layer, random_inputs(0))


def test_go_backwards_raises():
    layer = built_layer(keras.layers.LSTM(UNITS, go_backwards=True), seed=0)
    with pytest.raises(ValueError, match="go_backwards"):
        lstm_gate_activations(layer, random_inputs(0))


@pytest.mark.parametrize("shape", [(TIME, FEATURES), (BATCH, TIME, FEATURES + 1)])
def test_inputs_of_wrong_shape_raise(shape):
    layer = built_layer(LSTM_LAYERS["companion"](), seed=0)
    with pytest.raises(ValueError, match=r"`inputs` has shape"):
        lstm_gate_activations(layer, np.zeros(shape))


# --- the heatmap ---------------------------------------------------------------------------


def test_heatmap_shows_units_by_time_with_marked_steps():
    values = np.random.default_rng(0).uniform(size=(TIME, UNITS))
    ax = plot_gate_heatmap(values, marked_steps=[2, 6], title="forget gate")
    image = ax.images[0]
    np.testing.assert_array_equal(image.get_array(), values.T)  # rows are units
    assert image.get_clim() == (0.0, 1.0)
    assert image.origin == "lower"
    assert sorted(line.get_xdata()[0] for line in ax.lines) == [2, 6]
    # The marks sit at the top edge of the axes, outside the image.
    assert all(line.get_ydata()[0] == 1.0 and line.get_transform() == ax.get_xaxis_transform()
               for line in ax.lines)
    assert ax.get_xlim() == (-0.5, TIME - 0.5)  # marking does not rescale the image
    assert ax.get_title() == "forget gate"
    plt.close(ax.figure)


def test_heatmap_argument_checks():
    with pytest.raises(ValueError, match="`activations` has shape"):
        plot_gate_heatmap(np.zeros((2, TIME, UNITS)))
    with pytest.raises(ValueError, match=r"`marked_steps` has \[9\]"):
        plot_gate_heatmap(np.zeros((TIME, UNITS)), marked_steps=[0, TIME])


def test_state_correlations_are_each_units_pearson_r():
    rng = np.random.default_rng(0)
    target = rng.normal(size=200)
    states = np.stack([2 * target + 1, -target, rng.normal(size=200), np.full(200, 0.3)], axis=1)
    r = state_correlations(states, target)
    expected = [np.corrcoef(states[:, u], target)[0, 1] for u in range(3)]
    np.testing.assert_allclose(r[:3], expected, atol=1e-12)
    np.testing.assert_allclose(r[:2], [1.0, -1.0], atol=1e-12)
    assert abs(r[3]) < 1e-12  # a unit that does not vary follows nothing (no NaN)


def test_state_correlations_refuse_mismatched_shapes():
    with pytest.raises(ValueError, match="`states` and `target`"):
        state_correlations(np.zeros((10, 3)), np.zeros(9))
    with pytest.raises(ValueError, match="`states` and `target`"):
        state_correlations(np.zeros(10), np.zeros(10))

