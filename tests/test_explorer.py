"""companion.views.explorer: the exported weights are the companion cells', the HTML is self-contained,
the Python-side runs agree with the Keras cells, and bad arguments are refused."""

from __future__ import annotations

import json
import re

import companion
import keras
import numpy as np
import pytest
from companion.views import explorer


@pytest.fixture(scope="module")
def data():
    return explorer.explorer_data()


# --- exported weights -------------------------------------------------------------------------

@pytest.mark.parametrize("units", explorer.UNIT_CHOICES)
def test_exported_weights_have_keras_layout(data, units):
    lstm, gru = data["weights"]["lstm"][str(units)], data["weights"]["gru"][str(units)]
    assert np.shape(lstm["kernel"]) == (1, 4 * units)
    assert np.shape(lstm["recurrent_kernel"]) == (units, 4 * units)
    assert np.shape(lstm["bias"]) == (4 * units,)
    assert np.shape(gru["kernel"]) == (1, 3 * units)
    assert np.shape(gru["recurrent_kernel"]) == (units, 3 * units)
    assert np.shape(gru["bias"]) == (2, 3 * units)          # reset_after=True
    bias = np.reshape(lstm["bias"], (4, units))             # blocks i, f, c, o
    assert np.all(bias[1] == 1.0) and np.all(bias[[0, 2, 3]] == 0.0)   # unit_forget_bias
    assert np.all(np.asarray(gru["bias"]) == 0.0)
    # Keras' orthogonal initializer: the (units, 4 units) recurrent kernel has orthonormal rows
    recurrent = np.asarray(lstm["recurrent_kernel"])
    assert np.allclose(recurrent @ recurrent.T, np.eye(units), atol=1e-5)


@pytest.mark.parametrize("cell_name", ["lstm", "gru"])
def test_exported_weights_are_those_of_the_companion_cell(data, cell_name):
    """The export is a companion cell, built in keras.layers.RNN with the seeded initializers."""
    units = explorer.DEFAULT_UNITS
    cell_class = {"lstm": companion.LSTMCell, "gru": companion.GRUCell}[cell_name]
    layer = keras.layers.RNN(cell_class(
        units, kernel_initializer=keras.initializers.GlorotUniform(seed=data["seed"]),
        recurrent_initializer=keras.initializers.Orthogonal(seed=data["seed"])))
    layer.build((None, None, 1))
    exported = data["weights"][cell_name][str(units)]
    for weight, name in zip(layer.get_weights(), ("kernel", "recurrent_kernel", "bias")):
        np.testing.assert_array_equal(np.asarray(exported[name], dtype=np.float32), weight)
    # and that layer, run on a sequence, gives the states run_cells computes from the export
    x = np.asarray(explorer.PRESETS["sine"][1], dtype=np.float32)
    keras_h = np.asarray(keras.layers.RNN(layer.cell, return_sequences=True)(x.reshape(1, -1, 1)))[0]
    np.testing.assert_allclose(explorer.run_cells(x, units=units, data=data)[cell_name]["h"], keras_h, atol=1e-5)


def test_export_is_deterministic_and_follows_the_seed(data):
    assert explorer.explorer_data() == data
    other = explorer.explorer_data(seed=explorer.EXPLORER_SEED + 1, trained=())
    assert other["weights"]["lstm"]["3"]["kernel"] != data["weights"]["lstm"]["3"]["kernel"]


def test_data_is_json_and_carries_presets_and_sliders(data):
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert [p["name"] for p in data["presets"]] == list(explorer.PRESETS)
    assert data["default_preset"] in explorer.PRESETS
    assert {s["name"] for s in data["bias_offsets"]} == {"forget", "input", "output", "update", "reset"}
    assert all(len(p["values"]) <= data["max_steps"] for p in data["presets"])


# --- the computation in Python ------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_run_equals_keras_companion_cells(data, seed):
    rng = np.random.default_rng(seed)
    units = int(rng.choice(explorer.UNIT_CHOICES))
    inputs = rng.uniform(-2, 2, size=int(rng.integers(1, 15))).tolist()
    offsets = {name: float(rng.uniform(-4, 4)) for name in explorer.BIAS_OFFSETS}
    settings = dict(units=units, offsets=offsets, input_scale=float(rng.uniform(-3, 3)), data=data)
    numpy_run = explorer.run_cells(inputs, **settings)
    keras_run = {cell: explorer.keras_hidden_states(cell, inputs, **settings) for cell in ("lstm", "gru")}
    for cell in ("lstm", "gru"):
        np.testing.assert_allclose(numpy_run[cell]["h"], keras_run[cell]["h"], atol=1e-12)
    np.testing.assert_allclose(numpy_run["lstm"]["c"][-1], keras_run["lstm"]["c"], atol=1e-12)


