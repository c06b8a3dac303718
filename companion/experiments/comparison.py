"""The seeds' claims about RNN, LSTM and GRU, and verdicts on them computed from measurements.

Two kinds of claim, two kinds of evidence:

- *Resources* (parameters, time of a training step, memory): one measurement per cell, from
  the comparison chapter. ``resource_verdicts`` compares them as ratios; a ratio within
  ``1 +- tolerance`` is no clear difference, since timings move by several per cent.
- *Learning* (which cell solves a long-term dependency, and how fast; whether the GRU performs
  like the LSTM): runs of trained experiments, several seeds per cell. ``task_verdicts``
  compares two cells only by *separation*: one is better when every one of its runs beats
  every run of the other. With three seeds a side, two equal cells give a separation by chance
  with probability 2 / C(6, 3) = 0.1; with five, 2 / C(10, 5) < 0.01.
"""

import math
import numbers

from companion import checks

CELLS = ("tanh RNN", "LSTM", "GRU")

SUPPORTED = "supported"
CONTRADICTED = "contradicted"
NO_CLEAR_DIFFERENCE = "no clear difference"
NOT_TESTED = "not tested at this length"

#: The claims of the seed documents this module checks: (key, claim as the seeds state it).
SEED_CLAIMS = (
    ("fewer_parameters", "GRU: fewer parameters than LSTM"),
    ("rnn_simplest", "vanilla RNN: lowest complexity (fewest parameters)"),
    ("gru_faster_per_step", "GRU: faster training, LSTM slower due to complexity (time per step)"),
    ("gru_faster_to_solve", "GRU: faster training (steps to learn the task)"),
    ("lstm_more_memory", "memory usage: LSTM higher, GRU lower"),
    ("lstm_long_dependencies", "LSTM better for very long sequences / long dependencies"),
    ("gates_fix_vanishing", "gates fix the vanishing gradient of the vanilla RNN"),
    ("gru_comparable", "GRU often performs similarly to LSTM"),
    ("rnn_short_memory", "vanilla RNN: short-term memory, limited performance"),
)
RESOURCE_CLAIMS = ("fewer_parameters", "rnn_simplest", "gru_faster_per_step", "lstm_more_memory")
#: The shortest sequence length at which a claim about "very long sequences" can be tested.
VERY_LONG = 500


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
    checks.choice("expected", expected, ("lower", "higher"))
    checks.positive_float("ratio", ratio)
    if not 0 <= tolerance < 1:
        raise ValueError(f"Argument `tolerance` must be in [0, 1), got {tolerance!r}.")
    if abs(ratio - 1) <= tolerance:
        return NO_CLEAR_DIFFERENCE
    return SUPPORTED if (ratio < 1) == (expected == "lower") else CONTRADICTED


def separation(first, second, lower_is_better=True):
    """``"first"`` if every value of ``first`` beats every value of ``second``, ``"second"`` if
    the reverse holds, ``None`` if the two sets overlap."""
    first, second = list(first), list(second)
    if not first or not second:
        raise ValueError("Arguments `first` and `second` must each hold at least one value.")
    sign = 1 if lower_is_better else -1
    if max(sign * v for v in first) < min(sign * v for v in second):
        return "first"
    if max(sign * v for v in second) < min(sign * v for v in first):
        return "second"
    return None


