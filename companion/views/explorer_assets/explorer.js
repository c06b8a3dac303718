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
 * Trained weights (data.trained: the adding-problem and counting LSTM and GRU of the shipped
 * experiment artefacts) run through the same functions over all their units, with task
 * sequences as inputs (x_t a vector) and the model's Dense head on h_t; the diagram and the
 * heatmaps show the few units that companion.views.explorer chose. Their numbers arrive as the
 * shortest decimals of float32 values and are read back with Math.fround, so they are exactly
 * the artefact's float32 weights.
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
  var PLAY_SECONDS_LONG = 16;       // a sequence longer than data.max_steps plays in about this
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

  /** the trained model's Dense head on h: h K + b, then its activation */
  function applyHead(head, h) {
    return plus(rowTimes(h, head.kernel), head.bias).map(function (a) {
      return head.activation === "sigmoid" ? sigmoid(a) : a;
    });
  }

  /** a nested array of numbers with every number rounded to float32 (Math.fround) */
  function float32(value) {
    return Array.isArray(value) ? value.map(float32) : Math.fround(value);
  }

  // inputs: one vector x_t per step (length 1 for the untrained cells)
  function runLSTM(weights, inputs, bias) {
    var units = weights.recurrent_kernel.length;
    var hPrev = zeros(units), cPrev = zeros(units), steps = [];
    inputs.forEach(function (x) {
      var pre = plus(plus(rowTimes(x, weights.kernel), rowTimes(hPrev, weights.recurrent_kernel)), bias);
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
      var fromInput = plus(rowTimes(x, weights.kernel), bias[0]);
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

  /** data.trained with every weight and input read back as the float32 it stands for */
  function float32Trained(trained) {
    Object.keys(trained || {}).forEach(function (name) {
      var set = trained[name];
      Object.keys(set.cells).forEach(function (cell) {
        var w = set.cells[cell];
        ["kernel", "recurrent_kernel", "bias"].forEach(function (key) { w[key] = float32(w[key]); });
        w.head.kernel = float32(w.head.kernel);
        w.head.bias = float32(w.head.bias);
      });
      set.sequences.forEach(function (seq) { seq.inputs = float32(seq.inputs); });
    });
    return trained || {};
  }

  function Explorer(root, data, index) {
    this.root = root;
    this.data = data;
    data.trained = float32Trained(data.trained);
    this.id = "rnnx" + index;
    var first = data.presets.filter(function (p) { return p.name === data.default_preset; })[0];
    this.state = {
      weights: "untrained", sequence: null,
      cell: "lstm", units: data.default_units, preset: first.name, inputs: first.values.slice(),
      step: 1, inputScale: data.input_scale.value, offsets: {}
    };
    var offsets = this.state.offsets;
    data.bias_offsets.forEach(function (spec) { offsets[spec.name] = 0; });
    this.timer = null;
    this.build();
    if (data.default_weights && data.default_weights !== "untrained") {
      this.setWeights(data.default_weights);
    } else {
      this.recompute();
    }
  }

  Explorer.prototype.uid = function (name) { return this.id + "-" + name; };

  /** the trained set in use (data.trained[name]), or null for the untrained cells */
  Explorer.prototype.trained = function () {
    return this.state.weights === "untrained" ? null : this.data.trained[this.state.weights];
  };

  Explorer.prototype.weights = function (cell) {
    var trained = this.trained();
    return trained ? trained.cells[cell] : this.data.weights[cell][String(this.state.units)];
  };

  /** the hidden size of the cells in use (a trained layer's is fixed) */
  Explorer.prototype.units = function () {
    var trained = this.trained();
    return trained ? trained.units : this.state.units;
  };

  /** the units the diagram and the heatmaps show (0-based): every one, or the chosen few */
  Explorer.prototype.shownUnits = function (cell) {
    var trained = this.trained();
    return trained ? trained.cells[cell || this.state.cell].shown_units
      : Array.apply(null, new Array(this.state.units)).map(function (_, u) { return u; });
  };

  Explorer.prototype.sequence = function () {
    var trained = this.trained(), name = this.state.sequence;
    return trained ? trained.sequences.filter(function (q) { return q.name === name; })[0] : null;
  };

  Explorer.prototype.biases = function () {
    var self = this;
    var result = {};
    ["lstm", "gru"].forEach(function (cell) {
      result[cell] = offsetBias(self.weights(cell).bias, cell, self.state.offsets,
        self.data.bias_offsets, self.units());
    });
    return result;
  };

  /** one input vector per step, multiplied by the input scale */
  Explorer.prototype.scaledInputs = function () {
    var scale = this.state.inputScale;
    return this.state.inputs.map(function (x) {
      return Array.isArray(x) ? x.map(function (v) { return v * scale; }) : [x * scale];
    });
  };

  Explorer.prototype.recompute = function () {
    var biases = this.biases(), xs = this.scaledInputs(), self = this;
    this.runs = {
      lstm: runLSTM(this.weights("lstm"), xs, biases.lstm),
      gru: runGRU(this.weights("gru"), xs, biases.gru)
    };
    this.cRange = 1;
    if (this.trained()) {
      ["lstm", "gru"].forEach(function (cell) {
        var head = self.weights(cell).head;
        self.runs[cell].forEach(function (s) { s.y = applyHead(head, s.h); });
      });
      // a counting LSTM's cell state grows far past 1: its colour scale grows with it
      var shown = this.shownUnits("lstm");
      this.runs.lstm.forEach(function (s) {
        shown.forEach(function (u) { self.cRange = Math.max(self.cRange, Math.ceil(Math.abs(s.c[u]))); });
      });
    }
    this.state.step = Math.min(Math.max(this.state.step, 1), this.state.inputs.length);
    this.drawHeatmaps();
    this.drawComparison();
    this.drawBiasNotes(biases);
    this.drawOutputStrip();
    this.showStep();
  };

  /** switch to the weights called name ("untrained" or a key of data.trained) */
  Explorer.prototype.setWeights = function (name) {
    this.stop();
    if (this.state.weights === "untrained" && name !== "untrained") {
      this.untrainedInputs = { inputs: this.state.inputs, preset: this.state.preset };
    }
    this.state.weights = name;
    var trained = this.trained();
    if (trained) {
      this.state.sequence = trained.default_sequence;
      this.state.inputs = this.sequence().inputs;
      this.state.preset = null;
    } else {
      var saved = this.untrainedInputs;
      this.state.sequence = null;
      if (saved) {
        this.state.inputs = saved.inputs;
        this.state.preset = saved.preset;
      }
    }
    this.state.step = 1;
    this.weightsSelect.value = name;
    this.showConfiguration();
    this.recompute();
  };

  Explorer.prototype.setSequence = function (name) {
    this.stop();
    this.state.sequence = name;
    this.state.inputs = this.sequence().inputs;
    this.state.step = 1;
    this.sequenceSelect.value = name;
    this.recompute();
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
    this.outputSection = this.section("The trained model's output", "output");
    this.buildOutput(this.outputSection);
    this.buildHeatmapSection(this.section("Gate activations over time", "heatmaps"));
    this.buildSliders(this.section("Interactive gate manipulation", "sliders"));
    var comparison = this.section("LSTM vs GRU: average hidden state", "comparison");
    this.comparisonTitle = comparison.querySelector(".rnnx-heading");
    this.buildComparison(comparison);
    this.showConfiguration();
  };

  Explorer.prototype.buildConfiguration = function (box) {
    var self = this;
    var weightsSelect = make("select", { id: this.uid("weights") });
    (this.data.weight_choices || [{ name: "untrained", label: "untrained" }]).forEach(function (w) {
      weightsSelect.appendChild(make("option", { value: w.name, text: w.label }));
    });
    weightsSelect.value = this.state.weights;
    weightsSelect.addEventListener("change", function () { self.setWeights(weightsSelect.value); });
    this.weightsSelect = weightsSelect;

    var sequenceSelect = make("select", { id: this.uid("task-sequence") });
    sequenceSelect.addEventListener("change", function () { self.setSequence(sequenceSelect.value); });
    this.sequenceSelect = sequenceSelect;

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

    this.unitsField = make("div", { class: "rnnx-field" }, [
      make("label", { for: unitSelect.id, text: "Hidden units" }), unitSelect]);
    this.presetField = make("div", { class: "rnnx-field" }, [
      make("label", { for: presetSelect.id, text: "Preset" }), presetSelect]);
    this.sequenceField = make("div", { class: "rnnx-field" }, [
      make("label", { for: sequenceSelect.id, text: "Task sequence" }), sequenceSelect]);
    this.sequenceForm = form;
    box.appendChild(make("div", { class: "rnnx-config-grid" }, [
      make("div", { class: "rnnx-field" }, [make("label", { for: weightsSelect.id, text: "Weights" }), weightsSelect]),
      cellGroup, this.unitsField, this.presetField, this.sequenceField
    ]));
    box.appendChild(form);
    this.weightsNote = make("p", { class: "rnnx-help rnnx-weights-note" });
    this.shownNote = make("p", { class: "rnnx-shown-note" });
    box.appendChild(this.weightsNote);
    box.appendChild(this.shownNote);
  };

  /** the controls and notes that belong to the weights in use */
  Explorer.prototype.showConfiguration = function () {
    var trained = this.trained(), self = this;
    this.unitsField.hidden = this.presetField.hidden = this.sequenceForm.hidden = Boolean(trained);
    this.sequenceField.hidden = !trained;
    this.outputSection.hidden = !trained;
    this.root.setAttribute("data-weights", this.state.weights);
    this.comparisonTitle.textContent = trained ? "LSTM vs GRU: the first shown unit over time"
      : "LSTM vs GRU: average hidden state";
    this.heatmapGrid.classList.toggle("rnnx-heatmaps-wide", Boolean(trained));
    if (!trained) {
      this.weightsNote.textContent = "Weights: an untrained companion cell of each kind with one input, " +
        "Keras' default initialisation (seed " + this.data.seed + "), exported by companion.explorer.";
      this.shownNote.textContent = "";
      this.shownNote.hidden = true;
      return;
    }
    var select = this.sequenceSelect;
    while (select.firstChild) { select.removeChild(select.firstChild); }
    trained.sequences.forEach(function (q) { select.appendChild(make("option", { value: q.name, text: q.label })); });
    select.value = this.state.sequence;
    this.weightsNote.textContent = "Weights: the LSTM and the GRU of the experiment " + trained.experiment +
      " (runs " + trained.cells.lstm.run + " and " + trained.cells.gru.run + "), " + trained.units +
      " units each, loaded from the shipped artefact; inputs: " + trained.input_names.join(", ") + ".";
    this.shownNote.hidden = false;
    this.shownNote.textContent = "All " + trained.units + " units are computed; the diagram and the " +
      "heatmaps show " + trained.ranking + ": LSTM units " + this.unitList("lstm") + ", GRU units " +
      this.unitList("gru") + ".";
    ["lstm", "gru"].forEach(function (cell) { self.root.setAttribute("data-shown-" + cell, self.shownUnits(cell).join(",")); });
  };

  /** "16 (r = +0.90), 10 (r = -0.90), ...": a cell's shown units, 1-based, with their scores */
  Explorer.prototype.unitList = function (cell) {
    var chosen = this.trained().cells[cell];
    return chosen.shown_units.map(function (u, k) {
      return (u + 1) + " (r = " + (chosen.scores[k] > 0 ? "+" : "") + fmt(chosen.scores[k], 3) + ")";
    }).join(", ");
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
    this.diagramHelp = make("p", { class: "rnnx-help", text: DIAGRAM_HELP });
    box.appendChild(this.diagramHelp);
    this.valuesTable = make("table", { class: "rnnx-values" });
    box.appendChild(make("details", { class: "rnnx-values-details" }, [
      make("summary", { text: "The values at this step, as a table" }), this.valuesTable]));
  };

  var DIAGRAM_HELP = "Each box shows one value per unit (unit 1 at the top). Colours: blue high, red low; " +
    "gates run from 0 to 1, the candidate and the states from \u22121 to 1.";

  Explorer.prototype.goTo = function (step) {
    this.state.step = Math.min(Math.max(step, 1), this.state.inputs.length);
    this.showStep();
  };

  Explorer.prototype.togglePlay = function () {
    if (this.timer !== null) { this.stop(); return; }
    var self = this;
    if (this.state.step >= this.state.inputs.length) { this.goTo(1); }
    var total = this.state.inputs.length;
    // a long task sequence plays faster, so that it ends within PLAY_SECONDS_LONG
    var interval = total <= this.data.max_steps ? PLAY_INTERVAL_MS
      : Math.max(30, Math.round(1000 * PLAY_SECONDS_LONG / total));
    this.timer = window.setInterval(function () {
      if (self.state.step >= self.state.inputs.length) { self.stop(); return; }
      self.goTo(self.state.step + 1);
    }, interval);
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

  /** a labelled box with one coloured row per shown unit (this.diagramUnits); returns its height.
   *  spec: name, title, cx, cy, values, low, high, kind, and where the rows are an input's
   *  features instead: rowNames (for data-unit) and rowLabels (written before each value) */
  Explorer.prototype.vectorBox = function (group, spec) {
    var unitNumbers = this.diagramUnits;
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
        "data-quantity": spec.name, "data-unit": spec.rowNames ? spec.rowNames[u] : String(unitNumbers[u]),
        "data-value": String(v) }, (spec.rowLabels ? spec.rowLabels[u] + " " : "") + fmt(v)));
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
    var xBoxH = HEADER_H + s.x.length * ROW_H + 6;
    var hPrevCy = gateCy, xCy = busY + Math.max(32, xBoxH / 2 + 8);
    var height = xCy + Math.max(30, xBoxH / 2 + 6);
    var cHigh = this.cRange;
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
        low: -cHigh, high: cHigh, kind: "state" });
      this.vectorBox(boxes, { name: "c", title: "c\u209c", cx: 730, cy: highway, values: s.c, low: -cHigh,
        high: cHigh, kind: "state" });
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
    var trained = this.trained();
    this.vectorBox(boxes, { name: "x", title: "x\u209c", cx: 56, cy: xCy, values: s.x, low: -1, high: 1,
      kind: "input", rowNames: trained ? trained.input_names : undefined,
      rowLabels: trained ? trained.input_short : undefined });
    this.vectorBox(boxes, { name: "h", title: "h\u209c", cx: 730, cy: hPrevCy, values: s.h, low: -1, high: 1,
      kind: "state output" });
  };

  Explorer.prototype.fillValuesTable = function (s) {
    var table = this.valuesTable;
    while (table.firstChild) { table.removeChild(table.firstChild); }
    var trained = this.trained();
    table.appendChild(make("caption", { id: this.uid("values-table-caption"),
      text: this.state.cell.toUpperCase() + " at step " + this.state.step + " (input x\u209c = " +
        this.inputText(s) + ")" + (trained ? "; the " + this.diagramUnits.length + " shown units of " +
        trained.units : "") }));
    var head = make("tr", {}, [make("th", { scope: "col", text: "quantity" })]);
    this.diagramUnits.forEach(function (u) { head.appendChild(make("th", { scope: "col", text: "unit " + u })); });
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

  /** the input of step s as the titles write it: a number, a symbol, or named features */
  Explorer.prototype.inputText = function (s) {
    var trained = this.trained();
    if (!trained) { return fmt(s.x[0], 3); }
    var sequence = this.sequence(), step = this.state.step;
    if (sequence.symbols) {
      var scale = this.state.inputScale;
      return "\u201C" + sequence.symbols[step - 1] + "\u201D (one-hot" + (scale === 1 ? "" : " \u00D7 " + fmt(scale, 2)) + ")";
    }
    return trained.input_names.map(function (name, k) { return name + " " + fmt(s.x[k], 3); }).join(", ");
  };

  /** step s with every per-unit quantity cut down to the shown units */
  function pickUnits(s, shown) {
    var view = { x: s.x };
    ["i", "f", "g", "o", "c", "cPrev", "h", "hPrev", "z", "r"].forEach(function (key) {
      if (s[key]) { view[key] = shown.map(function (u) { return s[key][u]; }); }
    });
    return view;
  }

  Explorer.prototype.showStep = function () {
    var step = this.state.step, total = this.state.inputs.length;
    var shown = this.shownUnits();
    this.diagramUnits = shown.map(function (u) { return u + 1; });
    var s = pickUnits(this.runs[this.state.cell][step - 1], shown);
    this.stepLabel.textContent = "Current step: " + step + " / " + total;
    this.root.setAttribute("data-step", String(step));
    this.root.setAttribute("data-steps", String(total));
    this.root.setAttribute("data-cell", this.state.cell);
    this.diagramTitle.textContent = (this.state.cell === "lstm" ? "LSTM" : "GRU") + " cell at step " + step +
      " of " + total + ": input x\u209c = " + this.inputText(s) + ", hidden state h\u209c" +
      (this.trained() ? " of units " + this.diagramUnits.join(", ") : "") + " = [" +
      s.h.map(function (v) { return fmt(v, 3); }).join(", ") + "]";
    this.diagramHelp.textContent = this.trained()
      ? "Each box shows one value per shown unit: units " + this.diagramUnits.join(", ") + " of " +
        this.units() + ", top to bottom (the input box: one row per input feature). Colours: blue high, " +
        "red low; gates run from 0 to 1, the candidate and h from \u22121 to 1" + (this.state.cell === "lstm"
          ? ", the cell state from \u2212" + fmt(this.cRange, 0) + " to " + fmt(this.cRange, 0) : "") + "."
      : DIAGRAM_HELP;
    this.drawDiagram(s);
    this.fillValuesTable(s);
    this.showOutput();
    this.markStep();
  };

  // -- the trained model's output ------------------------------------------------------------

  Explorer.prototype.buildOutput = function (box) {
    this.outputText = make("p", { class: "rnnx-output-text", id: this.uid("output-text") });
    this.outputSummary = make("p", { class: "rnnx-output-text", id: this.uid("output-summary") });
    this.outputStrip = svg("svg", { class: "rnnx-output-strip", role: "img",
      "aria-labelledby": this.outputSummary.id });
    this.outputHelp = make("p", { class: "rnnx-help" });
    box.appendChild(this.outputText);
    box.appendChild(this.outputSummary);
    box.appendChild(make("div", { class: "rnnx-figure" }, [this.outputStrip]));
    box.appendChild(this.outputHelp);
  };

  /** the set of next symbols the counting model predicts from output y (p > 0.5), e.g. "ab" */
  Explorer.prototype.predictedSet = function (y) {
    var names = this.trained().output_names;
    return names.filter(function (_, k) { return y[k] > 0.5; }).join("");
  };

  function asSet(symbols) { return "{" + symbols.split("").join(", ") + "}"; }

  /** right/wrong per step for counting (both cells), the strip of the current cell, the summary */
  Explorer.prototype.drawOutputStrip = function () {
    var strip = this.outputStrip, trained = this.trained(), self = this;
    while (strip.firstChild) { strip.removeChild(strip.firstChild); }
    this.correct = null;
    if (!trained) { return; }
    var sequence = this.sequence(), names = { lstm: "LSTM", gru: "GRU" };
    if (trained.task !== "counting") {
      strip.setAttribute("hidden", "");
      var last = function (cell) { var run = self.runs[cell]; return run[run.length - 1].y[0]; };
      var marked = sequence.markers.map(function (m) { return fmt(sequence.inputs[m - 1][0], 2) + " at step " + m; });
      this.outputSummary.textContent = "The answer, the Dense head on h\u209c at the last step: LSTM " +
        fmt(last("lstm"), 3) + ", GRU " + fmt(last("gru"), 3) + "; the true sum is " + fmt(sequence.target, 3) +
        " (the marked numbers " + marked.join(" and ") + ").";
      this.outputHelp.textContent = "Only the last step's output is trained; at earlier steps the head shows " +
        "what the model would answer if the sequence ended there.";
      return;
    }
    strip.removeAttribute("hidden");
    this.correct = {};
    ["lstm", "gru"].forEach(function (cell) {
      self.correct[cell] = self.runs[cell].map(function (s, t) { return self.predictedSet(s.y) === sequence.next[t]; });
    });
    var summary = ["lstm", "gru"].map(function (cell) {
      var right = self.correct[cell].filter(Boolean).length, total = self.correct[cell].length;
      var first = self.correct[cell].indexOf(false);
      return names[cell] + " right at " + right + " of " + total + " steps" + (first < 0 ? "" :
        " (first wrong at step " + (first + 1) + ", after reading \u201C" + sequence.symbols[first] + "\u201D)");
    });
    this.outputSummary.textContent = "Predicted set of next symbols: " + summary.join("; ") + ". This string " +
      (sequence.n > trained.train_max_n ? "is longer than any the models were trained on (n \u2264 " +
        trained.train_max_n + ")." : "is within the trained counts (n \u2264 " + trained.train_max_n + ").");
    this.outputHelp.textContent = "The strip marks every step of the " + names[this.state.cell] +
      ": blue where the predicted set (outputs above 0.5) is the right one, red where it is not; click a " +
      "step to go there.";
    var run = this.runs[this.state.cell], total = run.length, left = 50, top = 4, cellH = 18;
    var cellW = this.columnWidth(total), gap = cellW >= 4 ? 1 : 0, width = left + total * cellW + 4;
    strip.setAttribute("viewBox", "0 0 " + width + " " + (top + cellH + 6));
    strip.appendChild(svg("text", { x: left - 4, y: top + 13, "text-anchor": "end", class: "rnnx-small" }, "right?"));
    this.correct[this.state.cell].forEach(function (ok, t) {
      var rect = svg("rect", { x: left + t * cellW, y: top, width: cellW - gap, height: cellH,
        class: "rnnx-heat " + (ok ? "rnnx-right" : "rnnx-wrong"), "data-step": String(t + 1),
        "data-right": String(ok) });
      rect.appendChild(svg("title", {}, "step " + (t + 1) + ": predicted " + asSet(self.predictedSet(run[t].y)) +
        ", right " + asSet(sequence.next[t])));
      strip.appendChild(rect);
    });
    var mark = svg("rect", { y: top - 1.5, width: cellW + 1, height: cellH + 3, class: "rnnx-step-mark",
      "data-left": String(left), "data-cell-width": String(cellW) });
    strip.appendChild(mark);
    this.stepMarks.push(mark);
    if (!this.stripListening) {
      strip.addEventListener("click", function (event) {
        var step = event.target.getAttribute && event.target.getAttribute("data-step");
        if (step) { self.stop(); self.goTo(Number(step)); }
      });
      this.stripListening = true;
    }
  };

  /** the output at the current step, in words */
  Explorer.prototype.showOutput = function () {
    var trained = this.trained();
    if (!trained) { this.outputText.textContent = ""; return; }
    var step = this.state.step, sequence = this.sequence(), y = this.runs[this.state.cell][step - 1].y;
    var cell = this.state.cell === "lstm" ? "LSTM" : "GRU";
    if (trained.task === "counting") {
      var predicted = this.predictedSet(y), right = sequence.next[step - 1];
      this.outputText.textContent = "Step " + step + ", after reading \u201C" + sequence.symbols[step - 1] +
        "\u201D: the " + cell + " predicts the next symbol among " + asSet(predicted) + " (" +
        trained.output_names.map(function (name, k) { return name + " " + fmt(y[k], 2); }).join(", ") +
        "); the right set is " + asSet(right) + ": " + (predicted === right ? "right." : "wrong.");
    } else {
      this.outputText.textContent = "Step " + step + ": the " + cell + "'s head on this h\u209c gives " +
        fmt(y[0], 3) + (step === this.state.inputs.length ? " (its answer)" : "") + "; the true sum is " +
        fmt(sequence.target, 3) + ".";
    }
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

  /** the width of one time step in a heatmap: a long task sequence gets narrow columns
   *  (without gaps, see gap below), so that a heatmap stays on screen */
  Explorer.prototype.columnWidth = function (total) {
    return total <= this.data.max_steps ? Math.max(10, Math.min(36, Math.floor(300 / total))) : 640 / total;
  };

  Explorer.prototype.drawHeatmaps = function () {
    var self = this, grid = this.heatmapGrid, run = this.runs[this.state.cell], trained = this.trained();
    while (grid.firstChild) { grid.removeChild(grid.firstChild); }
    var shown = this.shownUnits(), total = run.length;
    var cellW = this.columnWidth(total), gap = cellW >= 4 ? 1 : 0, cellH = 20, left = 50, top = 16;
    var specs = HEATMAPS[this.state.cell].map(function (spec) {
      return spec[0] === "c" ? [spec[0], spec[1], -self.cRange, self.cRange] : spec;
    });
    if (trained) {    // the input first: where the markers are, where the b's start
      specs = [["x", "Input x (" + trained.input_names.join(", ") + ")", -1, 1]].concat(specs);
    }
    this.stepMarks = [];
    specs.forEach(function (spec) {
      var isInput = spec[0] === "x";
      var rows = isInput ? trained.input_names.length : shown.length;
      var rowLabel = function (k) { return isInput ? trained.input_names[k] : "unit " + (shown[k] + 1); };
      var valueAt = function (t, k) { return isInput ? run[t].x[k] : run[t][spec[0]][shown[k]]; };
      var width = left + total * cellW + 4, height = top + rows * cellH + 4;
      var title = spec[1] + " (" + self.state.cell.toUpperCase() + ")";
      var map = svg("svg", { class: "rnnx-heatmap", viewBox: "0 0 " + width + " " + height, width: width,
        height: height, role: "img", "aria-label": title + ": " + rows + (isInput ? " features" : " units") +
        " by " + total + " steps", "data-quantity": spec[0] });
      var labelEvery = Math.ceil(total / 12);
      for (var t = 0; t < total; t++) {
        if ((t + 1) % labelEvery === 0 || t === 0) {
          map.appendChild(svg("text", { x: left + (t + 0.5) * cellW, y: 11, class: "rnnx-small" }, String(t + 1)));
        }
        for (var k = 0; k < rows; k++) {
          var v = valueAt(t, k);
          var rect = svg("rect", { x: left + t * cellW, y: top + k * cellH, width: cellW - gap, height: cellH - 1,
            fill: colourOf(v, spec[2], spec[3]).fill, class: "rnnx-heat", "data-step": String(t + 1) });
          rect.appendChild(svg("title", {}, spec[1] + ", " + rowLabel(k) + ", step " + (t + 1) + ": " + fmt(v, 3)));
          map.appendChild(rect);
        }
      }
      for (var j = 0; j < rows; j++) {
        map.appendChild(svg("text", { x: left - 4, y: top + j * cellH + 14, "text-anchor": "end",
          class: "rnnx-small" }, rowLabel(j)));
      }
      var mark = svg("rect", { y: top - 1.5, width: cellW + 1, height: rows * cellH + 2, class: "rnnx-step-mark",
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
    var units = this.units(), self = this, trained = this.trained();
    this.data.bias_offsets.forEach(function (spec) {
      var row = spec.row === null ? biases[spec.cell] : biases[spec.cell][spec.row];
      var shown = self.shownUnits(spec.cell);
      // a trained layer's bias differs from unit to unit: the shown units' are listed
      var values = shown.map(function (u) { return row[spec.block * units + u]; });
      self.sliders[spec.name].note.textContent = "bias now" + (trained ? " (units " +
        shown.map(function (u) { return u + 1; }).join(", ") + ")" : "") + ": [" +
        values.map(function (v) { return fmt(v, 2); }).join(", ") + "]";
    });
  };

  // -- LSTM vs GRU chart ----------------------------------------------------------------------

  var CHART = { width: 720, height: 250, left: 56, right: 110, top: 14, bottom: 40 };
  var CHART_INTRO = "Average hidden state over time for both architectures, on the same (scaled) input, " +
    "each with its own bias sliders.";

  function pearson(a, b) {
    var n = a.length, ma = 0, mb = 0, ab = 0, aa = 0, bb = 0;
    for (var k = 0; k < n; k++) { ma += a[k] / n; mb += b[k] / n; }
    for (var j = 0; j < n; j++) {
      ab += (a[j] - ma) * (b[j] - mb);
      aa += (a[j] - ma) * (a[j] - ma);
      bb += (b[j] - mb) * (b[j] - mb);
    }
    return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
  }

  /** the count after each symbol of a counting string: a's read minus b's read */
  function runningCount(symbols) {
    var count = 0;
    return symbols.split("").map(function (c) { count += c === "a" ? 1 : c === "b" ? -1 : 0; return count; });
  }

  /** the lines of the chart: untrained, the mean of h; trained, the first shown unit's state of
   *  each cell (c for the LSTM, h for the GRU), sign-aligned with its score and divided by its
   *  largest magnitude, and for counting the count divided by its largest value */
  Explorer.prototype.chartSeries = function () {
    var self = this, trained = this.trained();
    var mean = function (v) { return v.reduce(function (a, b) { return a + b; }, 0) / v.length; };
    if (!trained) {
      return [{ key: "lstm", label: "LSTM", cls: "rnnx-line-lstm", values: this.runs.lstm.map(function (s) { return mean(s.h); }) },
        { key: "gru", label: "GRU", cls: "rnnx-line-gru", values: this.runs.gru.map(function (s) { return mean(s.h); }) }];
    }
    var scaled = function (values, sign) {
      var peak = Math.max.apply(null, values.map(Math.abs));
      return values.map(function (v) { return peak > 0 ? sign * v / peak : 0; });
    };
    var series = [["lstm", "LSTM", "c"], ["gru", "GRU", "h"]].map(function (spec) {
      var chosen = trained.cells[spec[0]], unit = chosen.shown_units[0];
      var raw = self.runs[spec[0]].map(function (s) { return s[spec[2]][unit]; });
      return { key: spec[0], label: spec[1] + " " + spec[2] + (unit + 1), cls: "rnnx-line-" + spec[0], raw: raw,
        state: spec[2], unit: unit, values: scaled(raw, chosen.scores[0] < 0 ? -1 : 1) };
    });
    if (trained.task === "counting") {
      var count = runningCount(this.sequence().symbols);
      series.push({ key: "count", label: "count", cls: "rnnx-line-count", raw: count, values: scaled(count, 1) });
    }
    return series;
  };

  Explorer.prototype.buildComparison = function (box) {
    this.chart = svg("svg", { class: "rnnx-chart", viewBox: "0 0 " + CHART.width + " " + CHART.height,
      role: "img", "aria-labelledby": this.uid("chart-caption") });
    this.chartCaption = make("p", { class: "rnnx-help", id: this.uid("chart-caption") });
    this.chartIntro = make("p", { class: "rnnx-legend-text", text: CHART_INTRO });
    box.appendChild(this.chartIntro);
    box.appendChild(make("div", { class: "rnnx-figure" }, [this.chart]));
    box.appendChild(this.chartCaption);
  };

  Explorer.prototype.chartX = function (step) {
    var total = this.state.inputs.length;
    var inner = CHART.width - CHART.left - CHART.right;
    return CHART.left + (total === 1 ? inner / 2 : (step - 1) / (total - 1) * inner);
  };

  Explorer.prototype.drawComparison = function () {
    var chart = this.chart, self = this, trained = this.trained();
    while (chart.firstChild) { chart.removeChild(chart.firstChild); }
    this.chartCorrelations = null;
    var series = this.chartSeries();
    var all = [];
    series.forEach(function (line) { all = all.concat(line.values); });
    var peak = Math.max.apply(null, all.map(Math.abs));
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
      transform: "rotate(-90 14 " + (CHART.top + plotH / 2) + ")" },
      trained ? "scaled to its largest magnitude" : "mean of h\u209c over units"));
    if (trained && trained.task === "adding") {
      this.sequence().markers.forEach(function (m) {
        chart.appendChild(svg("line", { x1: self.chartX(m), x2: self.chartX(m), y1: CHART.top, y2: CHART.top + plotH,
          class: "rnnx-marker-line" }));
      });
    }
    this.chartMark = svg("line", { y1: CHART.top, y2: CHART.top + plotH, class: "rnnx-chart-mark" });
    chart.appendChild(this.chartMark);
    var withDots = total <= this.data.max_steps;   // a dot per step only where they stay apart
    series.forEach(function (line, k) {
      var points = line.values.map(function (v, i) { return [self.chartX(i + 1), yOf(v)]; });
      chart.appendChild(svg("polyline", { points: points.map(function (p) { return p.join(","); }).join(" "),
        class: "rnnx-line " + line.cls, "data-series": line.key }));
      points.forEach(function (p, i) {
        if (!withDots) { return; }
        var dot = k === 0 ? svg("circle", { cx: p[0], cy: p[1], r: 3.5, class: "rnnx-dot " + line.cls })
          : svg("rect", { x: p[0] - 3.5, y: p[1] - 3.5, width: 7, height: 7, class: "rnnx-dot " + line.cls });
        dot.appendChild(svg("title", {}, line.label + ", step " + (i + 1) + ": " +
          fmt(line.raw ? line.raw[i] : line.values[i], 3)));
        chart.appendChild(dot);
      });
      var legendY = CHART.top + 12 + 22 * k, legendX = CHART.width - CHART.right + 14;
      chart.appendChild(svg("line", { x1: legendX, x2: legendX + 28, y1: legendY, y2: legendY,
        class: "rnnx-line " + line.cls }));
      chart.appendChild(svg("text", { x: legendX + 34, y: legendY + 4, "text-anchor": "start",
        class: "rnnx-small" }, line.label));
    });
    this.chartIntro.textContent = trained ? "The state that the first shown unit of each cell keeps (LSTM: " +
      "cell state c, GRU: hidden state h), each divided by its largest magnitude over the sequence and " +
      "negated where the unit's score is negative, so that the shapes compare" +
      (trained.task === "counting" ? "; the dotted line is the count (a's minus b's read), scaled alike."
        : "; dotted vertical lines mark the two markers.") : CHART_INTRO;
    this.chartCaption.textContent = trained ? this.chartSummary(series) : "Mean hidden state per step, LSTM: " +
      series[0].values.map(function (v) { return fmt(v, 2); }).join(", ") + "; GRU: " +
      series[1].values.map(function (v) { return fmt(v, 2); }).join(", ") + ".";
    this.markStep();
  };

  /** what the trained chart shows, in numbers */
  Explorer.prototype.chartSummary = function (series) {
    var trained = this.trained(), describe = function (line) {
      return line.key.toUpperCase() + " unit " + (line.unit + 1) + "'s " + (line.state === "c" ? "cell" : "hidden") +
        " state";
    };
    if (trained.task === "counting") {
      var count = series[2].raw;
      this.chartCorrelations = { lstm: pearson(series[0].raw, count), gru: pearson(series[1].raw, count) };
      return "Correlation with the count over this string: " + describe(series[0]) + " r = " +
        fmt(this.chartCorrelations.lstm, 3) + ", " + describe(series[1]) + " r = " + fmt(this.chartCorrelations.gru, 3) + ".";
    }
    var sequence = this.sequence(), before = sequence.markers[1] - 1;
    return "Just before the second marker (step " + before + "): " + describe(series[0]) + " = " +
      fmt(series[0].raw[before - 1], 3) + ", " + describe(series[1]) + " = " + fmt(series[1].raw[before - 1], 3) +
      "; the first marked number is " + fmt(sequence.inputs[sequence.markers[0] - 1][0], 3) + ".";
  };

  // -- full-precision state for tests and for the curious --------------------------------------

  Explorer.prototype.snapshot = function () {
    var pick = function (run, keys) {
      var out = {};
      keys.forEach(function (key) { out[key] = run.map(function (s) { return s[key].slice(); }); });
      return out;
    };
    var state = {
      weights: this.state.weights,
      cell: this.state.cell, units: this.units(), step: this.state.step, steps: this.state.inputs.length,
      preset: this.state.preset, inputs: this.state.inputs, inputScale: this.state.inputScale,
      offsets: this.state.offsets, biases: this.biases(),
      lstm: pick(this.runs.lstm, ["i", "f", "g", "o", "c", "h"]),
      gru: pick(this.runs.gru, ["z", "r", "g", "h"])
    };
    if (this.trained()) {   // every unit above; these are what the page shows of them
      state.sequence = this.state.sequence;
      state.shownUnits = { lstm: this.shownUnits("lstm"), gru: this.shownUnits("gru") };
      state.outputs = { lstm: pick(this.runs.lstm, ["y"]).y, gru: pick(this.runs.gru, ["y"]).y };
      state.correct = this.correct;
      state.chartCorrelations = this.chartCorrelations || null;
      state.cellStateRange = this.cRange;
    }
    return JSON.parse(JSON.stringify(state));
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
