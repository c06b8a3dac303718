"""Forecast errors, stacks of independently seeded members, direct and recursive forecasts."""

import companion
import keras
import numpy as np
import pytest
from companion.models import forecasters


def test_errors_on_hand_checkable_cases():
    truth, forecast = np.array([100.0, 200.0]), np.array([110.0, 170.0])
    assert forecasters.rmse(truth, forecast) == pytest.approx(np.sqrt((100 + 900) / 2))
    assert forecasters.mae(truth, forecast) == pytest.approx(20.0)
    assert forecasters.mape(truth, forecast) == pytest.approx((10 + 15) / 2)
    assert forecasters.errors(truth, truth) == {"RMSE": 0.0, "MAE": 0.0, "MAPE": 0.0}
    assert forecasters.rmse(truth, forecast) >= forecasters.mae(truth, forecast)


def test_errors_reject_mismatched_shapes_and_zero_truth():
    with pytest.raises(ValueError, match="`forecast`"):
        forecasters.rmse([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="`forecast`"):
        forecasters.mae([], [])
    with pytest.raises(ValueError, match="`truth`"):
        forecasters.mape([0.0, 1.0], [1.0, 1.0])


@pytest.mark.parametrize("cell", ["SimpleRNN", "LSTM", "GRU"])
def test_each_member_of_a_stack_is_the_single_network_with_its_seed(cell):
    seeds, window, n_outputs = [4, 7, 9], 6, 3
    stack = forecasters.stacked_members(cell, window, n_outputs, seeds, units=5)
    x = np.random.default_rng(0).normal(size=(8, window, 1)).astype("float32")
    outputs = stack.predict_on_batch(x)
    assert outputs.shape == (8, 3, n_outputs)
    for member, seed in enumerate(seeds):
        single = forecasters.single_member(cell, window, n_outputs, seed, units=5)
        for mine, theirs in zip(forecasters.member_weights(stack, member), single.get_weights()):
            np.testing.assert_array_equal(mine, theirs)  # same initial draw
        np.testing.assert_allclose(outputs[:, member], single.predict_on_batch(x), atol=1e-5)


def test_training_keeps_members_apart():
    seeds, window = [0, 1], 5
    stack = forecasters.stacked_members("GRU", window, 1, seeds, units=4)
    x = np.random.default_rng(1).normal(size=(64, window, 1)).astype("float32")
    losses = forecasters.fit_stack(stack, x, x[:, -1, :], epochs=3, batch_size=16)
    assert len(losses) == 3 and losses[-1] < losses[0]
    recurrent = stack.layers[1].get_weights()[1]
    mask = forecasters.BlockDiagonal(2, 4, 4).mask(recurrent.shape)
    assert np.all(recurrent[mask == 0] == 0) and np.any(recurrent[mask == 1] != 0)
    outputs = stack.predict_on_batch(x)
    for member, seed in enumerate(seeds):  # each trained member is still a standalone network
        single = forecasters.single_member("GRU", window, 1, seed, units=4)
        single.set_weights(forecasters.member_weights(stack, member))
        np.testing.assert_allclose(outputs[:, member], single.predict_on_batch(x), atol=1e-5)


def test_member_weights_load_into_the_companion_cell():
    stack = forecasters.stacked_members("LSTM", 4, 2, [3, 5], units=3)
    x = np.random.default_rng(2).normal(size=(5, 4, 1)).astype("float32")
    companion_model = keras.Sequential([keras.Input((4, 1)), keras.layers.RNN(companion.LSTMCell(3)),
                                        keras.layers.Dense(2)])
    companion_model.set_weights(forecasters.member_weights(stack, 1))
    np.testing.assert_allclose(companion_model.predict_on_batch(x), stack.predict_on_batch(x)[:, 1],
                               atol=1e-5)


def test_direct_and_recursive_forecasts_have_one_row_per_member():
    window = 4
    one_step = forecasters.stacked_members("SimpleRNN", window, 1, [0, 1, 2], units=3)
    last = np.arange(window, dtype="float32")
    recursive = forecasters.recursive_forecast(one_step, last, horizon=5)
    assert recursive.shape == (3, 5)
    # step 1 is the one-step prediction; step 2 reads it back as its newest input
    first = one_step.predict_on_batch(last.reshape(1, window, 1))[0, :, 0]
    np.testing.assert_allclose(recursive[:, 0], first, atol=1e-6)
    for member in range(3):
        window_2 = np.append(last[1:], recursive[member, 0]).reshape(1, window, 1)
        np.testing.assert_allclose(recursive[member, 1],
                                   one_step.predict_on_batch(window_2)[0, member, 0], atol=1e-6)
    multi = forecasters.stacked_members("SimpleRNN", window, 5, [0, 1], units=3)
    assert forecasters.direct_forecast(multi, last).shape == (2, 5)
    with pytest.raises(ValueError, match="`stack`"):
        forecasters.recursive_forecast(multi, last, 5)
    with pytest.raises(ValueError, match="`horizon`"):
        forecasters.recursive_forecast(one_step, last, 0)


@pytest.mark.parametrize("call, argument", [
    (lambda: forecasters.stacked_members("RNN", 4, 1, [0]), "cell"),
    (lambda: forecasters.stacked_members("GRU", 4, 1, []), "seeds"),
    (lambda: forecasters.stacked_members("GRU", 4, 1, [1, 1]), "seeds"),
    (lambda: forecasters.single_member("gru", 4, 1, 0), "cell"),
    (lambda: forecasters.member_weights(forecasters.stacked_members("GRU", 4, 1, [0, 1], 2), 2), "member"),
])
def test_bad_arguments_are_named(call, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        call()
