"""companion.models.echo_state: the reservoir has the spectral radius asked for, the state
update is the leaky tanh of the docstring, the read-out is the ridge solution, and the echo
state property shows where it should (forgotten start below radius 1, kept far above it)."""

import numpy as np
import pytest
from companion.models.echo_state import EchoStateNetwork, scaled_reservoir

SEEDS = [0, 1, 2]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("radius", [0.5, 0.9, 1.7])
def test_reservoir_has_the_requested_spectral_radius_and_density(seed, radius):
    weights = scaled_reservoir(150, radius, density=0.2, seed=seed)
    assert weights.shape == (150, 150)
    np.testing.assert_allclose(np.max(np.abs(np.linalg.eigvals(weights))), radius, rtol=1e-10)
    assert 0.15 < np.mean(weights != 0) < 0.25


def test_the_same_seed_draws_the_same_network_and_another_seed_another():
    a, b, c = (EchoStateNetwork(units=30, seed=s) for s in (4, 4, 5))
    u = np.random.default_rng(0).standard_normal((50, 2))
    np.testing.assert_array_equal(a.run(u), b.run(u))
    np.testing.assert_array_equal(a.input_weights, b.input_weights)
    assert not np.allclose(a.recurrent_weights, c.recurrent_weights)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("leak_rate", [1.0, 0.3])
def test_states_follow_the_leaky_tanh_update(seed, leak_rate):
    esn = EchoStateNetwork(units=20, leak_rate=leak_rate, bias_scaling=0.5, seed=seed)
    u = np.random.default_rng(seed).standard_normal((3, 15, 2))
    x0 = np.random.default_rng(seed + 1).uniform(-1, 1, (3, 20))
    states = esn.run(u, initial_state=x0)
    w_in, w = esn.input_weights, esn.recurrent_weights
    x = x0
    for t in range(15):  # column-vector form of the docstring, one sequence at a time
        pre = np.stack([w_in @ np.r_[1.0, u[b, t]] + w @ x[b] for b in range(3)])
        x = (1 - leak_rate) * x + leak_rate * np.tanh(pre)
        np.testing.assert_allclose(states[:, t], x, rtol=0, atol=1e-12)


def test_input_and_bias_scaling_are_used():
    esn = EchoStateNetwork(units=500, input_scaling=0.3, bias_scaling=0.05, seed=1)
    esn.run(np.zeros((5, 3)))
    assert esn.input_weights.shape == (500, 4)
    assert np.abs(esn.input_weights[:, 0]).max() <= 0.05
    assert 0.29 < np.abs(esn.input_weights[:, 1:]).max() <= 0.3
    no_bias = EchoStateNetwork(units=10, bias_scaling=0, seed=1)
    no_bias.run(np.zeros((5, 1)))
    np.testing.assert_array_equal(no_bias.input_weights[:, 0], 0.0)


