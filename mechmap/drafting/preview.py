"""The live preview behind ``mechmap serve``: the viewer redrawn at every save of the map.

A :class:`Preview` watches one map file (its modification time, size and inode, a few times
a second, so editors that save in place and editors that rename a new file over the old one
are both seen) and keeps the page for its latest content: the viewer
(:mod:`mechmap.diagrams.viewer`) with the live script added, or, while the file is not a
valid map, a page that lists what ``mechmap validate`` finds, at their lines and columns.
A valid map's warnings go into the page too, listed above the diagram.

>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "m.yaml"
>>> start = "mechmap: 1\\nid: m\\ntitle: M\\n"
>>> _ = path.write_text(start + "nodes: {a: {}, b: {}}\\nedges: [a -> b]\\n")
>>> preview = Preview(path)
>>> preview.refresh(), preview.current.version, preview.current.map is not None
(True, 1, True)
>>> _ = path.write_text(start + "nodes: {a: {}}\\nedges: [a -> c]\\n")
>>> preview.refresh(), preview.current.version, preview.current.map
(True, 2, None)
>>> print(preview.current.problems[0].message)
unknown node 'c'; declare it under 'nodes'

:class:`PreviewServer` serves it on 127.0.0.1 and nothing else: the page, its version (which
the page polls to know when to reload) and the pin that a dragged box posts
(:mod:`mechmap.drafting.pinning`). No file is served; a request whose ``Host`` is not this
server's own (DNS rebinding) is refused, and so is a pin posted from another origin or
without the page's token.
"""

from __future__ import annotations

import html
import json
import math
import secrets
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from mechmap.diagnostics import Diagnostic, Location, Severity, error
from mechmap.drafting.pinning import Pinned, PinRefused, pin
from mechmap.model import Map

POLL_SECONDS = 0.3
_MAX_BODY = 4096


@dataclass(frozen=True)
class Shown:
    """What the page shows: the file's content at ``version``, and its map if valid."""

    version: int
    raw: bytes
    page: bytes
    map: Map | None = None
    problems: tuple[Diagnostic, ...] = ()


class Preview:
    """The latest page for one map file, redrawn when the file changes."""

    def __init__(self, path: Path, vignettes: Path | None = None) -> None:
        self.path = path
        self.vignettes = vignettes
        self.token = secrets.token_urlsafe(24)  # the pin endpoint's proof of the page
        self.current = Shown(0, b"", b"")
        self._signature: tuple[int, int, int] | None = None
        self._lock = threading.RLock()

    def refresh(self) -> bool:
        """Redraw if the file changed since last seen; whether the page changed."""
        with self._lock:
            try:
                stat = self.path.stat()
                signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            except OSError:
                signature = None  # mid-rename, or deleted: read (and report) it below
            if signature == self._signature and self.current.version:
                return False
            self._signature = signature
            try:
                raw = self.path.read_bytes()
            except OSError as exc:
                if self.current.version and self.current.map is not None and signature is None:
                    return False  # an editor's rename in progress: wait for the new file
                problem = error(Location(str(self.path)), f"cannot read file: {exc.strerror}")
                raw, problems = b"", (problem,)
            else:
                if raw == self.current.raw and self.current.version:
                    return False  # touched, or written back unchanged
                problems = None
            self.current = self._drawn(raw, self.current.version + 1, problems)
            return True

    def _drawn(self, raw: bytes, version: int, problems: tuple[Diagnostic, ...] | None) -> Shown:
        from mechmap.diagrams.engines import RendererMissing
        from mechmap.diagrams.viewer import build_page
        from mechmap.mapfile.validation import check_map_file

        if problems is None:
            checked = check_map_file(raw, self.path, self.vignettes)
            if checked.valid:
                warnings = [str(d) for d in checked.problems if d.severity is Severity.WARNING]
                try:
                    live = self._live_script(version, warnings)
                    page = build_page(checked.map, checked.library, live)
                except (RendererMissing, ValueError) as exc:
                    problems = (error(Location(str(self.path)), f"cannot draw the map: {exc}"),)
                else:
                    return Shown(version, raw, page.encode("utf-8"), checked.map, checked.problems)
            else:
                problems = checked.problems
        page = self._problems_page(problems, version)
        return Shown(version, raw, page.encode("utf-8"), None, problems)

    def _live_script(self, version: int, warnings: list[str] | None = None) -> str:
        """The live script with its settings: the version shown, the pin token, the key
        under which the page keeps the reader's view across reloads (the map's path), and
        the valid map's warnings, as ``validate`` prints them."""
        from mechmap.diagrams.viewer import asset, script_json

        settings = script_json(
            {
                "version": version,
                "token": self.token,
                "key": str(self.path.resolve()),
                "warnings": warnings or [],
            }
        )
        return f"const mmLive = {settings};\n{asset('live.js')}"

    def _problems_page(self, problems: tuple[Diagnostic, ...], version: int) -> str:
        from mechmap.diagrams.viewer import asset, script_hash

        errors = sum(d.severity is Severity.ERROR for d in problems)
        script = self._live_script(version)
        items = "\n".join(
            f'<li class="mm-{d.severity}">{html.escape(str(d))}</li>' for d in problems
        )
        return asset("problems.html").format(
            csp=f"default-src 'none'; script-src {script_hash(script)}; "
            "style-src 'unsafe-inline'; connect-src 'self'",
            title=html.escape(f"{self.path.name} is not a valid map"),
            css=asset("viewer.css"),
            lead=html.escape(
                f"mechmap validate finds {errors} error{'s' if errors != 1 else ''}. "
                "Fix the file and save it: the diagram comes back by itself."
            ),
            problems=items,
            script=script,
        )

    def pin(self, version: int, variable: str, moved: tuple[float, float]) -> Pinned:
        """Pin ``variable``'s box ``moved`` points (x right, y down) from where the page
        at ``version`` drew it, by writing its ``pos`` into the file."""
        with self._lock:
            shown = self.current
            if shown.map is None or version != shown.version:
                raise PinRefused("the page is out of date; it reloads by itself, then drag again")
            pinned = pin(self.path, shown.raw, shown.map, variable, moved, self.vignettes)
            self.refresh()
            return pinned


