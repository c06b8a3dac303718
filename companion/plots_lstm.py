r"""Figures of the LSTM chapter.

:func:`draw_lstm_weight_layout` draws where each gate's weights sit in Keras' LSTM: the
``recurrent_kernel`` ``(U, 4U)`` stacked over the ``kernel`` ``(D, 4U)`` forms one
``(U + D, 4U)`` matrix whose four column blocks are the gates in Keras' order i, f, c, o.
Transposing one block gives the seeds' concatenated matrix $W_g$ of shape ``(U, U + D)``,
which acts on $[h_{t-1}, x_t]$; its two parts are the separate-matrix form's $U_g$ and $W_g$.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, Rectangle

from companion.notation import KERAS_LSTM_GATES

__all__ = ["draw_lstm_weight_layout", "GATE_COLORS"]

#: one colour per LSTM block, used for that gate in every figure of the chapter
GATE_COLORS = {"i": "#1f77b4", "f": "#d62728", "c": "#2ca02c", "o": "#9467bd"}
_GATE_WORDS = {"i": "input gate", "f": "forget gate", "c": "candidate", "o": "output gate"}


def _grid(ax, left, top, rows, cols, color, alpha, gid):
    """A rows x cols grid of unit squares with its top-left corner at (left, top)."""
    for r in range(rows):
        for k in range(cols):
            square = Rectangle(
                (left + k, top - r - 1), 1, 1, facecolor=color, alpha=alpha,
                edgecolor="white", linewidth=1.0,
            )
            square.set_gid(gid)
            ax.add_patch(square)


def draw_lstm_weight_layout(input_dim=2, units=4, ax=None, *, highlight="f"):
    r"""Draw Keras' LSTM weight layout and one gate's matrix in the seeds' notations.

    Left: ``recurrent_kernel`` (``units`` rows, dark) over ``kernel`` (``input_dim`` rows,
    light), four column blocks coloured by gate (i, f, c, o), and ``bias`` below. Right: the
    block of gate ``highlight`` transposed, i.e. the ``(U, U + D)`` matrix on
    $[h_{t-1}, x_t]$, split into $U_g$ (acting on $h_{t-1}$) and $W_g$ (acting on $x_t$).
    Every square is one weight; every patch carries a ``gid`` naming what it is
    (``"recurrent_kernel:f"``, ``"kernel:i"``, ``"bias:o"``, ``"concatenated:U"``, ...).

    Returns the axes.
    """
    for name, value in (("input_dim", input_dim), ("units", units)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 8:
            raise ValueError(
                f"Argument `{name}` must be an integer from 1 to 8 (one square per weight), "
                f"got {value!r}."
            )
    if highlight not in KERAS_LSTM_GATES:
        raise ValueError(
            f"Argument `highlight` must be one of {KERAS_LSTM_GATES}, got {highlight!r}."
        )
    D, U = input_dim, units
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 4.2))

    top = U + D
    for g, gate in enumerate(KERAS_LSTM_GATES):
        left = g * U
        color = GATE_COLORS[gate]
        _grid(ax, left, top, U, U, color, 0.9, f"recurrent_kernel:{gate}")
        _grid(ax, left, top - U, D, U, color, 0.45, f"kernel:{gate}")
        _grid(ax, left, -0.6, 1, U, color, 0.7, f"bias:{gate}")
        ax.text(left + U / 2, top + 0.3, f"{gate}\n{_GATE_WORDS[gate]}", ha="center",
                va="bottom", fontsize=9, color=color, fontweight="bold")
    width = 4 * U
    ax.text(-0.3, top - U / 2, f"recurrent_kernel\n({U}, 4·{U})\nmultiplies $h_{{t-1}}$",
            ha="right", va="center", fontsize=9)
    ax.text(-0.3, D / 2, f"kernel\n({D}, 4·{U})\nmultiplies $x_t$", ha="right", va="center",
            fontsize=9)
    ax.text(-0.3, -1.1, f"bias ({4 * U},)", ha="right", va="center", fontsize=9)
    ax.text(width / 2, -2.2, r"Keras, row vectors: $[a_i\ a_f\ a_c\ a_o]$ = $x_t$ · kernel + "
            r"$h_{t-1}$ · recurrent_kernel + bias", ha="center", va="center", fontsize=10)

    # right: the highlighted block, transposed
    g = KERAS_LSTM_GATES.index(highlight)
    color = GATE_COLORS[highlight]
    left = width + 4.5
    _grid(ax, left, top - D / 2, U, U, color, 0.9, "concatenated:U")
    _grid(ax, left + U, top - D / 2, U, D, color, 0.45, "concatenated:W")
    mid = top - D / 2 - U / 2
    ax.text(left + U / 2, top - D / 2 + 0.3, f"$U_{highlight}$ ({U}×{U})\non $h_{{t-1}}$",
            ha="center", va="bottom", fontsize=9)
    ax.text(left + U + D / 2, top - D / 2 + 0.3, f"$W_{highlight}$ ({U}×{D})\non $x_t$",
            ha="center", va="bottom", fontsize=9)
    ax.text(left + (U + D) / 2, top - D / 2 - U - 0.5,
            f"concatenated: $W_{highlight}\\,[h_{{t-1}}, x_t]$, shape ({U}, {U}+{D})",
            ha="center", va="top", fontsize=9)
    outline = Rectangle((g * U, -0.05), U, top + 0.1, fill=False, edgecolor="black",
                        linewidth=1.6, linestyle="--")
    outline.set_gid("highlight-outline")
    ax.add_patch(outline)
    arrow = FancyArrowPatch((width + 0.3, mid), (left - 0.4, mid), arrowstyle="-|>",
                            mutation_scale=14, color=color, linewidth=1.5)
    arrow.set_gid("transpose-arrow")
    ax.add_patch(arrow)
    ax.text((width + left) / 2, mid + 0.3, f"block {highlight},\ntransposed", ha="center",
            va="bottom", fontsize=9, color=color)

    ax.set_xlim(-5.5, left + U + D + 1)
    ax.set_ylim(-2.8, top + 1.8)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
