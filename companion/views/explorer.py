"""The LSTM/GRU cell explorer: weights exported from the companion cells, a self-contained HTML
page that steps through them in the browser, and the same explorer as ipywidgets in Jupyter.

* :func:`explorer_data` builds ``keras.layers.RNN(companion.LSTMCell(units))`` and the GRU twin
  with seeded initializers and returns their weights, the input presets and the slider ranges
  as JSON-able data; beside these untrained cells it exports trained ones (``TRAINED_RUNS``:
  the LSTM and the GRU of the adding problem at T = 100 and of counting a^n b^n, loaded from
  the shipped experiment artefacts) with task sequences, their Dense heads and the few units
  worth showing (:func:`trained_export`).
* :func:`explorer_html` renders the explorer: one HTML fragment with that data, the JavaScript
  and the CSS of ``companion/views/explorer_assets`` inline, so that it loads nothing from anywhere.
  The JavaScript holds the only other copy of the cell arithmetic (Keras' conventions); the
  test suite checks it against the companion cells in a real browser.
* :func:`run_cells` runs both cells on a sequence with the sliders' settings, with
  :mod:`companion.reference` (float64 NumPy); :func:`keras_hidden_states` does the same with
  the Keras companion cells, to check the two agree.
* :func:`explorer_figure` draws gate heatmaps and the LSTM-vs-GRU comparison with matplotlib,
  and :func:`live_explorer` puts it behind ipywidgets sliders in a live notebook.

Slider settings: a *bias offset* is added to every unit's bias of one gate (LSTM: input,
forget, output; GRU: update, reset) on top of the exported bias, and the input sequence is
multiplied by the *input scale* before it enters either cell. Both apply to trained weights
too, to all their units.

Trained weights are exported as the shortest decimals that read back as the same float32
numbers (``Math.fround`` in the page, ``np.float32`` here), so the page and NumPy compute
with exactly the artefact's weights.
"""

from __future__ import annotations

import copy
import functools
import html
import json
import math
from importlib import resources

import numpy as np

from companion import reference

__all__ = [
    "EXPLORER_SEED",
    "UNIT_CHOICES",
    "PRESETS",
    "BIAS_OFFSETS",
    "WEIGHTS",
    "TRAINED_RUNS",
    "SHOWN_UNITS",
    "COUNTING_NS",
    "explorer_data",
    "trained_export",
    "predicted_next_sets",
    "explorer_html",
    "biases_with_offsets",
    "run_cells",
    "keras_hidden_states",
    "explorer_figure",
    "live_explorer",
]

#: seed of the kernel and recurrent-kernel initializers of the exported cells
EXPLORER_SEED = 7
#: hidden sizes the explorer offers: small enough to show every unit
UNIT_CHOICES = (1, 2, 3, 4)
DEFAULT_UNITS = 3
CELLS = ("lstm", "gru")

#: input sequences offered as presets: name -> (label, values)
PRESETS = {
    "five": ("Five numbers", [0.5, -0.2, 0.9, 0.0, -0.7]),
    "pulse": ("One pulse, then silence", [1.0] + [0.0] * 9),
    "step": ("Step: off, then on", [0.0] * 3 + [1.0] * 7),
    "alternating": ("Alternating +1 / -1", [1.0, -1.0] * 5),
    "sine": ("Sine wave", [round(math.sin(2 * math.pi * t / 8), 3) for t in range(12)]),
    "ramp": ("Ramp from -1 to 1", [round(-1 + 0.25 * t, 2) for t in range(9)]),
}
DEFAULT_PRESET = "step"
#: limits of a sequence typed into the explorer
MAX_STEPS = 40
MAX_ABS_INPUT = 10.0

# Which bias entries each offset slider moves, in Keras' layout: LSTM bias (4U,) with blocks
# i, f, c, o; GRU bias (2, 3U) with rows [input bias, recurrent bias] and blocks z, r, h. For
# z and r both rows are summed before the sigmoid, so shifting row 0 shifts the gate.
#: offset name -> (cell, bias row or None for a 1-D bias, gate block, label)
BIAS_OFFSETS = {
    "forget": ("lstm", None, 1, "Forget-gate bias offset"),
    "input": ("lstm", None, 0, "Input-gate bias offset"),
    "output": ("lstm", None, 3, "Output-gate bias offset"),
    "update": ("gru", 0, 0, "Update-gate bias offset"),
    "reset": ("gru", 0, 1, "Reset-gate bias offset"),
}
OFFSET_RANGE = (-5.0, 5.0, 0.1)        # min, max, step of every bias-offset slider
INPUT_SCALE_RANGE = (-3.0, 3.0, 0.05)  # min, max, step of the input-scale slider

