"""companion.views.figures: the unrolled-RNN figure and the forecast plot."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from companion.views import figures  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def gids(ax) -> set[str]:
    return {patch.get_gid() for patch in ax.patches if patch.get_gid()}


@pytest.mark.parametrize("n_steps", [1, 3, 7])
def test_one_cell_per_step_chained_from_h0(n_steps):
    ax = figures.draw_unrolled_rnn(n_steps)
    found = gids(ax)
    for kind in ("input", "hidden", "output", "arrow-input", "arrow-recurrent", "arrow-output"):
        assert {f"{kind}-{k}" for k in range(1, n_steps + 1)} <= found, kind
        assert f"{kind}-{n_steps + 1}" not in found, kind
    assert any(text.get_text() == "$h_0$" for text in ax.texts)


def test_shared_weights_are_drawn_in_one_colour_each():
    ax = figures.draw_unrolled_rnn(5)
    colours = {}
    for patch in ax.patches:
        gid = patch.get_gid() or ""
        if gid.startswith(("arrow-input", "arrow-recurrent")):
            kind = gid.rsplit("-", 1)[0]
            colours.setdefault(kind, set()).add(mcolors.to_hex(patch.get_edgecolor()))
    assert colours == {"arrow-input": {figures.INPUT_COLOR},
                       "arrow-recurrent": {figures.RECURRENT_COLOR}}


@pytest.mark.parametrize("outputs, expected", [("all", {1, 2, 3, 4}), ("last", {4}), ("none", set())])
def test_outputs_follow_return_sequences(outputs, expected):
    ax = figures.draw_unrolled_rnn(4, outputs=outputs, folded=False)
    shown = {int(gid.split("-")[1]) for gid in gids(ax) if gid.startswith("output-")}
    assert shown == expected


def test_folded_cell_is_optional():
    assert "folded-hidden" in gids(figures.draw_unrolled_rnn(2))
    assert not any(g.startswith("folded") for g in gids(figures.draw_unrolled_rnn(2, folded=False)))


def test_draws_on_the_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    returned = figures.draw_unrolled_rnn(3, ax=right)
    assert returned is right
    assert not left.patches and right.patches
    assert not right.axison


@pytest.mark.parametrize("kwargs, name", [({"n_steps": 0}, "n_steps"), ({"n_steps": 1.5}, "n_steps"),
                                          ({"outputs": "some"}, "outputs")])
def test_unrolled_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        figures.draw_unrolled_rnn(**kwargs)


def test_forecast_plot_draws_truth_then_each_forecast():
    targets = np.sin(np.arange(50.0))[:, None]
    forecasts = {"naive": np.roll(targets, 1), "model": targets * 0.9}
    ax = figures.plot_forecast(targets, forecasts, start=10, length=20, title="test")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["truth", "naive", "model"]
    truth, _, model = ax.get_lines()
    np.testing.assert_array_equal(truth.get_xdata(), np.arange(10, 30))
    np.testing.assert_allclose(model.get_ydata(), 0.9 * targets[10:30, 0])
    assert ax.get_title() == "test"


def test_forecast_plot_accepts_flat_arrays():
    ax = figures.plot_forecast(np.zeros(5), {"zero": np.zeros((5, 1))})
    assert len(ax.get_lines()) == 2


@pytest.mark.parametrize(
    "targets, forecasts, kwargs",
    [
        (np.zeros(10), {"short": np.zeros(9)}, {}),
        (np.zeros((10, 2)), {"two": np.zeros((10, 2))}, {}),
        (np.zeros(10), {"ok": np.zeros(10)}, {"start": 8, "length": 5}),
        (np.zeros(10), {"ok": np.zeros(10)}, {"start": -1}),
    ],
)
def test_forecast_plot_rejects_bad_shapes_and_ranges(targets, forecasts, kwargs):
    with pytest.raises(ValueError):
        figures.plot_forecast(targets, forecasts, **kwargs)
