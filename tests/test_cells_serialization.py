"""The companion cells save and load like Keras' own: complete config, registered, safe mode."""

import inspect

import companion
import keras
import numpy as np
import pytest
from cell_pairs import KINDS

CELLS = [companion.SimpleRNNCell, companion.LSTMCell, companion.GRUCell]


@pytest.mark.parametrize("cell_class", CELLS)
def test_config_names_every_constructor_argument(cell_class):
    cell = cell_class(3)
    config = cell.get_config()
    arguments = set()
    for klass in cell_class.__mro__:
        if "__init__" in vars(klass) and klass.__module__.startswith("companion"):
            arguments |= {
                name
                for name, p in inspect.signature(klass.__init__).parameters.items()
                if name != "self" and p.kind is p.POSITIONAL_OR_KEYWORD
            }
    assert arguments <= set(config), arguments - set(config)


@pytest.mark.parametrize("kind", KINDS)
def test_config_round_trip_keeps_non_default_arguments(kind):
    cell_class, _, kind_kwargs = KINDS[kind]
    kwargs = dict(
        activation="relu",
        use_bias=True,
        kernel_initializer=keras.initializers.RandomNormal(stddev=0.3, seed=1),
        recurrent_initializer="glorot_normal",
        bias_initializer="ones",
        kernel_regularizer=keras.regularizers.L2(1e-3),
        recurrent_constraint=keras.constraints.MaxNorm(2.0),
        dropout=0.25,
        recurrent_dropout=0.1,
        seed=7,
        **kind_kwargs,
    )
    if kind != "simple_rnn":
        kwargs["recurrent_activation"] = "hard_sigmoid"
    if kind == "lstm":
        kwargs["unit_forget_bias"] = False
    cell = cell_class(6, **kwargs)
    clone = cell_class.from_config(cell.get_config())
    assert clone.get_config() == cell.get_config()
    assert clone.dropout == 0.25 and clone.seed == 7 and clone.units == 6
    assert isinstance(clone.kernel_regularizer, keras.regularizers.L2)


def test_saved_model_loads_in_safe_mode_with_identical_predictions(tmp_path):
    inputs = keras.Input((9, 3))
    hidden = keras.layers.Bidirectional(
        keras.layers.RNN(companion.LSTMCell(6, dropout=0.1, seed=1), return_sequences=True)
    )(inputs)
    hidden = keras.layers.RNN(companion.GRUCell(5, reset_after=False), return_sequences=True)(hidden)
    hidden = keras.layers.RNN(companion.GRUCell(5), return_sequences=True)(hidden)
    outputs = keras.layers.RNN(companion.SimpleRNNCell(4, recurrent_dropout=0.2, seed=2))(hidden)
    model = keras.Model(inputs, keras.layers.Dense(1)(outputs))
    x = np.random.default_rng(0).standard_normal((5, 9, 3)).astype("float32")
    expected = model.predict(x, verbose=0)

    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)

    np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)
    cells = [type(layer.cell).__name__ for layer in loaded.layers if hasattr(layer, "cell")]
    assert cells == ["GRUCell", "GRUCell", "SimpleRNNCell"]
    assert type(loaded.layers[1].forward_layer.cell) is companion.LSTMCell


def test_registered_names():
    for cell_class in CELLS:
        name = keras.saving.get_registered_name(cell_class)
        assert name == f"companion>{cell_class.__name__}"
        assert keras.saving.get_registered_object(name) is cell_class