#: the explorer's "Weights" choice: name -> label
WEIGHTS = {
    "untrained": "untrained (Keras' initialisation)",
    "adding": "trained on the adding problem (T = 100)",
    "counting": "trained on counting a\u207fb\u207f",
}
#: trained weights: name -> (experiment, {cell: run key}); seed 0 of each variant
TRAINED_RUNS = {
    "adding": ("adding_problem", {"lstm": "cell=lstm,length=100,seed=0",
                                  "gru": "cell=gru,length=100,seed=0"}),
    "counting": ("counting", {"lstm": "cell=lstm,language=anbn,seed=0",
                              "gru": "cell=gru,language=anbn,seed=0"}),
}
TRAINED = tuple(TRAINED_RUNS)
#: units of a trained layer that the diagram and heatmaps show; every unit is computed
SHOWN_UNITS = 4
#: the state whose correlation ranks a trained layer's units (the LSTM's memory is c)
RANKED_STATE = {"lstm": "c", "gru": "h"}
ADDING_LENGTH = 100
# the held-out sequences that rank the adding problem's units: those of the static section
# of book/explorer.ipynb, so that both name the same unit first
ADDING_RANKING_SEQUENCES, ADDING_RANKING_SEED = 300, 5
# the sequences offered: of this many drawn with this seed, those whose marker gaps are
# nearest these (short, middling, long)
ADDING_SEQUENCE_POOL, ADDING_SEQUENCE_SEED = 200, 11
ADDING_GAPS = (10, 50, 90)
#: counts n of the strings ^a^nb^n offered (the layers were trained on n <= 50)
COUNTING_NS = (5, 20, 50, 100, 200)
DEFAULT_COUNTING_N = 20
MAX_TRAINED_STEPS = 1 + 2 * max(COUNTING_NS)

_ASSETS = resources.files("companion.views") / "explorer_assets"
_SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def _cell_class(name):
    import companion

    return {"lstm": companion.LSTMCell, "gru": companion.GRUCell}[name]


def _exported_weights(cell: str, units: int, seed: int) -> dict:
    """Build one companion cell in ``keras.layers.RNN`` (1 input feature) and return its
    weights. The initializers get their own seed, so nothing global is reseeded."""
    import keras

    layer = keras.layers.RNN(
        _cell_class(cell)(
            units,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
            recurrent_initializer=keras.initializers.Orthogonal(seed=seed),
        )
    )
    layer.build((None, None, 1))
    kernel, recurrent_kernel, bias = (np.asarray(w, dtype=np.float64) for w in layer.get_weights())
    return {"kernel": kernel.tolist(), "recurrent_kernel": recurrent_kernel.tolist(),
            "bias": bias.tolist()}


def _check_units(units) -> int:
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units not in UNIT_CHOICES:
        raise ValueError(f"units={units!r}: expected one of {UNIT_CHOICES}")
    return int(units)


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed={seed!r}: expected a non-negative int")
    return int(seed)


def _check_trained(trained) -> tuple:
    if not isinstance(trained, (tuple, list)) or not set(trained) <= set(TRAINED):
        raise ValueError(f"trained={trained!r}: expected a tuple of names among {TRAINED}")
    return tuple(name for name in TRAINED if name in trained)


def explorer_data(seed: int = EXPLORER_SEED, trained=TRAINED) -> dict:
    """Weights of an LSTM and a GRU companion cell for every hidden size in ``UNIT_CHOICES``
    (one input feature, Keras' default initialisation with seeded initializers, untrained),
    with the presets and slider ranges, and the trained weights named in ``trained``:
    everything the explorer page needs, JSON-able.

    Args:
        seed: seed of the untrained cells' kernel initializers (a non-negative int).
        trained: names of ``TRAINED_RUNS`` to export too (``()`` for the untrained cells
            alone, which needs no artefact).

    ``data["weights"][cell][str(units)]`` holds ``kernel``, ``recurrent_kernel`` and ``bias``
    as nested lists in Keras' layout (the float32 values Keras drew, as Python floats);
    ``data["trained"][name]`` is :func:`trained_export` ``(name)``.
    """
    seed = _check_seed(seed)
    trained = _check_trained(trained)
    weights = {cell: {str(units): _exported_weights(cell, units, seed) for units in UNIT_CHOICES}
               for cell in CELLS}
    low, high, step = OFFSET_RANGE
    return {
        "format": 2,
        "seed": seed,
        "input_dim": 1,
        "unit_choices": list(UNIT_CHOICES),
        "default_units": DEFAULT_UNITS,
        "weights": weights,
        "presets": [{"name": name, "label": label, "values": list(values)}
                    for name, (label, values) in PRESETS.items()],
        "default_preset": DEFAULT_PRESET,
        "max_steps": MAX_STEPS,
        "max_abs_input": MAX_ABS_INPUT,
        "bias_offsets": [{"name": name, "cell": cell, "row": row, "block": block, "label": label,
                          "min": low, "max": high, "step": step}
                         for name, (cell, row, block, label) in BIAS_OFFSETS.items()],
        "input_scale": dict(zip(("min", "max", "step"), INPUT_SCALE_RANGE), value=1.0),
        "weight_choices": [{"name": name, "label": WEIGHTS[name]}
                           for name in ("untrained", *trained)],
        "default_weights": "untrained",
        "trained": {name: trained_export(name) for name in trained},
    }


