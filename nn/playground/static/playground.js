// The Playground page: it shows the server's session and sends it commands; gradwalk trains on the server.
// window.playground is the scripting API (and what the browser tests drive): every call returns a Promise
// that resolves, with the new state or, for a refused input, the message shown.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const DOMAIN = 6;
  const NEGATIVE = [245, 147, 34], POSITIVE = [8, 119, 189], WHITE = [255, 255, 255];
  const CLASS_COLOURS = [[245, 147, 34], [8, 119, 189], [22, 163, 74], [190, 24, 93], [124, 58, 237],
    [120, 113, 108], [14, 165, 233], [234, 179, 8], [239, 68, 68], [20, 184, 166]];
  const MAX_UPLOAD = 1000000;
  const DATASETS = { classification: ["circle", "xor", "gauss", "spiral"], regression: ["reg-plane", "reg-gauss"] };
  const FEATURE_KEYS = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"];
  const FEATURE_FUNCTIONS = {
    x: (a) => a, y: (a, b) => b, xSquared: (a) => a * a, ySquared: (a, b) => b * b,
    xTimesY: (a, b) => a * b, sinX: (a) => Math.sin(a), sinY: (a, b) => Math.sin(b),
  };

  let socket = null, nextId = 0, menus = null, featureNames = {};
  const pending = new Map();   // request id -> resolve
  const waiting = [];          // messages to send once connected
  let state = null, points = [], localNotes = [], structure = "";
  // Snapshots and replies can cross on the wire: the tab shows only states newer than the one it shows,
  // and no broadcast before the reply to its opening request (which may start a new lesson).
  let opened = false, shownVersion = -1, shownDataVersion = -1;
  let traced = null;

  // ----- the connection

  function connect() {
    socket = new WebSocket(`ws://${location.host}/ws`);
    socket.addEventListener("open", () => {
      const hash = location.hash.replace(/^#/, "");
      opened = false;
      shownVersion = shownDataVersion = -1;  // a restarted server counts from 0 again
      // A tab opened with a lesson in its address applies it; one without joins the session as it is.
      request(hash ? "lesson" : "join", hash ? { hash } : {}).then(() => { opened = true; });
      while (waiting.length) socket.send(waiting.shift());
    });
    socket.addEventListener("message", (event) => receive(JSON.parse(event.data)));
    socket.addEventListener("close", () => {
      for (const resolve of pending.values()) resolve("the connection to the playground server closed");
      pending.clear();
      setTimeout(connect, 1000);
    });
  }

  function request(op, fields = {}) {
    return new Promise((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      const text = JSON.stringify({ id, op, ...fields });
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(text); else waiting.push(text);
    });
  }

  function receive(message) {
    if (message.type === "hello") {
      menus = message.menus;
      featureNames = message.features;
      fillMenus();
    } else if (message.type === "snapshot") {
      if (opened) show(message.state); else takePoints(message.state);
    } else if (message.type === "reply") {
      const resolve = pending.get(message.id);
      pending.delete(message.id);
      const result = message.result;
      try {
        if (message.ok && result && result.epoch !== undefined) show(result);
      } finally {  // a promise always resolves, so a script never waits for ever
        if (resolve) resolve(message.ok ? publicResult(result) : message.error);
      }
    }
  }

  function publicResult(result) {
    return result && result.epoch !== undefined ? publicState() : result;
  }

  function publicState() {
    if (!state) return { epoch: 0, playing: false, notes: localNotes.map((n) => n.text), points: [] };
    return {
      epoch: state.epoch, trainLoss: state.trainLoss, testLoss: state.testLoss, playing: state.playing,
      diverged: state.diverged, config: state.config, notes: [...state.notes, ...localNotes.map((n) => n.text)],
      points, data: state.data, classes: state.classes, bestEpoch: state.bestEpoch, patience: state.patience,
    };
  }

  // ----- showing a state

  // The server sends the points once per data version, so they are kept even from a state not shown.
  function takePoints(next) {
    if (next.points && next.dataVersion >= shownDataVersion) {
      points = next.points;
      shownDataVersion = next.dataVersion;
    }
  }

  function show(next) {
    takePoints(next);
    if (next.version < shownVersion) return;
    shownVersion = next.version;
    state = { ...(state || {}), ...next };
    const c = state.config;
    $("epoch").textContent = String(state.epoch).padStart(3, "0");
    $("play").textContent = state.playing ? "\u275a\u275a pause" : "\u25b6 play";
    $("play").classList.toggle("playing", state.playing);
    $("trainLoss").textContent = formatLoss(state.trainLoss);
    $("testLoss").textContent = formatLoss(state.testLoss);
    for (const key of ["learningRate", "activation", "regularization", "regularizationRate", "problem", "loss",
      "optimizer", "dropout", "classes", "earlyStopping"]) {
      const select = $(key);
      if (select && document.activeElement !== select) select.value = String(c[key]);
    }
    for (const key of ["percTrainData", "noise", "batchSize"]) {
      if (document.activeElement !== $(key)) $(key).value = c[key];
      $(`${key}Value`).textContent = c[key];
    }
    // Regression always trains on squared error and 3+ classes on softmax cross-entropy.
    const fixedLoss = state.lossKind === "multi" || c.problem === "regression";
    $("loss").disabled = fixedLoss;
    $("loss").title = fixedLoss ? (c.problem === "regression" ? "regression trains on squared error"
      : "3 or more classes train on softmax cross-entropy") : "";
    $("showTestData").checked = c.showTestData;
    $("discretize").checked = c.discretize;
    document.body.classList.toggle("hideText", c.hideText);
    $("layerCount").textContent = c.networkShape.length;
    $("dataName").textContent = state.data;
    $("pointCount").textContent = `${points.filter((p) => p[3] === "train").length} training and ` +
      `${points.filter((p) => p[3] === "test").length} test points`;
    const best = state.bestEpoch === null ? "none yet" : `epoch ${state.bestEpoch} (test loss ${formatLoss(state.bestLoss)})`;
    $("stopping").textContent = `best ${best}; epochs without a lower test loss: ${state.patience}` +
      (c.earlyStopping ? ` of ${c.earlyStopping}` : " (early stopping off)");
    if (location.hash.replace(/^#/, "") !== state.hash) history.replaceState(null, "", `#${state.hash}`);
    $("exportLink").href = `/#${state.hash}`;
    showNotes();
    showDatasets();
    showAddClasses();
    if (state.layers) {
      showNetwork();
      drawHeatmap();
      drawCurve();
    }
  }

  function formatLoss(x) { return x === null || x === undefined ? "nan" : x.toFixed(3); }

  function fillMenus() {
    const labels = { relu: "ReLU", tanh: "Tanh", sigmoid: "Sigmoid", linear: "Linear", leaky_relu: "Leaky ReLU",
      elu: "ELU", none: "None", squared: "squared error", crossEntropy: "cross-entropy", hinge: "hinge",
      sgd: "SGD", momentum: "momentum", rmsprop: "RMSprop", adagrad: "Adagrad", adam: "Adam", 0: "off" };
    for (const [key, options] of Object.entries(menus)) {
      const select = $(key);
      if (!select || select.options.length) continue;
      for (const option of options) {
        const item = document.createElement("option");
        item.value = String(option);
        item.textContent = key === "earlyStopping" && option ? `patience ${option}` : (labels[option] || String(option));
        select.append(item);
      }
    }
  }

  function showNotes() {
    const box = $("notes");
    const all = [...state.notes.map((text, i) => ({ text, id: state.noteIds[i] })), ...localNotes];
    const key = JSON.stringify(all);
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    box.replaceChildren(...all.map((note) => {
      const div = document.createElement("div");
      div.className = "note";
      const text = document.createElement("span");
      text.textContent = note.text;
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "\u00d7";
      close.title = "dismiss";
      close.addEventListener("click", () => {
        if (note.local) { localNotes = localNotes.filter((n) => n !== note); showNotes(); }
        else request("dismiss", { note: note.id });
      });
      div.append(text, close);
      return div;
    }));
  }

  function showDatasets() {
    const names = DATASETS[state.config.problem];
    const current = state.config.problem === "classification" ? state.config.dataset : state.config.regDataset;
    const box = $("datasets");
    if (box.dataset.key !== names.join()) {
      box.dataset.key = names.join();
      box.replaceChildren(...names.map((name) => {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = name;
        button.dataset.name = name;
        button.addEventListener("click", () =>
          api.set(state.config.problem === "classification" ? "dataset" : "regDataset", name));
        return button;
      }));
    }
    for (const button of box.children) {
      button.classList.toggle("selected", button.dataset.name === current && state.data !== "upload");
    }
  }

  function showAddClasses() {
    const select = $("addClass");
    const wanted = state.config.problem === "regression" ? ["-1", "1"] : [...Array(state.classes).keys()].map(String);
    if (select.dataset.key === wanted.join()) return;
    select.dataset.key = wanted.join();
    select.replaceChildren(...wanted.map((value) => {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = state.config.problem === "regression" ? value : `class ${value}`;
      return option;
    }));
  }

  // ----- colours

  function mix(a, b, t) { return a.map((v, i) => Math.round(v + (b[i] - v) * t)); }

  function colourOf(value) {  // -1 orange, 0 white, +1 blue, as TensorFlow Playground
    const v = Math.max(-1, Math.min(1, value === null ? 0 : value));
    return v < 0 ? mix(WHITE, NEGATIVE, -v) : mix(WHITE, POSITIVE, v);
  }

  function labelColour(label) {
    if (state.lossKind === "multi" || state.classes > 2) return CLASS_COLOURS[label % CLASS_COLOURS.length];
    if (state.config.problem === "regression") return colourOf(label);
    return label > 0 ? POSITIVE : NEGATIVE;
  }

  function paint(canvas, values, size, toColour) {
    const small = document.createElement("canvas");
    small.width = small.height = size;
    const context = small.getContext("2d");
    const image = context.createImageData(size, size);
    values.forEach((value, i) => {
      const [r, g, b] = toColour(value);
      image.data.set([r, g, b, 255], i * 4);
    });
    context.putImageData(image, 0, 0);
    const target = canvas.getContext("2d");
    target.imageSmoothingEnabled = true;
    target.clearRect(0, 0, canvas.width, canvas.height);
    target.drawImage(small, 0, 0, canvas.width, canvas.height);
  }

  // ----- the output heatmap and the data

  function heatmapColour(value) {
    if (Array.isArray(value)) {  // [class, probability]
      const [label, p] = value;
      return mix(WHITE, CLASS_COLOURS[label % CLASS_COLOURS.length], state.config.discretize ? 0.7 : Math.max(0, p) * 0.8);
    }
    return colourOf(state.config.discretize ? Math.sign(value) : value);
  }

  function toPixel(x1, x2, size) { return [(x1 + DOMAIN) / (2 * DOMAIN) * size, (DOMAIN - x2) / (2 * DOMAIN) * size]; }

  function drawHeatmap() {
    const canvas = $("heatmap");
    if (state.heatmap.length) paint(canvas, state.heatmap, 50, heatmapColour);
    const context = canvas.getContext("2d");
    points.forEach((point, i) => {
      if (point[3] === "test" && !state.config.showTestData) return;
      const [px, py] = toPixel(point[0], point[1], canvas.width);
      context.beginPath();
      context.arc(px, py, traced === i ? 6 : 3.2, 0, 2 * Math.PI);
      context.fillStyle = `rgb(${labelColour(point[2]).join(",")})`;
      context.fill();
      context.lineWidth = traced === i ? 2.5 : 1;
      context.strokeStyle = point[3] === "test" ? "black" : "white";
      context.stroke();
    });
  }

  function drawCurve() {
    const canvas = $("curve"), context = canvas.getContext("2d");
    const { train, test } = state.curves;
    context.clearRect(0, 0, canvas.width, canvas.height);
    const finite = [...train, ...test].filter((v) => v !== null);
    const top = Math.max(1e-9, ...finite);
    const line = (values, colour) => {
      context.beginPath();
      values.forEach((v, i) => {
        const x = values.length > 1 ? i / (values.length - 1) * canvas.width : 0;
        const y = canvas.height - (v === null ? top : v) / top * (canvas.height - 4) - 2;
        if (i) context.lineTo(x, y); else context.moveTo(x, y);
      });
      context.strokeStyle = colour;
      context.lineWidth = 1.5;
      context.stroke();
    };
    line(test, "#111827");
    line(train, "#9ca3af");
  }

  // ----- the network

  function layerInputNames(layer) {
    if (layer === 0) return state.features.map((f) => featureNames[f] || f);
    return state.layers[layer - 1].biases.map((_, j) => `h${layer}.${j + 1}`);
  }

  function neuronFormula(layer, neuron) {
    const data = state.layers[layer];
    const terms = data.weights[neuron].map((w, k) => `${w < 0 ? "\u2212" : "+"} ${Math.abs(w).toPrecision(2)}\u00b7${layerInputNames(layer)[k]}`);
    const bias = data.biases[neuron];
    const inner = `${terms.join(" ")} ${bias < 0 ? "\u2212" : "+"} ${Math.abs(bias).toPrecision(2)}`.replace(/^\+ /, "").replace(/^\u2212 /, "\u2212");
    const last = layer === state.layers.length - 1;
    const name = last ? "out" : `h${layer + 1}.${neuron + 1}`;
    return data.activation === "linear" ? `${name} = ${inner}` : `${name} = ${data.activation}(${inner})`;
  }

  function node(className, title) {
    const div = document.createElement("div");
    div.className = `node ${className}`;
    if (title) div.title = title;
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 40;
    div.append(canvas);
    return div;
  }

  function buildNetwork() {
    const c = state.config;
    const columns = $("columns");
    const features = document.createElement("div");
    features.className = "column";
    features.innerHTML = '<div class="head">features</div>';
    for (const key of FEATURE_KEYS) {
      const div = node(`feature ${c[key] ? "" : "off"}`, `${featureNames[key] || key}: click to turn ${c[key] ? "off" : "on"}`);
      div.dataset.feature = key;
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = featureNames[key] || key;
      div.append(name);
      div.addEventListener("click", () => api.set(key, !state.config[key]));
      paint(div.querySelector("canvas"), featureMap(key), 20, (v) => colourOf(v));
      features.append(div);
    }
    const parts = [features];
    state.layers.forEach((layer, l) => {
      const column = document.createElement("div");
      column.className = "column";
      const head = document.createElement("div");
      head.className = "head";
      const last = l === state.layers.length - 1;
      if (last) {
        head.textContent = "output";
      } else {
        head.innerHTML = `<button type="button" data-grow="1">+</button><button type="button" data-grow="-1">&minus;</button>` +
          `<br>${layer.biases.length} neurons<br>`;
        const select = document.createElement("select");
        select.className = "layerActivation";
        for (const name of menus.activation) select.append(new Option(name, name));
        select.value = layer.activation;
        select.addEventListener("change", () => {
          const names = state.layers.slice(0, -1).map((x) => x.activation);
          names[l] = select.value;
          api.set("activations", names.join(","));
        });
        head.append(select);
        head.querySelectorAll("button").forEach((button) => button.addEventListener("click", () => {
          const shape = [...state.config.networkShape];
          shape[l] = Math.max(1, Math.min(8, shape[l] + Number(button.dataset.grow)));
          api.set("networkShape", shape.join(","));
        }));
      }
      column.append(head);
      layer.biases.forEach((_, j) => {
        const div = node("neuron");
        div.dataset.layer = l;
        div.dataset.neuron = j;
        div.addEventListener("mouseenter", () => showTooltip(div, neuronFormula(l, j)));
        div.addEventListener("mouseleave", () => { $("tooltip").hidden = true; });
        div.addEventListener("click", () => editWeight(div, l, j, "b", state.layers[l].biases[j], "bias"));
        column.append(div);
      });
      parts.push(column);
    });
    columns.replaceChildren(...parts);
  }

  function featureMap(key) {
    const values = [];
    for (let r = 0; r < 20; r++) {
      for (let c = 0; c < 20; c++) {
        const x1 = -DOMAIN + (c + 0.5) * 0.6, x2 = DOMAIN - (r + 0.5) * 0.6;
        const v = FEATURE_FUNCTIONS[key](x1, x2);
        values.push(key === "xSquared" || key === "ySquared" ? v / 18 - 1 : key === "xTimesY" ? v / 18 : key.startsWith("sin") ? v : v / DOMAIN);
      }
    }
    return values;
  }

  function showNetwork() {
    // The drawing's shape follows the weights it shows (a reply's config may run ahead of them).
    const key = JSON.stringify([state.features, state.layers.map((l) => [l.weights.length, l.weights[0].length, l.activation])]);
    if (key !== structure) { structure = key; buildNetwork(); }
    document.querySelectorAll(".node.neuron").forEach((div) => {
      const map = state.neuronMaps[div.dataset.layer] ? state.neuronMaps[div.dataset.layer][div.dataset.neuron] : null;
      if (map) paint(div.querySelector("canvas"), map, 10, (v) => colourOf(v));
    });
    drawLinks();
  }

  function centre(element, box) {
    const r = element.getBoundingClientRect();
    return [r.left - box.left + r.width / 2, r.top - box.top + r.height / 2];
  }

  function drawLinks() {
    const svg = $("links"), box = $("net").getBoundingClientRect();
    const inputs = [[...document.querySelectorAll(".node.feature")].filter((d) => state.features.includes(d.dataset.feature))];
    state.layers.forEach((_, l) => inputs.push([...document.querySelectorAll(`.node.neuron[data-layer="${l}"]`)]));
    const paths = [];
    state.layers.forEach((layer, l) => {
      layer.weights.forEach((row, j) => {
        const [x2, y2] = centre(inputs[l + 1][j], box);
        row.forEach((w, k) => {
          const from = inputs[l][k];
          if (!from) return;
          const [x1, y1] = centre(from, box);
          const mid = (x1 + x2) / 2;
          const colour = `rgb(${colourOf(Math.tanh(w)).join(",")})`;
          paths.push(`<path d="M${x1 + 20},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 20},${y2}" stroke="${colour}" ` +
            `stroke-width="${Math.min(6, 0.5 + Math.abs(w) * 2).toFixed(2)}" data-layer="${l}" data-neuron="${j}" ` +
            `data-source="${k}"><title>weight ${w.toPrecision(4)}: click to edit</title></path>`);
        });
      });
    });
    svg.innerHTML = paths.join("");
  }

  function showTooltip(element, text) {
    const tip = $("tooltip"), r = element.getBoundingClientRect(), box = $("network").getBoundingClientRect();
    tip.textContent = text;
    tip.style.left = `${r.right - box.left + 6}px`;
    tip.style.top = `${r.top - box.top}px`;
    tip.hidden = false;
  }

  function editWeight(element, layer, neuron, source, value, what) {
    const editor = $("weightEditor"), input = $("weightValue");
    const r = element.getBoundingClientRect(), box = $("network").getBoundingClientRect();
    editor.querySelector("label").firstChild.textContent = `${what} `;
    editor.style.left = `${r.left - box.left}px`;
    editor.style.top = `${r.bottom - box.top + 4}px`;
    editor.hidden = false;
    input.value = value.toPrecision(4);
    input.focus();
    input.onkeydown = (event) => {
      if (event.key === "Enter") {
        editor.hidden = true;
        api.setWeight(layer, neuron, source, Number(input.value));
      } else if (event.key === "Escape") {
        editor.hidden = true;
      }
    };
  }

  // ----- tracing a point

  async function trace(index) {
    $("traceInfo").textContent = `tracing training point ${index}\u2026`;
    const reply = await request("trace", { index });
    if (typeof reply === "string") { $("traceInfo").textContent = reply; return reply; }
    traced = index;
    const [x1, x2, label] = reply.point;
    $("traceGraph").innerHTML = reply.svg;
    $("traceInfo").textContent = `training point ${index} at (${x1.toFixed(2)}, ${x2.toFixed(2)}), label ${label}: ` +
      `its loss at the current weights, ${reply.values} values, with each one's data and grad (click the graph to zoom)`;
    const link = $("walkLink");
    link.href = `/walkthrough/${index}`;
    link.hidden = false;
    if (state && state.heatmap) drawHeatmap();
    return reply.values;
  }

  function pointAt(event) {
    const canvas = $("heatmap"), r = canvas.getBoundingClientRect();
    const px = (event.clientX - r.left) / r.width * canvas.width, py = (event.clientY - r.top) / r.height * canvas.height;
    return [px, py, px / canvas.width * 2 * DOMAIN - DOMAIN, DOMAIN - py / canvas.height * 2 * DOMAIN];
  }

  $("traceGraph").addEventListener("click", () => $("traceGraph").classList.toggle("full"));  // fit or full size

  $("heatmap").addEventListener("click", (event) => {
    const [px, py, x1, x2] = pointAt(event);
    if ($("addMode").checked) { api.addPoint(x1, x2, Number($("addClass").value)); return; }
    let best = -1, distance = 10;
    points.forEach((point, i) => {
      if (point[3] !== "train") return;
      const [qx, qy] = toPixel(point[0], point[1], $("heatmap").width);
      const d = Math.hypot(qx - px, qy - py);
      if (d < distance) { best = i; distance = d; }
    });
    if (best >= 0) trace(best);
  });

  // ----- the controls

  function localNote(text) {
    localNotes.push({ text, id: `local-${localNotes.length}`, local: true });
    if (state) showNotes();
    return text;
  }

  function tooBig(size) {  // the server refuses it too; this spares sending megabytes to be refused
    return `the upload is ${(size / 1e6).toFixed(1)} MB; at most 1 MB of CSV (x1,x2,label rows) is allowed`;
  }

  const api = {
    state: () => publicState(),
    play: () => request("play"),
    pause: () => request("pause"),
    step: () => request("step"),
    reset: () => request("reset"),
    restoreBest: () => request("restoreBest"),
    set: (key, value) => request("set", { key, value }),
    setWeight: (layer, neuron, source, value) => request("setWeight", { layer, neuron, source, value }),
    upload: (csvText) => {
      const size = new Blob([String(csvText)]).size;
      if (size > MAX_UPLOAD) return Promise.resolve(localNote(tooBig(size)));
      return request("upload", { text: String(csvText) });
    },
    addPoint: (x1, x2, label) => request("addPoint", { x1, x2, label }),
    trace: (i) => trace(i),
    optimizerState: () => request("optimizerTable"),
  };
  window.playground = api;

  $("play").addEventListener("click", () => (state && state.playing ? api.pause() : api.play()));
  $("step").addEventListener("click", () => api.step());
  $("reset").addEventListener("click", () => api.reset());
  $("restoreBest").addEventListener("click", () => api.restoreBest());
  $("regenerate").addEventListener("click", () => api.set("seed", Math.random().toFixed(5)));
  for (const key of ["learningRate", "activation", "regularization", "regularizationRate", "problem", "loss",
    "optimizer", "dropout", "classes", "earlyStopping"]) {
    $(key).addEventListener("change", (event) => api.set(key, event.target.value));
  }
  for (const key of ["percTrainData", "noise", "batchSize"]) {
    $(key).addEventListener("change", (event) => api.set(key, event.target.value));
    $(key).addEventListener("input", (event) => { $(`${key}Value`).textContent = event.target.value; });
  }
  for (const key of ["showTestData", "discretize"]) {
    $(key).addEventListener("change", (event) => api.set(key, event.target.checked));
  }
  $("addLayer").addEventListener("click", () => {
    const shape = state.config.networkShape;
    if (shape.length < 6) api.set("networkShape", [...shape, 2].join(","));
  });
  $("removeLayer").addEventListener("click", () => api.set("networkShape", state.config.networkShape.slice(0, -1).join(",")));
  $("upload").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    event.target.value = "";
    if (file.size > MAX_UPLOAD) localNote(tooBig(file.size)); else api.upload(await file.text());
  });
  $("links").addEventListener("click", (event) => {
    const path = event.target.closest("path");
    if (!path) return;
    const { layer, neuron, source } = path.dataset;
    const value = state.layers[layer].weights[neuron][source];
    editWeight(path, Number(layer), Number(neuron), Number(source), value, "weight");
  });
  $("exportHeatmap").addEventListener("click", (event) => { event.currentTarget.href = $("heatmap").toDataURL("image/png"); });
  $("exportCurve").addEventListener("click", (event) => { event.currentTarget.href = $("curve").toDataURL("image/png"); });
  $("optimizerState").addEventListener("toggle", refreshOptimizerTable);
  window.addEventListener("hashchange", () => {
    const hash = location.hash.replace(/^#/, "");
    if (state && hash && hash !== state.hash) request("lesson", { hash });
  });

  async function refreshOptimizerTable() {
    if (!$("optimizerState").open) return;
    const table = await request("optimizerTable");
    if (typeof table !== "string") {
      const head = `<tr>${table.columns.map((c) => `<th>${c}</th>`).join("")}</tr>`;
      const rows = table.rows.map((row) => `<tr>${row.map((v, i) => `<td>${i ? Number(v).toPrecision(4) : v}</td>`).join("")}</tr>`);
      $("optimizerTable").innerHTML = `<p>${table.optimizer}, ${table.steps} steps</p><table>${head}${rows.join("")}</table>`;
    }
    setTimeout(refreshOptimizerTable, 1000);
  }

  connect();
})();
