"""The LSTM/GRU explorer page (book/explorer.ipynb) in a real browser.

The controls are found the way a screen reader finds them (by role and label), moved the way a
person moves them (clicks, keys, a slider's value), and the states the page shows are compared
with the companion cells run in Keras on the same weights, biases and inputs.

Precision: the JavaScript computes in float64 (JavaScript numbers). The reference side is the
Keras companion cell built with dtype="float64", so the two should agree to rounding (about
1e-15); the bar is 1e-6. The float32 companion cell (Keras' default dtype) is compared too, with
a 1e-5 bar: its weights are the same float32 numbers, but its sums round to float32 at every
step. companion.reference (float64 NumPy, what the live notebook explorer uses) is held to the
Keras cell at 1e-5 and to the page at 1e-6 for every gate.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from companion.views import explorer as companion_explorer
from conftest import SCREENSHOTS

EXPLORER_PAGE = "book/explorer.html"
JS_TOLERANCE = 1e-6
FLOAT32_TOLERANCE = 1e-5


@pytest.fixture
def explorer(open_page):
    guarded = open_page(EXPLORER_PAGE, width=1100, height=1000)
    guarded.page.wait_for_selector("[data-rnn-explorer][data-started='true']", timeout=10_000)
    yield guarded
    guarded.page.context.close()


def root(guarded):
    roots = guarded.page.locator("[data-rnn-explorer]")
    assert roots.count() == 1, f"{roots.count()} explorers on the page"
    return roots


def step_label(guarded) -> str:
    return live_step(guarded).inner_text().strip()


def live_step(guarded):
    """The "Current step: k / T" line (a status, like the sliders' <output>s, but the live one)."""
    return root(guarded).locator("[role='status'][aria-live]")


def button(guarded, name: str):
    return root(guarded).get_by_role("button", name=name, exact=True)


def shown(guarded, quantity: str) -> tuple[list[str], list[float]]:
    """The rounded text and the full-precision value of `quantity` in the cell diagram."""
    values = root(guarded).locator(f"svg.rnnx-diagram text.rnnx-value[data-quantity='{quantity}']")
    assert values.count() > 0, f"the diagram shows no {quantity}"
    texts = values.evaluate_all("(nodes) => nodes.map((n) => n.textContent)")   # SVG: no innerText
    return texts, [float(v) for v in values.evaluate_all(
        "(nodes) => nodes.map((n) => n.getAttribute('data-value'))")]


def page_data(guarded) -> dict:
    return json.loads(root(guarded).locator("script.rnn-explorer-data").text_content())


def assert_clean(guarded):
    assert not guarded.problems(), "\n".join(guarded.problems())


def default_steps(guarded) -> int:
    data = page_data(guarded)
    return len(next(p["values"] for p in data["presets"] if p["name"] == data["default_preset"]))


# --- it starts, it steps ---------------------------------------------------------------------

def test_explorer_starts_without_errors(explorer):
    steps = default_steps(explorer)
    assert step_label(explorer) == f"Current step: 1 / {steps}"
    assert live_step(explorer).get_attribute("aria-live") == "polite"
    for heading in ("Configuration", "Animation", "Gate activations over time",
                    "Interactive gate manipulation", "LSTM vs GRU: average hidden state"):
        assert root(explorer).get_by_role("heading", name=heading).count() == 1, heading
    assert "Blue: high activation | Red: low activation" in root(explorer).inner_text()
    assert_clean(explorer)


def test_step_buttons_and_keys_change_the_current_step(explorer):
    steps = default_steps(explorer)
    title = root(explorer).locator(".rnnx-diagram-title")
    first_title = title.inner_text()
    button(explorer, "Next step").click()
    assert step_label(explorer) == f"Current step: 2 / {steps}"
    assert title.inner_text() != first_title
    button(explorer, "Previous step").click()
    button(explorer, "Previous step").click()   # no step 0: it stays at 1
    assert step_label(explorer) == f"Current step: 1 / {steps}"
    button(explorer, "Next step").focus()
    keyboard = explorer.page.keyboard
    keyboard.press("ArrowRight")
    keyboard.press("ArrowRight")
    assert step_label(explorer) == f"Current step: 3 / {steps}"
    keyboard.press("ArrowLeft")
    assert step_label(explorer) == f"Current step: 2 / {steps}"
    keyboard.press("End")
    assert step_label(explorer) == f"Current step: {steps} / {steps}"
    keyboard.press("Home")
    assert step_label(explorer) == f"Current step: 1 / {steps}"
    keyboard.press("Enter")   # on the focused Next button
    assert step_label(explorer) == f"Current step: 2 / {steps}"
    button(explorer, "Last step").click()
    assert step_label(explorer) == f"Current step: {steps} / {steps}"
    assert root(explorer).get_attribute("data-step") == str(steps)
    assert_clean(explorer)


def test_play_advances_and_pause_stops(explorer):
    button(explorer, "Play").click()
    pause = button(explorer, "Pause")
    assert pause.get_attribute("aria-pressed") == "true"
    explorer.page.wait_for_function(
        "() => Number(document.querySelector('[data-rnn-explorer]').dataset.step) >= 3", timeout=10_000)
    pause.click()
    assert button(explorer, "Play").get_attribute("aria-pressed") == "false"
    paused_at = step_label(explorer)
    explorer.page.wait_for_timeout(1_500)
    assert step_label(explorer) == paused_at
    assert_clean(explorer)


def test_clicking_a_heatmap_column_goes_to_that_step(explorer):
    steps = default_steps(explorer)
    target = min(7, steps)
    root(explorer).locator(f"svg.rnnx-heatmap rect[data-step='{target}']").first.click()
    assert step_label(explorer) == f"Current step: {target} / {steps}"
    assert_clean(explorer)


# --- sliders -----------------------------------------------------------------------------------

def test_moving_a_slider_changes_the_displayed_values(explorer):
    button(explorer, "Next step").click()
    button(explorer, "Next step").click()
    button(explorer, "Next step").click()
    button(explorer, "Next step").click()
    f_text, f_before = shown(explorer, "f")
    h_text, h_before = shown(explorer, "h")
    heat = root(explorer).locator("svg.rnnx-heatmap[data-quantity='f'] rect.rnnx-heat")
    fills_before = heat.evaluate_all("(nodes) => nodes.map((n) => n.getAttribute('fill'))")
    chart_before = root(explorer).locator("svg.rnnx-chart polyline[data-series='lstm']").get_attribute("points")

    forget = root(explorer).get_by_label("Forget-gate bias offset")
    forget.focus()
    explorer.page.keyboard.press("End")        # the slider's maximum, as a keyboard user gets there
    assert forget.get_attribute("aria-valuetext") == "+5.0"

    f_text_after, f_after = shown(explorer, "f")
    h_text_after, h_after = shown(explorer, "h")
    assert f_text_after != f_text and min(f_after) > max(f_before) and min(f_after) > 0.99
    assert h_text_after != h_text and h_after != h_before
    assert heat.evaluate_all("(nodes) => nodes.map((n) => n.getAttribute('fill'))") != fills_before
    assert root(explorer).locator("svg.rnnx-chart polyline[data-series='lstm']").get_attribute("points") != chart_before
    assert "6.00" in root(explorer).inner_text()   # the forget bias note: exported 1 + offset 5

    root(explorer).get_by_label("GRU", exact=True).check()
    z_text, z_before = shown(explorer, "z")
    update = root(explorer).get_by_label("Update-gate bias offset")
    update.fill("-4")
    z_text_after, z_after = shown(explorer, "z")
    assert z_text_after != z_text and max(z_after) < min(z_before) and max(z_after) < 0.05

    root(explorer).get_by_role("button", name="Reset the sliders").click()
    assert shown(explorer, "z")[1] == pytest.approx(z_before, abs=0)
    assert_clean(explorer)


# --- the page computes what the companion cells compute -----------------------------------------

SCENARIOS = {
    "lstm-step": dict(cell="lstm", units=3, preset="step", offsets={}, scale=1.0),
    "lstm-sine-sliders": dict(cell="lstm", units=4, preset="sine",
                              offsets={"forget": 2.5, "input": -1.5, "output": 0.7}, scale=2.5),
    "gru-pulse": dict(cell="gru", units=3, preset="pulse", offsets={}, scale=1.0),
    "gru-alternating-sliders": dict(cell="gru", units=2, preset="alternating",
                                    offsets={"update": -2.0, "reset": 3.1, "forget": -3.0}, scale=-1.5),
    "lstm-typed-sequence": dict(cell="lstm", units=1, typed="0.3 -2 5 1.25, -0.5",
                                offsets={"output": -0.4, "update": 1.2}, scale=0.85),
}
_largest_differences: dict[str, float] = {}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_shown_states_equal_the_companion_cells(scenario, explorer, build_summary):
    spec = SCENARIOS[scenario]
    box = root(explorer)
    box.get_by_label(spec["cell"].upper(), exact=True).check()
    box.get_by_label("Hidden units").select_option(str(spec["units"]))
    if "typed" in spec:
        sequence = box.get_by_label("Input sequence")
        sequence.fill(spec["typed"])
        sequence.press("Enter")
        expected_inputs = [float(v) for v in spec["typed"].replace(",", " ").split()]
    else:
        box.get_by_label("Preset").select_option(spec["preset"])
        expected_inputs = companion_explorer.PRESETS[spec["preset"]][1]
    for name, value in spec["offsets"].items():
        box.get_by_label(companion_explorer.BIAS_OFFSETS[name][3]).fill(str(value))
    box.get_by_label("Input scaling").fill(str(spec["scale"]))

    steps = len(expected_inputs)
    assert step_label(explorer) == f"Current step: 1 / {steps}"
    for step in range(2, steps + 1):                     # step through the whole sequence
        button(explorer, "Next step").click()
        assert step_label(explorer) == f"Current step: {step} / {steps}"
    h_text, h_shown = shown(explorer, "h")
    state = explorer.page.evaluate("() => window.explorerState()")
    assert state["inputs"] == expected_inputs and state["inputScale"] == spec["scale"]
    assert {k: v for k, v in state["offsets"].items() if v} == spec["offsets"]
    assert state["cell"] == spec["cell"] and state["units"] == spec["units"] and state["step"] == steps

    settings = dict(units=spec["units"], offsets=state["offsets"], input_scale=state["inputScale"],
                    data=page_data(explorer))
    numpy_run = companion_explorer.run_cells(state["inputs"], **settings)
    differences = {}
    for cell in ("lstm", "gru"):
        keras64 = companion_explorer.keras_hidden_states(cell, state["inputs"], **settings)
        keras32 = companion_explorer.keras_hidden_states(cell, state["inputs"], dtype="float32", **settings)
        differences.update(_page_differences(state, cell, numpy_run, keras64, keras32))
        differences[f"{cell} h, NumPy reference vs Keras float64"] = np.abs(numpy_run[cell]["h"] - keras64["h"]).max()
        if cell == spec["cell"]:
            differences[f"{cell} h shown in the diagram vs Keras float64"] = np.abs(np.asarray(h_shown) - keras64["h"][-1]).max()
            assert h_text == [_rounded(v) for v in keras64["h"][-1]], (h_text, keras64["h"][-1])

    for what, difference in differences.items():
        bar = FLOAT32_TOLERANCE if "float32" in what or "reference vs Keras" in what else JS_TOLERANCE
        assert difference <= bar, f"{scenario}: {what}: {difference:.2e} > {bar:.0e}"
    for kind in ("Keras float64", "Keras float32"):
        worst = max(d for what, d in differences.items() if what.endswith(kind) and "page" in what)
        _largest_differences[kind] = max(_largest_differences.get(kind, 0.0), worst)
    _largest_differences["NumPy reference"] = max(
        _largest_differences.get("NumPy reference", 0.0),
        max(d for what, d in differences.items() if "page vs NumPy" in what))
    summary = ", ".join(f"{kind} {value:.1e}" for kind, value in _largest_differences.items())
    build_summary[:] = [line for line in build_summary if not line.startswith("explorer:")]
    build_summary.append(f"explorer: largest |page - companion| so far: {summary}")
    assert_clean(explorer)


def _page_differences(state, cell, numpy_run, keras64, keras32) -> dict[str, float]:
    """Largest |difference| of the page's states for ``cell`` against Keras (float64 and
    float32) and, for every quantity the page holds, against the NumPy reference."""
    page_h = np.asarray(state[cell]["h"])
    differences = {f"{cell} h, page vs Keras float64": np.abs(page_h - keras64["h"]).max(),
                   f"{cell} h, page vs Keras float32": np.abs(page_h - keras32["h"]).max()}
    if cell == "lstm":
        differences["lstm c, page vs Keras float64"] = np.abs(np.asarray(state["lstm"]["c"][-1]) - keras64["c"]).max()
    page_names = {"g": "c_hat" if cell == "lstm" else "h_hat"}
    for key in state[cell]:
        reference = numpy_run[cell][page_names.get(key, key)]
        differences[f"{cell} {key}, page vs NumPy reference"] = np.abs(np.asarray(state[cell][key]) - reference).max()
    return differences


def _rounded(value: float) -> str:
    """How the diagram writes a value: two decimals, a real minus sign, no "-0.00"."""
    text = f"{value:.2f}"
    return "0.00" if float(text) == 0 else text.replace("-", "\u2212")


def test_page_embeds_the_weights_the_package_exports(explorer):
    assert page_data(explorer) == json.loads(json.dumps(companion_explorer.explorer_data()))
    assert_clean(explorer)


# --- input, labels, screenshots ------------------------------------------------------------------

def test_a_bad_sequence_is_refused_with_a_message(explorer):
    before = step_label(explorer)
    sequence = root(explorer).get_by_label("Input sequence")
    sequence.fill("1, two, 3")
    sequence.press("Enter")
    alert = root(explorer).get_by_role("alert").filter(has_text="two")
    assert alert.count() == 1
    assert sequence.get_attribute("aria-invalid") == "true"
    assert step_label(explorer) == before
    sequence.fill("1 2 3")
    sequence.press("Enter")
    assert step_label(explorer) == "Current step: 1 / 3"
    assert sequence.get_attribute("aria-invalid") is None
    assert root(explorer).get_by_label("Preset").input_value() == "custom"
    assert_clean(explorer)


def test_every_control_has_a_label(explorer):
    unnamed = root(explorer).evaluate("""(box) => Array.from(box.querySelectorAll('input, select, button'))
        .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                        && !(el.tagName === 'BUTTON' && el.textContent.trim()))
        .map((el) => el.outerHTML)""")
    assert not unnamed, f"controls without a label: {unnamed}"
    sliders = root(explorer).get_by_role("slider")
    assert sliders.count() == len(companion_explorer.BIAS_OFFSETS) + 1
    assert root(explorer).get_by_role("group", name="Step controls").count() == 1
    assert_clean(explorer)


def test_screenshots_of_the_explorer(explorer):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    box = root(explorer)
    for _ in range(4):
        button(explorer, "Next step").click()
    lstm_shot = SCREENSHOTS / "explorer-lstm.png"
    box.screenshot(path=str(lstm_shot))
    box.get_by_label("GRU", exact=True).check()
    box.get_by_label("Preset").select_option("sine")
    box.get_by_label("Update-gate bias offset").fill("-1.5")
    box.get_by_label("Input scaling").fill("2.5")
    for _ in range(6):
        button(explorer, "Next step").click()
    gru_shot = SCREENSHOTS / "explorer-gru.png"
    box.screenshot(path=str(gru_shot))
    page_shot = SCREENSHOTS / "explorer-page.png"
    explorer.page.screenshot(path=str(page_shot))
    for shot in (lstm_shot, gru_shot, page_shot):
        assert shot.stat().st_size > 10_000, f"{shot} looks empty"
    assert_clean(explorer)


# --- trained cells -------------------------------------------------------------------------------

def choose_weights(guarded, name: str):
    root(guarded).get_by_label("Weights").select_option(name)
    assert root(guarded).get_attribute("data-weights") == name


def trained_sequence(guarded, weights: str, index: int) -> dict:
    return page_data(guarded)["trained"][weights]["sequences"][index]


# weights, cell, index of the task sequence, bias offsets, input scale
TRAINED_SCENARIOS = {
    "adding-lstm": dict(weights="adding", cell="lstm", sequence=1, offsets={}, scale=1.0),
    "adding-gru-sliders": dict(weights="adding", cell="gru", sequence=2,
                               offsets={"update": -1.0, "reset": 0.5, "forget": 0.8}, scale=0.9),
    "counting-lstm-n20": dict(weights="counting", cell="lstm", sequence=1, offsets={}, scale=1.0),
    "counting-gru-n100-sliders": dict(weights="counting", cell="gru", sequence=3,
                                      offsets={"update": 0.6, "input": -0.4}, scale=1.0),
    "counting-lstm-n200-sliders": dict(weights="counting", cell="lstm", sequence=4,
                                       offsets={"forget": -0.6, "output": 0.3}, scale=1.2),
}


@pytest.mark.parametrize("scenario", list(TRAINED_SCENARIOS))
def test_trained_states_equal_the_companion_cells(scenario, explorer, build_summary):
    """Every unit of both trained layers, and their Dense heads, against NumPy and Keras."""
    spec = TRAINED_SCENARIOS[scenario]
    box = root(explorer)
    choose_weights(explorer, spec["weights"])
    sequence = trained_sequence(explorer, spec["weights"], spec["sequence"])
    box.get_by_label(spec["cell"].upper(), exact=True).check()
    box.get_by_label("Task sequence").select_option(sequence["name"])
    for name, value in spec["offsets"].items():
        box.get_by_label(companion_explorer.BIAS_OFFSETS[name][3]).fill(str(value))
    box.get_by_label("Input scaling").fill(str(spec["scale"]))
    steps = len(sequence["inputs"])
    assert step_label(explorer) == f"Current step: 1 / {steps}"
    button(explorer, "Last step").click()
    assert step_label(explorer) == f"Current step: {steps} / {steps}"

    state = explorer.page.evaluate("() => window.explorerState()")
    data = page_data(explorer)
    trained = data["trained"][spec["weights"]]
    assert state["weights"] == spec["weights"] and state["sequence"] == sequence["name"]
    assert state["units"] == trained["units"] and state["cell"] == spec["cell"]
    assert {k: v for k, v in state["offsets"].items() if v} == spec["offsets"]
    np.testing.assert_array_equal(np.asarray(state["inputs"]), np.asarray(sequence["inputs"], dtype=np.float32))
    chosen = {cell: trained["cells"][cell]["shown_units"] for cell in ("lstm", "gru")}
    assert state["shownUnits"] == chosen

    settings = dict(weights=spec["weights"], offsets=state["offsets"], input_scale=state["inputScale"],
                    data=data)
    numpy_run = companion_explorer.run_cells(sequence["inputs"], **settings)
    differences = {}
    for cell in ("lstm", "gru"):
        keras64 = companion_explorer.keras_hidden_states(cell, sequence["inputs"], **settings)
        keras32 = companion_explorer.keras_hidden_states(cell, sequence["inputs"], dtype="float32", **settings)
        assert np.shape(state[cell]["h"]) == (steps, trained["units"])  # all units, not the shown ones
        differences.update(_page_differences(state, cell, numpy_run, keras64, keras32))
        differences[f"{cell} head output, page vs NumPy reference"] = np.abs(
            np.asarray(state["outputs"][cell]) - numpy_run[cell]["y"]).max()
        if cell == spec["cell"]:
            h_text, h_shown = shown(explorer, "h")
            expected = keras64["h"][-1][chosen[cell]]
            differences[f"{cell} h shown in the diagram vs Keras float64"] = np.abs(np.asarray(h_shown) - expected).max()
            assert h_text == [_rounded(v) for v in expected], (h_text, expected)

    for what, difference in differences.items():
        # float32 sums drift with a cell state that counts to 100 and more: held to the float64
        # cells at 1e-6 everywhere, to the float32 layer only on the adding problem
        if "float32" in what:
            if spec["weights"] != "adding":
                continue
            bar = FLOAT32_TOLERANCE
        else:
            bar = JS_TOLERANCE
        assert difference <= bar, f"{scenario}: {what}: {difference:.2e} > {bar:.0e}"
    worst = max(d for what, d in differences.items() if "float32" not in what)
    _largest_differences["trained, page vs float64"] = max(
        _largest_differences.get("trained, page vs float64", 0.0), worst)
    summary = ", ".join(f"{kind} {value:.1e}" for kind, value in _largest_differences.items())
    build_summary[:] = [line for line in build_summary if not line.startswith("explorer:")]
    build_summary.append(f"explorer: largest |page - companion| so far: {summary}")

    # the heatmaps: the input's features, then one row per shown unit
    heat_rows = box.locator("svg.rnnx-heatmap[data-quantity='h'] rect.rnnx-heat").count()
    assert heat_rows == steps * len(chosen[spec["cell"]])
    assert box.locator("svg.rnnx-heatmap[data-quantity='x'] rect.rnnx-heat").count() == \
        steps * len(trained["input_names"])
    output = box.locator(".rnnx-section-output").inner_text()
    if spec["weights"] == "counting":
        for cell in ("lstm", "gru"):
            right = [a == b for a, b in zip(companion_explorer.predicted_next_sets(numpy_run[cell]["y"]),
                                                  sequence["next"])]
            assert state["correct"][cell] == right
            assert f"{cell.upper()} right at {sum(right)} of {steps} steps" in output
    else:
        answer = numpy_run[spec["cell"]]["y"][-1, 0]
        assert f"{spec['cell'].upper()} {answer:.3f}".replace("-", "\u2212") in output
        assert f"the true sum is {sequence['target']:.3f}" in output
    assert_clean(explorer)


def test_trained_cells_state_which_units_they_show(explorer):
    choose_weights(explorer, "adding")
    box = root(explorer)
    data = page_data(explorer)["trained"]["adding"]
    note = box.locator(".rnnx-shown-note").inner_text()
    assert f"All {data['units']} units are computed" in note and data["ranking"] in note
    for cell in ("lstm", "gru"):
        units = [u + 1 for u in data["cells"][cell]["shown_units"]]
        assert box.get_attribute(f"data-shown-{cell}") == ",".join(str(u - 1) for u in units)
        assert f"{cell.upper()} units {units[0]} (r = " in note
    labels = box.locator("svg.rnnx-heatmap[data-quantity='c'] text").evaluate_all(
        "(nodes) => nodes.map((n) => n.textContent)")   # SVG: no innerText
    assert [t for t in labels if t.startswith("unit")] == \
        [f"unit {u + 1}" for u in data["cells"]["lstm"]["shown_units"]]
    _, h = shown(explorer, "h")
    assert len(h) == len(data["cells"]["lstm"]["shown_units"])
    assert_clean(explorer)


def test_counting_unit_visibly_tracks_the_count(explorer):
    """On a^50 b^50 the LSTM's first shown unit's cell state moves a nearly constant step per
    symbol, its line in the chart follows the count, and a forget-gate offset of -3 breaks it."""
    choose_weights(explorer, "counting")
    box = root(explorer)
    sequence = next(s for s in page_data(explorer)["trained"]["counting"]["sequences"] if s["n"] == 50)
    box.get_by_label("Task sequence").select_option(sequence["name"])
    state = explorer.page.evaluate("() => window.explorerState()")
    unit = state["shownUnits"]["lstm"][0]
    count = np.cumsum([{"a": 1, "b": -1}.get(symbol, 0) for symbol in sequence["symbols"]])
    cell_state = np.asarray(state["lstm"]["c"])[:, unit]
    assert abs(np.corrcoef(cell_state, count)[0, 1]) > 0.99
    # the diagram, stepped through the first a's: the unit's c moves by about the same step
    seen = []
    for _ in range(6):
        button(explorer, "Next step").click()
        _, c = shown(explorer, "c")
        seen.append(c[0])
    steps = np.diff(seen)
    assert np.all(np.sign(steps) == np.sign(steps[0])) and steps.std() < 0.3 * abs(steps.mean())
    # the chart: the unit's line and the count's line, as drawn, nearly coincide
    def drawn(series):
        points = box.locator(f"svg.rnnx-chart polyline[data-series='{series}']").get_attribute("points")
        return np.array([float(p.split(",")[1]) for p in points.split()])
    assert np.corrcoef(drawn("lstm"), drawn("count"))[0, 1] > 0.99
    assert np.abs(drawn("lstm") - drawn("count")).max() < 0.1 * np.ptp(drawn("count"))
    caption = box.locator(".rnnx-section-comparison").inner_text()
    assert f"LSTM unit {unit + 1}'s cell state r = " in caption
    assert state["correct"]["lstm"] == [True] * len(sequence["next"])
    assert f"LSTM right at {len(sequence['next'])} of {len(sequence['next'])} steps" in \
        box.locator(".rnnx-section-output").inner_text()
    assert box.locator(".rnnx-output-strip rect[data-right='false']").count() == 0

    forget = box.get_by_label("Forget-gate bias offset")
    forget.fill("-3")
    broken = explorer.page.evaluate("() => window.explorerState()")
    assert False in broken["correct"]["lstm"]
    assert box.locator(".rnnx-output-strip rect[data-right='false']").count() == broken["correct"]["lstm"].count(False)
    assert abs(np.corrcoef(np.asarray(broken["lstm"]["c"])[:, unit], count)[0, 1]) < 0.95
    assert_clean(explorer)


def test_switching_weights_and_back_restores_the_untrained_explorer(explorer):
    box = root(explorer)
    button(explorer, "Next step").click()
    before = explorer.page.evaluate("() => window.explorerState()")
    choose_weights(explorer, "counting")
    assert box.get_by_label("Hidden units").is_hidden() and box.get_by_label("Preset").is_hidden()
    assert box.get_by_label("Input sequence").is_hidden()
    assert box.get_by_label("Task sequence").is_visible()
    assert box.get_by_role("heading", name="The trained model's output").is_visible()
    default = page_data(explorer)["trained"]["counting"]["default_sequence"]
    assert box.get_by_label("Task sequence").input_value() == default
    choose_weights(explorer, "adding")
    assert box.get_by_label("Task sequence").input_value() == page_data(explorer)["trained"]["adding"]["default_sequence"]
    choose_weights(explorer, "untrained")
    assert box.get_by_label("Hidden units").is_visible() and box.get_by_label("Task sequence").is_hidden()
    assert box.get_by_role("heading", name="The trained model's output").is_hidden()
    after = explorer.page.evaluate("() => window.explorerState()")
    assert after == {**before, "step": 1}
    assert_clean(explorer)


def test_every_control_has_a_label_with_trained_weights(explorer):
    choose_weights(explorer, "counting")
    unnamed = root(explorer).evaluate("""(box) => Array.from(box.querySelectorAll('input, select, button'))
        .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                        && !(el.tagName === 'BUTTON' && el.textContent.trim()))
        .map((el) => el.outerHTML)""")
    assert not unnamed, f"controls without a label: {unnamed}"
    assert_clean(explorer)


def test_screenshots_of_trained_cells(explorer):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    box = root(explorer)
    shots = []
    for weights, cell, steps in (("adding", "lstm", 60), ("counting", "gru", 30)):
        choose_weights(explorer, weights)
        box.get_by_label(cell.upper(), exact=True).check()
        root(explorer).locator("svg.rnnx-heatmap rect[data-step='%d']" % steps).first.click()
        shot = SCREENSHOTS / f"explorer-{weights}-{cell}.png"
        box.screenshot(path=str(shot))
        shots.append(shot)
    for shot in shots:
        assert shot.stat().st_size > 10_000, f"{shot} looks empty"
    assert_clean(explorer)