def resource_verdicts(params, step_ms, peak_mib, tolerance=0.1):
    """``{claim key: (measured, verdict)}`` for ``RESOURCE_CLAIMS``.

    Args:
        params: cell -> trainable parameters of one layer (same inputs and units).
        step_ms: cell -> time of one training step (forward + backward) at the same size.
        peak_mib: cell -> measured peak memory of that training step.
        tolerance: relative difference below which two numbers count as equal.
    """
    params = _check_per_cell("params", params)
    step_ms = _check_per_cell("step_ms", step_ms)
    peak_mib = _check_per_cell("peak_mib", peak_mib)
    rows = {}
    rows["fewer_parameters"] = (
        f"GRU {params['GRU']:,}, LSTM {params['LSTM']:,} "
        f"(ratio {params['GRU'] / params['LSTM']:.3f})",
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
    rows["lstm_more_memory"] = (
        f"LSTM {peak_mib['LSTM']:.2f} MiB, GRU {peak_mib['GRU']:.2f} MiB "
        f"(ratio {peak_mib['LSTM'] / peak_mib['GRU']:.2f})",
        ratio_verdict(peak_mib["LSTM"] / peak_mib["GRU"], "higher", tolerance))
    return rows


def _solved(runs):
    return sum(step is not None for step in runs)


def _steps(runs, budget):
    """Steps to solve, a run that did not solve counting as one step more than the budget."""
    return [budget + 1 if step is None else step for step in runs]


def _runs_text(runs):
    return ", ".join("-" if step is None else f"{step:,}" for step in runs)


def task_verdicts(steps_to_solve, budget, comparisons=()):
    """``{claim key: (measured, verdict)}`` for the learning claims of ``SEED_CLAIMS``.

    Args:
        steps_to_solve: ``{length: {cell: [steps to solve of each seed, None if not solved]}}``
            for the cells of ``CELLS`` on one long-term dependency task (the adding problem).
        budget: the steps each run was allowed.
        comparisons: ``(name, lstm_values, gru_values, lower_is_better)`` of final held-out
            metrics on other tasks, one value per seed, for "GRU often performs similarly".

    The rules, each a statement of what is compared:

    - ``gru_faster_to_solve``: at each length where either gated cell solved a run, are the
      GRU's steps to solve separated below the LSTM's (a failed run counting as the budget
      plus one)? Supported if at every such length they are, contradicted if at some length
      the LSTM's are separated below the GRU's, no clear difference otherwise.
    - ``lstm_long_dependencies``: at the longest length, if at least ``VERY_LONG``: does the
      LSTM solve more seeds than the GRU (supported), fewer (contradicted), or as many (no
      clear difference)? Below ``VERY_LONG``: not tested at this length.
    - ``gates_fix_vanishing``: is there a length at which the tanh RNN solves no run and a
      gated cell solves every one?
    - ``gru_comparable``: in how many comparisons (each length of the task by the fraction of
      seeds solved and the steps to solve; each entry of ``comparisons`` by its values) is
      neither cell separated from the other? Supported if in at least half.
    - ``rnn_short_memory``: at every length after the shortest, does the tanh RNN solve fewer
      runs than the better gated cell?
    """
    checks.positive_int("budget", budget)
    lengths = sorted(steps_to_solve)
    if not lengths:
        raise ValueError("Argument `steps_to_solve` holds no length.")
    for length in lengths:
        if set(steps_to_solve[length]) != set(CELLS):
            raise ValueError(f"Argument `steps_to_solve`: length {length} has the cells "
                             f"{sorted(steps_to_solve[length])}, expected {list(CELLS)}.")
    runs = {length: steps_to_solve[length] for length in lengths}
    rows = {}

    faster, slower, texts = [], [], []
    for length in lengths:
        gru, lstm = runs[length]["GRU"], runs[length]["LSTM"]
        if _solved(gru) + _solved(lstm) == 0:
            continue
        winner = separation(_steps(gru, budget), _steps(lstm, budget))
        (faster if winner == "first" else slower if winner == "second" else []).append(length)
        texts.append(f"T = {length:,}: GRU {_runs_text(gru)}; LSTM {_runs_text(lstm)}")
    rows["gru_faster_to_solve"] = (
        "steps to solve per seed (- not solved in " + f"{budget:,}): " + "; ".join(texts),
        SUPPORTED if texts and len(faster) == len(texts) else CONTRADICTED if slower
        else NO_CLEAR_DIFFERENCE)

    longest = lengths[-1]
    gru, lstm = _solved(runs[longest]["GRU"]), _solved(runs[longest]["LSTM"])
    n = len(runs[longest]["GRU"])
    if longest < VERY_LONG:
        verdict = NOT_TESTED
    else:
        verdict = SUPPORTED if lstm > gru else CONTRADICTED if lstm < gru else NO_CLEAR_DIFFERENCE
    rows["lstm_long_dependencies"] = (
        f"T = {longest:,}: LSTM solved {lstm}/{n}, GRU {gru}/{n}", verdict)

    fixed = [length for length in lengths if _solved(runs[length]["tanh RNN"]) == 0
             and any(_solved(runs[length][c]) == len(runs[length][c]) for c in ("LSTM", "GRU"))]
    rows["gates_fix_vanishing"] = (
        "lengths where the tanh RNN solved nothing and a gated cell every run: "
        + (", ".join(f"{t:,}" for t in fixed) or "none"),
        SUPPORTED if fixed else CONTRADICTED)

    similar, verdicts = 0, []
    for length in lengths:
        gru, lstm = runs[length]["GRU"], runs[length]["LSTM"]
        tied = (_solved(gru) == _solved(lstm)
                and separation(_steps(gru, budget), _steps(lstm, budget)) is None)
        similar += tied
        verdicts.append(f"adding T = {length:,} " + ("similar" if tied else "differ"))
    for name, lstm_values, gru_values, lower_is_better in comparisons:
        tied = separation(gru_values, lstm_values, lower_is_better) is None
        similar += tied
        verdicts.append(f"{name} " + ("similar" if tied else "differ"))
    total = len(verdicts)
    rows["gru_comparable"] = (f"{similar} of {total} comparisons similar: " + "; ".join(verdicts),
                              SUPPORTED if 2 * similar >= total else CONTRADICTED)

    later = lengths[1:] or lengths
    short = all(_solved(runs[t]["tanh RNN"])
                < max(_solved(runs[t]["LSTM"]), _solved(runs[t]["GRU"])) for t in later)
    rows["rnn_short_memory"] = (
        "tanh RNN solved " + ", ".join(
            f"{_solved(runs[t]['tanh RNN'])}/{len(runs[t]['tanh RNN'])} at T = {t:,}"
            for t in lengths),
        SUPPORTED if short else CONTRADICTED)
    return rows


def claim_rows(resources, tasks):
    """``[claim, measured, verdict]`` rows in the order of ``SEED_CLAIMS``, from the dicts of
    ``resource_verdicts`` and ``task_verdicts``."""
    merged = {**resources, **tasks}
    missing = [key for key, _ in SEED_CLAIMS if key not in merged]
    if missing:
        raise ValueError(f"No verdict for the claims {missing}.")
    return [[claim, *merged[key]] for key, claim in SEED_CLAIMS]


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