# --- trained weights ---------------------------------------------------------------------

def _float32_list(values) -> list:
    """float32 ``values`` as nested lists of the shortest decimals that read back as the same
    float32 (``np.float32(x)`` here, ``Math.fround(x)`` in the page): about 60 % of the
    characters of the float64 digits, and exact."""
    array = np.asarray(values, dtype=np.float32)
    short = np.array([float(str(v)) for v in array.ravel()], dtype=np.float64)
    # where decimal -> float64 -> float32 would round twice to another float32, keep the
    # float64 digits of the float32 (exact without rounding)
    exact = array.ravel().astype(np.float64)
    short = np.where(short.astype(np.float32) == array.ravel(), short, exact)
    return short.reshape(array.shape).tolist()


def _as_float64(values) -> np.ndarray:
    """Exported trained values as the float32 numbers they stand for, in float64."""
    return np.asarray(values, dtype=np.float32).astype(np.float64)


def _forward(cell: str, kernel, recurrent_kernel, bias, x) -> dict:
    """Every gate and state of ``cell`` over ``x`` (batch, time, features) with
    :mod:`companion.reference`: arrays (batch, time, units)."""
    if cell == "lstm":
        h, cache = reference.lstm_forward(x, kernel, recurrent_kernel, bias)
        return {"i": cache.i, "f": cache.f, "c_hat": cache.c_hat, "o": cache.o,
                "c": cache.cells, "h": h}
    h, cache = reference.gru_forward(x, kernel, recurrent_kernel, bias, reset_after=True)
    return {"z": cache.z, "r": cache.r, "h_hat": cache.h_hat, "h": h}


def _head(head: dict, h) -> np.ndarray:
    """The trained model's Dense head on hidden states ``h`` (..., units)."""
    y = np.asarray(h) @ _as_float64(head["kernel"]) + _as_float64(head["bias"])
    return 1 / (1 + np.exp(-y)) if head["activation"] == "sigmoid" else y


def _ranked_units(scores) -> list:
    """The ``SHOWN_UNITS`` units of largest |score|, best first (ties: lower unit first)."""
    return [int(u) for u in np.argsort(-np.abs(scores), kind="stable")[:SHOWN_UNITS]]


def _adding_task():
    """The adding problem's offered sequences and the units' ranking data."""
    from companion.datasets.long_term_tasks import adding_problem
    from companion.experiments.gates import state_correlations

    def markers(inputs):
        return np.array([np.flatnonzero(x[:, 1]) for x in inputs])   # (n, 2) marker steps

    ranking_inputs, _ = adding_problem(ADDING_RANKING_SEQUENCES, ADDING_LENGTH,
                                       seed=ADDING_RANKING_SEED)
    first, second = markers(ranking_inputs).T
    rows = np.arange(len(ranking_inputs))
    first_value = ranking_inputs[rows, first, 0].astype(np.float64)

    def scores(states):       # state just before the second marker vs the first number
        return state_correlations(states[rows, second - 1], first_value)

    pool, sums = adding_problem(ADDING_SEQUENCE_POOL, ADDING_LENGTH, seed=ADDING_SEQUENCE_SEED)
    marked = markers(pool)
    gaps = marked[:, 1] - marked[:, 0]
    sequences = []
    for wanted in ADDING_GAPS:
        row = int(np.argmin(np.abs(gaps - wanted)))
        a, b = (int(m) + 1 for m in marked[row])                         # 1-based steps
        sequences.append({
            "name": f"gap-{b - a}", "label": f"markers at steps {a} and {b} ({b - a} apart)",
            "inputs": _float32_list(pool[row]), "markers": [a, b],
            "target": _float32_list(sums[row, 0]),
        })
    return {
        "task": "adding",
        "input_names": ["value", "marker"], "input_short": ["v", "m"],
        "output_names": ["sum"],
        "ranking": (f"the {SHOWN_UNITS} units whose state (LSTM: cell state c, GRU: hidden "
                    "state h) just before the second marker correlates most with the first "
                    f"marked number, over {ADDING_RANKING_SEQUENCES} held-out sequences"),
        "sequences": sequences, "default_sequence": sequences[1]["name"],
    }, ranking_inputs.astype(np.float64), scores


