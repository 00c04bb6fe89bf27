"""Writing output files so that a failure never leaves a half-written one behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, content: bytes | str, overwrite: bool = True) -> None:
    """Write ``content`` to a temporary file beside ``path``, then put it in place.

    With ``overwrite`` the file replaces any existing one (``os.replace``); without, it is
    hard-linked into place, which raises :class:`FileExistsError` if ``path`` exists, so an
    existing file is never clobbered even by a concurrent writer. The file gets the usual
    permissions (0666 less the umask), not the owner-only mode of temporary files.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    folder = path.parent if str(path.parent) else Path(".")
    with tempfile.NamedTemporaryFile(
        dir=folder, delete=False, prefix=f".{path.name}.", suffix=".tmp"
    ) as handle:
        handle.write(data)
    try:
        os.chmod(handle.name, 0o666 & ~_umask())
        (os.replace if overwrite else os.link)(handle.name, path)
    finally:
        if os.path.exists(handle.name):
            os.unlink(handle.name)


def _umask() -> int:
    mask = os.umask(0)  # the only portable way to read it is to set it
    os.umask(mask)
    return mask
