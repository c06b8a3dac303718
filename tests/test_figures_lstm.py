"""companion.views.figures draws one square per weight, in the right block, and rejects bad sizes."""

from collections import Counter

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from companion.views.figures import GATE_COLORS, draw_lstm_weight_layout  # noqa: E402


@pytest.mark.parametrize("input_dim, units, highlight", [(2, 4, "f"), (3, 2, "o"), (1, 1, "i")])
def test_one_square_per_weight(input_dim, units, highlight):
    fig, ax = plt.subplots()
    try:
        assert draw_lstm_weight_layout(input_dim, units, ax=ax, highlight=highlight) is ax
        counts = Counter(patch.get_gid() for patch in ax.patches)
        for gate in "ifco":
            assert counts[f"recurrent_kernel:{gate}"] == units * units
            assert counts[f"kernel:{gate}"] == input_dim * units
            assert counts[f"bias:{gate}"] == units
        # the transposed block: U_g (units x units) on h, W_g (units x input_dim) on x
        assert counts["concatenated:U"] == units * units
        assert counts["concatenated:W"] == units * input_dim
        highlighted = [p for p in ax.patches if p.get_gid() == "concatenated:U"]
        assert all(
            matplotlib.colors.same_color(p.get_facecolor()[:3], GATE_COLORS[highlight])
            for p in highlighted
        )
    finally:
        plt.close(fig)


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        (dict(input_dim=0), "`input_dim`"),
        (dict(units=9), "`units`"),
        (dict(units=2.0), "`units`"),
        (dict(highlight="g"), "`highlight`"),
    ],
)
def test_bad_arguments_raise(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        draw_lstm_weight_layout(**kwargs)
