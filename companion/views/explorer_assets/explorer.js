/* LSTM and GRU cell explorer (companion/explorer.py renders it with its data inline).
 *
 * Every element with [data-rnn-explorer] holds a script element of type application/json with the
 * weights exported from the companion cells (Keras layout, row vectors: x_t W + h_{t-1} U + b),
 * the input presets and the slider ranges. This file computes both cells in float64, in Keras'
 * conventions:
 *   LSTM, gate blocks i, f, c, o:  [a_i a_f a_c a_o] = x_t W + h_{t-1} U + b
 *     i = sigmoid(a_i), f = sigmoid(a_f), c~ = tanh(a_c), o = sigmoid(a_o)
 *     c_t = f * c_{t-1} + i * c~,  h_t = o * tanh(c_t)
 *   GRU, reset_after=True, gate blocks z, r, h, bias rows [b_in, b_rec]:
 *     [x_z x_r x_h] = x_t W + b_in,  [r_z r_r r_h] = h_{t-1} U + b_rec
 *     z = sigmoid(x_z + r_z), r = sigmoid(x_r + r_r), h~ = tanh(x_h + r * r_h)
 *     h_t = z * h_{t-1} + (1 - z) * h~
 * tests/test_browser_explorer.py checks the results against the companion cells.
 * window.explorerState(n) returns everything explorer n computed, at full precision.
 */
