"""``mechmap serve``: the real command as a subprocess on a copy of a shipped map, its page in
Debian's Chromium. Saves redraw the page, errors show at their line:col, a dragged box is
pinned into the file (every other line kept) and drawn where it was dropped, nothing but the
preview's own endpoints is served, and Ctrl-C stops it cleanly. A save keeps the reader's
zoom, step, highlight and Find, and a valid map's warnings show above the diagram."""

from __future__ import annotations

import http.client
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_mechmap
from tests.test_viewer import CHROMIUM, CHROMIUM_ARGS, WORKING_ALLIANCE

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

WAIT_MS = 20_000  # generous: a save is redrawn within a second or two


@dataclass
class Served:
    process: subprocess.Popen
    url: str
    port: int
    path: Path
    original: str


def _start(folder: Path, *args: str) -> tuple[subprocess.Popen, str]:
    """``mechmap serve`` on the map ``folder/maps/wa.yaml``; the process and the first line
    it prints (within a generous wait)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mechmap", "serve", "maps/wa.yaml", *args],
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        return process, lines.get(timeout=60)
    except queue.Empty:
        process.kill()
        pytest.fail(f"mechmap serve printed nothing: {process.stderr.read()}")


def _mechmap(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command run in ``folder`` (a copy of a map and its vignettes), this checkout's."""
    return run_mechmap(*args, cwd=folder, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _map_folder(tmp: Path) -> Path:
    (tmp / "maps").mkdir()
    shutil.copy(WORKING_ALLIANCE, tmp / "maps" / "wa.yaml")
    shutil.copytree(ROOT / "vignettes", tmp / "vignettes")
    return tmp


def _stop(process: subprocess.Popen, how: int = signal.SIGINT) -> tuple[int, str, str]:
    process.send_signal(how)
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    folder = _map_folder(tmp_path_factory.mktemp("serve"))
    process, first = _start(folder, "--port", "0")
    url = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
    assert url, first
    path = folder / "maps" / "wa.yaml"
    yield Served(process, url.group(), int(url.group(1)), path, path.read_text(encoding="utf-8"))
    _stop(process)


@pytest.fixture(scope="module")
def page(served) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing; bash scripts/test.sh installs it")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        asked: list[str] = []
        errors: list[str] = []
        context.on("request", lambda request: asked.append(request.url))
        opened = context.new_page()
        opened.on("pageerror", lambda exc: errors.append(str(exc)))
        opened.goto(served.url)
        yield opened
        assert errors == [], "the page's script failed"
        assert all(u.startswith(served.url) for u in asked), "the page asked beyond the preview"
        browser.close()


@pytest.fixture
def restored(served) -> Iterator[Served]:
    yield served
    served.path.write_text(served.original, encoding="utf-8")


def _box(page, variable: str):
    return page.locator(f"#mm-diagram g.node[data-variable='{variable}']")


def test_each_save_redraws_and_errors_show_at_their_line(page, restored: Served) -> None:
    diagram = page.locator("#mm-diagram")
    expect(_box(page, "goal")).to_contain_text("Goal: agreed")
    text = restored.original
    # An editor that writes the file in place.
    restored.path.write_text(text.replace("Goal: agreed", "Goal: shared"), encoding="utf-8")
    expect(_box(page, "goal")).to_contain_text("Goal: shared", timeout=WAIT_MS)
    # An editor that writes a new file and renames it over the old one.
    fresh = restored.path.with_name(".wa.yaml.swp")
    fresh.write_text(text.replace("Goal: agreed", "Goal: renamed"), encoding="utf-8")
    os.replace(fresh, restored.path)
    expect(_box(page, "goal")).to_contain_text("Goal: renamed", timeout=WAIT_MS)
    # A broken file: the page lists what validate prints, at the same line:col.
    restored.path.write_text(
        text.replace("path: wai -> fidelity\n", "path: wai -> fidelty\n"), "utf-8"
    )
    problems = page.locator(".mm-problems li.mm-error")
    expect(problems.first).to_be_visible(timeout=WAIT_MS)
    said = _mechmap(restored.path.parent.parent, "validate", "maps/wa.yaml")
    errors = [
        line for line in said.stdout.splitlines() + said.stderr.splitlines() if ": error:" in line
    ]
    assert errors and re.match(r"maps/wa\.yaml:\d+:\d+: error: .*fidelty", errors[0])
    expect(problems).to_have_text(errors)
    # Fixed again: the diagram is back.
    restored.path.write_text(text, encoding="utf-8")
    expect(_box(page, "goal")).to_contain_text("Goal: agreed", timeout=WAIT_MS)
    expect(diagram).to_be_visible()


def _centre(page, variable: str) -> tuple[float, float, float]:
    """The box's centre on screen (CSS pixels) and the screen pixels per drawing point."""
    return page.evaluate(
        """variable => {
            const box = document.querySelector(`#mm-diagram g.node[data-variable="${variable}"]`);
            const r = box.getBoundingClientRect();
            return [r.x + r.width / 2, r.y + r.height / 2, box.getScreenCTM().a];
        }""",
        variable,
    )


def test_a_dragged_box_is_pinned_into_the_file_and_drawn_where_dropped(
    page, restored: Served
) -> None:
    expect(_box(page, "goal")).to_contain_text("Goal: agreed", timeout=WAIT_MS)
    x, y, scale = _centre(page, "fidelity")
    page.evaluate("window.beforeThePin = true")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 20, y + 10, steps=3)
    page.mouse.move(x + 45, y + 30, steps=3)
    page.mouse.up()
    page.wait_for_function("() => window.beforeThePin === undefined", timeout=WAIT_MS)  # reloaded
    expect(_box(page, "fidelity")).to_be_visible()
    written = restored.path.read_text(encoding="utf-8")
    # Every line of the file is still there, comments included; one block is added.
    assert written.startswith(restored.original)
    added = written[len(restored.original) :]
    assert re.fullmatch(r"layout:\n  fidelity: \{pos: \[[\d.]+, [\d.]+\]\}\n", added), added
    assert _mechmap(restored.path.parent, "validate", "wa.yaml").returncode == 0
    nx, ny, _ = _centre(page, "fidelity")
    assert abs(nx - (x + 45)) / scale < 2 and abs(ny - (y + 30)) / scale < 2


