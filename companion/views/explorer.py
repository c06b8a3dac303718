"""The LSTM/GRU cell explorer: weights exported from the companion cells, a self-contained HTML
page that steps through them in the browser, and the same explorer as ipywidgets in Jupyter.

* :func:`explorer_data` builds ``keras.layers.RNN(companion.LSTMCell(units))`` and the GRU twin
  with seeded initializers and returns their weights, the input presets and the slider ranges
  as JSON-able data.
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
multiplied by the *input scale* before it enters either cell.
"""

from __future__ import annotations

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
    "explorer_data",
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


def explorer_data(seed: int = EXPLORER_SEED) -> dict:
    """Weights of an LSTM and a GRU companion cell for every hidden size in ``UNIT_CHOICES``
    (one input feature, Keras' default initialisation with seeded initializers, untrained),
    with the presets and slider ranges: everything the explorer page needs, JSON-able.

    ``data["weights"][cell][str(units)]`` holds ``kernel``, ``recurrent_kernel`` and ``bias``
    as nested lists in Keras' layout (the float32 values Keras drew, as Python floats).
    """
    seed = _check_seed(seed)
    weights = {cell: {str(units): _exported_weights(cell, units, seed) for units in UNIT_CHOICES}
               for cell in CELLS}
    low, high, step = OFFSET_RANGE
    return {
        "format": 1,
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
    }


def _asset(name: str) -> str:
    return (_ASSETS / name).read_text(encoding="utf-8")


def explorer_html(data: dict | None = None) -> str:
    """The explorer as one self-contained HTML fragment (``IPython.display.HTML`` shows it).

    The data (``explorer_data()`` by default) travels in a ``<script type="application/json">``;
    the CSS and JavaScript of ``companion/views/explorer_assets`` are inlined, so the fragment loads
    nothing from any host. ``window.explorerState()`` in the page returns every value at full
    precision.
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


def _check_inputs(inputs) -> np.ndarray:
    values = np.asarray(inputs, dtype=np.float64)
    if values.ndim != 1 or not 1 <= values.size <= MAX_STEPS or not np.all(np.isfinite(values)):
        raise ValueError(f"inputs={inputs!r}: expected 1 to {MAX_STEPS} finite numbers")
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


def _weights(data: dict, cell: str, units: int, offsets) -> tuple:
    exported = data["weights"][cell][str(_check_units(units))]
    return (np.asarray(exported["kernel"]), np.asarray(exported["recurrent_kernel"]),
            biases_with_offsets(cell, exported["bias"], offsets))


def run_cells(inputs, *, units: int = DEFAULT_UNITS, offsets=None, input_scale: float = 1.0,
              data: dict | None = None) -> dict:
    """Run the exported LSTM and GRU over ``inputs`` (one number per step) with
    :mod:`companion.reference`, after scaling the inputs and offsetting the biases.

    Returns ``{"lstm": {...}, "gru": {...}}``, every entry an array (time, units): LSTM
    ``i, f, c_hat, o, c, h``; GRU ``z, r, h_hat, h``.
    """
    data = explorer_data() if data is None else data
    x = (_check_inputs(inputs) * float(input_scale)).reshape(1, -1, 1)
    lstm_h, lstm = reference.lstm_forward(x, *_weights(data, "lstm", units, offsets))
    gru_h, gru = reference.gru_forward(x, *_weights(data, "gru", units, offsets), reset_after=True)
    return {
        "lstm": {"i": lstm.i[0], "f": lstm.f[0], "c_hat": lstm.c_hat[0], "o": lstm.o[0],
                 "c": lstm.cells[0], "h": lstm_h[0]},
        "gru": {"z": gru.z[0], "r": gru.r[0], "h_hat": gru.h_hat[0], "h": gru_h[0]},
    }


def keras_hidden_states(cell: str, inputs, *, units: int = DEFAULT_UNITS, offsets=None,
                        input_scale: float = 1.0, data: dict | None = None,
                        dtype: str = "float64") -> dict:
    """The same run with the Keras companion cell in ``keras.layers.RNN``: ``{"h": (time,
    units), "c": (units,) final LSTM cell state}`` (``"c"`` only for the LSTM)."""
    import keras

    if cell not in CELLS:
        raise ValueError(f"cell={cell!r}: expected one of {CELLS}")
    data = explorer_data() if data is None else data
    x = (_check_inputs(inputs) * float(input_scale)).reshape(1, -1, 1).astype(dtype)
    layer = keras.layers.RNN(_cell_class(cell)(_check_units(units), dtype=dtype),
                             return_sequences=True, return_state=True, dtype=dtype)
    layer.build((None, None, 1))
    layer.set_weights([w.astype(dtype) for w in _weights(data, cell, units, offsets)])
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

    data = explorer_data(seed)
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