(function () {
  "use strict";

  if (window.RNNExplorer) {         // the script is already on the page: only start new roots
    window.RNNExplorer.startAll();
    return;
  }

  var SVG_NS = "http://www.w3.org/2000/svg";
  var PLAY_INTERVAL_MS = 800;
  var explorers = [];

  // ---- the cell arithmetic ------------------------------------------------------------------

  function sigmoid(a) { return 1 / (1 + Math.exp(-a)); }

  function zeros(n) { return new Array(n).fill(0); }

  /** row vector times matrix: (R) x (R, C) -> (C) */
  function rowTimes(row, matrix) {
    var out = zeros(matrix[0].length);
    for (var r = 0; r < row.length; r++) {
      for (var col = 0; col < out.length; col++) { out[col] += row[r] * matrix[r][col]; }
    }
    return out;
  }

  function plus(a, b) { return a.map(function (v, k) { return v + b[k]; }); }

  /** the exported bias with each slider's offset added to its gate block */
  function offsetBias(bias, cell, offsets, specs, units) {
    var moved = JSON.parse(JSON.stringify(bias));
    specs.forEach(function (spec) {
      if (spec.cell !== cell) { return; }
      var target = spec.row === null ? moved : moved[spec.row];
      for (var u = 0; u < units; u++) { target[spec.block * units + u] += offsets[spec.name]; }
    });
    return moved;
  }

  function runLSTM(weights, inputs, bias) {
    var units = weights.recurrent_kernel.length;
    var hPrev = zeros(units), cPrev = zeros(units), steps = [];
    inputs.forEach(function (x) {
      var pre = plus(plus(rowTimes([x], weights.kernel), rowTimes(hPrev, weights.recurrent_kernel)), bias);
      var s = { x: x, hPrev: hPrev, cPrev: cPrev, i: [], f: [], g: [], o: [], c: [], h: [] };
      for (var u = 0; u < units; u++) {
        s.i.push(sigmoid(pre[u]));
        s.f.push(sigmoid(pre[units + u]));
        s.g.push(Math.tanh(pre[2 * units + u]));
        s.o.push(sigmoid(pre[3 * units + u]));
        s.c.push(s.f[u] * cPrev[u] + s.i[u] * s.g[u]);
        s.h.push(s.o[u] * Math.tanh(s.c[u]));
      }
      steps.push(s);
      hPrev = s.h;
      cPrev = s.c;
    });
    return steps;
  }

  function runGRU(weights, inputs, bias) {
    var units = weights.recurrent_kernel.length;
    var hPrev = zeros(units), steps = [];
    inputs.forEach(function (x) {
      var fromInput = plus(rowTimes([x], weights.kernel), bias[0]);
      var fromState = plus(rowTimes(hPrev, weights.recurrent_kernel), bias[1]);
      var s = { x: x, hPrev: hPrev, z: [], r: [], g: [], h: [] };
      for (var u = 0; u < units; u++) {
        s.z.push(sigmoid(fromInput[u] + fromState[u]));
        s.r.push(sigmoid(fromInput[units + u] + fromState[units + u]));
        // reset gate applied after the recurrent matrix product (reset_after=True)
        s.g.push(Math.tanh(fromInput[2 * units + u] + s.r[u] * fromState[2 * units + u]));
        s.h.push(s.z[u] * hPrev[u] + (1 - s.z[u]) * s.g[u]);
      }
      steps.push(s);
      hPrev = s.h;
    });
    return steps;
  }

  // ---- colours: blue high, red low ----------------------------------------------------------

  // ColorBrewer RdBu, from red (low) through white to blue (high)
  var PALETTE = [[178, 24, 43], [214, 96, 77], [244, 165, 130], [253, 219, 199], [247, 247, 247],
    [209, 229, 240], [146, 197, 222], [67, 147, 195], [33, 102, 172]];

  function colourOf(value, low, high) {
    var pos = Math.min(1, Math.max(0, (value - low) / (high - low))) * (PALETTE.length - 1);
    var k = Math.min(PALETTE.length - 2, Math.floor(pos)), w = pos - k;
    var rgb = [0, 1, 2].map(function (ch) {
      return Math.round(PALETTE[k][ch] * (1 - w) + PALETTE[k + 1][ch] * w);
    });
    return { fill: "rgb(" + rgb.join(",") + ")",
      ink: 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] < 140 ? "#fff" : "#111" };
  }

  // ---- DOM helpers --------------------------------------------------------------------------

  function make(tag, attrs, children) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    if (tag === "text") { node.setAttribute("text-anchor", "middle"); }
    setAttrs(node, attrs);
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function setAttrs(node, attrs) {
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
  }

  function fmt(v, digits) {
    var text = v.toFixed(digits === undefined ? 2 : digits);
    return (v < 0 && Number(text) !== 0 ? "\u2212" + text.slice(1) : text.replace("-", ""));
  }

  function signed(v) { return (v > 0 ? "+" : "") + fmt(v, 1); }

  // ---- one explorer -------------------------------------------------------------------------

  function Explorer(root, data, index) {
    this.root = root;
    this.data = data;
    this.id = "rnnx" + index;
    var first = data.presets.filter(function (p) { return p.name === data.default_preset; })[0];
    this.state = {
      cell: "lstm", units: data.default_units, preset: first.name, inputs: first.values.slice(),
      step: 1, inputScale: data.input_scale.value, offsets: {}
    };
    var offsets = this.state.offsets;
    data.bias_offsets.forEach(function (spec) { offsets[spec.name] = 0; });
    this.timer = null;
    this.build();
    this.recompute();
  }

  Explorer.prototype.uid = function (name) { return this.id + "-" + name; };

  Explorer.prototype.weights = function (cell) {
    return this.data.weights[cell][String(this.state.units)];
  };

  Explorer.prototype.biases = function () {
    var self = this;
    var result = {};
    ["lstm", "gru"].forEach(function (cell) {
      result[cell] = offsetBias(self.weights(cell).bias, cell, self.state.offsets,
        self.data.bias_offsets, self.state.units);
    });
    return result;
  };

  Explorer.prototype.scaledInputs = function () {
    var scale = this.state.inputScale;
    return this.state.inputs.map(function (x) { return x * scale; });
  };

  Explorer.prototype.recompute = function () {
    var biases = this.biases(), xs = this.scaledInputs();
    this.runs = {
      lstm: runLSTM(this.weights("lstm"), xs, biases.lstm),
      gru: runGRU(this.weights("gru"), xs, biases.gru)
    };
    this.state.step = Math.min(Math.max(this.state.step, 1), this.state.inputs.length);
    this.drawHeatmaps();
    this.drawComparison();
    this.drawBiasNotes(biases);
    this.showStep();
  };

  // -- layout ---------------------------------------------------------------------------------

  Explorer.prototype.section = function (title, name) {
    var heading = make("h3", { id: this.uid(name + "-title"), class: "rnnx-heading", text: title });
    var box = make("section", { class: "rnnx-section rnnx-section-" + name, "aria-labelledby": heading.id },
      [heading]);
    this.root.appendChild(box);
    return box;
  };

  Explorer.prototype.build = function () {
    this.root.classList.add("rnnx");
    this.buildConfiguration(this.section("Configuration", "config"));
    this.buildAnimation(this.section("Animation", "animation"));
    this.buildHeatmapSection(this.section("Gate activations over time", "heatmaps"));
    this.buildSliders(this.section("Interactive gate manipulation", "sliders"));
    this.buildComparison(this.section("LSTM vs GRU: average hidden state", "comparison"));
  };

  Explorer.prototype.buildConfiguration = function (box) {
    var self = this;
    var cellGroup = make("fieldset", { class: "rnnx-cell-choice" }, [make("legend", { text: "Cell" })]);
    [["lstm", "LSTM"], ["gru", "GRU"]].forEach(function (pair) {
      var input = make("input", { type: "radio", name: self.uid("cell"), id: self.uid("cell-" + pair[0]),
        value: pair[0] });
      input.checked = pair[0] === self.state.cell;
      input.addEventListener("change", function () {
        if (input.checked) { self.state.cell = pair[0]; self.recompute(); }
      });
      cellGroup.appendChild(make("span", { class: "rnnx-radio" },
        [input, make("label", { for: input.id, text: pair[1] })]));
    });

    var unitSelect = make("select", { id: this.uid("units") });
    this.data.unit_choices.forEach(function (n) {
      unitSelect.appendChild(make("option", { value: String(n), text: String(n) }));
    });
    unitSelect.value = String(this.state.units);
    unitSelect.addEventListener("change", function () {
      self.state.units = Number(unitSelect.value);
      self.recompute();
    });

    var presetSelect = make("select", { id: this.uid("preset") });
    this.data.presets.forEach(function (p) {
      presetSelect.appendChild(make("option", { value: p.name, text: p.label }));
    });
    presetSelect.appendChild(make("option", { value: "custom", text: "(your own, typed below)" }));
    presetSelect.value = this.state.preset;
    this.presetSelect = presetSelect;

    var sequence = make("input", { type: "text", id: this.uid("sequence"), inputmode: "decimal",
      spellcheck: "false", autocomplete: "off", "aria-describedby": this.uid("sequence-help") });
    sequence.value = this.state.inputs.join(", ");
    this.sequenceInput = sequence;
    var message = make("p", { class: "rnnx-message", role: "alert", id: this.uid("sequence-message") });
    this.sequenceMessage = message;
    var apply = make("button", { type: "submit", class: "rnnx-button", text: "Use this sequence" });
    var form = make("form", { class: "rnnx-sequence-form" }, [
      make("label", { for: sequence.id, text: "Input sequence x\u2081 \u2026 x\u209c" }),
      make("div", { class: "rnnx-row" }, [sequence, apply]),
      make("p", { class: "rnnx-help", id: this.uid("sequence-help"),
        text: "1 to " + this.data.max_steps + " numbers between \u2212" + this.data.max_abs_input + " and " +
          this.data.max_abs_input + ", separated by commas or spaces; Enter applies them." }),
      message
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.useTypedSequence();
    });
    presetSelect.addEventListener("change", function () {
      var chosen = self.data.presets.filter(function (p) { return p.name === presetSelect.value; })[0];
      if (!chosen) { sequence.focus(); return; }
      sequence.value = chosen.values.join(", ");
      self.setInputs(chosen.values.slice(), chosen.name);
    });

    box.appendChild(make("div", { class: "rnnx-config-grid" }, [
      cellGroup,
      make("div", { class: "rnnx-field" }, [make("label", { for: unitSelect.id, text: "Hidden units" }), unitSelect]),
      make("div", { class: "rnnx-field" }, [make("label", { for: presetSelect.id, text: "Preset" }), presetSelect])
    ]));
    box.appendChild(form);
    box.appendChild(make("p", { class: "rnnx-help", text: "Weights: an untrained companion " +
      "cell of each kind with one input, Keras' default initialisation (seed " + this.data.seed +
      "), exported by companion.explorer." }));
  };

  Explorer.prototype.useTypedSequence = function () {
    var text = this.sequenceInput.value.trim();
    var parts = text === "" ? [] : text.split(/[\s,;]+/).filter(function (p) { return p !== ""; });
    var values = parts.map(Number);
    var limit = this.data.max_abs_input;
    var bad = parts.filter(function (p, k) { return p === "" || !isFinite(values[k]) || Math.abs(values[k]) > limit; });
    if (parts.length < 1 || parts.length > this.data.max_steps || bad.length) {
      this.sequenceInput.setAttribute("aria-invalid", "true");
      this.sequenceMessage.textContent = bad.length
        ? "Not a number between \u2212" + limit + " and " + limit + ": " + bad.slice(0, 3).join(" ")
        : "Type 1 to " + this.data.max_steps + " numbers (you typed " + parts.length + ").";
      return;
    }
    this.sequenceInput.removeAttribute("aria-invalid");
    this.sequenceMessage.textContent = "";
    var match = this.data.presets.filter(function (p) { return p.values.join(",") === values.join(","); })[0];
    this.presetSelect.value = match ? match.name : "custom";
    this.setInputs(values, match ? match.name : "custom");
  };

  Explorer.prototype.setInputs = function (values, presetName) {
    this.state.inputs = values;
    this.state.preset = presetName;
    this.state.step = 1;
    this.recompute();
  };

  Explorer.prototype.buildAnimation = function (box) {
    var self = this;
    var controls = make("div", { class: "rnnx-step-controls", role: "group", "aria-label": "Step controls",
      "aria-describedby": this.uid("keys-help") });
    function button(name, text, label, action) {
      var b = make("button", { type: "button", class: "rnnx-button", id: self.uid(name), "aria-label": label,
        text: text });
      b.addEventListener("click", action);
      controls.appendChild(b);
      return b;
    }
    button("first", "\u00AB First", "First step", function () { self.stop(); self.goTo(1); });
    button("prev", "\u25C0 Previous", "Previous step", function () { self.stop(); self.goTo(self.state.step - 1); });
    this.playButton = button("play", "\u25B6 Play", "Play", function () { self.togglePlay(); });
    this.playButton.setAttribute("aria-pressed", "false");
    button("next", "Next \u25B6", "Next step", function () { self.stop(); self.goTo(self.state.step + 1); });
    button("last", "Last \u00BB", "Last step", function () { self.stop(); self.goTo(self.state.inputs.length); });
    controls.addEventListener("keydown", function (event) {
      var moves = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1 };
      if (event.key in moves) {
        self.stop();
        self.goTo(self.state.step + moves[event.key]);
      } else if (event.key === "Home") {
        self.stop();
        self.goTo(1);
      } else if (event.key === "End") {
        self.stop();
        self.goTo(self.state.inputs.length);
      } else {
        return;
      }
      event.preventDefault();
    });
    this.stepLabel = make("p", { class: "rnnx-step-label", id: this.uid("step-label"), role: "status",
      "aria-live": "polite", "aria-atomic": "true" });
    box.appendChild(make("div", { class: "rnnx-animation-bar" }, [controls, this.stepLabel]));
    box.appendChild(make("p", { class: "rnnx-help", id: this.uid("keys-help"), text: "With a step " +
      "button focused, the arrow keys move one step and Home / End go to the first / last step." }));
    this.diagramTitle = make("p", { class: "rnnx-diagram-title", id: this.uid("diagram-title") });
    this.diagram = svg("svg", { class: "rnnx-diagram", role: "img", "aria-labelledby": this.diagramTitle.id,
      "aria-describedby": this.uid("values-table-caption") });
    box.appendChild(this.diagramTitle);
    box.appendChild(make("div", { class: "rnnx-figure" }, [this.diagram]));
    box.appendChild(make("p", { class: "rnnx-help", text: "Each box shows one value per unit " +
      "(unit 1 at the top). Colours: blue high, red low; gates run from 0 to 1, the candidate and " +
      "the states from \u22121 to 1." }));
    this.valuesTable = make("table", { class: "rnnx-values" });
    box.appendChild(make("details", { class: "rnnx-values-details" }, [
      make("summary", { text: "The values at this step, as a table" }), this.valuesTable]));
  };

  Explorer.prototype.goTo = function (step) {
    this.state.step = Math.min(Math.max(step, 1), this.state.inputs.length);
    this.showStep();
  };

  Explorer.prototype.togglePlay = function () {
    if (this.timer !== null) { this.stop(); return; }
    var self = this;
    if (this.state.step >= this.state.inputs.length) { this.goTo(1); }
    this.timer = window.setInterval(function () {
      if (self.state.step >= self.state.inputs.length) { self.stop(); return; }
      self.goTo(self.state.step + 1);
    }, PLAY_INTERVAL_MS);
    this.playButton.textContent = "\u23F8 Pause";
    this.playButton.setAttribute("aria-label", "Pause");
    this.playButton.setAttribute("aria-pressed", "true");
  };

  Explorer.prototype.stop = function () {
    if (this.timer === null) { return; }
    window.clearInterval(this.timer);
    this.timer = null;
    this.playButton.textContent = "\u25B6 Play";
    this.playButton.setAttribute("aria-label", "Play");
    this.playButton.setAttribute("aria-pressed", "false");
  };

  // -- the cell diagram -----------------------------------------------------------------------

  var STACK_W = 70, ROW_H = 22, HEADER_H = 20;

  /** a labelled box with one coloured row per unit; returns its height */
  Explorer.prototype.vectorBox = function (group, spec) {
    var height = HEADER_H + spec.values.length * ROW_H + 6;
    var top = spec.cy - height / 2, left = spec.cx - STACK_W / 2 - 6;
    group.appendChild(svg("rect", { x: left, y: top, width: STACK_W + 12, height: height, rx: 6,
      class: "rnnx-box " + (spec.kind || "") }));
    group.appendChild(svg("text", { x: spec.cx, y: top + 14, class: "rnnx-box-title" }, spec.title));
    spec.values.forEach(function (v, u) {
      var colour = colourOf(v, spec.low, spec.high);
      var y = top + HEADER_H + u * ROW_H;
      group.appendChild(svg("rect", { x: spec.cx - STACK_W / 2, y: y, width: STACK_W, height: ROW_H - 2,
        fill: colour.fill, class: "rnnx-cell" }));
      group.appendChild(svg("text", { x: spec.cx, y: y + 14, style: "fill:" + colour.ink, class: "rnnx-value",
        "data-quantity": spec.name, "data-unit": String(u + 1), "data-value": String(v) }, fmt(v)));
    });
    return height;
  };

  function line(group, points, arrow) {
    var attrs = { points: points.map(function (p) { return p.join(","); }).join(" "), class: "rnnx-wire" };
    if (arrow) { attrs["marker-end"] = "url(#" + arrow + ")"; }
    group.appendChild(svg("polyline", attrs));
  }

  function operator(group, x, y, symbol, label) {
    group.appendChild(svg("circle", { cx: x, cy: y, r: 13, class: "rnnx-op" }));
    group.appendChild(svg("text", { x: x, y: y + 5, class: "rnnx-op-symbol", "aria-hidden": "true" }, symbol));
    if (label) { group.appendChild(svg("title", {}, label)); }
  }

  Explorer.prototype.drawDiagram = function (s) {
    var d = this.diagram;
    while (d.firstChild) { d.removeChild(d.firstChild); }
    var arrowId = this.uid("arrow");
    var defs = svg("defs");
    var marker = svg("marker", { id: arrowId, viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7",
      markerHeight: "7", orient: "auto-start-reverse" });
    marker.appendChild(svg("path", { d: "M0,0 L10,5 L0,10 z", class: "rnnx-arrowhead" }));
    defs.appendChild(marker);
    d.appendChild(defs);
    var wires = svg("g"), boxes = svg("g");
    d.appendChild(wires);
    d.appendChild(boxes);
    var units = s.h.length;
    var boxH = HEADER_H + units * ROW_H + 6;
    var gateTop = 205, gateCy = gateTop + boxH / 2, busY = gateTop + boxH + 28;
    var highway = 16 + boxH / 2;
    var hPrevCy = gateCy, xCy = busY + 32;
    var height = xCy + 30;
    d.setAttribute("viewBox", "0 0 800 " + height);
    var gate = function (name, title, cx, values, low, high, kind) {
      return { name: name, title: title, cx: cx, cy: gateCy, values: values, low: low, high: high, kind: kind };
    };
    var gates;
    if (this.state.cell === "lstm") {
      gates = [gate("f", "\u03C3 forget f", 200, s.f, 0, 1, "gate"), gate("i", "\u03C3 input i", 300, s.i, 0, 1, "gate"),
        gate("g", "candidate c\u0303", 400, s.g, -1, 1, "candidate"), gate("o", "\u03C3 output o", 520, s.o, 0, 1, "gate")];
      // cell-state line: c_{t-1} -> x f -> + i*c~ -> c_t
      line(wires, [[106, highway], [187, highway]]);
      line(wires, [[213, highway], [337, highway]]);
      line(wires, [[363, highway], [682, highway]], arrowId);
      line(wires, [[200, gateTop], [200, highway + 13]], arrowId);
      line(wires, [[300, gateTop], [300, 160], [337, 160]], arrowId);
      line(wires, [[400, gateTop], [400, 160], [363, 160]], arrowId);
      line(wires, [[350, 147], [350, highway + 13]], arrowId);
      line(wires, [[620, highway], [620, 128]], arrowId);            // c_t into tanh
      line(wires, [[620, 152], [620, 177]], arrowId);
      line(wires, [[520, gateTop], [520, 190], [607, 190]], arrowId);
      line(wires, [[633, 190], [660, 190], [660, hPrevCy], [682, hPrevCy]], arrowId);
      operator(boxes, 200, highway, "\u00D7", "f \u2299 c\u209c\u208b\u2081");
      operator(boxes, 350, 160, "\u00D7", "i \u2299 c\u0303");
      operator(boxes, 350, highway, "+", "c\u209c = f \u2299 c\u209c\u208b\u2081 + i \u2299 c\u0303");
      operator(boxes, 620, 190, "\u00D7", "h\u209c = o \u2299 tanh(c\u209c)");
      boxes.appendChild(svg("rect", { x: 596, y: 128, width: 48, height: 24, rx: 12, class: "rnnx-op" }));
      boxes.appendChild(svg("text", { x: 620, y: 144, class: "rnnx-op-label" }, "tanh"));
      this.vectorBox(boxes, { name: "c_prev", title: "c\u209c\u208b\u2081", cx: 56, cy: highway, values: s.cPrev,
        low: -1, high: 1, kind: "state" });
      this.vectorBox(boxes, { name: "c", title: "c\u209c", cx: 730, cy: highway, values: s.c, low: -1, high: 1,
        kind: "state" });
    } else {
      gates = [gate("r", "\u03C3 reset r", 180, s.r, 0, 1, "gate"), gate("z", "\u03C3 update z", 300, s.z, 0, 1, "gate"),
        gate("g", "candidate h\u0303", 460, s.g, -1, 1, "candidate")];
      // state line: h_{t-1} -> x z -> + (1-z)*h~ -> h_t
      line(wires, [[106, highway], [287, highway]]);
      line(wires, [[313, highway], [447, highway]]);
      line(wires, [[473, highway], [660, highway], [660, hPrevCy], [682, hPrevCy]], arrowId);
      line(wires, [[300, gateTop], [300, highway + 13]], arrowId);
      line(wires, [[300, 150], [367, 150]], arrowId);                 // z into 1 - z
      line(wires, [[393, 150], [447, 150]], arrowId);
      line(wires, [[460, gateTop], [460, 163]], arrowId);
      line(wires, [[460, 137], [460, highway + 13]], arrowId);
      line(wires, [[180, gateTop], [180, 182], [430, 182], [430, gateTop]], arrowId);
      operator(boxes, 300, highway, "\u00D7", "z \u2299 h\u209c\u208b\u2081");
      operator(boxes, 460, 150, "\u00D7", "(1 \u2212 z) \u2299 h\u0303");
      operator(boxes, 460, highway, "+", "h\u209c = z \u2299 h\u209c\u208b\u2081 + (1 \u2212 z) \u2299 h\u0303");
      boxes.appendChild(svg("rect", { x: 367, y: 138, width: 26, height: 24, rx: 12, class: "rnnx-op" }));
      boxes.appendChild(svg("text", { x: 380, y: 154, class: "rnnx-op-label" }, "1\u2212"));
      boxes.appendChild(svg("text", { x: 305, y: 177, class: "rnnx-wire-label", "text-anchor": "start" },
        "r scales h\u209c\u208b\u2081U\u2095 + b\u2032\u2095"));
      this.vectorBox(boxes, { name: "h_prev_top", title: "h\u209c\u208b\u2081", cx: 56, cy: highway, values: s.hPrev,
        low: -1, high: 1, kind: "state" });
    }
    // the gates read x_t and h_{t-1} from the bus below them
    var busEnd = gates[gates.length - 1].cx;
    line(wires, [[106, hPrevCy], [130, hPrevCy], [130, busY]]);
    line(wires, [[106, xCy], [130, xCy], [130, busY], [busEnd, busY]]);
    gates.forEach(function (g) { line(wires, [[g.cx, busY], [g.cx, gateTop + boxH + 2]], arrowId); });
    wires.appendChild(svg("text", { x: 140, y: busY + 16, class: "rnnx-wire-label", "text-anchor": "start" },
      "x\u209c and h\u209c\u208b\u2081 reach every gate through W and U"));
    var self = this;
    gates.forEach(function (g) { self.vectorBox(boxes, g); });
    this.vectorBox(boxes, { name: "h_prev", title: "h\u209c\u208b\u2081", cx: 56, cy: hPrevCy, values: s.hPrev,
      low: -1, high: 1, kind: "state" });
    this.vectorBox(boxes, { name: "x", title: "x\u209c", cx: 56, cy: xCy, values: [s.x], low: -1, high: 1,
      kind: "input" });
    this.vectorBox(boxes, { name: "h", title: "h\u209c", cx: 730, cy: hPrevCy, values: s.h, low: -1, high: 1,
      kind: "state output" });
  };

  Explorer.prototype.fillValuesTable = function (s) {
    var table = this.valuesTable;
    while (table.firstChild) { table.removeChild(table.firstChild); }
    var units = s.h.length;
    table.appendChild(make("caption", { id: this.uid("values-table-caption"),
      text: this.state.cell.toUpperCase() + " at step " + this.state.step + " (input x\u209c = " + fmt(s.x, 3) + ")" }));
    var head = make("tr", {}, [make("th", { scope: "col", text: "quantity" })]);
    for (var u = 1; u <= units; u++) { head.appendChild(make("th", { scope: "col", text: "unit " + u })); }
    table.appendChild(make("thead", {}, [head]));
    var rows = this.state.cell === "lstm"
      ? [["forget gate f", s.f], ["input gate i", s.i], ["candidate c\u0303", s.g], ["output gate o", s.o],
        ["previous cell state c\u209c\u208b\u2081", s.cPrev], ["cell state c\u209c", s.c],
        ["previous hidden state h\u209c\u208b\u2081", s.hPrev], ["hidden state h\u209c", s.h]]
      : [["update gate z", s.z], ["reset gate r", s.r], ["candidate h\u0303", s.g],
        ["previous hidden state h\u209c\u208b\u2081", s.hPrev], ["hidden state h\u209c", s.h]];
    var body = make("tbody");
    rows.forEach(function (row) {
      var tr = make("tr", {}, [make("th", { scope: "row", text: row[0] })]);
      row[1].forEach(function (v) { tr.appendChild(make("td", { text: fmt(v, 4) })); });
      body.appendChild(tr);
    });
    table.appendChild(body);
  };

  Explorer.prototype.showStep = function () {
    var step = this.state.step, total = this.state.inputs.length;
    var s = this.runs[this.state.cell][step - 1];
    this.stepLabel.textContent = "Current step: " + step + " / " + total;
    this.root.setAttribute("data-step", String(step));
    this.root.setAttribute("data-steps", String(total));
    this.root.setAttribute("data-cell", this.state.cell);
    this.diagramTitle.textContent = (this.state.cell === "lstm" ? "LSTM" : "GRU") + " cell at step " + step +
      " of " + total + ": input x\u209c = " + fmt(s.x, 3) + ", hidden state h\u209c = [" +
      s.h.map(function (v) { return fmt(v, 3); }).join(", ") + "]";
    this.drawDiagram(s);
    this.fillValuesTable(s);
    this.markStep();
  };

  // -- heatmaps -------------------------------------------------------------------------------

  var HEATMAPS = {
    lstm: [["f", "Forget gate f", 0, 1], ["i", "Input gate i", 0, 1], ["o", "Output gate o", 0, 1],
      ["g", "Candidate c\u0303", -1, 1], ["c", "Cell state c", -1, 1], ["h", "Hidden state h", -1, 1]],
    gru: [["z", "Update gate z", 0, 1], ["r", "Reset gate r", 0, 1], ["g", "Candidate h\u0303", -1, 1],
      ["h", "Hidden state h", -1, 1]]
  };

  Explorer.prototype.buildHeatmapSection = function (box) {
    var gradientId = this.uid("gradient");
    var legend = svg("svg", { class: "rnnx-legend", viewBox: "0 0 300 34", role: "img",
      "aria-label": "Colour scale: red for low values, white in the middle, blue for high values" });
    var gradient = svg("linearGradient", { id: gradientId });
    PALETTE.forEach(function (rgb, k) {
      gradient.appendChild(svg("stop", { offset: String(k / (PALETTE.length - 1)), "stop-color": "rgb(" + rgb.join(",") + ")" }));
    });
    var defs = svg("defs");
    defs.appendChild(gradient);
    legend.appendChild(defs);
    legend.appendChild(svg("rect", { x: 60, y: 4, width: 180, height: 12, fill: "url(#" + gradientId + ")",
      class: "rnnx-legend-bar" }));
    legend.appendChild(svg("text", { x: 55, y: 14, "text-anchor": "end", class: "rnnx-small" }, "low"));
    legend.appendChild(svg("text", { x: 245, y: 14, "text-anchor": "start", class: "rnnx-small" }, "high"));
    legend.appendChild(svg("text", { x: 150, y: 30, class: "rnnx-small" }, "gates 0 \u2026 1, states \u22121 \u2026 1"));
    box.appendChild(make("p", { class: "rnnx-legend-text" }, ["Blue: high activation | Red: low activation. " +
      "Rows are units, columns time steps; the outlined column is the current step (click a column to go there)."]));
    box.appendChild(legend);
    this.heatmapGrid = make("div", { class: "rnnx-heatmaps" });
    box.appendChild(this.heatmapGrid);
  };

  Explorer.prototype.drawHeatmaps = function () {
    var self = this, grid = this.heatmapGrid, run = this.runs[this.state.cell];
    while (grid.firstChild) { grid.removeChild(grid.firstChild); }
    var total = run.length, units = run[0].h.length;
    var cellW = Math.max(10, Math.min(36, Math.floor(300 / total))), cellH = 20, left = 50, top = 16;
    this.stepMarks = [];
    HEATMAPS[this.state.cell].forEach(function (spec) {
      var width = left + total * cellW + 4, height = top + units * cellH + 4;
      var title = spec[1] + " (" + self.state.cell.toUpperCase() + ")";
      var map = svg("svg", { class: "rnnx-heatmap", viewBox: "0 0 " + width + " " + height, width: width,
        height: height, role: "img", "aria-label": title + ": " + units + " units by " + total + " steps",
        "data-quantity": spec[0] });
      var labelEvery = Math.ceil(total / 12);
      for (var t = 0; t < total; t++) {
        if ((t + 1) % labelEvery === 0 || t === 0) {
          map.appendChild(svg("text", { x: left + (t + 0.5) * cellW, y: 11, class: "rnnx-small" }, String(t + 1)));
        }
        for (var u = 0; u < units; u++) {
          var v = run[t][spec[0]][u];
          var rect = svg("rect", { x: left + t * cellW, y: top + u * cellH, width: cellW - 1, height: cellH - 1,
            fill: colourOf(v, spec[2], spec[3]).fill, class: "rnnx-heat", "data-step": String(t + 1) });
          rect.appendChild(svg("title", {}, spec[1] + ", unit " + (u + 1) + ", step " + (t + 1) + ": " + fmt(v, 3)));
          map.appendChild(rect);
        }
      }
      for (var k = 0; k < units; k++) {
        map.appendChild(svg("text", { x: left - 4, y: top + k * cellH + 14, "text-anchor": "end",
          class: "rnnx-small" }, "unit " + (k + 1)));
      }
      var mark = svg("rect", { y: top - 1.5, width: cellW + 1, height: units * cellH + 2, class: "rnnx-step-mark",
        "data-left": String(left), "data-cell-width": String(cellW) });
      map.appendChild(mark);
      self.stepMarks.push(mark);
      map.addEventListener("click", function (event) {
        var step = event.target.getAttribute && event.target.getAttribute("data-step");
        if (step) { self.stop(); self.goTo(Number(step)); }
      });
      grid.appendChild(make("figure", { class: "rnnx-heatmap-figure" }, [
        make("figcaption", { text: spec[1] + " (range " + spec[2] + " to " + spec[3] + ")" }), map]));
    });
  };

  Explorer.prototype.markStep = function () {
    var step = this.state.step;
    (this.stepMarks || []).forEach(function (mark) {
      var left = Number(mark.getAttribute("data-left")), w = Number(mark.getAttribute("data-cell-width"));
      mark.setAttribute("x", String(left + (step - 1) * w - 1));
    });
    if (this.chartMark) {
      this.chartMark.setAttribute("x1", String(this.chartX(step)));
      this.chartMark.setAttribute("x2", String(this.chartX(step)));
    }
  };

  // -- sliders --------------------------------------------------------------------------------

  Explorer.prototype.slider = function (container, name, label, range, value, onInput) {
    var id = this.uid("slider-" + name);
    var input = make("input", { type: "range", id: id, min: String(range.min), max: String(range.max),
      step: String(range.step), "data-offset": name });
    input.value = String(value);
    var shown = make("output", { for: id, class: "rnnx-slider-value", id: id + "-value" });
    var note = make("span", { class: "rnnx-bias-note", id: id + "-note" });
    var update = function () {
      shown.textContent = signed(Number(input.value));
      input.setAttribute("aria-valuetext", shown.textContent);
    };
    update();
    input.addEventListener("input", function () { update(); onInput(Number(input.value)); });
    container.appendChild(make("div", { class: "rnnx-slider" }, [
      make("label", { for: id, text: label }), make("div", { class: "rnnx-row" }, [input, shown]), note]));
    return { input: input, update: update, note: note };
  };

  Explorer.prototype.buildSliders = function (box) {
    var self = this;
    this.sliders = {};
    var groups = { lstm: make("fieldset", {}, [make("legend", { text: "LSTM gate biases" })]),
      gru: make("fieldset", {}, [make("legend", { text: "GRU gate biases" })]) };
    var range = { min: 0, max: 0, step: 0 };
    this.data.bias_offsets.forEach(function (spec) {
      range = { min: spec.min, max: spec.max, step: spec.step };
      self.sliders[spec.name] = self.slider(groups[spec.cell], spec.name, spec.label, range, 0, function (v) {
        self.state.offsets[spec.name] = v;
        self.recompute();
      });
    });
    var shared = make("fieldset", {}, [make("legend", { text: "Both cells" })]);
    this.scaleSlider = this.slider(shared, "input-scale", "Input scaling (x\u209c is multiplied by it)",
      this.data.input_scale, this.data.input_scale.value, function (v) {
        self.state.inputScale = v;
        self.recompute();
      });
    var reset = make("button", { type: "button", class: "rnnx-button", id: this.uid("reset"),
      text: "Reset the sliders" });
    reset.addEventListener("click", function () {
      Object.keys(self.sliders).forEach(function (name) {
        self.sliders[name].input.value = "0";
        self.sliders[name].update();
        self.state.offsets[name] = 0;
      });
      self.scaleSlider.input.value = String(self.data.input_scale.value);
      self.scaleSlider.update();
      self.state.inputScale = self.data.input_scale.value;
      self.recompute();
    });
    shared.appendChild(reset);
    box.appendChild(make("p", { class: "rnnx-help", text: "An offset is added to the bias of one gate " +
      "in every unit (on top of the exported bias); a large positive offset holds that gate near 1, a large " +
      "negative one near 0. In Keras' GRU the update gate z is the share of the old state that is kept." }));
    box.appendChild(make("div", { class: "rnnx-slider-groups" }, [groups.lstm, groups.gru, shared]));
  };

  Explorer.prototype.drawBiasNotes = function (biases) {
    var units = this.state.units, self = this;
    this.data.bias_offsets.forEach(function (spec) {
      var row = spec.row === null ? biases[spec.cell] : biases[spec.cell][spec.row];
      var values = row.slice(spec.block * units, (spec.block + 1) * units);
      self.sliders[spec.name].note.textContent = "bias now: [" + values.map(function (v) { return fmt(v, 2); })
        .join(", ") + "]";
    });
  };

  // -- LSTM vs GRU chart ----------------------------------------------------------------------

  var CHART = { width: 720, height: 250, left: 56, right: 110, top: 14, bottom: 40 };

  Explorer.prototype.buildComparison = function (box) {
    this.chart = svg("svg", { class: "rnnx-chart", viewBox: "0 0 " + CHART.width + " " + CHART.height,
      role: "img", "aria-labelledby": this.uid("chart-caption") });
    this.chartCaption = make("p", { class: "rnnx-help", id: this.uid("chart-caption") });
    box.appendChild(make("p", { class: "rnnx-legend-text", text: "Average hidden state over time for " +
      "both architectures, on the same (scaled) input, each with its own bias sliders." }));
    box.appendChild(make("div", { class: "rnnx-figure" }, [this.chart]));
    box.appendChild(this.chartCaption);
  };

  Explorer.prototype.chartX = function (step) {
    var total = this.state.inputs.length;
    var inner = CHART.width - CHART.left - CHART.right;
    return CHART.left + (total === 1 ? inner / 2 : (step - 1) / (total - 1) * inner);
  };

  Explorer.prototype.drawComparison = function () {
    var chart = this.chart, self = this;
    while (chart.firstChild) { chart.removeChild(chart.firstChild); }
    var mean = function (v) { return v.reduce(function (a, b) { return a + b; }, 0) / v.length; };
    var series = { lstm: this.runs.lstm.map(function (s) { return mean(s.h); }),
      gru: this.runs.gru.map(function (s) { return mean(s.h); }) };
    var peak = Math.max.apply(null, series.lstm.concat(series.gru).map(Math.abs));
    var limit = Math.max(0.1, Math.ceil(peak * 10) / 10);
    var plotH = CHART.height - CHART.top - CHART.bottom;
    var yOf = function (v) { return CHART.top + (limit - v) / (2 * limit) * plotH; };
    [-limit, -limit / 2, 0, limit / 2, limit].forEach(function (v) {
      chart.appendChild(svg("line", { x1: CHART.left, x2: CHART.width - CHART.right, y1: yOf(v), y2: yOf(v),
        class: v === 0 ? "rnnx-axis" : "rnnx-grid" }));
      chart.appendChild(svg("text", { x: CHART.left - 6, y: yOf(v) + 4, "text-anchor": "end", class: "rnnx-small" },
        fmt(v, 2)));
    });
    var total = this.state.inputs.length, labelEvery = Math.ceil(total / 12);
    for (var t = 1; t <= total; t++) {
      if (t % labelEvery === 0 || t === 1) {
        chart.appendChild(svg("text", { x: this.chartX(t), y: CHART.height - CHART.bottom + 16, class: "rnnx-small" },
          String(t)));
      }
    }
    chart.appendChild(svg("text", { x: (CHART.left + CHART.width - CHART.right) / 2, y: CHART.height - 6,
      class: "rnnx-small" }, "time step t"));
    chart.appendChild(svg("text", { x: 14, y: CHART.top + plotH / 2, class: "rnnx-small",
      transform: "rotate(-90 14 " + (CHART.top + plotH / 2) + ")" }, "mean of h\u209c over units"));
    this.chartMark = svg("line", { y1: CHART.top, y2: CHART.top + plotH, class: "rnnx-chart-mark" });
    chart.appendChild(this.chartMark);
    [["lstm", "LSTM", "rnnx-line-lstm"], ["gru", "GRU", "rnnx-line-gru"]].forEach(function (spec, k) {
      var points = series[spec[0]].map(function (v, i) { return [self.chartX(i + 1), yOf(v)]; });
      chart.appendChild(svg("polyline", { points: points.map(function (p) { return p.join(","); }).join(" "),
        class: "rnnx-line " + spec[2], "data-series": spec[0] }));
      points.forEach(function (p, i) {
        var dot = k === 0 ? svg("circle", { cx: p[0], cy: p[1], r: 3.5, class: "rnnx-dot " + spec[2] })
          : svg("rect", { x: p[0] - 3.5, y: p[1] - 3.5, width: 7, height: 7, class: "rnnx-dot " + spec[2] });
        dot.appendChild(svg("title", {}, spec[1] + ", step " + (i + 1) + ": " + fmt(series[spec[0]][i], 3)));
        chart.appendChild(dot);
      });
      var legendY = CHART.top + 12 + 22 * k, legendX = CHART.width - CHART.right + 14;
      chart.appendChild(svg("line", { x1: legendX, x2: legendX + 28, y1: legendY, y2: legendY,
        class: "rnnx-line " + spec[2] }));
      chart.appendChild(svg("text", { x: legendX + 34, y: legendY + 4, "text-anchor": "start",
        class: "rnnx-small" }, spec[1]));
    });
    this.chartCaption.textContent = "Mean hidden state per step, LSTM: " +
      series.lstm.map(function (v) { return fmt(v, 2); }).join(", ") + "; GRU: " +
      series.gru.map(function (v) { return fmt(v, 2); }).join(", ") + ".";
    this.markStep();
  };

  // -- full-precision state for tests and for the curious --------------------------------------

  Explorer.prototype.snapshot = function () {
    var pick = function (run, keys) {
      var out = {};
      keys.forEach(function (key) { out[key] = run.map(function (s) { return s[key].slice(); }); });
      return out;
    };
    return JSON.parse(JSON.stringify({
      cell: this.state.cell, units: this.state.units, step: this.state.step, steps: this.state.inputs.length,
      preset: this.state.preset, inputs: this.state.inputs, inputScale: this.state.inputScale,
      offsets: this.state.offsets, biases: this.biases(),
      lstm: pick(this.runs.lstm, ["i", "f", "g", "o", "c", "h"]),
      gru: pick(this.runs.gru, ["z", "r", "g", "h"])
    }));
  };

  // ---- start every explorer on the page -------------------------------------------------------

  function startAll() {
    var roots = document.querySelectorAll("[data-rnn-explorer]");
    Array.prototype.forEach.call(roots, function (root) {
      if (root.getAttribute("data-started") === "true") { return; }
      var source = root.querySelector("script.rnn-explorer-data");
      try {
        var explorer = new Explorer(root, JSON.parse(source.textContent), explorers.length);
        explorers.push(explorer);
        root.setAttribute("data-started", "true");
      } catch (error) {
        root.appendChild(make("p", { class: "rnnx-message", role: "alert",
          text: "The explorer could not start: " + error.message }));
        throw error;
      }
    });
  }

  window.RNNExplorer = { startAll: startAll, explorers: explorers };
  window.explorerState = function (n) { return explorers[n || 0].snapshot(); };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
