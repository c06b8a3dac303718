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
        page_h = np.asarray(state[cell]["h"])
        differences[f"{cell} h, page vs Keras float64"] = np.abs(page_h - keras64["h"]).max()
        differences[f"{cell} h, page vs Keras float32"] = np.abs(page_h - keras32["h"]).max()
        differences[f"{cell} h, NumPy reference vs Keras float64"] = np.abs(numpy_run[cell]["h"] - keras64["h"]).max()
        if cell == "lstm":
            differences["lstm c, page vs Keras float64"] = np.abs(np.asarray(state["lstm"]["c"][-1]) - keras64["c"]).max()
        page_names = {"g": "c_hat" if cell == "lstm" else "h_hat"}
        for key in state[cell]:
            reference = numpy_run[cell][page_names.get(key, key)]
            differences[f"{cell} {key}, page vs NumPy reference"] = np.abs(np.asarray(state[cell][key]) - reference).max()
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
