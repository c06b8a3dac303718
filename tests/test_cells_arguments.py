"""Bad arguments and bad input shapes give a clear ValueError at the boundary."""

import companion
import keras
import numpy as np
import pytest

CELLS = [companion.SimpleRNNCell, companion.LSTMCell, companion.GRUCell]


@pytest.mark.parametrize("cell_class", CELLS)
@pytest.mark.parametrize("units", [0, -3, 2.5, 4.0, "4", None, True])
def test_units_must_be_a_positive_int(cell_class, units):
    with pytest.raises(ValueError, match=r"`units`.*positive integer.*" + repr(units)[:3]):
        cell_class(units)


@pytest.mark.parametrize("cell_class", CELLS)
def test_numpy_integer_units_are_accepted(cell_class):
    assert cell_class(np.int64(3)).units == 3


@pytest.mark.parametrize("cell_class", CELLS)
@pytest.mark.parametrize("argument", ["dropout", "recurrent_dropout"])
@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, "0.2", True])
def test_dropout_rates_must_lie_in_zero_one(cell_class, argument, rate):
    with pytest.raises(ValueError, match=rf"`{argument}`.*\[0, 1\).*{rate!r}"[:60]):
        cell_class(4, **{argument: rate})


@pytest.mark.parametrize("cell_class", CELLS)
def test_unknown_activation_names_the_argument(cell_class):
    with pytest.raises(ValueError, match=r"`activation` got 'tanhh'.*activation"):
        cell_class(4, activation="tanhh")


@pytest.mark.parametrize("cell_class", [companion.LSTMCell, companion.GRUCell])
def test_unknown_recurrent_activation_names_the_argument(cell_class):
    with pytest.raises(ValueError, match=r"`recurrent_activation` got 'sigmod'"):
        cell_class(4, recurrent_activation="sigmod")


@pytest.mark.parametrize(
    "argument, value",
    [
        ("kernel_initializer", "glorot"),
        ("recurrent_initializer", "orthogonl"),
        ("bias_initializer", 3),
        ("kernel_regularizer", "l3"),
        ("bias_constraint", "positive"),
    ],
)
def test_unknown_initializers_regularizers_constraints(argument, value):
    with pytest.raises(ValueError, match=rf"`{argument}` got {value!r}"):
        companion.LSTMCell(4, **{argument: value})


@pytest.mark.parametrize(
    "cell_class, argument", [(companion.LSTMCell, "unit_forget_bias"), (companion.GRUCell, "reset_after")]
)
def test_flags_must_be_booleans(cell_class, argument):
    with pytest.raises(ValueError, match=rf"`{argument}` must be True or False, got 'yes'"):
        cell_class(4, **{argument: "yes"})


def test_seed_must_be_an_int():
    with pytest.raises(ValueError, match=r"`seed` must be an integer or None, got 1.5"):
        companion.GRUCell(4, seed=1.5)


@pytest.mark.parametrize("cell_class", CELLS)
@pytest.mark.parametrize("shape", [(2, 3), (2, 5, 4, 3)])
def test_input_of_the_wrong_rank_says_what_was_expected(cell_class, shape):
    layer = keras.layers.RNN(cell_class(4))
    with pytest.raises(ValueError, match=r"\(batch, features\).*3-D \(batch, time, features\)"):
        layer(np.zeros(shape, "float32"))


@pytest.mark.parametrize("cell_class", CELLS)
def test_cell_called_directly_on_a_sequence_says_what_was_expected(cell_class):
    cell = cell_class(4)
    states = cell.get_initial_state(batch_size=2)
    with pytest.raises(ValueError, match=r"step of shape \(2, 5, 3\)"):
        cell(np.zeros((2, 5, 3), "float32"), states)
