"""Tables and figures of trained experiments, as the chapters show them.

Every function reads a ``companion.experiments.runner.Artefact`` (its runs' records), so the
chapters show what the training command recorded, in one style: a number over seeds is
written as mean ± standard deviation, and a learning curve shows every seed.
"""

import numpy as np


def spread(values, digits=3, scale=1.0):
    """``"mean ± sd"`` of ``values`` (sample standard deviation), ``"value"`` for one value."""
    values = np.asarray(values, dtype=float) * scale
    if values.size == 0:
        raise ValueError("Argument `values` is empty: there is nothing to summarise.")
    if values.size == 1:
        return f"{values[0]:.{digits}f}"
    return f"{values.mean():.{digits}f} ± {values.std(ddof=1):.{digits}f}"


def solved_count(records):
    """``"k/n"``: how many of the runs solved their task."""
    return f"{sum(r['solved_at'] is not None for r in records)}/{len(records)}"


def steps_to_solve(records):
    """The steps to solve of the runs that solved, as "mean ± sd" (all solved), a list of
    them with "-" for failures, or "-" when none solved."""
    steps = [r["solved_at"] for r in records]
    if all(s is None for s in steps):
        return "-"
    if all(s is not None for s in steps):
        return spread(steps, digits=0)
    return ", ".join("-" if s is None else f"{s:,}" for s in steps)


def best_value(record, metric, lower_is_better=True):
    """The best evaluation of ``metric`` in one run's learning curve."""
    values = record["curve"][metric]
    return min(values) if lower_is_better else max(values)


def cpu_minutes(records):
    """The total CPU time of ``records``, in minutes."""
    return sum(r["cpu_seconds"] for r in records) / 60


def plot_curves(ax, records, metric, colors, label_of, log=True):
    """Every run's held-out ``metric`` against the optimiser step, one colour per label
    (``label_of(record)``), the first run of each label carrying the legend entry."""
    labelled = set()
    for record in records:
        label = label_of(record)
        curve = record["curve"]
        ax.plot(curve["step"], curve[metric], color=colors[label], linewidth=1.2,
                alpha=0.85, label=None if label in labelled else label)
        labelled.add(label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("optimiser step")
    return ax