def _counting_task():
    """The counting task's offered strings and the units' ranking data."""
    from companion.datasets.counting_languages import INPUTS, NEXT, encode, running_count, string
    from companion.experiments.declared.counting import TRAIN_MAX_N
    from companion.experiments.gates import state_correlations

    ranking_inputs, _, mask = encode("anbn", range(1, TRAIN_MAX_N + 1))
    real = mask > 0
    count = running_count(ranking_inputs)[real]

    def scores(states):
        return state_correlations(states[real], count)

    sequences = []
    for n in COUNTING_NS:
        inputs, targets, _ = encode("anbn", [n])
        note = (" (the largest trained count)" if n == TRAIN_MAX_N
                else " (beyond training)" if n > TRAIN_MAX_N else "")
        sequences.append({
            "name": f"n={n}", "label": f"n = {n}{note}", "n": n,
            "symbols": "^" + string("anbn", n),
            "inputs": inputs[0].astype(int).tolist(),
            # the right set of next symbols after each symbol read, e.g. "ab"
            "next": ["".join(s for s, on in zip(NEXT, row) if on) for row in targets[0] > 0.5],
        })
    return {
        "task": "counting", "train_max_n": TRAIN_MAX_N,
        "input_names": list(INPUTS), "input_short": list(INPUTS),
        "output_names": list(NEXT),
        "ranking": (f"the {SHOWN_UNITS} units whose state (LSTM: cell state c, GRU: hidden "
                    "state h) correlates most with the count (a's read minus b's read), over "
                    f"the strings with n = 1 to {TRAIN_MAX_N}"),
        "sequences": sequences, "default_sequence": f"n={DEFAULT_COUNTING_N}",
    }, ranking_inputs.astype(np.float64), scores


def predicted_next_sets(outputs, threshold: float = 0.5) -> list:
    """The counting model's prediction at every step: the next symbols (``a b c $``) whose
    output is above ``threshold``, as strings such as ``"ab"``, comparable with a sequence's
    ``next`` (the page thresholds alike, as ``counting_languages.accepted`` does).

    Args:
        outputs: the head's outputs (time, 4), e.g. ``run_cells(...)[cell]["y"]``.
        threshold: the probability above which a symbol is predicted.
    """
    from companion.datasets.counting_languages import NEXT

    outputs = np.asarray(outputs, dtype=np.float64)
    if outputs.ndim != 2 or outputs.shape[1] != len(NEXT):
        raise ValueError(f"outputs has shape {outputs.shape}: expected (time, {len(NEXT)}), "
                         f"one column per next symbol {NEXT}")
    return ["".join(s for s, on in zip(NEXT, row) if on) for row in outputs > threshold]


def trained_export(name: str) -> dict:
    """The trained LSTM and GRU of ``TRAINED_RUNS[name]``, loaded from the shipped experiment
    artefact, as the explorer page needs them (JSON-able; a fresh copy on every call).

    Args:
        name: ``"adding"`` or ``"counting"`` (a key of ``TRAINED_RUNS``).

    Returns a dict with ``label``, ``experiment``, ``units``, the task's ``sequences`` (each
    with ``inputs`` (time, features) and what the model should answer), ``input_names``,
    ``output_names``, ``ranking`` (how the shown units were chosen) and ``cells[cell]`` for
    ``"lstm"`` and ``"gru"``: ``kernel``, ``recurrent_kernel``, ``bias`` (Keras' layout, the
    artefact's float32 values), ``head`` (the Dense layer's ``kernel``, ``bias``,
    ``activation``), ``shown_units`` (0-based, best first) and their ``scores``
    (correlations).
    """
    if name not in TRAINED_RUNS:
        raise ValueError(f"name={name!r}: expected one of {TRAINED}")
    return copy.deepcopy(_trained_export(name))