@pytest.mark.parametrize("ridge", [0.0, 1e-3, 10.0])
def test_readout_is_the_ridge_solution(ridge):
    """Against an independent formulation: least squares on the design matrix stacked over
    sqrt(ridge) times the identity (without the constant's row)."""
    rng = np.random.default_rng(3)
    u, y = rng.standard_normal((120, 2)), rng.standard_normal((120, 3))
    esn = EchoStateNetwork(units=15, ridge=ridge, washout=20, seed=0).fit(u, y)
    states = esn.run(u)
    z = np.concatenate([np.ones((120, 1)), u, states], axis=1)[20:]
    penalty_rows = np.sqrt(ridge) * np.eye(z.shape[1])[1:]
    stacked = np.concatenate([z, penalty_rows])
    target = np.concatenate([y[20:], np.zeros((z.shape[1] - 1, 3))])
    expected, *_ = np.linalg.lstsq(stacked, target, rcond=None)
    np.testing.assert_allclose(esn.readout, expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(esn.predict(u), np.concatenate(
        [np.ones((120, 1)), u, states], axis=1) @ expected, atol=1e-8)


def test_precomputed_states_give_the_same_fit_and_forecast():
    u = np.sin(np.arange(400) / 7.0)[:, None]
    plain = EchoStateNetwork(units=40, seed=2).fit(u[:-1], u[1:])
    reuse = EchoStateNetwork(units=40, seed=2)
    states = reuse.run(u[:-1])
    reuse.fit(u[:-1], u[1:], states=states)
    np.testing.assert_allclose(reuse.readout, plain.readout)
    np.testing.assert_allclose(reuse.predict(u[:-1], states=states), plain.predict(u[:-1]))
    with pytest.raises(ValueError, match="`states`"):
        reuse.predict(u[:-1], states=states[:-1])


def test_batches_of_sequences_leave_out_each_washout():
    rng = np.random.default_rng(5)
    u = rng.standard_normal((4, 60, 1))
    y = np.roll(u, 2, axis=1)  # y_t = u_(t-2): needs a memory of two steps
    esn = EchoStateNetwork(units=80, spectral_radius=0.5, input_scaling=0.1, washout=10,
                           ridge=0.0, seed=0)
    predictions = esn.fit(u, y).predict(u)
    assert predictions.shape == (4, 60, 1)
    assert np.mean((predictions[:, 10:] - y[:, 10:]) ** 2) < 1e-4
    # the fit used steps 10..59 of every sequence, and only those
    states = esn.run(u)
    z = np.concatenate([np.ones((4, 60, 1)), u, states], axis=-1)[:, 10:].reshape(200, -1)
    expected, *_ = np.linalg.lstsq(z, y[:, 10:].reshape(200, 1), rcond=None)
    np.testing.assert_allclose(z @ esn.readout, z @ expected, atol=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_echo_state_property_below_radius_one_and_not_far_above(seed):
    u = np.random.default_rng(seed).standard_normal((300, 1))
    starts = np.random.default_rng(seed + 10).uniform(-1, 1, (2, 100))
    gaps = {}
    for radius in (0.8, 3.0):
        esn = EchoStateNetwork(units=100, spectral_radius=radius, input_scaling=0.1, seed=seed)
        twin = esn.run(np.broadcast_to(u, (2, 300, 1)), initial_state=starts)
        gaps[radius] = np.linalg.norm(twin[0, -1] - twin[1, -1])
    assert gaps[0.8] < 1e-10
    assert gaps[3.0] > 0.1


def test_learns_a_next_step_forecast():
    u = np.sin(np.arange(600) / 5.0)[:, None]
    esn = EchoStateNetwork(units=50, seed=0).fit(u[:400], u[1:401])
    forecast = esn.predict(u[:-1])[450:]
    assert np.mean((forecast - u[451:]) ** 2) < 1e-6


def test_bad_arguments_raise():
    for kwargs, name in [
        ({"units": 0}, "`units`"),
        ({"spectral_radius": 0}, "`spectral_radius`"),
        ({"spectral_radius": -1.0}, "`spectral_radius`"),
        ({"input_scaling": 0.0}, "`input_scaling`"),
        ({"bias_scaling": -0.1}, "`bias_scaling`"),
        ({"leak_rate": 0.0}, "`leak_rate`"),
        ({"leak_rate": 1.5}, "`leak_rate`"),
        ({"density": 0.0}, "`density`"),
        ({"density": 2.0}, "`density`"),
        ({"ridge": -1e-3}, "`ridge`"),
        ({"ridge": True}, "`ridge`"),
        ({"washout": -1}, "`washout`"),
        ({"washout": 2.5}, "`washout`"),
        ({"seed": "zero"}, "`seed`"),
    ]:
        with pytest.raises(ValueError, match=name):
            EchoStateNetwork(**kwargs)
    esn = EchoStateNetwork(units=10, washout=5)
    with pytest.raises(ValueError, match="call `fit` first"):
        esn.predict(np.zeros((8, 1)))
    with pytest.raises(ValueError, match="washout"):
        esn.fit(np.zeros((5, 1)), np.zeros((5, 1)))
    with pytest.raises(ValueError, match="`targets`"):
        esn.fit(np.zeros((8, 1)), np.zeros((7, 1)))
    with pytest.raises(ValueError, match="`inputs`"):
        esn.fit(np.zeros(8), np.zeros(8))
    esn.fit(np.ones((8, 1)), np.zeros((8, 1)))
    with pytest.raises(ValueError, match="features"):
        esn.run(np.zeros((8, 2)))
    with pytest.raises(ValueError, match="`density`"):
        scaled_reservoir(3, 0.9, density=1e-9, seed=0)  # no connection, radius 0
