/* mechmap viewer: paths, details, step-through and filters over the inlined SVG.
 *
 * Plain ES2017, no dependencies. The embedded JSON names SVG elements by their ids
 * (nodes "n3", arrows "e7", wave columns "wave-0"). Text from the map is only ever
 * shown with textContent, so a label can never become markup.
 *
 * Step-through: arrows appear in the map's teaching order, each step revealing every
 * arrow its edge unrolls to. Carry arrows (a node passed on to its next wave) stay as
 * faint context, since they are no causal claim to teach; arrows that no step names stay
 * hidden until "Show all". Nodes are always shown, faint until an arrow reaches them.
 */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("mm-data").textContent);
  const diagram = document.getElementById("mm-diagram");
  const svg = diagram.querySelector("svg");
  const tooltip = document.getElementById("mm-tooltip");
  const caption = document.getElementById("mm-caption");
  const buttons = {
    prev: document.getElementById("mm-prev"),
    next: document.getElementById("mm-next"),
    all: document.getElementById("mm-all"),
  };
  const nodeIds = Object.keys(data.nodes);
  const arrowIds = Object.keys(data.arrows);
  const NO_WAVE = "";

  const state = {
    selected: null, // id of the clicked node, or null
    step: null, // null: everything shown; k: the first k steps revealed
    hiddenRoles: new Set(),
    hiddenWaves: new Set(),
  };

  // Ids are looked up inside the SVG so that they can never match the page's own ids.
  function svgElement(id) {
    return svg.querySelector("#" + CSS.escape(id));
  }

  const elements = {};
  nodeIds.concat(arrowIds).forEach(function (id) {
    elements[id] = svgElement(id);
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

  function nodeVisible(id) {
    const node = data.nodes[id];
    return !state.hiddenRoles.has(node.role) && !state.hiddenWaves.has(node.wave || NO_WAVE);
  }

  function refresh() {
    const stepping = state.step !== null;
    const revealed = revealedArrows();
    const current = new Set(stepping && state.step > 0 ? data.steps[state.step - 1].arrows : []);
    const lit = state.selected === null ? null : pathsThrough(state.selected);
    const reached = new Set();

    arrowIds.forEach(function (id) {
      const arrow = data.arrows[id];
      const carry = arrow.edge === null;
      const shown =
        nodeVisible(arrow.source) &&
        nodeVisible(arrow.target) &&
        (!stepping || revealed.has(id) || carry);
      if (shown && (!stepping || revealed.has(id))) {
        reached.add(arrow.source);
        reached.add(arrow.target);
      }
      const classes = elements[id].classList;
      classes.toggle("mm-hidden", !shown);
      classes.toggle("mm-faint", stepping && carry);
      classes.toggle("mm-current", current.has(id));
      classes.toggle("mm-dim", lit !== null && !lit.arrows.has(id));
    });
    nodeIds.forEach(function (id) {
      const classes = elements[id].classList;
      classes.toggle("mm-hidden", !nodeVisible(id));
      classes.toggle("mm-faint", stepping && !reached.has(id));
      classes.toggle("mm-dim", lit !== null && !lit.nodes.has(id));
      classes.toggle("mm-selected", id === state.selected);
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
      caption.textContent =
        "Step " + state.step + " of " + total + number + ": " + step.caption;
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
    }
  }

  function next() {
    if (data.steps.length === 0) return;
    if (state.step === null) state.step = 1;
    else state.step = Math.min(data.steps.length, state.step + 1);
    refresh();
  }

  function previous() {
    if (state.step !== null && state.step > 0) {
      state.step -= 1;
      refresh();
    }
  }

  function showAll() {
    state.step = null;
    refresh();
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
    field(tooltip, "Variable", node.variable);
  }

  const SIGNS = { "+": "+ (more cause, more effect)", "-": "\u2212 (more cause, less effect)" };

  function describeArrow(id) {
    const arrow = data.arrows[id];
    add(tooltip, "h2", nodeName(arrow.source) + " \u2192 " + nodeName(arrow.target));
    if (arrow.edge === null) {
      add(tooltip, "p", "The same node carried on to the next wave.");
      return;
    }
    const edge = data.edges[arrow.edge];
    field(tooltip, "Arrow", edge.arrow === null ? null : "#" + edge.arrow);
    field(tooltip, "Sign", edge.sign === null ? null : SIGNS[edge.sign] || "? (unknown)");
    field(tooltip, "Provenance", edge.provenance);
    field(tooltip, "Modifies", edge.modifies);
    field(tooltip, "Note", edge.note);
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

  function showDetails(id, x, y) {
    tooltip.textContent = "";
    if (id in data.nodes) describeNode(id);
    else describeArrow(id);
    tooltip.hidden = false;
    // Keep the panel inside the window, below and right of the point when there is room.
    const box = tooltip.getBoundingClientRect();
    const left = Math.max(4, Math.min(x + 12, window.innerWidth - box.width - 4));
    const below = y + 16;
    const top = below + box.height <= window.innerHeight ? below : Math.max(4, y - box.height - 8);
    tooltip.style.left = left + "px";
    tooltip.style.top = top + "px";
  }

  function hideDetails() {
    tooltip.hidden = true;
  }

  // -- wiring ---------------------------------------------------------------------------

  function idOf(target) {
    const group = target.closest("g.node, g.edge");
    return group && (group.id in data.nodes || group.id in data.arrows) ? group.id : null;
  }

  function prepareElements() {
    // Graphviz's <title> children would show the generated ids as browser tooltips.
    svg.querySelectorAll("title").forEach(function (title) {
      title.remove();
    });
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
    document.getElementById("mm-fit").addEventListener("change", function (event) {
      diagram.classList.toggle("mm-fit", event.target.checked);
    });
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
      if (id !== null) showDetails(id, event.clientX, event.clientY);
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
      const box = event.target.getBoundingClientRect();
      showDetails(id, box.left + box.width / 2, box.bottom);
    });
    svg.addEventListener("focusout", hideDetails);
    buttons.next.addEventListener("click", next);
    buttons.prev.addEventListener("click", previous);
    buttons.all.addEventListener("click", showAll);
    document.addEventListener("keydown", function (event) {
      // Alt/Ctrl/Meta + arrow belong to the browser (history, text navigation).
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === "ArrowRight") next();
      else if (event.key === "ArrowLeft") previous();
      else if (event.key === "Escape") {
        hideDetails();
        clearSelection();
      }
    });
  }

  prepareElements();
  buildFilters();
  wireEvents();
  refresh();
})();