@functools.lru_cache(maxsize=None)
def _trained_export(name: str) -> dict:
    from companion.experiments import runner

    experiment, keys = TRAINED_RUNS[name]
    task, ranking_inputs, scores = _adding_task() if name == "adding" else _counting_task()
    artefact = runner.load(experiment)
    cells = {}
    for cell, key in keys.items():
        model = artefact.model(key)
        layer, head = model.layers[0], model.layers[-1]   # Sequential: recurrent, Dense
        kernel, recurrent_kernel, bias = layer.get_weights()
        head_kernel, head_bias = head.get_weights()
        states = _forward(cell, *(w.astype(np.float64) for w in (kernel, recurrent_kernel, bias)),
                          ranking_inputs)
        unit_scores = scores(states[RANKED_STATE[cell]])
        shown = _ranked_units(unit_scores)
        cells[cell] = {
            "run": key,
            "kernel": _float32_list(kernel), "recurrent_kernel": _float32_list(recurrent_kernel),
            "bias": _float32_list(bias),
            "head": {"kernel": _float32_list(head_kernel), "bias": _float32_list(head_bias),
                     "activation": head.get_config()["activation"]},
            "shown_units": shown, "scores": [round(float(unit_scores[u]), 4) for u in shown],
        }
    return {"label": WEIGHTS[name], "experiment": experiment,
            "units": int(np.shape(cells["lstm"]["recurrent_kernel"])[0]), **task, "cells": cells}


def _asset(name: str) -> str:
    return (_ASSETS / name).read_text(encoding="utf-8")


def explorer_html(data: dict | None = None) -> str:
    """The explorer as one self-contained HTML fragment (``IPython.display.HTML`` shows it).

    The data (``explorer_data()`` by default, which loads the trained weights' artefacts)
    travels in a ``<script type="application/json">``; the CSS and JavaScript of
    ``companion/views/explorer_assets`` are inlined, so the fragment loads nothing from any
    host. ``window.explorerState()`` in the page returns every value at full precision.
    """
    if data is None:
        data = explorer_data()
    if not isinstance(data, dict) or "weights" not in data:
        raise ValueError(f"data={type(data).__name__}: expected the dict that explorer_data() returns")
    # "<" escaped so that no "</script>" can end the data block early
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")
    title = html.escape("LSTM and GRU cell explorer")
    return (
        f'<div class="rnn-explorer" data-rnn-explorer="" role="region" aria-label="{title}">\n'
        f'<script type="application/json" class="rnn-explorer-data">{payload}</script>\n'
        "<noscript>The explorer needs JavaScript.</noscript>\n"
        "</div>\n"
        f"<style>\n{_asset('explorer.css')}</style>\n"
        f"<script>\n{_asset('explorer.js')}</script>\n"
    )


# --- the same computation in Python, for checks and for the live notebook explorer -------

def _check_offsets(offsets) -> dict:
    offsets = dict(offsets or {})
    unknown = sorted(set(offsets) - set(BIAS_OFFSETS))
    if unknown:
        raise ValueError(f"offsets has unknown names {unknown}: expected some of {sorted(BIAS_OFFSETS)}")
    for name, value in offsets.items():
        if not isinstance(value, (int, float, np.floating, np.integer)) or not math.isfinite(value):
            raise ValueError(f"offsets[{name!r}]={value!r}: expected a finite number")
    return {name: float(offsets.get(name, 0.0)) for name in BIAS_OFFSETS}


def _check_weights_name(weights, data: dict) -> str:
    if not isinstance(weights, str) or weights not in WEIGHTS:
        raise ValueError(f"weights={weights!r}: expected one of {tuple(WEIGHTS)}")
    if weights != "untrained" and weights not in data.get("trained", {}):
        raise ValueError(f"weights={weights!r}: the data holds no such trained weights; "
                         f"expected explorer_data(trained=({weights!r},))")
    return weights


def _check_inputs(inputs, trained: dict | None = None) -> np.ndarray:
    """Untrained cells: 1 to ``MAX_STEPS`` numbers. Trained ones: (time, features) with the
    task's features and 1 to ``MAX_TRAINED_STEPS`` steps."""
    if trained is None:
        values = np.asarray(inputs, dtype=np.float64)
        if values.ndim != 1 or not 1 <= values.size <= MAX_STEPS or not np.all(np.isfinite(values)):
            raise ValueError(f"inputs={inputs!r}: expected 1 to {MAX_STEPS} finite numbers")
        return values
    features = len(trained["input_names"])
    try:
        values = _as_float64(inputs)
    except (TypeError, ValueError):
        values = np.empty(0)
    if (values.ndim != 2 or values.shape[1] != features or not 1 <= len(values) <= MAX_TRAINED_STEPS
            or not np.all(np.isfinite(values))):
        shown = repr(inputs) if len(repr(inputs)) <= 60 else repr(inputs)[:56] + " ..."
        raise ValueError(f"inputs={shown}: expected (time, {features}) finite numbers "
                         f"({', '.join(trained['input_names'])}) with 1 to {MAX_TRAINED_STEPS} steps")
    return values