def test_offsets_move_only_their_gate_block():
    units = 3
    lstm_bias = np.arange(4 * units, dtype=float)
    moved = explorer.biases_with_offsets("lstm", lstm_bias, {"forget": 2.0, "output": -1.0, "update": 9.0})
    np.testing.assert_array_equal(moved - lstm_bias, [0] * 3 + [2] * 3 + [0] * 3 + [-1] * 3)
    gru_bias = np.zeros((2, 3 * units))
    moved = explorer.biases_with_offsets("gru", gru_bias, {"reset": 1.5, "forget": 9.0})
    np.testing.assert_array_equal(moved, [[0] * 3 + [1.5] * 3 + [0] * 3, [0] * 9])
    assert np.all(lstm_bias == np.arange(4 * units))   # the argument is not changed


def test_offsets_drive_the_gates(data):
    inputs = explorer.PRESETS["alternating"][1]
    opened = explorer.run_cells(inputs, offsets={"forget": 30.0, "update": 30.0}, data=data)
    closed = explorer.run_cells(inputs, offsets={"input": -30.0, "reset": -30.0}, data=data)
    assert opened["lstm"]["f"].min() > 0.999999 and opened["gru"]["z"].min() > 0.999999
    assert closed["lstm"]["i"].max() < 1e-6 and closed["gru"]["r"].max() < 1e-6
    # z ~ 1 keeps the initial zeros (Keras' convention); i ~ 0 writes nothing into c
    assert np.abs(opened["gru"]["h"]).max() < 1e-6
    assert np.abs(closed["lstm"]["c"]).max() < 1e-5


def test_input_scale_multiplies_the_inputs(data):
    inputs = [0.5, -1.0, 2.0]
    scaled = explorer.run_cells(inputs, input_scale=-2.0, data=data)
    direct = explorer.run_cells([-1.0, 2.0, -4.0], data=data)
    for cell in ("lstm", "gru"):
        np.testing.assert_array_equal(scaled[cell]["h"], direct[cell]["h"])


# --- the HTML -----------------------------------------------------------------------------------

def test_html_is_self_contained(data):
    page = explorer.explorer_html(data)
    urls = set(re.findall(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s"'<>)]*""", page))
    assert urls <= {"http://www.w3.org/2000/svg"}, f"the explorer names other hosts: {urls}"
    assert not re.search(r"""<(?:script|img|iframe|link|source)\b[^>]*\b(?:src|href)\s*=""", page, re.I)
    assert not re.search(r"""@import|url\(\s*['"]?(?!#)""", page), "CSS loads something"
    assert page.count("<script") == 2 and page.count("</script>") == 2   # the data and the code
    assert page.count("<style>") == 1


def test_html_embeds_the_data_losslessly(data):
    tricky = json.loads(json.dumps(data))
    tricky["presets"][0]["label"] = "</script><script>alert(1)</script>"
    page = explorer.explorer_html(tricky)
    assert page.count("</script>") == 2     # the label cannot close the data block
    start = page.index('class="rnn-explorer-data">') + len('class="rnn-explorer-data">')
    embedded = json.loads(page[start:page.index("</script>", start)])
    assert embedded == tricky


def test_html_ships_the_package_assets():
    page = explorer.explorer_html({"weights": {}})
    for name in ("explorer.js", "explorer.css"):
        asset = (explorer._ASSETS / name).read_text(encoding="utf-8")
        assert asset.strip() and asset in page


# --- figures and the live explorer -------------------------------------------------------------

def test_figure_marks_the_step_and_draws_every_panel(data):
    import matplotlib.pyplot as plt

    figure = explorer.explorer_figure("gru", [0.1, 0.5, -0.3, 0.9], step=3, units=2, data=data)
    try:
        assert len(figure.axes) == len(explorer.GATE_PANELS["gru"]) + 1
        assert "step 3 / 4" in figure._suptitle.get_text()
    finally:
        plt.close(figure)


