"use strict";
// The walkthrough page: one drawing, recoloured and renumbered frame by frame.
// Everything it shows comes from the JSON blob #walkthrough-data (see autograd/walkthrough.py).
(() => {
  const data = JSON.parse(document.getElementById("walkthrough-data").textContent);
  const frames = data.frames;
  const last = frames.length - 1;
  const byId = (id) => document.getElementById(id);
  const viewport = byId("viewport");
  const canvas = byId("canvas");
  const svg = canvas.querySelector("svg");
  const slider = byId("slider");
  const counter = byId("counter");
  const buttons = { first: byId("first"), prev: byId("prev"), next: byId("next"), last: byId("last") };

  // The drawing's parts, found by the ids graph_source gives them (each group's <title>).
  const groups = new Map();
  for (const g of svg.querySelectorAll("g.node, g.edge")) {
    const title = g.querySelector("title");
    if (title) groups.set(title.textContent, g);
  }
  const edgesOf = new Map();  // op id -> the edges into it and out of it
  for (const [title, g] of groups) {
    if (!g.classList.contains("edge")) continue;
    for (const end of title.split("->")) {
      if (!edgesOf.has(end)) edgesOf.set(end, []);
      edgesOf.get(end).push(g);
    }
  }
  const isShape = (element) => ["path", "polygon", "ellipse"].includes(element.tagName) &&
    element.getAttribute("fill") && element.getAttribute("fill") !== "none";
  // A value inside a collapsed module is shown on the module's node (id m0): its data and grad on
  // line 1 + node.line of that node if it is one of the module's outputs, else nowhere.
  const nodes = data.nodes.map((node) => {
    const g = groups.get(node.id) || null;
    const shape = g ? [...g.children].find(isShape) || null : null;
    const texts = g ? [...g.querySelectorAll("text")] : [];
    const collapsed = node.id in data.modules;
    const line = collapsed && node.line !== undefined ? texts[1 + node.line] || null : null;
    const dataText = collapsed ? line : texts[texts.length - 2] || null;  // a node's last lines: data, grad
    return { ...node, g, shape, fill: shape ? shape.getAttribute("fill") : null, collapsed, line,
             dataText, gradText: collapsed ? null : texts[texts.length - 1] || null,
             data0: dataText ? dataText.textContent.replace(/\s+grad.*$/, "") : undefined,
             opGroup: node.op ? groups.get(node.op) || null : null };
  });
  const jumps = new Map();  // a node's (or its op's) group -> the frame a click on it shows
  for (const node of nodes) {
    if (node.g && !node.collapsed) jumps.set(node.g, node.final);
    if (node.opGroup) jumps.set(node.opGroup, node.final);
  }
  for (const [id, k] of Object.entries(data.modules)) if (groups.has(id)) jumps.set(groups.get(id), k);

  // Frame k lists only the grad and data texts that changed since frame k - 1.
  function states(key) {
    const at = [];
    let state = [];
    for (const frame of frames) {
      state = state.slice();
      for (const [i, text] of Object.entries(frame[key] || {})) state[Number(i)] = text;
      at.push(state);
    }
    return at;
  }
  const gradsAt = states("grads");
  const valuesAt = states("values");  // undefined: as drawn

  // The quiz: one question per frame that has one, answered in order.
  const questions = frames.map((frame) => frame.question ? { ...frame.question, attempts: 0, status: null } : null);
  const asked = questions.filter(Boolean).length;
  let right = 0;
  const openAt = () => questions.findIndex((q) => q && q.status === null);  // -1: none open
  const close = (answer, value) => answer === value || Math.abs(answer - value) <= data.tolerance * Math.abs(value);

  let current = 0;
  let marked = [];
  let used = [];

  function asking() {
    const q = questions[current];
    return q && q.status === null ? q : null;
  }

  function paint(k) {
    const frame = frames[k];
    const grads = gradsAt[k];
    const question = asking();
    nodes.forEach((node, i) => {
      const grad = question && frame.current === i ? "grad ?" : grads[i];
      const value = valuesAt[k][i] === undefined ? node.data0 : valuesAt[k][i];
      // Kept on the node: reading the DOM for every node each frame is slow.
      if (node.line) {
        const text = `${value}  ${grad}`;
        if (node.shownLine !== text) node.line.textContent = node.shownLine = text;
        return;
      }
      if (node.gradText && grad !== undefined && node.shownGrad !== grad) node.gradText.textContent = node.shownGrad = grad;
      if (node.dataText && node.shownData !== value) node.dataText.textContent = node.shownData = value;
    });
    for (const i of marked) if (nodes[i].shape) nodes[i].shape.setAttribute("fill", nodes[i].fill);
    for (const g of used) g.classList.remove("used", "current");
    marked = [];
    used = [];
    if (frame.current !== undefined) {
      const [own, inputs] = data.marks[frame.kind === "backward" ? "backward" : "forward"];
      for (const i of frame.inputs) {
        if (nodes[i].shape) nodes[i].shape.setAttribute("fill", inputs);
        marked.push(i);
      }
      const node = nodes[frame.current];
      if (node.shape) node.shape.setAttribute("fill", own);
      marked.push(frame.current);
      if (node.g) { node.g.classList.add("current"); used.push(node.g); }
      const lit = node.op ? [...(edgesOf.get(node.op) || []), node.opGroup] : [];
      if (node.collapsed) {  // the edges from its inputs' nodes into its module's, if any
        lit.push(...frame.inputs.map((j) => groups.get(`${nodes[j].id}->${node.id}`)));
      }
      if (question && !node.collapsed) {  // the answer sums over the node's uses: show them
        lit.push(...(edgesOf.get(node.id) || []).filter((g) => g.querySelector("title").textContent.startsWith(`${node.id}->`)));
      }
      for (const g of lit.filter(Boolean)) {
        g.classList.add("used");
        used.push(g);
      }
    }
  }

  function write(k) {
    const frame = frames[k];
    const question = asking();
    byId("frame-title").textContent = frame.title;
    const list = byId("steps");
    list.replaceChildren(...frame.steps.map((step, n) => {
      const item = document.createElement("li");
      if (question && n === 0) {
        item.textContent = `${question.name}.grad = ?`;
        item.className = "hidden-answer";
      } else {
        item.textContent = step;
      }
      return item;
    }));
    if (data.quiz) {
      const form = byId("question");
      form.hidden = !question;
      if (question) byId("prompt").textContent = `${question.name}.grad =`;
      const q = questions[k];
      byId("feedback").textContent = q && q.feedback ? q.feedback : "";
      byId("feedback").className = q && q.status ? q.status : q && q.attempts ? "wrong" : "";
      byId("score").textContent = k === last ? `Score: ${right}/${asked}` :
        `${right} right of ${questions.filter((q) => q && q.status).length} answered (${asked} questions)`;
    }
  }

  function show(index) {
    let k = Math.max(0, Math.min(last, Math.round(Number(index)) || 0));
    const open = openAt();
    if (open !== -1 && k > open) k = open;  // a gradient is shown only once it has been asked
    current = k;
    paint(k);
    write(k);
    slider.value = String(k);
    counter.textContent = `frame ${k} of ${last}`;
    buttons.first.disabled = buttons.prev.disabled = k === 0;
    buttons.next.disabled = buttons.last.disabled = k === last || asking() !== null;
    if (location.hash !== `#${k}`) {
      try { history.replaceState(null, "", `#${k}`); } catch (error) { /* a sandboxed frame has no history */ }
    }
    follow();
    if (k === last || asking()) stop();
    return k;
  }

  function answer(text) {
    const question = asking();
    if (!question) return null;
    const value = Number(String(text).trim().replace(/\u2212/g, "-"));
    const feedback = byId("feedback");
    if (String(text).trim() !== "" && !Number.isNaN(value) && close(value, Number(question.grad))) {
      question.status = "right";
      right += 1;
      feedback.textContent = `Right: ${question.name}.grad = ${question.shown}.`;
    } else {
      question.attempts += 1;
      if (question.attempts >= 2) {
        question.status = "revealed";
        feedback.textContent = `${question.name}.grad = ${question.shown}`;
      } else {
        const trap = question.traps.find(([trapValue]) => close(value, Number(trapValue)));
        const hint = Number.isNaN(value) || String(text).trim() === "" ? "That is not a number." : trap ? trap[1] : question.hint;
        feedback.textContent = `Not quite. ${hint} Try again.`;
      }
    }
    const result = question.status || "wrong";
    question.feedback = feedback.textContent;
    show(current);
    return result;
  }

  // Zoom and pan: the drawing is scaled and moved inside the viewport; the current node is kept in view.
  const view = { scale: 1, x: 0, y: 0 };
  const natural = { width: svg.getBoundingClientRect().width || 1, height: svg.getBoundingClientRect().height || 1 };
  function apply() { canvas.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`; }
  function zoomAt(factor, cx, cy) {
    const scale = Math.max(0.02, Math.min(8, view.scale * factor));
    view.x = cx - (cx - view.x) * (scale / view.scale);
    view.y = cy - (cy - view.y) * (scale / view.scale);
    view.scale = scale;
    apply();
  }
  function fit() {
    const box = viewport.getBoundingClientRect();
    view.scale = Math.min(box.width / natural.width, box.height / natural.height);
    view.x = (box.width - natural.width * view.scale) / 2;
    view.y = (box.height - natural.height * view.scale) / 2;
    apply();
  }
  function follow() {
    const frame = frames[current];
    const node = frame.current !== undefined ? nodes[frame.current] : null;
    if (!node || !node.g) return;
    const box = viewport.getBoundingClientRect();
    const r = node.g.getBoundingClientRect();
    const left = r.left - box.left, top = r.top - box.top, margin = 16;
    if (left >= margin && top >= margin && left + r.width <= box.width - margin && top + r.height <= box.height - margin) return;
    view.x += box.width / 2 - (left + r.width / 2);
    view.y += box.height / 2 - (top + r.height / 2);
    apply();
  }
  const middle = () => { const box = viewport.getBoundingClientRect(); return [box.width / 2, box.height / 2]; };
  byId("zoom-in").addEventListener("click", () => { zoomAt(1.25, ...middle()); follow(); });
  byId("zoom-out").addEventListener("click", () => { zoomAt(0.8, ...middle()); follow(); });
  byId("fit").addEventListener("click", fit);
  byId("actual").addEventListener("click", () => {
    const [cx, cy] = middle();
    zoomAt(1 / view.scale, cx, cy);
    follow();
  });
  viewport.addEventListener("wheel", (event) => {
    event.preventDefault();
    const box = viewport.getBoundingClientRect();
    zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - box.left, event.clientY - box.top);
  }, { passive: false });
  let drag = null;
  viewport.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || event.target.closest("#zoom")) return;
    drag = { x: event.clientX, y: event.clientY, startX: view.x, startY: view.y, moved: false };
    viewport.setPointerCapture(event.pointerId);
  });
  viewport.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; viewport.classList.add("dragging"); }
    view.x = drag.startX + dx;
    view.y = drag.startY + dy;
    apply();
  });
  viewport.addEventListener("pointerup", (event) => {
    const moved = drag && drag.moved;
    drag = null;
    viewport.classList.remove("dragging");
    if (moved) return;
    // A click on a node (or its op) jumps to the frame where its gradient is final.
    // A collapsed module's node: the frame where all its outputs' gradients are final.
    const hit = document.elementsFromPoint(event.clientX, event.clientY).map((e) => e.closest && e.closest("g.node")).find(Boolean);
    const k = hit ? jumps.get(hit) : undefined;
    if (k !== undefined && k !== null) show(k);
  });

  // Autoplay.
  let timer = null;
  const play = byId("play");
  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    play.innerHTML = "&#x25B6; play";
  }
  function start() {
    if (current === last) show(0);
    timer = setInterval(() => { if (current >= last || asking()) stop(); else show(current + 1); },
                        1000 / Number(byId("speed").value));
    play.innerHTML = "&#x23F8; pause";
  }
  play.addEventListener("click", () => (timer === null ? start() : stop()));
  byId("speed").addEventListener("change", () => { if (timer !== null) { stop(); start(); } });

  buttons.first.addEventListener("click", () => show(0));
  buttons.prev.addEventListener("click", () => show(current - 1));
  buttons.next.addEventListener("click", () => show(current + 1));
  buttons.last.addEventListener("click", () => show(last));
  slider.addEventListener("input", () => show(slider.value));
  byId("question").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = byId("answer");
    answer(input.value);
    input.value = "";
    if (asking()) input.focus();
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.closest && event.target.closest("input, select, textarea")) return;
    const moves = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: last };
    if (event.key in moves) { show(moves[event.key]); event.preventDefault(); }
  });
  window.addEventListener("hashchange", () => {
    const wanted = /^#([0-9]+)$/.exec(location.hash);
    if (wanted && Number(wanted[1]) !== current) show(Number(wanted[1]));
  });

  window.walkthrough = {
    frame: () => current,
    go: (k) => show(k),
    answer: (text) => answer(text),
    score: () => ({ right, asked }),
    asking: () => { const q = asking(); return q ? { frame: current, label: q.name } : null; },
  };

  const box = viewport.getBoundingClientRect();
  const fitting = Math.min(box.width / natural.width, box.height / natural.height);
  if (fitting >= 0.75) fit(); else { view.scale = Math.min(1, Math.max(fitting, 0.75)); apply(); }
  const start0 = /^#([0-9]+)$/.exec(location.hash);
  show(start0 ? Number(start0[1]) : 0);
})();
