"""``mechmap serve``: the live preview of a map in the browser (mechmap.drafting.preview)."""

from __future__ import annotations

import errno
import signal
from pathlib import Path
from typing import Annotated

import typer

from mechmap.cli.app import VignettesOption, app, environment_error, existing
from mechmap.terminal import printable

DEFAULT_PORT = 8765


@app.command()
def serve(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    port: Annotated[
        int,
        typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0 picks a free one)"),
    ] = DEFAULT_PORT,
    vignettes: VignettesOption = None,
) -> None:
    """Preview a map in the browser, redrawn at every save of the file.

    Serves on 127.0.0.1 only. Errors show in the page at their line:col until the file is
    fixed; dragging a box pins it there, written into the map's layout block (comments
    kept). Ctrl-C (or SIGTERM) stops.
    """
    from mechmap.drafting.preview import PreviewServer

    # `kill` (or a service manager) stops the preview as Ctrl-C does: port freed, "stopped".
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    path = existing(file)
    server = None
    try:
        try:
            server = PreviewServer(path, port, vignettes)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise environment_error(
                    f"port {port} on 127.0.0.1 is already in use; choose another with "
                    "--port (--port 0 picks a free one)"
                ) from None
            raise environment_error(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
        shown = server.preview.current
        typer.echo(f"serving {printable(str(file))} at {server.url} (Ctrl-C stops)")
        if shown.map is None:
            typer.echo(
                f"warning: {printable(str(file))} is not a valid map yet; the page lists "
                "its errors until it is fixed",
                err=True,
            )
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.server_close()
    typer.echo("stopped")