def test_live_explorer_recomputes_when_a_slider_moves(monkeypatch, data):
    import ipywidgets

    monkeypatch.setattr(explorer, "explorer_data", lambda seed=explorer.EXPLORER_SEED, trained=(): data)
    box = explorer.live_explorer(units=2)
    assert isinstance(box, ipywidgets.VBox)
    sliders = {w.description: w for w in _walk(box) if isinstance(w, ipywidgets.FloatSlider)}
    assert set(sliders) == {label for *_, label in explorer.BIAS_OFFSETS.values()} | {"Input scaling"}
    before = box.shown_run["lstm"]["f"].copy()
    sliders["Forget-gate bias offset"].value = 4.0
    assert box.shown_run["lstm"]["f"].min() > before.max()
    text = next(w for w in _walk(box) if isinstance(w, ipywidgets.Text))
    text.value = "1, nope"
    message = next(w for w in _walk(box) if isinstance(w, ipywidgets.HTML) and "Not a valid" in w.value)
    assert "Not a valid sequence" in message.value


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


# --- bad arguments ------------------------------------------------------------------------------

@pytest.mark.parametrize("call, fragment", [
    (lambda d: explorer.explorer_data(seed=-1), "seed=-1"),
    (lambda d: explorer.run_cells([1.0], units=5, data=d), "units=5"),
    (lambda d: explorer.run_cells([], data=d), "inputs=[]"),
    (lambda d: explorer.run_cells([1.0, float("nan")], data=d), "inputs="),
    (lambda d: explorer.run_cells([0.0] * 41, data=d), "1 to 40"),
    (lambda d: explorer.run_cells([1.0], offsets={"forgot": 1.0}, data=d), "forgot"),
    (lambda d: explorer.run_cells([1.0], offsets={"forget": "1"}, data=d), "offsets['forget']"),
    (lambda d: explorer.keras_hidden_states("rnn", [1.0], data=d), "cell='rnn'"),
    (lambda d: explorer.explorer_figure("lstm", [1.0, 2.0], step=3, data=d), "step=3"),
    (lambda d: explorer.explorer_html([1, 2]), "data=list"),
    (lambda d: explorer.run_cells([1.0], weights="trained", data=d), "weights='trained'"),
    (lambda d: explorer.run_cells([[1.0, 0.0]], weights="adding", data=explorer.explorer_data(trained=())),
     "trained=('adding',)"),
    (lambda d: explorer.run_cells([[0.5, 1.0]], weights="adding", units=3, data=d), "units=3"),
    (lambda d: explorer.run_cells([0.5, 1.0], weights="adding", data=d), "(time, 2)"),
    (lambda d: explorer.run_cells([[0.0] * 4] * 402, weights="counting", data=d), "1 to 401 steps"),
    (lambda d: explorer.keras_hidden_states("lstm", [[1, 0, 0]], weights="counting", data=d), "(time, 4)"),
    (lambda d: explorer.explorer_data(trained=("copy",)), "trained=('copy',)"),
    (lambda d: explorer.explorer_data(trained="adding"), "trained='adding'"),
    (lambda d: explorer.trained_export("copy"), "name='copy'"),
    (lambda d: explorer.predicted_next_sets([0.9, 0.1, 0.0, 0.0]), "expected (time, 4)"),
])
def test_bad_arguments_are_refused(data, call, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)):
        call(data)


# --- trained weights ------------------------------------------------------------------------------

TRAINED_CELLS = [(name, cell) for name in explorer.TRAINED for cell in ("lstm", "gru")]


@pytest.fixture(scope="module")
def artefacts():
    from companion.experiments import runner

    return {name: runner.load(experiment) for name, (experiment, _) in explorer.TRAINED_RUNS.items()}


def _model(artefacts, name, cell):
    return artefacts[name].model(explorer.TRAINED_RUNS[name][1][cell])