def _view(page) -> dict:
    """What the reader sees: the zoom (the SVG's viewBox), the step, the highlight, Find."""
    return page.evaluate(
        """() => ({
            viewBox: document.querySelector("#mm-diagram svg").getAttribute("viewBox"),
            caption: document.getElementById("mm-caption").textContent.split(":")[0],
            selected: Array.from(document.querySelectorAll("#mm-diagram g.mm-selected"),
                                 g => g.dataset.variable),
            find: document.getElementById("mm-search").value,
            status: document.getElementById("mm-search-status").textContent,
        })"""
    )


def test_a_save_keeps_the_zoom_step_highlight_and_find(page, restored: Served) -> None:
    expect(_box(page, "goal")).to_contain_text("Goal: agreed", timeout=WAIT_MS)
    diagram = page.locator("#mm-diagram")
    for _ in range(3):
        page.click("#mm-next")
    expect(page.locator("#mm-caption")).to_contain_text("Step 3 of")
    _box(page, "bond").focus()
    page.keyboard.press("Enter")
    page.fill("#mm-search", "alliance")
    page.press("#mm-search", "Enter")
    expect(diagram).not_to_have_attribute("data-moving", "true")
    page.click("#mm-zoom-in")
    page.click("#mm-zoom-in")
    before = _view(page)
    assert before["caption"].startswith("Step 3 of") and before["selected"] == ["bond"]
    # The label keeps its length, so the drawing keeps its size and the view is comparable.
    restored.path.write_text(
        restored.original.replace("Goal: agreed", "Goal: shared"), encoding="utf-8"
    )
    expect(_box(page, "goal")).to_contain_text("Goal: shared", timeout=WAIT_MS)
    assert _view(page) == before
    # A view saved on an older draft: a step past the last is the last, a highlighted node
    # that is gone is no longer highlighted.
    page.evaluate(
        "mmViewer.restore({...mmViewer.saved(), step: 999, selected: 'gone', search: ''})"
    )
    total = page.evaluate("JSON.parse(document.getElementById('mm-data').textContent).steps.length")
    after = _view(page)
    assert after["caption"] == f"Step {total} of {total}" and after["selected"] == []
    page.click("#mm-all")
    page.click("#mm-zoom-fit")


