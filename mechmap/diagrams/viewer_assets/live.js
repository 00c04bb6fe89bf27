/* mechmap serve: the live preview's part of the page, run after the viewer's script (or
 * alone, on the page that lists a map's errors). `mmLive` is defined just before this
 * script: the version of the file the page shows and the server's token for pins.
 *
 * The page asks the server for the file's version a few times a second and reloads when it
 * changes. Dragging a box (a press that moves a few pixels) moves it; letting go posts how
 * far it moved, in drawing points, and the server writes the position into the file's
 * layout block, which makes a new version like any save. A press that does not move is a
 * click and the viewer highlights the box's paths as usual.
 *
 * A reload keeps the reader's place: just before it, the viewer's state (mmViewer.saved():
 * zoom, step, highlight, filters, Find) goes into sessionStorage under the map's path, and
 * the new page restores it. The page of errors has no viewer and leaves it alone, so the
 * view comes back once the map is valid again. A valid map's warnings show in a band above
 * the diagram; dismissing it hides those same warnings until they change. */
(function () {
  "use strict";

  const live = mmLive;
  const POLL_MS = 400;
  const status = document.createElement("p");
  status.id = "mm-live";
  status.className = "mm-live";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  status.textContent = "Live preview: redraws at every save of the file.";
  document.body.appendChild(status);

  function say(text, problem) {
    status.textContent = text;
    status.classList.toggle("mm-live-problem", Boolean(problem));
  }

  // sessionStorage may be refused (a privacy setting): the preview works without it.
  function remember(name, value) {
    try {
      sessionStorage.setItem(name + ":" + live.key, JSON.stringify(value));
    } catch (error) {
      // nothing kept: the next page starts afresh
    }
  }

  function recall(name) {
    try {
      return JSON.parse(sessionStorage.getItem(name + ":" + live.key));
    } catch (error) {
      return null;
    }
  }

  const viewer = typeof mmViewer === "undefined" ? null : mmViewer;

  function reload() {
    if (viewer !== null) remember("mechmap-view", viewer.saved());
    location.reload();
  }

  function showWarnings() {
    const lines = live.warnings;
    const dismissed = recall("mechmap-warnings-dismissed");
    if (lines.length === 0 || JSON.stringify(dismissed) === JSON.stringify(lines)) return;
    const band = document.createElement("section");
    band.id = "mm-live-warnings";
    band.className = "mm-live-warnings";
    band.setAttribute("aria-label", "Warnings");
    const head = document.createElement("p");
    const count = document.createElement("strong");
    count.textContent = lines.length + (lines.length === 1 ? " warning" : " warnings");
    head.appendChild(count);
    head.appendChild(document.createTextNode("from mechmap validate (the map is valid)"));
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.textContent = "Dismiss";
    dismiss.title = "Hide these warnings until they change";
    dismiss.addEventListener("click", function () {
      remember("mechmap-warnings-dismissed", lines);
      band.remove();
    });
    head.appendChild(dismiss);
    const list = document.createElement("ul");
    lines.forEach(function (line) {
      const item = document.createElement("li");
      item.textContent = line;
      list.appendChild(item);
    });
    band.appendChild(head);
    band.appendChild(list);
    const layout = document.querySelector(".mm-layout");
    document.body.insertBefore(band, layout);
  }
  showWarnings(); // first, so that the view is restored into the page's final layout
  if (viewer !== null) viewer.restore(recall("mechmap-view"));

  let stopped = false;
  function poll() {
    fetch("/version", { cache: "no-store" })
      .then(function (response) {
        return response.json();
      })
      .then(function (answer) {
        if (answer.version !== live.version) {
          reload();
          return;
        }
        if (stopped) say("Live preview: connected again.");
        stopped = false;
        setTimeout(poll, POLL_MS);
      })
      .catch(function () {
        stopped = true;
        say("The preview server is not answering: start mechmap serve again.", true);
        setTimeout(poll, POLL_MS * 5);
      });
  }
  setTimeout(poll, POLL_MS);

  const diagram = document.getElementById("mm-diagram");
  const source = document.getElementById("mm-data");
  if (diagram === null || source === null) return; // the page of errors has no diagram
  const data = JSON.parse(source.textContent);
  const tooltip = document.getElementById("mm-tooltip");
  let drag = null;
  let swallowClick = false;

  function boxOf(target) {
    const box = target.closest ? target.closest("g.node") : null;
    return box !== null && box.id in data.nodes ? box : null;
  }

  // Capturing on the diagram runs before the viewer's own handlers on the SVG, so a press
  // on a box never starts the viewer's panning.
  diagram.addEventListener(
    "pointerdown",
    function (event) {
      swallowClick = false;
      if (event.button !== 0 || !event.isPrimary) return;
      const box = boxOf(event.target);
      if (box === null) return;
      event.stopPropagation();
      // Screen pixels per drawing point, along each axis, at the current zoom.
      const scale = box.getScreenCTM();
      drag = {
        box: box,
        pointer: event.pointerId,
        x: event.clientX,
        y: event.clientY,
        sx: scale.a,
        sy: scale.d,
        dx: 0,
        dy: 0,
        moved: false,
      };
    },
    true
  );

  window.addEventListener("pointermove", function (event) {
    if (drag === null || event.pointerId !== drag.pointer) return;
    const across = event.clientX - drag.x;
    const down = event.clientY - drag.y;
    if (!drag.moved) {
      if (Math.abs(across) + Math.abs(down) < 5) return;
      drag.moved = true;
      diagram.classList.add("mm-dragging", "mm-pinning");
      if (tooltip !== null) tooltip.hidden = true;
    }
    drag.dx = across / drag.sx;
    drag.dy = down / drag.sy;
    drag.box.setAttribute("transform", "translate(" + drag.dx + " " + drag.dy + ")");
  });

  function drop(event) {
    if (drag === null || event.pointerId !== drag.pointer) return;
    const done = drag;
    drag = null;
    diagram.classList.remove("mm-dragging", "mm-pinning");
    if (!done.moved) return;
    swallowClick = true;
    const variable = data.nodes[done.box.id].variable;
    say("Pinning " + variable + "\u2026");
    fetch("/pin", {
      method: "POST",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "X-Mechmap-Token": live.token },
      body: JSON.stringify({
        version: live.version,
        variable: variable,
        dx: done.dx,
        dy: done.dy,
      }),
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (answer) {
        if (answer.error) throw new Error(answer.error);
        say("Pinned " + answer.key + " at [" + answer.pos.join(", ") + "]; redrawing\u2026");
      })
      .catch(function (problem) {
        done.box.removeAttribute("transform");
        say("Not pinned: " + problem.message, true);
      });
  }
  window.addEventListener("pointerup", drop);
  window.addEventListener("pointercancel", function (event) {
    if (drag !== null && event.pointerId === drag.pointer) {
      drag.box.removeAttribute("transform");
      drag = null;
      diagram.classList.remove("mm-dragging", "mm-pinning");
    }
  });

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
})();