@pytest.mark.parametrize("name, cell", TRAINED_CELLS)
def test_trained_weights_are_the_artefacts(data, artefacts, name, cell):
    """Read back as float32, the exported numbers are the trained layer's and head's, bit for bit."""
    exported = data["trained"][name]["cells"][cell]
    model = _model(artefacts, name, cell)
    layer, head = model.layers[0], model.layers[-1]
    for weight, key in zip(layer.get_weights(), ("kernel", "recurrent_kernel", "bias")):
        np.testing.assert_array_equal(np.asarray(exported[key], dtype=np.float32), weight)
    for weight, key in zip(head.get_weights(), ("kernel", "bias")):
        np.testing.assert_array_equal(np.asarray(exported["head"][key], dtype=np.float32), weight)
    assert exported["head"]["activation"] == {"adding": "linear", "counting": "sigmoid"}[name]
    assert exported["run"] == explorer.TRAINED_RUNS[name][1][cell]
    assert data["trained"][name]["units"] == layer.get_weights()[1].shape[0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_float32_export_reads_back_exactly(seed):
    """Shortest decimals, and float32 again after float64 parsing (Math.fround in the page),
    for any float32: random bit patterns, tiny and huge ones included."""
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2 ** 32, size=5000, dtype=np.uint64).astype(np.uint32)
    values = bits.view(np.float32)
    values = np.concatenate([values[np.isfinite(values)], np.float32([0.0, -0.0, 1e-45, 3.4e38, 0.1])])
    exported = explorer._float32_list(values.reshape(-1, 1))
    back = np.asarray(exported, dtype=np.float64).astype(np.float32).ravel()
    np.testing.assert_array_equal(back.view(np.uint32), values.view(np.uint32))   # -0.0 too
    # weights of a trained layer's size: about 60 % of the characters of float64 digits
    weights = rng.normal(0.0, 0.3, size=5000).astype(np.float32)
    assert len(json.dumps(explorer._float32_list(weights))) < 0.7 * len(json.dumps(weights.astype(float).tolist()))


def _ranked(scores):
    return [int(u) for u in np.argsort(-np.abs(scores), kind="stable")[:explorer.SHOWN_UNITS]]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_adding_units_shown_carry_the_first_number(data, artefacts, cell):
    """Recomputed as the page's static section does, with the gate tracer on the Keras layer."""
    from companion.datasets.long_term_tasks import adding_problem
    from companion.experiments.gates import gru_gate_activations, lstm_gate_activations

    inputs, _ = adding_problem(300, 100, seed=5)
    first, second = np.array([np.flatnonzero(x[:, 1]) for x in inputs]).T
    rows = np.arange(len(inputs))
    trace, state = {"lstm": (lstm_gate_activations, "cell"), "gru": (gru_gate_activations, "hidden")}[cell]
    traced = trace(_model(artefacts, "adding", cell).layers[0], inputs)[state][rows, second - 1]
    scores = np.array([np.corrcoef(traced[:, u], inputs[rows, first, 0])[0, 1]
                       for u in range(traced.shape[1])])
    chosen = data["trained"]["adding"]["cells"][cell]
    assert chosen["shown_units"] == _ranked(scores)
    np.testing.assert_allclose(chosen["scores"], scores[chosen["shown_units"]], atol=1e-4)
    assert abs(chosen["scores"][0]) > 0.85       # one unit carries the first number


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_counting_units_shown_follow_the_count(data, artefacts, cell):
    from companion.datasets.counting_languages import encode
    from companion.experiments.gates import gru_gate_activations, lstm_gate_activations

    inputs, _, mask = encode("anbn", range(1, 51))
    trace, state = {"lstm": (lstm_gate_activations, "cell"), "gru": (gru_gate_activations, "hidden")}[cell]
    traced = trace(_model(artefacts, "counting", cell).layers[0], inputs)[state][mask > 0]
    count = np.cumsum(inputs[..., 1] - inputs[..., 2], axis=1)[mask > 0]     # a's minus b's read
    scores = np.array([np.corrcoef(traced[:, u], count)[0, 1] for u in range(traced.shape[1])])
    chosen = data["trained"]["counting"]["cells"][cell]
    assert chosen["shown_units"] == _ranked(scores)
    np.testing.assert_allclose(chosen["scores"], scores[chosen["shown_units"]], atol=1e-4)
    if cell == "lstm":                           # the LSTM's cell state is a counter
        assert abs(chosen["scores"][0]) > 0.99


@pytest.mark.parametrize("name, cell", TRAINED_CELLS)
def test_trained_run_equals_the_keras_layer(data, artefacts, name, cell):
    """run_cells over all units, and the Dense head, against the artefact's own float32 model."""
    model = _model(artefacts, name, cell)
    for sequence in data["trained"][name]["sequences"]:
        if sequence.get("n", 0) > 50:
            continue       # float32 rounding grows with a count the size of 100 (the test below)
        x = np.asarray(sequence["inputs"], dtype=np.float32)[None]
        run = explorer.run_cells(sequence["inputs"], weights=name, data=data)[cell]
        layer_h = np.asarray(model.layers[0](x))[0]
        np.testing.assert_allclose(run["h"][-1] if name == "adding" else run["h"], layer_h, atol=1e-4)
        np.testing.assert_allclose(run["y"][-1] if name == "adding" else run["y"], np.asarray(model(x))[0],
                                   atol=1e-4)
        assert run["h"].shape == (len(sequence["inputs"]), data["trained"][name]["units"])