def test_a_valid_maps_warnings_show_in_a_band_until_dismissed(page, restored: Served) -> None:
    said = _mechmap(restored.path.parent.parent, "validate", "maps/wa.yaml")
    warnings = [line for line in said.stdout.splitlines() if ": warning:" in line]
    assert said.returncode == 0 and len(warnings) == 2
    band = page.locator("#mm-live-warnings")
    expect(band.locator("strong")).to_have_text("2 warnings")
    expect(band.locator("li")).to_have_text(warnings)
    # Above the diagram, never over it.
    band_box, diagram_box = band.bounding_box(), page.locator("#mm-diagram").bounding_box()
    assert band_box["y"] + band_box["height"] <= diagram_box["y"]
    band.get_by_role("button", name="Dismiss").click()
    expect(band).to_have_count(0)
    # Dismissed warnings stay hidden across saves while they are the same ones.
    restored.path.write_text(
        restored.original.replace("Goal: agreed", "Goal: shared"), encoding="utf-8"
    )
    expect(_box(page, "goal")).to_contain_text("Goal: shared", timeout=WAIT_MS)
    expect(band).to_have_count(0)
    # Other warnings (a new draft's) show again: here the time-varying confounding of a
    # strategy given at each wave.
    kilbourne = (ROOT / "maps" / "kilbourne-2023-facilitation.yaml").read_text(encoding="utf-8")
    restored.path.write_text(kilbourne, encoding="utf-8")
    said = _mechmap(restored.path.parent.parent, "validate", "maps/wa.yaml")
    warnings = [line for line in said.stdout.splitlines() if ": warning:" in line]
    assert warnings and all("time-varying confounding" in line for line in warnings)
    expect(band.locator("li")).to_have_text(warnings, timeout=WAIT_MS)


def _request(served: Served, method: str, target: str, **headers: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    headers.setdefault("Host", f"127.0.0.1:{served.port}")
    body = headers.pop("body", "").encode()
    connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
    for name, value in {**headers, "Content-Length": str(len(body))}.items():
        connection.putheader(name, value)
    connection.endheaders(body)
    answer = connection.getresponse()
    status, text = answer.status, answer.read().decode()
    connection.close()
    return status, text


def test_only_the_preview_itself_is_served(served: Served) -> None:
    for target in ("/etc/passwd", "/../../etc/passwd", "/maps/wa.yaml", "/wa.yaml", "//etc"):
        assert _request(served, "GET", target)[0] == 404, target
    assert _request(served, "GET", "/")[0] == 200
    assert _request(served, "GET", "/", Host=f"localhost:{served.port}")[0] == 200
    status, text = _request(served, "GET", "/", Host=f"rebound.example:{served.port}")
    assert status == 403 and "refused" in text
    assert _request(served, "GET", "/version", Host="127.0.0.1")[0] == 403
    token = re.search(r'"token": "([^"]+)"', _request(served, "GET", "/")[1]).group(1)
    pin = '{"version": 1, "variable": "wai", "dx": 5, "dy": 5}'
    for origin in ("http://evil.example", "null"):
        status, _ = _request(
            served,
            "POST",
            "/pin",
            Origin=origin,
            body=pin,
            **{"Content-Type": "application/json", "X-Mechmap-Token": token},
        )
        assert status == 403
    same_origin_without_token = _request(
        served,
        "POST",
        "/pin",
        Origin=served.url.rstrip("/"),
        body=pin,
        **{"Content-Type": "application/json"},
    )
    assert same_origin_without_token[0] == 403
    assert served.path.read_text(encoding="utf-8") == served.original


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "kill"])
def test_ctrl_c_or_kill_stops_cleanly_and_frees_the_port(tmp_path: Path, how: int) -> None:
    process, first = _start(_map_folder(tmp_path), "--port", "0")
    port = int(re.search(r":(\d+)/", first).group(1))
    status, out, err = _stop(process, how)
    assert status == 0 and out.strip().splitlines() == ["stopped"], (out, err)
    assert "Traceback" not in err and err == ""
    with socket.socket() as again:  # the port is free once it has stopped
        again.bind(("127.0.0.1", port))


def test_a_port_in_use_is_one_line_naming_the_option(tmp_path: Path) -> None:
    folder = _map_folder(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _mechmap(folder, "serve", "maps/wa.yaml", "--port", str(port))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"mechmap: port {port} on 127.0.0.1 is already in use; choose another with --port "
        "(--port 0 picks a free one)"
    ]


def test_an_invalid_map_at_start_is_served_as_its_errors(tmp_path: Path) -> None:
    folder = _map_folder(tmp_path)
    path = folder / "maps" / "wa.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("role: mechanism", "role: mechansm", 1)
    )
    process, first = _start(folder, "--port", "0")
    try:
        url = re.search(r"http://[^ ]+/", first).group()
        port = int(url.rsplit(":", 1)[1].strip("/"))
        served = Served(process, url, port, path, "")
        status, text = _request(served, "GET", "/")
        assert status == 200 and "mechansm" in text and 'class="mm-error"' in text
        assert re.search(r"maps/wa\.yaml:\d+:\d+: error:", text)
    finally:
        status, _, err = _stop(process)
    assert status == 0 and "not a valid map yet" in err