def biases_with_offsets(cell: str, bias, offsets) -> np.ndarray:
    """``bias`` (Keras' layout for ``cell``) with the slider offsets added to their gate
    blocks: what the explorer's JavaScript computes with."""
    if cell not in CELLS:
        raise ValueError(f"cell={cell!r}: expected one of {CELLS}")
    offsets = _check_offsets(offsets)
    moved = np.array(bias, dtype=np.float64)
    units = moved.shape[-1] // (4 if cell == "lstm" else 3)
    for name, (owner, row, block, _) in BIAS_OFFSETS.items():
        if owner != cell:
            continue
        target = moved if row is None else moved[row]
        target[block * units:(block + 1) * units] += offsets[name]
    return moved


def _weights(data: dict, weights: str, cell: str, units, offsets) -> tuple:
    """``(kernel, recurrent_kernel, bias with offsets, head or None)`` in float64."""
    if weights == "untrained":
        units = DEFAULT_UNITS if units is None else units
        exported = data["weights"][cell][str(_check_units(units))]
        return (np.asarray(exported["kernel"]), np.asarray(exported["recurrent_kernel"]),
                biases_with_offsets(cell, exported["bias"], offsets), None)
    trained = data["trained"][weights]
    if units is not None and units != trained["units"]:
        raise ValueError(f"units={units!r}: the {weights!r} weights have {trained['units']} "
                         "units; leave units out")
    exported = trained["cells"][cell]
    return (_as_float64(exported["kernel"]), _as_float64(exported["recurrent_kernel"]),
            biases_with_offsets(cell, _as_float64(exported["bias"]), offsets), exported["head"])


def _prepared(inputs, weights, input_scale, data: dict | None) -> tuple:
    """``(data, weights, x)`` for a run: the arguments checked, ``x`` the scaled inputs as
    (1, time, features)."""
    if data is None:   # only what the run needs: artefacts load only for trained weights
        data = explorer_data(trained=(weights,) if weights in TRAINED else ())
    weights = _check_weights_name(weights, data)
    trained = None if weights == "untrained" else data["trained"][weights]
    values = _check_inputs(inputs, trained) * float(input_scale)
    return data, weights, values.reshape(1, len(values), -1)


def run_cells(inputs, *, weights: str = "untrained", units: int | None = None, offsets=None,
              input_scale: float = 1.0, data: dict | None = None) -> dict:
    """Run the exported LSTM and GRU over ``inputs`` with :mod:`companion.reference` (float64
    NumPy), after scaling the inputs and offsetting the biases: what the page computes.

    Args:
        inputs: untrained weights: 1 to ``MAX_STEPS`` numbers (one input feature); trained
            weights: (time, features) with 1 to ``MAX_TRAINED_STEPS`` steps, e.g. the
            ``inputs`` of a sequence of ``data["trained"][weights]``, read as float32 (what
            the trained model reads; the page does the same).
        weights: ``"untrained"`` or a name of ``TRAINED_RUNS`` (a key of ``WEIGHTS``).
        units: hidden size of the untrained cells (``UNIT_CHOICES``, default
            ``DEFAULT_UNITS``); leave it out for trained weights, whose size is fixed.
        offsets: bias offsets by slider name (``BIAS_OFFSETS``), 0 where left out.
        input_scale: the number every input is multiplied by.
        data: what :func:`explorer_data` returns (built when left out).

    Returns ``{"lstm": {...}, "gru": {...}}``, every entry an array (time, units), over all
    units: LSTM ``i, f, c_hat, o, c, h``; GRU ``z, r, h_hat, h``; for trained weights also
    ``y`` (time, outputs), the model's Dense head applied to ``h`` at every step.
    """
    data, weights, x = _prepared(inputs, weights, input_scale, data)
    result = {}
    for cell in CELLS:
        kernel, recurrent_kernel, bias, head = _weights(data, weights, cell, units, offsets)
        result[cell] = {k: v[0] for k, v in _forward(cell, kernel, recurrent_kernel, bias, x).items()}
        if head is not None:
            result[cell]["y"] = _head(head, result[cell]["h"])
    return result


