"""Figures of the book that are code rather than pictures.

* :func:`draw_unrolled_rnn` draws a recurrent layer folded (one cell with a loop) and
  unrolled in time (one copy of the same cell per step), the picture behind parameter sharing
  and backpropagation through time.
* :func:`plot_forecast` draws a stretch of a series with one or more forecasts over it.

Every function draws on the ``ax`` it is given, or on a new figure when ``ax`` is ``None``,
and returns the axes, so a notebook can place it in a grid or add to it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

__all__ = ["draw_unrolled_rnn", "plot_forecast", "INPUT_COLOR", "RECURRENT_COLOR"]

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
