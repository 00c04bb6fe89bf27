/* mechmap viewer: paths, details, step-through, filters, zoom, search and presenter mode
 * over the inlined SVG.
 *
 * Plain ES2017, no dependencies. The embedded JSON names SVG elements by their ids
 * (nodes "n3", arrows "e7", wave columns "wave-0"); nothing here relies on how the layout
 * engine structures its SVG beyond those ids and the <text> inside a node. Text from the
 * map is only ever shown with textContent, so a label can never become markup.
 *
 * Step-through: arrows appear in the map's teaching order, each step revealing every
 * arrow its edge unrolls to. Carry arrows (a node passed on to its next wave) stay as
 * faint context, since they are no causal claim to teach; arrows that no step names stay
 * hidden until "Show all". Nodes are always shown, faint until an arrow reaches them.
 *
 * Zoom and pan change the SVG's viewBox only (the diagram's box on the page never changes
 * size), so that the drawing stays sharp at any zoom and the page around it stays still.
 *
 * `mmViewer.saved()` is the reader's view as plain JSON data and `mmViewer.restore(saved)`
 * puts it back on a page of the same map, or of a newer draft of it: mechmap serve's live
 * script carries the view across each reload that way.
 */
const mmViewer = (function () {
  "use strict";

  const data = JSON.parse(document.getElementById("mm-data").textContent);
  const stage = document.getElementById("mm-stage");
  const diagram = document.getElementById("mm-diagram");
  const svg = diagram.querySelector("svg");
  const tooltip = document.getElementById("mm-tooltip");
  const band = document.getElementById("mm-band");
  const caption = document.getElementById("mm-caption");
  const search = document.getElementById("mm-search");
  const searchStatus = document.getElementById("mm-search-status");
  const keysDialog = document.getElementById("mm-keys");
  const follow = document.getElementById("mm-follow");
  const buttons = {
    prev: document.getElementById("mm-prev"),
    next: document.getElementById("mm-next"),
    all: document.getElementById("mm-all"),
    zoomIn: document.getElementById("mm-zoom-in"),
    zoomOut: document.getElementById("mm-zoom-out"),
    fit: document.getElementById("mm-zoom-fit"),
    present: document.getElementById("mm-present"),
    keys: document.getElementById("mm-keys-button"),
  };
  const nodeIds = Object.keys(data.nodes);
  const arrowIds = Object.keys(data.arrows);
  const NO_WAVE = "";

  const state = {
    selected: null, // id of the clicked node, or null
    step: null, // null: everything shown; k: the first k steps revealed
    hiddenRoles: new Set(),
    hiddenWaves: new Set(),
    presenting: false,
    matches: [], // node ids that match the search, in reading order (left to right)
    match: -1, // index of the match last zoomed to
  };

  // Ids are looked up inside the SVG so that they can never match the page's own ids.
  function svgElement(id) {
    return svg.querySelector("#" + CSS.escape(id));
  }

  const elements = {};
  nodeIds.concat(arrowIds).forEach(function (id) {
    elements[id] = svgElement(id);
  });

  // Every arrow some step names: in presenter mode the ones not taught yet stay faintly in
  // view, so the class sees where the lesson is going.
  const taught = new Set();
  data.steps.forEach(function (step) {
    step.arrows.forEach(function (a) {
      taught.add(a);
    });
  });

  // -- the graph ---------------------------------------------------------------------

  const children = {};
  const parents = {};
  nodeIds.forEach(function (id) {
    children[id] = [];
    parents[id] = [];
  });
  arrowIds.forEach(function (id) {
    const arrow = data.arrows[id];
    children[arrow.source].push(arrow.target);
    parents[arrow.target].push(arrow.source);
  });

  function reachable(start, next) {
    const seen = new Set([start]);
    const queue = [start];
    while (queue.length) {
      next[queue.pop()].forEach(function (other) {
        if (!seen.has(other)) {
          seen.add(other);
          queue.push(other);
        }
      });
    }
    return seen;
  }

  /* The paths through a node: its ancestors and descendants, and the arrows of paths that
   * run into it or out of it. An arrow that skips from an ancestor straight to a
   * descendant is on no path through the node, so it stays dimmed. */
  function pathsThrough(id) {
    const up = reachable(id, parents);
    const down = reachable(id, children);
    const arrows = new Set(
      arrowIds.filter(function (a) {
        const arrow = data.arrows[a];
        return (
          (up.has(arrow.source) && up.has(arrow.target)) ||
          (down.has(arrow.source) && down.has(arrow.target))
        );
      })
    );
    return { nodes: new Set(Array.from(up).concat(Array.from(down))), arrows: arrows };
  }

  // -- drawing the state ---------------------------------------------------------------

  function revealedArrows() {
    const revealed = new Set();
    data.steps.slice(0, state.step || 0).forEach(function (step) {
      step.arrows.forEach(function (a) {
        revealed.add(a);
      });
    });
    return revealed;
  }

  function currentArrows() {
    return state.step ? data.steps[state.step - 1].arrows : [];
  }

  function nodeVisible(id) {
    const node = data.nodes[id];
    return !state.hiddenRoles.has(node.role) && !state.hiddenWaves.has(node.wave || NO_WAVE);
  }

  function refresh() {
    const stepping = state.step !== null;
    const revealed = revealedArrows();
    const current = new Set(currentArrows());
    const ends = new Set();
    current.forEach(function (a) {
      ends.add(data.arrows[a].source);
      ends.add(data.arrows[a].target);
    });
    const lit = state.selected === null ? null : pathsThrough(state.selected);
    const reached = new Set();

    arrowIds.forEach(function (id) {
      const arrow = data.arrows[id];
      const carry = arrow.edge === null;
      const later = stepping && state.presenting && taught.has(id) && !revealed.has(id);
      const shown =
        nodeVisible(arrow.source) &&
        nodeVisible(arrow.target) &&
        (!stepping || revealed.has(id) || carry || later);
      if (shown && (!stepping || revealed.has(id))) {
        reached.add(arrow.source);
        reached.add(arrow.target);
      }
      const classes = elements[id].classList;
      classes.toggle("mm-hidden", !shown);
      classes.toggle("mm-faint", stepping && carry);
      classes.toggle("mm-later", later);
      classes.toggle("mm-revealed", stepping && revealed.has(id));
      classes.toggle("mm-current", current.has(id));
      classes.toggle("mm-dim", lit !== null && !lit.arrows.has(id));
    });
    nodeIds.forEach(function (id) {
      const classes = elements[id].classList;
      classes.toggle("mm-hidden", !nodeVisible(id));
      classes.toggle("mm-faint", stepping && !reached.has(id));
      classes.toggle("mm-dim", lit !== null && !lit.nodes.has(id));
      classes.toggle("mm-selected", id === state.selected);
      classes.toggle("mm-end", ends.has(id));
      elements[id].setAttribute("aria-pressed", String(id === state.selected));
    });
    data.waves.forEach(function (wave) {
      const cluster = svgElement(wave.cluster);
      if (cluster) cluster.classList.toggle("mm-hidden", state.hiddenWaves.has(wave.id));
    });
    showStep();
  }

  function showStep() {
    const total = data.steps.length;
    buttons.prev.disabled = state.step === null || state.step === 0;
    buttons.next.disabled = total === 0 || state.step === total;
    buttons.all.disabled = state.step === null;
    caption.textContent = "";
    if (state.step === null) {
      caption.textContent =
        "Showing every arrow. Press Next (or \u2192) to reveal the " +
        total +
        " teaching steps one at a time.";
    } else if (state.step === 0) {
      caption.textContent = "No arrow revealed yet. Press Next (or \u2192) for step 1.";
    } else {
      const step = data.steps[state.step - 1];
      const edge = data.edges[step.edge];
      const number = edge.arrow === null ? "" : " (arrow #" + edge.arrow + ")";
      // The count is a span of its own so that presenter mode can set it on a line above
      // the caption; the text reads the same either way.
      add(caption, "span", "Step " + state.step + " of " + total + number + ": ", "mm-caption-count");
      caption.appendChild(document.createTextNode(step.caption));
    }
    fitCaption();
  }

  /* Presenter mode gives the caption a band of fixed height, so the diagram above never
   * moves. A caption too long for the band at the large type gets smaller type, down to
   * about two thirds; beyond that the band scrolls. */
  function fitCaption() {
    band.style.fontSize = "";
    if (!state.presenting) return;
    let size = parseFloat(getComputedStyle(band).fontSize);
    const smallest = size * 0.64;
    while (band.scrollHeight > band.clientHeight + 1 && size > smallest) {
      size *= 0.94;
      band.style.fontSize = size + "px";
    }
  }

  // -- actions ------------------------------------------------------------------------

  function select(id) {
    state.selected = id === state.selected ? null : id;
    refresh();
  }

  function clearSelection() {
    if (state.selected !== null) {
      state.selected = null;
      refresh();
      return true;
    }
    return false;
  }

  function goTo(step) {
    state.step = step;
    refresh();
    followStep(false);
  }

  function next() {
    if (data.steps.length === 0) return;
    goTo(state.step === null ? 1 : Math.min(data.steps.length, state.step + 1));
  }

  function previous() {
    if (state.step !== null && state.step > 0) goTo(state.step - 1);
  }

  function showAll() {
    goTo(null);
  }

  // -- zoom and pan --------------------------------------------------------------------
  //
  // The view is a centre (in the SVG's user units) and a scale (screen pixels per user
  // unit). The viewBox is always given the proportions of the diagram's box, so that
  // nothing is letterboxed and a screen point maps to one user point by plain arithmetic.

  const base = (function () {
    const numbers = (svg.getAttribute("viewBox") || "").trim().split(/[\s,]+/).map(Number);
    if (numbers.length === 4 && numbers.every(isFinite) && numbers[2] > 0 && numbers[3] > 0) {
      return { x: numbers[0], y: numbers[1], w: numbers[2], h: numbers[3] };
    }
    const box = svg.getBBox();
    return { x: box.x, y: box.y, w: box.width || 1, h: box.height || 1 };
  })();
  const view = { cx: base.x + base.w / 2, cy: base.y + base.h / 2, scale: 1 };
  // What the view is meant to show, kept so that a resize (entering presenter mode, a
  // window made larger) shows the same thing: the whole map, a box, or where the user
  // left it.
  let intent = { kind: "fit" };
  let flight = null;

  function port() {
    const box = svg.getBoundingClientRect();
    return { left: box.left, top: box.top, w: box.width, h: box.height };
  }

  function fitScale(box) {
    const p = port();
    return Math.min(p.w / box.w, p.h / box.h);
  }

  function scaleLimits() {
    const fit = fitScale(base);
    return { min: fit / 2, max: Math.max(fit * 4, 96 / labelUnits()) };
  }

  function clamp(value, low, high) {
    return Math.max(low, Math.min(high, value));
  }

  function apply(target) {
    const p = port();
    if (!(p.w > 0 && p.h > 0 && target.scale > 0)) return;
    view.cx = target.cx;
    view.cy = target.cy;
    view.scale = target.scale;
    const w = p.w / view.scale;
    const h = p.h / view.scale;
    svg.setAttribute(
      "viewBox",
      [view.cx - w / 2, view.cy - h / 2, w, h]
        .map(function (n) {
          return Number(n.toFixed(3));
        })
        .join(" ")
    );
  }

  function stopFlight() {
    if (flight !== null) {
      cancelAnimationFrame(flight);
      flight = null;
    }
    delete diagram.dataset.moving;
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  /* Glide to a view in about half a second (the class keeps its bearings), or jump there
   * when the reader asked for reduced motion. While moving, #mm-diagram has data-moving. */
  function flyTo(target, animate) {
    stopFlight();
    if (!animate || reducedMotion()) {
      apply(target);
      return;
    }
    const from = { cx: view.cx, cy: view.cy, scale: view.scale };
    const start = performance.now();
    const duration = 450;
    diagram.dataset.moving = "true";
    function frame(now) {
      const t = Math.min(1, (now - start) / duration);
      const e = t < 0.5 ? 4 * t * t * t : 1 - Math.pow(-2 * t + 2, 3) / 2; // ease in and out
      apply({
        cx: from.cx + (target.cx - from.cx) * e,
        cy: from.cy + (target.cy - from.cy) * e,
        // Scale moves geometrically, so zooming 1x -> 4x feels as even as 4x -> 16x.
        scale: Math.exp(Math.log(from.scale) + (Math.log(target.scale) - Math.log(from.scale)) * e),
      });
      if (t < 1) flight = requestAnimationFrame(frame);
      else stopFlight();
    }
    flight = requestAnimationFrame(frame);
  }

  function fitView() {
    return { cx: base.x + base.w / 2, cy: base.y + base.h / 2, scale: fitScale(base) };
  }

  /* The view that frames a box (user units) with a margin of context around it. Never
   * further out than the whole map, and never so close that a label is taller than about
   * a twentieth of the diagram: a short arrow keeps its neighbours around it. When the
   * margin would shrink the labels below a readable size (a sixteen-pixel label in a
   * 1280x720 presenter window), the margin gives way first, down to a few pixels. */
  function boxView(box, pad) {
    const p = port();
    const units = labelUnits();
    const whole = fitScale(base);
    const largest = Math.max(whole, clamp(p.h * 0.055, 22, 44) / units);
    // About 17 px here: a little over 16, as the browser snaps text boxes to whole pixels.
    const readable = clamp(p.h / 32, 12, 32) / units;
    const edge = 12; // pixels left around the box when the margin gives way
    const roomy = Math.min(p.w / (box.w + 2 * pad), p.h / (box.h + 2 * pad));
    const tight = Math.min((p.w - 2 * edge) / box.w, (p.h - 2 * edge) / box.h);
    const scale = roomy >= readable ? roomy : Math.max(roomy, Math.min(readable, tight));
    return { cx: box.x + box.w / 2, cy: box.y + box.h / 2, scale: clamp(scale, whole, largest) };
  }

  function intended() {
    if (intent.kind === "fit") return fitView();
    if (intent.kind === "box") return boxView(intent.box, intent.pad);
    return { cx: view.cx, cy: view.cy, scale: view.scale };
  }

  function fit(animate) {
    intent = { kind: "fit" };
    flyTo(fitView(), animate);
  }

  function frameBox(box, pad, animate) {
    intent = { kind: "box", box: box, pad: pad };
    flyTo(boxView(box, pad), animate);
  }

  /* Zoom by a factor, keeping the user point under (clientX, clientY) where it is. */
  function zoomAt(factor, clientX, clientY) {
    stopFlight();
    const p = port();
    const limits = scaleLimits();
    const scale = clamp(view.scale * factor, limits.min, limits.max);
    const dx = clientX - (p.left + p.w / 2);
    const dy = clientY - (p.top + p.h / 2);
    const ux = view.cx + dx / view.scale;
    const uy = view.cy + dy / view.scale;
    intent = { kind: "manual" };
    apply({ cx: ux - dx / scale, cy: uy - dy / scale, scale: scale });
  }

  function zoomCentre(factor) {
    const p = port();
    zoomAt(factor, p.left + p.w / 2, p.top + p.h / 2);
  }

  /* Pan by screen pixels. */
  function panBy(dx, dy) {
    stopFlight();
    intent = { kind: "manual" };
    apply({ cx: view.cx + dx / view.scale, cy: view.cy + dy / view.scale, scale: view.scale });
  }

  /* The box, in user units, around the rendered elements with these ids (hidden ones,
   * which have no box, left out), or null. */
  function userBox(ids) {
    const toUser = svg.getScreenCTM().inverse();
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    ids.forEach(function (id) {
      const r = elements[id].getBoundingClientRect();
      if (!(r.width > 0 || r.height > 0)) return;
      const a = new DOMPoint(r.left, r.top).matrixTransform(toUser);
      const b = new DOMPoint(r.right, r.bottom).matrixTransform(toUser);
      x0 = Math.min(x0, a.x, b.x);
      y0 = Math.min(y0, a.y, b.y);
      x1 = Math.max(x1, a.x, b.x);
      y1 = Math.max(y1, a.y, b.y);
    });
    return x0 === Infinity ? null : { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  }

  /* Zoom to the current step: its arrows and their two end nodes, with a margin of
   * context; the whole map before the first step and when everything is shown. */
  function followStep(immediate) {
    if (!follow.checked) return;
    if (!state.step) {
      fit(!immediate);
      return;
    }
    const ids = [];
    currentArrows().forEach(function (a) {
      ids.push(a, data.arrows[a].source, data.arrows[a].target);
    });
    const box = userBox(ids);
    if (box === null) return; // filtered out: stay where we are
    frameBox(box, Math.max(0.05 * Math.max(box.w, box.h), 3 * labelUnits()), !immediate);
  }

  /* Bring a node or arrow that keyboard focus reached into view, at the same zoom. */
  function reveal(id) {
    const r = elements[id].getBoundingClientRect();
    const p = port();
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    if (x >= p.left && x <= p.left + p.w && y >= p.top && y <= p.top + p.h) return;
    panBy(x - (p.left + p.w / 2), y - (p.top + p.h / 2));
  }

  /* The typical (median) height of a node label, in user units. Measured when needed
   * rather than once: the browser may settle on its fonts after the first layout. */
  function labelUnits() {
    const heights = [];
    const toUser = svg.getScreenCTM().inverse();
    nodeIds.forEach(function (id) {
      elements[id].querySelectorAll("text").forEach(function (text) {
        const r = text.getBoundingClientRect();
        if (r.height > 0) heights.push(r.height * Math.abs(toUser.d));
      });
    });
    heights.sort(function (a, b) {
      return a - b;
    });
    return heights.length ? heights[Math.floor(heights.length / 2)] : 12;
  }

  // -- search ---------------------------------------------------------------------------

  // Case and accents do not matter: "sense" finds "Sense-making", "facil" finds "facilitator".
  function folded(text) {
    return String(text)
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase();
  }

  const searchable = {};
  nodeIds.forEach(function (id) {
    const node = data.nodes[id];
    searchable[id] = folded(node.label + "\n" + node.variable);
  });

  function markMatches() {
    const matched = new Set(state.matches);
    const current = state.match >= 0 ? state.matches[state.match] : null;
    nodeIds.forEach(function (id) {
      elements[id].classList.toggle("mm-match", matched.has(id));
      elements[id].classList.toggle("mm-match-current", id === current);
    });
  }

  function runSearch() {
    const query = folded(search.value.trim());
    state.match = -1;
    if (!query) {
      state.matches = [];
      searchStatus.textContent = "";
      markMatches();
      return;
    }
    const found = nodeIds.filter(function (id) {
      return searchable[id].indexOf(query) >= 0;
    });
    state.matches = found.filter(nodeVisible);
    // Reading order, left to right then top to bottom, so Enter walks across the map.
    const at = {};
    state.matches.forEach(function (id) {
      const r = elements[id].getBoundingClientRect();
      at[id] = [r.left, r.top];
    });
    state.matches.sort(function (a, b) {
      return at[a][0] - at[b][0] || at[a][1] - at[b][1];
    });
    const hidden = found.length - state.matches.length;
    const note = hidden ? " (" + hidden + " more hidden by the filters)" : "";
    const n = state.matches.length;
    searchStatus.textContent =
      (n === 0 ? "no node matches" : n === 1 ? "1 match" : n + " matches") +
      note +
      (n ? "; Enter zooms to " + (n === 1 ? "it" : "each") : "");
    markMatches();
  }

  function nextMatch(direction) {
    const n = state.matches.length;
    if (n === 0) return;
    state.match = state.match < 0 && direction < 0 ? n - 1 : (state.match + direction + n) % n;
    const id = state.matches[state.match];
    markCurrentMatch();
    const box = userBox([id]);
    if (box) frameBox(box, Math.max(box.w, box.h, 20 * labelUnits()) * 0.6, true);
  }

  function markCurrentMatch() {
    markMatches();
    const n = state.matches.length;
    searchStatus.textContent = state.match + 1 + " of " + n + ": " + nodeName(state.matches[state.match]);
  }

  function clearSearch() {
    if (!search.value && state.matches.length === 0) return false;
    search.value = "";
    runSearch();
    return true;
  }

  // -- presenter mode -----------------------------------------------------------------------

  function setPresenting(on) {
    if (on === state.presenting) return;
    state.presenting = on;
    document.body.classList.toggle("mm-presenting", on);
    buttons.present.setAttribute("aria-pressed", String(on));
    buttons.present.textContent = on ? "Exit" : "Present";
    buttons.present.title = on ? "Leave presenter mode (P or Escape)" : "Presenter mode (P)";
    // Presenting is teaching the steps: start before the first one rather than on the
    // whole map with every arrow at once.
    if (on && state.step === null && data.steps.length) state.step = 0;
    hideDetails();
    refresh();
    // The diagram's box has a new size: show the same step (or the whole map) in it now,
    // not after a glide from where the old box left it.
    if (follow.checked) followStep(true);
    else flyTo(intended(), false);
    if (on && (document.activeElement === buttons.present || document.activeElement === document.body)) {
      stage.focus({ preventScroll: true }); // so Space steps instead of pressing "Exit"
    }
    try {
      const url = location.pathname + location.search + (on ? "#present" : "");
      if (url !== location.pathname + location.search + location.hash) history.replaceState(null, "", url);
    } catch (error) {
      // Some browsers refuse history changes on file:// pages; the mode works without it.
    }
  }

  function toggleFullscreen() {
    try {
      const request = document.fullscreenElement
        ? document.exitFullscreen()
        : document.documentElement.requestFullscreen();
      if (request && request.catch) request.catch(function () {});
    } catch (error) {
      // No Fullscreen API (or refused): F11 does the same.
    }
  }

  // -- details (tooltip) -----------------------------------------------------------------

  function add(parent, tag, text, className) {
    const child = document.createElement(tag);
    if (text !== undefined) child.textContent = text;
    if (className) child.className = className;
    parent.appendChild(child);
    return child;
  }

  function field(parent, key, value) {
    if (value === null || value === undefined || value === "") return;
    const line = add(parent, "p");
    add(line, "span", key + ": ", "mm-key");
    line.appendChild(document.createTextNode(String(value)));
  }

  function waveLabel(waveId) {
    if (!waveId) return "none (the same at every wave)";
    const wave = data.waves.find(function (w) {
      return w.id === waveId;
    });
    return wave ? wave.label : waveId;
  }

  function nodeName(id) {
    const node = data.nodes[id];
    return node.variable.indexOf("@") >= 0 ? node.label + " @" + node.wave : node.label;
  }

  function describeNode(id) {
    const node = data.nodes[id];
    add(tooltip, "h2", node.label);
    field(tooltip, "Role", node.role.replace(/_/g, " "));
    field(tooltip, "Wave", waveLabel(node.wave));
    if (node.latent) field(tooltip, "Latent", "not measured");
    if (node.description) add(tooltip, "p", node.description);
    field(tooltip, "ERIC strategy", node.eric.join("; "));
    field(tooltip, "CFIR 2.0", node.cfir.join("; "));
    field(tooltip, "Variable", node.variable);
  }

  const SIGNS = { "+": "+ (more cause, more effect)", "-": "\u2212 (more cause, less effect)" };

  /* An expert panel's latest rating of the arrow (mechmap consensus), in one line. */
  function panelVerdict(c) {
    if (!c) return null;
    return c.verdict + " (round " + c.round + ": n = " + c.n + ", median " + c.median +
      ", IPR " + c.ipr.toFixed(2) + ", disagreement index " + c.disagreement_index.toFixed(2) + ")";
  }

  function describeArrow(id) {
    const arrow = data.arrows[id];
    add(tooltip, "h2", nodeName(arrow.source) + " \u2192 " + nodeName(arrow.target));
    if (arrow.edge === null) {
      add(tooltip, "p", "The same node carried on to the next wave.");
      return;
    }
    const edge = data.edges[arrow.edge];
    field(tooltip, "Arrow", edge.arrow === null ? null : "#" + edge.arrow);
    const measurement = "measurement (part of / indicator of), not a causal step";
    field(tooltip, "Kind", edge.kind === "measurement" ? measurement : null);
    field(tooltip, "Sign", edge.sign === null ? null : SIGNS[edge.sign] || "? (unknown)");
    field(tooltip, "Provenance", edge.provenance);
    field(tooltip, "Modifies", edge.modifies);
    field(tooltip, "Note", edge.note);
    field(tooltip, "Panel", panelVerdict(edge.consensus));
    field(tooltip, "As written", edge.written);
    if (edge.evidence.length === 0) {
      field(tooltip, "Evidence", "no vignette bears on this arrow");
      return;
    }
    add(tooltip, "p", "Evidence:", "mm-key");
    const list = add(tooltip, "ul");
    edge.evidence.forEach(function (said) {
      const item = add(list, "li");
      add(item, "span", said.stance, "mm-" + said.stance);
      item.appendChild(document.createTextNode(" \u2014 " + said.title));
      if (said.says) add(item, "p", said.says);
    });
  }

  function overlap(a, b) {
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    return w > 0 && h > 0 ? w * h : 0;
  }

  function rect(left, top, width, height) {
    return { left: left, top: top, right: left + width, bottom: top + height, width: width, height: height };
  }

  /* Put the details next to what they describe: right of the anchor box if there is room,
   * else left of it, below or above; always inside the window and never over the caption
   * band (the part of the window on the anchor's side of the band is all it may use). On
   * the stage they keep to the diagram, off the controls as well. */
  function placeTooltip(anchor) {
    const gap = 10;
    const margin = 4;
    const winW = document.documentElement.clientWidth;
    const winH = window.innerHeight;
    const b = band.getBoundingClientRect();
    let top = 0;
    let bottom = winH;
    if (state.presenting) {
      const p = port();
      top = Math.max(0, p.top);
      bottom = Math.min(winH, p.top + p.h, b.top);
    } else if (b.height > 0 && b.bottom > 0 && b.top < winH) {
      if (anchor.top + anchor.height / 2 < b.top) bottom = b.top;
      else top = b.bottom;
    }
    tooltip.style.left = "0px";
    tooltip.style.top = "0px";
    tooltip.style.maxHeight = Math.max(80, bottom - top - 2 * margin) + "px";
    const box = tooltip.getBoundingClientRect();
    const w = box.width;
    const h = box.height;
    const midX = anchor.left + anchor.width / 2 - w / 2;
    const midY = anchor.top + anchor.height / 2 - h / 2;
    const candidates = [
      [anchor.right + gap, midY],
      [anchor.left - gap - w, midY],
      [midX, anchor.bottom + gap],
      [midX, anchor.top - gap - h],
    ].map(function (xy) {
      return rect(
        clamp(xy[0], margin, Math.max(margin, winW - w - margin)),
        clamp(xy[1], top + margin, Math.max(top + margin, bottom - h - margin)),
        w,
        h
      );
    });
    // The first place that leaves the anchor uncovered; failing that (an anchor larger than
    // the window), the one that covers least of it.
    let best = null;
    for (const c of candidates) {
      if (best === null || overlap(c, anchor) < overlap(best, anchor)) best = c;
      if (overlap(c, anchor) === 0) break;
    }
    tooltip.style.left = best.left + "px";
    tooltip.style.top = best.top + "px";
  }

  /* The box to put the details beside: a node's shape (the part of it inside the diagram's
   * window), or for an arrow, which may cross the whole map, the point where the pointer
   * or the keyboard met it. */
  function anchorOf(id, point) {
    const p = port();
    if (id in data.arrows) {
      if (!point) {
        const path = elements[id].querySelector("path:not(.mm-hit)");
        if (path && path.getTotalLength) {
          const mid = path.getPointAtLength(path.getTotalLength() / 2);
          point = new DOMPoint(mid.x, mid.y).matrixTransform(path.getScreenCTM());
        }
      }
      if (point) return rect(point.x - 8, point.y - 8, 16, 16);
    }
    const r = elements[id].getBoundingClientRect();
    const left = Math.max(r.left, p.left);
    const top = Math.max(r.top, p.top);
    const right = Math.min(r.right, p.left + p.w);
    const bottom = Math.min(r.bottom, p.top + p.h);
    return right > left && bottom > top ? rect(left, top, right - left, bottom - top) : rect(r.left, r.top, r.width, r.height);
  }

  function showDetails(id, point) {
    tooltip.textContent = "";
    if (id in data.nodes) describeNode(id);
    else describeArrow(id);
    tooltip.hidden = false;
    placeTooltip(anchorOf(id, point));
  }

  function hideDetails() {
    tooltip.hidden = true;
  }

  // -- the view as data, to carry across a reload -------------------------------------------

  /* Nodes and filters are named by the map's own names (variables, roles, wave ids), not
   * the drawing's ids, which a new draft may number differently. */
  function saved() {
    return {
      view: { cx: view.cx, cy: view.cy, scale: view.scale },
      intent: intent,
      step: state.step,
      selected: state.selected === null ? null : data.nodes[state.selected].variable,
      hiddenRoles: Array.from(state.hiddenRoles),
      hiddenWaves: Array.from(state.hiddenWaves),
      follow: follow.checked,
      search: search.value,
      match: state.match,
    };
  }

  function isNumber(value) {
    return typeof value === "number" && isFinite(value);
  }

  /* What a newer draft no longer has is dropped: a step beyond the last becomes the last, a
   * highlighted node that is gone is no longer highlighted, a filter on a role or wave that
   * is gone is forgotten. Anything malformed is ignored. */
  function restore(old) {
    if (old === null || typeof old !== "object") return;
    const total = data.steps.length;
    if (old.step === null || total === 0) state.step = state.presenting && total ? 0 : null;
    else if (isNumber(old.step)) state.step = clamp(Math.round(old.step), 0, total);
    const selected = nodeIds.find(function (id) {
      return data.nodes[id].variable === old.selected;
    });
    state.selected = selected === undefined ? null : selected;
    restoreHidden(state.hiddenRoles, old.hiddenRoles, "#mm-roles input", "role");
    restoreHidden(state.hiddenWaves, old.hiddenWaves, "#mm-waves input", "wave");
    if (typeof old.follow === "boolean") follow.checked = old.follow;
    refresh();
    if (typeof old.search === "string" && old.search !== search.value) {
      search.value = old.search;
      runSearch();
      if (isNumber(old.match) && old.match >= 0 && old.match < state.matches.length) {
        state.match = old.match;
        markCurrentMatch();
      }
    }
    const kind = old.intent && old.intent.kind;
    const box = kind === "box" ? old.intent.box : null;
    if (kind === "fit" || !old.view || ![old.view.cx, old.view.cy, old.view.scale].every(isNumber)) {
      fit(false);
      return;
    }
    stopFlight();
    const ok = box && [box.x, box.y, box.w, box.h, old.intent.pad].every(isNumber);
    intent = ok ? { kind: "box", box: box, pad: old.intent.pad } : { kind: "manual" };
    // The centre stays on the drawing, which a new draft may have made smaller.
    const limits = scaleLimits();
    apply({
      cx: clamp(old.view.cx, base.x, base.x + base.w),
      cy: clamp(old.view.cy, base.y, base.y + base.h),
      scale: clamp(old.view.scale, limits.min, limits.max),
    });
  }

  function restoreHidden(hidden, names, inputs, key) {
    if (!Array.isArray(names)) return;
    hidden.clear(); // the same Set: the checkboxes' handlers hold it
    document.querySelectorAll(inputs).forEach(function (input) {
      const name = input.dataset[key];
      input.checked = names.indexOf(name) < 0;
      if (!input.checked) hidden.add(name);
    });
  }

  // -- wiring ---------------------------------------------------------------------------

  function idOf(target) {
    const group = target.closest && target.closest("g.node, g.edge");
    return group && (group.id in data.nodes || group.id in data.arrows) ? group.id : null;
  }

  function prepareElements() {
    // Graphviz's <title> children would show the generated ids as browser tooltips.
    svg.querySelectorAll("title").forEach(function (title) {
      title.remove();
    });
    // The diagram's box takes the map's proportions; the SVG fills it (see the CSS).
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    diagram.style.setProperty("--mm-aspect", String(base.w / base.h));
    svg.setAttribute("role", "group");
    svg.setAttribute("aria-label", data.title);
    nodeIds.forEach(function (id) {
      const node = data.nodes[id];
      const element = elements[id];
      element.setAttribute("tabindex", "0");
      element.setAttribute("role", "button");
      element.setAttribute("aria-label", nodeName(id) + " (" + node.role.replace(/_/g, " ") + ")");
      element.dataset.variable = node.variable;
      element.dataset.role = node.role;
    });
    arrowIds.forEach(function (id) {
      const arrow = data.arrows[id];
      const element = elements[id];
      element.setAttribute("tabindex", "0");
      element.setAttribute("role", "img");
      element.setAttribute(
        "aria-label",
        "Arrow " + nodeName(arrow.source) + " to " + nodeName(arrow.target)
      );
      element.dataset.source = data.nodes[arrow.source].variable;
      element.dataset.target = data.nodes[arrow.target].variable;
      const path = element.querySelector("path");
      if (path) {
        const hit = path.cloneNode(false);
        hit.setAttribute("class", "mm-hit");
        element.insertBefore(hit, element.firstChild);
      }
    });
  }

  function checkbox(container, text, checked, onChange) {
    const label = add(container, "label");
    const input = add(label, "input");
    input.type = "checkbox";
    input.checked = checked;
    label.appendChild(document.createTextNode(" " + text));
    input.addEventListener("change", function () {
      onChange(input.checked);
      refresh();
    });
    return input;
  }

  function toggler(set, key) {
    return function (checked) {
      if (checked) set.delete(key);
      else set.add(key);
    };
  }

  function buildFilters() {
    const roles = document.getElementById("mm-roles");
    data.roles.forEach(function (role) {
      const input = checkbox(roles, role.replace(/_/g, " "), true, toggler(state.hiddenRoles, role));
      input.dataset.role = role;
    });
    const waves = document.getElementById("mm-waves");
    const timeless = nodeIds.some(function (id) {
      return !data.nodes[id].wave;
    });
    const choices = data.waves.map(function (w) {
      return { id: w.id, label: w.label };
    });
    if (timeless) choices.unshift({ id: NO_WAVE, label: "No wave (timeless)" });
    if (choices.length <= 1) waves.hidden = true;
    choices.forEach(function (wave) {
      const input = checkbox(waves, wave.label, true, toggler(state.hiddenWaves, wave.id));
      input.dataset.wave = wave.id;
    });
    follow.addEventListener("change", function () {
      if (follow.checked) followStep(false);
    });
  }

  /* Dragging pans. A press becomes a drag only after the pointer moves a few pixels, so a
   * click on a node still selects it; the click that ends a drag is swallowed. */
  function wirePanning() {
    let drag = null;
    let swallowClick = false;
    svg.addEventListener("pointerdown", function (event) {
      swallowClick = false;
      if (event.button !== 0 || !event.isPrimary) return;
      drag = { pointer: event.pointerId, x: event.clientX, y: event.clientY, moved: false };
    });
    svg.addEventListener("pointermove", function (event) {
      if (drag === null || event.pointerId !== drag.pointer) return;
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      if (!drag.moved) {
        if (Math.abs(dx) + Math.abs(dy) < 5) return;
        drag.moved = true;
        svg.setPointerCapture(event.pointerId);
        diagram.classList.add("mm-dragging");
        hideDetails();
      }
      drag.x = event.clientX;
      drag.y = event.clientY;
      panBy(-dx, -dy);
    });
    function end(event) {
      if (drag === null || event.pointerId !== drag.pointer) return;
      swallowClick = drag.moved;
      drag = null;
      diagram.classList.remove("mm-dragging");
    }
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    diagram.addEventListener(
      "click",
      function (event) {
        if (swallowClick) {
          swallowClick = false;
          event.stopPropagation();
        }
      },
      true
    );
    svg.addEventListener(
      "wheel",
      function (event) {
        event.preventDefault(); // the wheel zooms the diagram instead of scrolling the page
        const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? 400 : 1;
        const factor = clamp(Math.exp(-event.deltaY * unit * 0.002), 0.5, 2);
        hideDetails();
        zoomAt(factor, event.clientX, event.clientY);
      },
      { passive: false }
    );
  }

  function wireSearch() {
    search.addEventListener("input", runSearch);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        nextMatch(event.shiftKey ? -1 : 1);
      } else if (event.key === "Escape") {
        event.preventDefault(); // handled here: the page's Escape must not also run
        if (!clearSearch()) search.blur();
      }
    });
  }

  const PAN = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  /* Escape undoes one thing at a time: the search, then the highlight, then presenter
   * mode. (The shortcuts dialog closes itself on Escape.) */
  function escape() {
    hideDetails();
    if (clearSearch() || clearSelection()) return;
    setPresenting(false);
  }

  function onKey(event) {
    if (event.defaultPrevented || keysDialog.open) return;
    // Alt/Ctrl/Meta + a key belong to the browser (history, its own zoom, text navigation).
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target.matches && target.matches("input:not([type=checkbox]), textarea, select")) return;
    const onControl = target.matches && target.matches("button, summary, input");
    const key = event.key;
    if (event.shiftKey && key in PAN) {
      const p = port();
      panBy(PAN[key][0] * p.w * 0.15, PAN[key][1] * p.h * 0.15);
    } else if (key === "ArrowRight" || key === "PageDown") next();
    else if (key === "ArrowLeft" || key === "PageUp") previous();
    else if (key === " " && state.presenting && !onControl) {
      if (event.shiftKey) previous();
      else next();
    } else if (key === "Home" && state.presenting && data.steps.length) goTo(0);
    else if (key === "End" && state.presenting && data.steps.length) goTo(data.steps.length);
    else if (key === "+" || key === "=") zoomCentre(1.25);
    else if (key === "-" || key === "_" || key === "\u2212") zoomCentre(0.8);
    else if (key === "0") fit(true);
    else if (key === "p" || key === "P") setPresenting(!state.presenting);
    else if (key === "f" || key === "F") toggleFullscreen();
    else if (key === "?") keysDialog.showModal();
    else if (key === "/") search.focus();
    else if (key === "Escape") escape();
    else return;
    event.preventDefault();
  }

  function wireEvents() {
    diagram.addEventListener("click", function (event) {
      const id = idOf(event.target);
      if (id !== null && id in data.nodes) select(id);
      else if (id === null) clearSelection(); // the background, a column or the legend
    });
    svg.addEventListener("keydown", function (event) {
      const id = idOf(event.target);
      if (id !== null && id in data.nodes && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        select(id);
      }
    });
    svg.addEventListener("mouseover", function (event) {
      const id = idOf(event.target);
      if (id !== null && !diagram.classList.contains("mm-dragging")) {
        showDetails(id, { x: event.clientX, y: event.clientY });
      }
    });
    svg.addEventListener("mouseout", function (event) {
      // Moving between the parts of one node or arrow is not leaving it.
      const id = idOf(event.target);
      if (id !== null && (!event.relatedTarget || idOf(event.relatedTarget) !== id)) {
        hideDetails();
      }
    });
    svg.addEventListener("focusin", function (event) {
      const id = idOf(event.target);
      if (id === null) return;
      reveal(id);
      showDetails(id, null);
    });
    svg.addEventListener("focusout", hideDetails);
    buttons.next.addEventListener("click", next);
    buttons.prev.addEventListener("click", previous);
    buttons.all.addEventListener("click", showAll);
    buttons.zoomIn.addEventListener("click", function () {
      zoomCentre(1.25);
    });
    buttons.zoomOut.addEventListener("click", function () {
      zoomCentre(0.8);
    });
    buttons.fit.addEventListener("click", function () {
      fit(true);
    });
    buttons.present.addEventListener("click", function () {
      setPresenting(!state.presenting);
    });
    buttons.keys.addEventListener("click", function () {
      keysDialog.showModal();
    });
    keysDialog.addEventListener("click", function (event) {
      if (event.target === keysDialog) keysDialog.close(); // a click on the backdrop
    });
    document.addEventListener("keydown", onKey);
    window.addEventListener("hashchange", function () {
      setPresenting(location.hash === "#present");
    });
    // A new size for the diagram's box (window resized, presenter mode, a scrollbar):
    // show what was shown, at the new size.
    let width = 0;
    let height = 0;
    new ResizeObserver(function () {
      const p = port();
      if (p.w === width && p.h === height) return;
      width = p.w;
      height = p.h;
      stopFlight();
      apply(intended());
      fitCaption();
    }).observe(diagram);
  }

  prepareElements();
  buildFilters();
  apply(fitView());
  wirePanning();
  wireSearch();
  wireEvents();
  refresh();
  if (location.hash === "#present") setPresenting(true);
  // Labels may be measured again once the browser has settled on its fonts.
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(function () {
      if (flight === null) apply(intended());
    });
  }
  return Object.freeze({ saved: saved, restore: restore });
})();