def keras_hidden_states(cell: str, inputs, *, weights: str = "untrained", units: int | None = None,
                        offsets=None, input_scale: float = 1.0, data: dict | None = None,
                        dtype: str = "float64") -> dict:
    """The same run with the Keras companion cell in ``keras.layers.RNN``: ``{"h": (time,
    units), "c": (units,) final LSTM cell state}`` (``"c"`` only for the LSTM). The
    arguments are those of :func:`run_cells`; ``dtype`` is the layer's."""
    import keras

    if cell not in CELLS:
        raise ValueError(f"cell={cell!r}: expected one of {CELLS}")
    data, weights, x = _prepared(inputs, weights, input_scale, data)
    x = x.astype(dtype)
    kernel, recurrent_kernel, bias, _ = _weights(data, weights, cell, units, offsets)
    layer = keras.layers.RNN(_cell_class(cell)(recurrent_kernel.shape[0], dtype=dtype),
                             return_sequences=True, return_state=True, dtype=dtype)
    layer.build((None, None, x.shape[-1]))
    layer.set_weights([w.astype(dtype) for w in (kernel, recurrent_kernel, bias)])
    h, *states = layer(x)
    result = {"h": np.asarray(h, dtype=np.float64)[0]}
    if cell == "lstm":
        result["c"] = np.asarray(states[1], dtype=np.float64)[0]
    return result


# --- figures and the live explorer ----------------------------------------------------------

GATE_PANELS = {
    "lstm": [("f", "forget gate f", (0, 1)), ("i", "input gate i", (0, 1)),
             ("o", "output gate o", (0, 1)), ("c_hat", "candidate c\u0303", (-1, 1)),
             ("c", "cell state c", (-1, 1)), ("h", "hidden state h", (-1, 1))],
    "gru": [("z", "update gate z", (0, 1)), ("r", "reset gate r", (0, 1)),
            ("h_hat", "candidate h\u0303", (-1, 1)), ("h", "hidden state h", (-1, 1))],
}
LSTM_COLOR, GRU_COLOR = "#0072B2", "#E69F00"


def explorer_figure(cell: str = "lstm", inputs=None, *, step: int | None = None,
                    units: int = DEFAULT_UNITS, offsets=None, input_scale: float = 1.0,
                    data: dict | None = None):
    """Heatmaps (units x time; blue high, red low) of ``cell``'s gates and states, and the
    average hidden state of both cells over time, with step ``step`` (1-based, default the
    last) marked. Returns the matplotlib figure."""
    if cell not in CELLS:
        raise ValueError(f"cell={cell!r}: expected one of {CELLS}")
    inputs = PRESETS[DEFAULT_PRESET][1] if inputs is None else inputs
    run = run_cells(inputs, units=units, offsets=offsets, input_scale=input_scale, data=data)
    return _draw_run(run, cell, step)


