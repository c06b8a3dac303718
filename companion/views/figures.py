r"""Figures of the book that are code rather than pictures.

* :func:`draw_unrolled_rnn` draws a recurrent layer folded (one cell with a loop) and
  unrolled in time (one copy of the same cell per step), the picture behind parameter sharing
  and backpropagation through time.
* :func:`plot_forecast` draws a stretch of a series with one or more forecasts over it.
* :func:`draw_lstm_weight_layout` draws where each gate's weights sit in Keras' LSTM: the
  ``recurrent_kernel`` ``(U, 4U)`` stacked over the ``kernel`` ``(D, 4U)`` forms one
  ``(U + D, 4U)`` matrix whose four column blocks are the gates in Keras' order i, f, c, o.
  Transposing one block gives the seeds' concatenated matrix $W_g$ of shape ``(U, U + D)``,
  which acts on $[h_{t-1}, x_t]$; its two parts are the separate-matrix form's $U_g$ and $W_g$.
* :func:`plot_gate_heatmap` draws one sequence's gate values as a units x time image.

Every function draws on the ``ax`` it is given, or on a new figure when ``ax`` is ``None``,
and returns the axes, so a notebook can place it in a grid or add to it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.path import Path

from companion.reference.notation import KERAS_LSTM_GATES

__all__ = [
    "draw_unrolled_rnn", "plot_forecast", "draw_lstm_weight_layout", "plot_gate_heatmap",
    "INPUT_COLOR", "RECURRENT_COLOR", "GATE_COLORS",
]

#: colour of every arrow that carries the input kernel ``W_x`` (Keras' ``kernel``)
INPUT_COLOR = "#1f77b4"
#: colour of every arrow that carries the recurrent kernel ``W_h`` (Keras' ``recurrent_kernel``)
RECURRENT_COLOR = "#d62728"

_BOX_W, _BOX_H = 0.9, 0.6
_ROW_Y = {"input": 0.0, "hidden": 1.5, "output": 3.0}
_FACE = {"input": "#e8f0fb", "hidden": "#fde9e7", "output": "#eaf5e4"}


def _box(ax, x, y, text, kind, gid):
    patch = FancyBboxPatch(
        (x - _BOX_W / 2, y - _BOX_H / 2),
        _BOX_W,
        _BOX_H,
        boxstyle="round,pad=0.02,rounding_size=0.12",
        facecolor=_FACE[kind],
        edgecolor="0.25",
        linewidth=1.2,
        zorder=2,
    )
    patch.set_gid(gid)
    ax.add_patch(patch)
    ax.text(x, y, text, ha="center", va="center", fontsize=12, zorder=3)
    return patch


def _arrow(ax, start, end, color, gid, label=None, label_offset=(0.0, 0.0), path=None):
    """An arrow from ``start`` to ``end`` (straight, or along ``path`` when given)."""
    style = dict(arrowstyle="-|>", mutation_scale=14, color=color, linewidth=1.6, zorder=1)
    if path is None:
        arrow = FancyArrowPatch(start, end, **style)
    else:
        arrow = FancyArrowPatch(path=path, **style)
    arrow.set_gid(gid)
    ax.add_patch(arrow)
    if label is not None:
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        ax.text(
            mx + label_offset[0],
            my + label_offset[1],
            label,
            color=color,
            fontsize=10,
            ha="center",
            va="center",
            zorder=3,
        )
    return arrow


def draw_unrolled_rnn(n_steps: int = 4, ax=None, *, outputs: str = "all", folded: bool = True):
    r"""Draw a simple RNN folded (left) and unrolled over ``n_steps`` time steps (right).

    Each unrolled step is the *same* cell: every input arrow carries the same :math:`W_x`
    (drawn in :data:`INPUT_COLOR`), every step-to-step arrow the same :math:`W_h` (drawn in
    :data:`RECURRENT_COLOR`), and every cell adds the same bias :math:`b`. The chain starts
    from :math:`h_0` (zeros in Keras).

    Args:
        n_steps: number of time steps to unroll, at least 1.
        ax: matplotlib axes to draw on; a new figure sized to the drawing when ``None``.
        outputs: ``"all"`` draws an output above every step (``return_sequences=True``),
            ``"last"`` only above the last one (``return_sequences=False``), ``"none"`` none.
        folded: also draw the folded cell with its loop, and an equals sign, on the left.

    Returns:
        The axes. Patches carry gids (``"hidden-1"``, ``"input-1"``, ``"output-1"``,
        ``"arrow-input-1"``, ``"arrow-recurrent-1"``, ``"folded-hidden"``, ...) so tests and
        readers can find each element.
    """
    if int(n_steps) != n_steps or n_steps < 1:
        raise ValueError(f"n_steps must be a positive integer, got {n_steps!r}")
    if outputs not in ("all", "last", "none"):
        raise ValueError(f"outputs must be 'all', 'last' or 'none', got {outputs!r}")
    n_steps = int(n_steps)

    step = 1.7
    x_first = 4.0 if folded else 1.4
    width = x_first + step * (n_steps - 1) + 0.8
    if outputs != "none":
        top = _ROW_Y["output"] + 0.6
    else:  # leave room for the folded cell's loop, which rises above h_t
        top = _ROW_Y["hidden"] + (1.3 if folded else 0.8)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.1 * width + 0.5, 1.1 * (top + 0.8)))

    y_in, y_h, y_out = _ROW_Y["input"], _ROW_Y["hidden"], _ROW_Y["output"]
    half_h = _BOX_H / 2

    if folded:
        xf = 0.3
        _box(ax, xf, y_in, r"$x_t$", "input", "folded-input")
        _box(ax, xf, y_h, r"$h_t$", "hidden", "folded-hidden")
        _arrow(ax, (xf, y_in + half_h), (xf, y_h - half_h), INPUT_COLOR, "folded-arrow-input",
               r"$W_x$", (-0.38, 0.0))
        # the loop: leaves the right side of h_t, swings out and comes back into its top
        right, top_in = (xf + _BOX_W / 2, y_h), (xf + 0.25, y_h + half_h)
        loop = Path([right, (xf + 1.25, y_h), (xf + 1.05, y_h + 1.05), top_in],
                    [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4])
        _arrow(ax, right, top_in, RECURRENT_COLOR, "folded-arrow-recurrent", path=loop)
        ax.text(xf + 1.05, y_h + 0.75, r"$W_h$", color=RECURRENT_COLOR, fontsize=10,
                ha="center", va="center")
        if outputs != "none":
            _box(ax, xf, y_out, r"$y_t$", "output", "folded-output")
            _arrow(ax, (xf, y_h + half_h), (xf, y_out - half_h), "0.3", "folded-arrow-output")
        ax.text(1.75, y_h, "=", fontsize=22, ha="center", va="center")

    h0_x = x_first - step + 0.45
    ax.text(h0_x, y_h, r"$h_0$", fontsize=12, ha="center", va="center")
    previous_right = h0_x + 0.25
    for k in range(1, n_steps + 1):
        xc = x_first + step * (k - 1)
        _box(ax, xc, y_in, rf"$x_{{{k}}}$", "input", f"input-{k}")
        _box(ax, xc, y_h, rf"$h_{{{k}}}$", "hidden", f"hidden-{k}")
        _arrow(ax, (xc, y_in + half_h), (xc, y_h - half_h), INPUT_COLOR, f"arrow-input-{k}",
               r"$W_x$", (-0.3, 0.0))
        _arrow(ax, (previous_right, y_h), (xc - _BOX_W / 2, y_h), RECURRENT_COLOR,
               f"arrow-recurrent-{k}", r"$W_h$", (0.0, 0.22))
        if outputs == "all" or (outputs == "last" and k == n_steps):
            _box(ax, xc, y_out, rf"$y_{{{k}}}$", "output", f"output-{k}")
            _arrow(ax, (xc, y_h + half_h), (xc, y_out - half_h), "0.3", f"arrow-output-{k}")
        previous_right = xc + _BOX_W / 2

    ax.set_xlim(-0.4 if folded else h0_x - 0.4, width)
    ax.set_ylim(y_in - 0.6, top)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def plot_forecast(targets, forecasts: dict, ax=None, *, start: int = 0, length: int | None = None,
                  title: str | None = None):
    """Plot a stretch of the true next values and one line per forecast.

    Args:
        targets: true values, shape ``(N,)`` or ``(N, 1)``.
        forecasts: ``{label: predictions}``, each of the same length ``N`` as ``targets``.
        ax: matplotlib axes to draw on; a new figure when ``None``.
        start: index of the first point shown.
        length: number of points shown (to the end when ``None``).
        title: optional axes title.

    Returns:
        The axes: the truth is the first line (dots), then one line per forecast, in order.
    """
    targets = np.asarray(targets, dtype=float).reshape(len(targets), -1)
    if targets.shape[1] != 1:
        raise ValueError(f"targets must have shape (N,) or (N, 1), got {targets.shape}")
    stop = len(targets) if length is None else start + int(length)
    if not 0 <= start < stop <= len(targets):
        raise ValueError(
            f"start={start!r}, length={length!r} must select a non-empty stretch of the "
            f"{len(targets)} points of targets"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.2))
    steps = np.arange(start, stop)
    ax.plot(steps, targets[start:stop, 0], ".", color="0.2", markersize=5, label="truth")
    for label, predictions in forecasts.items():
        predictions = np.asarray(predictions, dtype=float).reshape(len(predictions), -1)
        if predictions.shape != targets.shape:
            raise ValueError(
                f"forecasts[{label!r}] has shape {predictions.shape}, expected that of "
                f"targets, {targets.shape}"
            )
        ax.plot(steps, predictions[start:stop, 0], linewidth=1.6, label=label)
    ax.set_xlabel("test step")
    ax.set_ylabel("value")
    if title is not None:
        ax.set_title(title)
    # above the axes, so that the legend hides none of the series
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), fontsize=9, ncol=len(forecasts) + 1,
              frameon=False)
    return ax


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


def plot_gate_heatmap(activations, marked_steps=(), ax=None, title=None):
    """Draw one sequence's gate values as a units x time image, marking chosen steps.

    Args:
        activations: ``(time, units)`` values in [0, 1] (one sequence of one gate).
        marked_steps: time indices to mark, with a red triangle above each column.
        ax: matplotlib axes to draw on; a new figure when ``None``.
        title: optional axes title.

    Returns:
        The axes; the image is ``ax.images[0]`` (for a colour bar), the marks ``ax.lines``.
    """
    activations = np.asarray(activations, dtype=float)
    if activations.ndim != 2:
        raise ValueError(
            f"Argument `activations` has shape {activations.shape}: expected (time, units), "
            "one sequence of one gate."
        )
    time = activations.shape[0]
    steps = [int(step) for step in marked_steps]
    outside = [step for step in steps if not 0 <= step < time]
    if outside:
        raise ValueError(
            f"Argument `marked_steps` has {outside}, outside the sequence's steps 0..{time - 1}."
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3))
    ax.imshow(
        activations.T, aspect="auto", origin="lower", cmap="viridis", vmin=0.0, vmax=1.0,
        interpolation="nearest",
    )
    # Triangles just above the image, so that the marked columns themselves stay visible.
    for step in steps:
        ax.plot([step], [1.0], marker="v", color="red", markersize=7, clip_on=False,
                transform=ax.get_xaxis_transform())
    ax.set_xlabel("time step")
    ax.set_ylabel("unit")
    if title is not None:
        ax.set_title(title, pad=9)  # room for the triangles
    return ax
