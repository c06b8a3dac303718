"""The seeds' claims about RNN, LSTM and GRU, and verdicts on them computed from measurements.

The comparison chapter measures each quantity (parameters, time of a training step, peak memory,
steps to solve a long-term dependency task) for the three cells; ``claim_verdicts`` turns those
numbers into one row per claim: what was measured and whether it supports the claim. A
difference smaller than ``tolerance`` (relative) counts as no clear difference, since timings
move by several per cent from run to run.
"""

import math
import numbers

from companion import checks

CELLS = ("tanh RNN", "LSTM", "GRU")

SUPPORTED = "supported"
CONTRADICTED = "contradicted"
NO_CLEAR_DIFFERENCE = "no clear difference"

#: The claims of the seed documents this module checks: (key, claim as the seeds state it).
SEED_CLAIMS = (
    ("fewer_parameters", "GRU: fewer parameters than LSTM"),
    ("rnn_simplest", "vanilla RNN: lowest complexity (fewest parameters)"),
    ("gru_faster_per_step", "GRU: faster training, LSTM slower due to complexity (time per step)"),
    ("gru_faster_to_solve", "GRU: faster training (time to learn the task)"),
    ("lstm_more_memory", "memory usage: LSTM higher, GRU lower"),
    ("lstm_long_dependencies", "LSTM better for very long sequences / long dependencies"),
    ("gru_comparable", "GRU often performs similarly to LSTM"),
    ("rnn_short_memory", "vanilla RNN: short-term memory, limited performance"),
)


def _check_per_cell(name, values, allow_none=False):
    if not isinstance(values, dict) or set(values) != set(CELLS):
        raise ValueError(f"Argument `{name}` must be a dict with the keys {list(CELLS)}, "
                         f"got {values!r}.")
    for cell, value in values.items():
        if value is None and allow_none:
            continue
        if (isinstance(value, bool) or not isinstance(value, numbers.Real)
                or not math.isfinite(value) or value <= 0):
            expected = "a positive number" + (" or None" if allow_none else "")
            raise ValueError(f"Argument `{name}`: {cell!r} is {value!r}; expected {expected}.")
    return values


def ratio_verdict(ratio, expected="lower", tolerance=0.1):
    """Verdict on a claim that a quantity is ``expected`` ("lower" or "higher") than another.

    ``ratio`` is the claimed-lower (or -higher) quantity over the other one. Within
    ``1 +- tolerance`` it is ``NO_CLEAR_DIFFERENCE``.
    """
    if expected not in ("lower", "higher"):
        raise ValueError(f"Argument `expected` must be 'lower' or 'higher', got {expected!r}.")
    if isinstance(ratio, bool) or not isinstance(ratio, numbers.Real) or not ratio > 0:
        raise ValueError(f"Argument `ratio` must be a positive number, got {ratio!r}.")
    if not 0 <= tolerance < 1:
        raise ValueError(f"Argument `tolerance` must be in [0, 1), got {tolerance!r}.")
    if abs(ratio - 1) <= tolerance:
        return NO_CLEAR_DIFFERENCE
    return SUPPORTED if (ratio < 1) == (expected == "lower") else CONTRADICTED


def steps_text(steps, budget):
    """``"150 steps"``, or ``"not in 400 steps"`` for a run that did not reach the target."""
    return f"{steps} steps" if steps is not None else f"not in {budget} steps"