def _draw_run(run: dict, cell: str, step: int | None):
    import matplotlib.pyplot as plt

    steps = run["lstm"]["h"].shape[0]
    step = steps if step is None else int(step)
    if not 1 <= step <= steps:
        raise ValueError(f"step={step!r}: expected 1 to {steps} (the sequence's length)")
    panels = GATE_PANELS[cell]
    n_cols = 2
    n_rows = math.ceil(len(panels) / n_cols) + 1
    fig = plt.figure(figsize=(9, 1.6 * n_rows + 1.2), layout="constrained")
    grid = fig.add_gridspec(n_rows, n_cols)
    times = np.arange(1, steps + 1)
    image = None
    for index, (key, title, (low, high)) in enumerate(panels):
        ax = fig.add_subplot(grid[index // n_cols, index % n_cols])
        values = run[cell][key].T
        image = ax.imshow(values, cmap="RdBu", vmin=low, vmax=high, aspect="auto",
                          extent=(0.5, steps + 0.5, values.shape[0] + 0.5, 0.5))
        ax.axvspan(step - 0.5, step + 0.5, fill=False, edgecolor="black", linewidth=2)
        ax.set_title(f"{title}  (range {low} to {high})", fontsize=10)
        ax.set_yticks(range(1, values.shape[0] + 1), [f"unit {u}" for u in range(1, values.shape[0] + 1)])
        ax.set_xticks(times)
    ax = fig.add_subplot(grid[n_rows - 1, :])
    ax.plot(times, run["lstm"]["h"].mean(axis=1), "o-", color=LSTM_COLOR, label="LSTM")
    ax.plot(times, run["gru"]["h"].mean(axis=1), "s--", color=GRU_COLOR, label="GRU")
    ax.axvline(step, color="0.4", linewidth=1)
    ax.axhline(0, color="0.8", linewidth=0.8)
    ax.set_xticks(times)
    ax.set_xlabel("time step t")
    ax.set_ylabel("mean of h_t over units")
    ax.set_title("LSTM vs GRU: average hidden state over time", fontsize=10)
    ax.legend(loc="best")
    h_now = ", ".join(f"{v:+.3f}" for v in run[cell]["h"][step - 1])
    fig.suptitle(f"{cell.upper()}, step {step} / {steps}: h = [{h_now}]  "
                 "(heatmaps: blue high, red low)", fontsize=11)
    return fig


def live_explorer(units: int = DEFAULT_UNITS, seed: int = EXPLORER_SEED):
    """The explorer as ipywidgets for a live notebook: the same weights, presets and sliders,
    computed by :func:`run_cells` (companion.reference) and drawn by :func:`explorer_figure`.
    Returns an ``ipywidgets.VBox``; display it as a cell's last expression. Its attribute
    ``shown_run`` holds the :func:`run_cells` result that the figure shows."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    data = explorer_data(seed, trained=())    # the live explorer offers the untrained cells
    style = {"description_width": "initial"}
    cell = widgets.ToggleButtons(options=[("LSTM", "lstm"), ("GRU", "gru")], value="lstm",
                                 description="Cell")
    unit_choice = widgets.Dropdown(options=list(UNIT_CHOICES), value=_check_units(units),
                                   description="Hidden units", style=style)
    preset = widgets.Dropdown(options=[(label, name) for name, (label, _) in PRESETS.items()],
                              value=DEFAULT_PRESET, description="Preset", style=style)
    sequence = widgets.Text(value=_format_values(PRESETS[DEFAULT_PRESET][1]),
                            description="Input sequence", style=style,
                            layout=widgets.Layout(width="100%"))
    message = widgets.HTML()
    step = widgets.IntSlider(value=1, min=1, max=len(PRESETS[DEFAULT_PRESET][1]),
                             description="Current step", style=style)
    play = widgets.Play(value=1, min=1, max=step.max, interval=700, description="Play")
    widgets.jslink((play, "value"), (step, "value"))
    low, high, increment = OFFSET_RANGE
    offsets = {name: widgets.FloatSlider(value=0.0, min=low, max=high, step=increment,
                                         description=label, style=style)
               for name, (_, _, _, label) in BIAS_OFFSETS.items()}
    low, high, increment = INPUT_SCALE_RANGE
    scale = widgets.FloatSlider(value=1.0, min=low, max=high, step=increment,
                                description="Input scaling", style=style)
    figure = widgets.Output()

    def current_inputs():
        try:
            values = [float(part) for part in sequence.value.replace(",", " ").split()]
            _check_inputs(values)
            if np.max(np.abs(values)) > MAX_ABS_INPUT:
                raise ValueError
        except ValueError:
            message.value = (f"<b>Not a valid sequence:</b> type 1 to {MAX_STEPS} numbers "
                             f"between -{MAX_ABS_INPUT:g} and {MAX_ABS_INPUT:g}.")
            return None
        message.value = ""
        return values

    lstm_box = widgets.VBox([offsets[name] for name, spec in BIAS_OFFSETS.items() if spec[0] == "lstm"])
    gru_box = widgets.VBox([offsets[name] for name, spec in BIAS_OFFSETS.items() if spec[0] == "gru"])
    panel = widgets.VBox([
        widgets.HBox([cell, unit_choice]), preset, sequence, message,
        widgets.HBox([play, step]),
        widgets.HBox([widgets.VBox([widgets.HTML("<b>LSTM gate biases</b>"), lstm_box]),
                      widgets.VBox([widgets.HTML("<b>GRU gate biases</b>"), gru_box, scale])]),
        figure,
    ])

    def redraw(*_):
        values = current_inputs()
        if values is None:
            return
        step.max = play.max = len(values)
        panel.shown_run = run_cells(values, units=unit_choice.value,
                                    offsets={name: s.value for name, s in offsets.items()},
                                    input_scale=scale.value, data=data)
        with figure:
            figure.clear_output(wait=True)
            fig = _draw_run(panel.shown_run, cell.value, min(step.value, len(values)))
            display(fig)
            plt.close(fig)

    def choose_preset(change):
        sequence.value = _format_values(PRESETS[change["new"]][1])

    preset.observe(choose_preset, names="value")
    for control in (cell, unit_choice, sequence, step, scale, *offsets.values()):
        control.observe(redraw, names="value")
    redraw()
    return panel


def _format_values(values) -> str:
    return ", ".join(f"{v:g}" for v in values)