class PreviewServer(ThreadingHTTPServer):
    """The preview served on 127.0.0.1:``port`` (0: a free port), watching the file."""

    daemon_threads = True

    def __init__(self, path: Path, port: int, vignettes: Path | None = None) -> None:
        self.preview = Preview(path, vignettes)
        self.preview.refresh()
        self._stop = threading.Event()
        super().__init__(("127.0.0.1", port), _Handler)
        self.port = self.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.origins = {f"http://127.0.0.1:{self.port}", f"http://localhost:{self.port}"}
        self._watcher = threading.Thread(target=self._watch, name="mechmap-watch", daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self.preview.refresh()

    def run(self) -> None:
        """Serve until interrupted (Ctrl-C raises KeyboardInterrupt here)."""
        self._watcher.start()
        self.serve_forever(poll_interval=0.2)

    def server_close(self) -> None:
        self._stop.set()
        super().server_close()

    def handle_error(self, request, client_address) -> None:
        """A browser that closes a connection early is no error worth a traceback."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "mechmap-serve"

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged: the terminal shows the URL and the stop message only."""

    def do_GET(self) -> None:
        if not self._host_is_ours():
            return
        route = urlsplit(self.path).path
        shown = self.server.preview.current
        if route == "/":
            self._send(200, "text/html; charset=utf-8", shown.page)
        elif route == "/version":
            self._json(200, {"version": shown.version, "valid": shown.map is not None})
        else:
            self._send(404, "text/plain; charset=utf-8", b"not found\n")

    def do_POST(self) -> None:
        if not self._host_is_ours():
            return
        if urlsplit(self.path).path != "/pin":
            self._send(404, "text/plain; charset=utf-8", b"not found\n")
            return
        origin_ok = self.headers.get("Origin") in self.server.origins
        site_ok = self.headers.get("Sec-Fetch-Site", "same-origin") == "same-origin"
        token_ok = secrets.compare_digest(
            self.headers.get("X-Mechmap-Token", ""), self.server.preview.token
        )
        if not (origin_ok and site_ok and token_ok):
            self._json(403, {"error": "pins are taken from this preview's own page only"})
            return
        if self.headers.get_content_type() != "application/json":
            self._json(415, {"error": "send the pin as application/json"})
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            length = -1
        if not 0 <= length <= _MAX_BODY:
            self._json(413, {"error": "a pin is a small JSON object"})
            return
        try:
            body = json.loads(self.rfile.read(length))
            version, variable = body["version"], body["variable"]
            moved = (float(body["dx"]), float(body["dy"]))
            finite = all(map(math.isfinite, moved))
            if not isinstance(version, int) or not isinstance(variable, str) or not finite:
                raise TypeError
        except (ValueError, TypeError, KeyError):
            self._json(400, {"error": "a pin is {version, variable, dx, dy}"})
            return
        try:
            pinned = self.server.preview.pin(version, variable, moved)
        except PinRefused as exc:
            self._json(409, {"error": str(exc)})
        except OSError as exc:
            self._json(500, {"error": f"cannot write {self.server.preview.path}: {exc.strerror}"})
        else:
            self._json(200, {"key": pinned.key, "pos": list(pinned.pos)})

    def _host_is_ours(self) -> bool:
        """Only this server's own name: a page on another site whose name was pointed at
        127.0.0.1 (DNS rebinding) sends its own name and is refused."""
        host = self.headers.get("Host", "")
        if host in {f"127.0.0.1:{self.server.port}", f"localhost:{self.server.port}"}:
            return True
        self._send(403, "text/plain; charset=utf-8", b"refused: not this preview's address\n")
        return False

    def _json(self, status: int, data: object) -> None:
        self._send(status, "application/json", json.dumps(data).encode("utf-8"))

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        self.wfile.write(body)