def claim_verdicts(params, step_ms, peak_mib, steps_to_solve, seconds_to_solve, budget,
                   tolerance=0.1):
    """One ``[claim, measured, verdict]`` row per entry of ``SEED_CLAIMS``.

    Args:
        params: cell -> trainable parameters of one layer (same inputs and units).
        step_ms: cell -> time of one training step (forward + backward) at the same size.
        peak_mib: cell -> measured peak memory of that training step.
        steps_to_solve: cell -> optimiser steps to reach the task's target, None if not reached.
        seconds_to_solve: cell -> seconds of training to reach it, None if not reached.
        budget: the steps each run was allowed.
        tolerance: relative difference below which two numbers count as equal.

    Cells are the keys of ``CELLS``: "tanh RNN", "LSTM", "GRU".
    """
    params = _check_per_cell("params", params)
    step_ms = _check_per_cell("step_ms", step_ms)
    peak_mib = _check_per_cell("peak_mib", peak_mib)
    steps_to_solve = _check_per_cell("steps_to_solve", steps_to_solve, allow_none=True)
    seconds_to_solve = _check_per_cell("seconds_to_solve", seconds_to_solve, allow_none=True)
    checks.positive_int("budget", budget)
    for cell in CELLS:
        if (steps_to_solve[cell] is None) != (seconds_to_solve[cell] is None):
            raise ValueError(f"Arguments `steps_to_solve` and `seconds_to_solve` disagree on "
                             f"whether {cell!r} solved the task: {steps_to_solve[cell]!r}, "
                             f"{seconds_to_solve[cell]!r}.")
    solved = {cell: steps_to_solve[cell] is not None for cell in CELLS}
    steps = {cell: steps_text(steps_to_solve[cell], budget) for cell in CELLS}

    def solve_verdict(first, second):
        # "first learns the task faster than second", a run that did not finish being slowest
        if not solved[first]:
            return CONTRADICTED if solved[second] else NO_CLEAR_DIFFERENCE
        if not solved[second]:
            return SUPPORTED
        return ratio_verdict(steps_to_solve[first] / steps_to_solve[second], "lower", tolerance)

    rows = {}
    rows["fewer_parameters"] = (
        f"GRU {params['GRU']:,}, LSTM {params['LSTM']:,} (ratio {params['GRU'] / params['LSTM']:.3f})",
        ratio_verdict(params["GRU"] / params["LSTM"], "lower", tolerance))
    fewest = min(CELLS, key=params.get)
    rows["rnn_simplest"] = (
        ", ".join(f"{cell} {params[cell]:,}" for cell in CELLS),
        SUPPORTED if fewest == "tanh RNN" and params["tanh RNN"] < (1 - tolerance) * min(
            params["LSTM"], params["GRU"]) else CONTRADICTED)
    rows["gru_faster_per_step"] = (
        f"GRU {step_ms['GRU']:.2f} ms, LSTM {step_ms['LSTM']:.2f} ms per training step "
        f"(ratio {step_ms['GRU'] / step_ms['LSTM']:.2f})",
        ratio_verdict(step_ms["GRU"] / step_ms["LSTM"], "lower", tolerance))
    if solved["GRU"] and solved["LSTM"]:
        seconds = seconds_to_solve["GRU"] / seconds_to_solve["LSTM"]
        rows["gru_faster_to_solve"] = (
            f"GRU {steps['GRU']} ({seconds_to_solve['GRU']:.1f} s), LSTM {steps['LSTM']} "
            f"({seconds_to_solve['LSTM']:.1f} s): time ratio {seconds:.2f}",
            ratio_verdict(seconds, "lower", tolerance))
    else:
        rows["gru_faster_to_solve"] = (f"GRU {steps['GRU']}, LSTM {steps['LSTM']}",
                                       solve_verdict("GRU", "LSTM"))
    rows["lstm_more_memory"] = (
        f"LSTM {peak_mib['LSTM']:.2f} MiB, GRU {peak_mib['GRU']:.2f} MiB "
        f"(ratio {peak_mib['LSTM'] / peak_mib['GRU']:.2f})",
        ratio_verdict(peak_mib["LSTM"] / peak_mib["GRU"], "higher", tolerance))
    rows["lstm_long_dependencies"] = (f"LSTM {steps['LSTM']}, GRU {steps['GRU']}",
                                      solve_verdict("LSTM", "GRU"))
    rows["gru_comparable"] = (
        f"GRU {steps['GRU']}, LSTM {steps['LSTM']}",
        SUPPORTED if solved["GRU"] and solved["LSTM"] else
        NO_CLEAR_DIFFERENCE if not (solved["GRU"] or solved["LSTM"]) else CONTRADICTED)
    gated = [cell for cell in ("LSTM", "GRU") if solved[cell]]
    if not gated:
        short_memory = NO_CLEAR_DIFFERENCE
    elif not solved["tanh RNN"]:
        short_memory = SUPPORTED
    else:    # it learned the task too: only "limited" if clearly slower than every gated cell
        slowest = max(steps_to_solve[cell] for cell in gated)
        short_memory = ratio_verdict(steps_to_solve["tanh RNN"] / slowest, "higher", tolerance)
    rows["rnn_short_memory"] = (
        f"tanh RNN {steps['tanh RNN']}; " + ", ".join(f"{c} {steps[c]}" for c in ("LSTM", "GRU")),
        short_memory)
    return [[claim, *rows[key]] for key, claim in SEED_CLAIMS]


#: Graph nodes that move or name data rather than compute (left out of the operation count).
BOOKKEEPING_OPS = frozenset({"Placeholder", "Const", "Identity", "IdentityN", "ReadVariableOp", "NoOp"})


def cell_step_operations(cell, batch, features):
    """Compute operations TensorFlow runs for one forward step of a built Keras RNN cell.

    Traces ``cell(x_t, states)`` for a batch of ``batch`` inputs of width ``features`` into a
    graph and counts its operations, leaving out ``BOOKKEEPING_OPS``. Every one of them is a
    separate kernel launch at each time step, whatever the size of the tensors.
    """
    import tensorflow as tf

    for name, value in [("batch", batch), ("features", features)]:
        checks.positive_int(name, value)
    if not getattr(cell, "built", False):
        raise ValueError(f"Argument `cell` must be a built Keras RNN cell, got {cell!r}.")
    sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
    states = [tf.TensorSpec((batch, size), tf.float32) for size in sizes]
    step = tf.function(lambda x, states: cell(x, states, training=True), autograph=False)
    graph = step.get_concrete_function(tf.TensorSpec((batch, features), tf.float32), states).graph
    return sum(op.type not in BOOKKEEPING_OPS for op in graph.get_operations())