@pytest.mark.parametrize("name", explorer.TRAINED)
def test_trained_run_with_offsets_equals_keras_companion_cells(data, name):
    sequence = data["trained"][name]["sequences"][-1]          # the longest: n = 200 for counting
    settings = dict(weights=name, offsets={"forget": -0.7, "input": 0.4, "update": 0.9, "reset": -1.1},
                    input_scale=1.3, data=data)
    run = explorer.run_cells(sequence["inputs"], **settings)
    for cell in ("lstm", "gru"):
        keras_run = explorer.keras_hidden_states(cell, sequence["inputs"], **settings)
        np.testing.assert_allclose(run[cell]["h"], keras_run["h"], atol=1e-10)
        if cell == "lstm":
            np.testing.assert_allclose(run["lstm"]["c"][-1], keras_run["c"], rtol=1e-12, atol=1e-10)


def test_trained_offsets_move_every_unit(data):
    units = data["trained"]["counting"]["units"]
    bias = np.asarray(data["trained"]["counting"]["cells"]["lstm"]["bias"], dtype=np.float32)
    moved = explorer.biases_with_offsets("lstm", bias, {"forget": 2.0})
    np.testing.assert_allclose((moved - bias).reshape(4, units), [[0] * units, [2] * units, [0] * units, [0] * units])
    sequence = data["trained"]["counting"]["sequences"][1]
    closed = explorer.run_cells(sequence["inputs"], weights="counting", offsets={"forget": -30.0}, data=data)
    assert closed["lstm"]["f"].max() < 1e-6       # every unit, not only the shown ones


def test_counting_model_predicts_and_its_unit_counts(data):
    """Within the trained counts both models get every next-symbol set right, and the LSTM's
    first shown unit's cell state moves by a nearly constant step per symbol."""
    trained = data["trained"]["counting"]
    unit = trained["cells"]["lstm"]["shown_units"][0]
    for sequence in trained["sequences"]:
        n = sequence["n"]
        assert sequence["symbols"] == "^" + "a" * n + "b" * n and len(sequence["next"]) == 2 * n + 1
        run = explorer.run_cells(sequence["inputs"], weights="counting", data=data)
        for cell in ("lstm", "gru"):
            predicted = explorer.predicted_next_sets(run[cell]["y"])
            if n <= trained["train_max_n"]:
                assert predicted == sequence["next"], (cell, n)
        steps = np.diff(run["lstm"]["c"][:, unit])
        per_a, per_b = steps[:n], steps[n:]
        if n >= 20:
            assert np.sign(per_a.mean()) == -np.sign(per_b.mean())
            assert per_a.std() < 0.3 * abs(per_a.mean()) and per_b.std() < 0.3 * abs(per_b.mean())


def test_adding_sequences_are_what_their_labels_say(data):
    for sequence in data["trained"]["adding"]["sequences"]:
        x = np.asarray(sequence["inputs"], dtype=np.float32)
        a, b = sequence["markers"]
        assert x.shape == (100, 2) and list(np.flatnonzero(x[:, 1]) + 1) == [a, b]
        assert sequence["label"] == f"markers at steps {a} and {b} ({b - a} apart)"
        assert sequence["target"] == pytest.approx(float(x[a - 1, 0]) + float(x[b - 1, 0]), abs=1e-6)
    gaps = [b - a for a, b in (s["markers"] for s in data["trained"]["adding"]["sequences"])]
    assert gaps == sorted(gaps) and gaps[0] < 20 and gaps[-1] > 80


def test_untrained_data_needs_no_artefact(data):
    untrained = explorer.explorer_data(trained=())
    assert untrained["trained"] == {} and [w["name"] for w in untrained["weight_choices"]] == ["untrained"]
    assert {k: v for k, v in data.items() if k not in ("trained", "weight_choices")} == \
        {k: v for k, v in untrained.items() if k not in ("trained", "weight_choices")}
    assert [w["name"] for w in data["weight_choices"]] == list(explorer.WEIGHTS)


def test_predicted_next_sets_threshold_the_outputs():
    outputs = [[0.9, 0.6, 0.1, 0.2], [0.1, 0.2, 0.3, 0.7], [0.5, 0.4, 0.0, 0.0]]
    assert explorer.predicted_next_sets(outputs) == ["ab", "$", ""]
    assert explorer.predicted_next_sets(outputs, threshold=0.3) == ["ab", "$", "ab"]
