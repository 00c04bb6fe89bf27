"""Writing output files so that a failure never leaves a half-written one behind.

Each file is first written to a hidden temporary file beside it (``.NAME.XXXX.tmp``, in the
same folder so that putting it in place is a rename, never a copy), and only a complete file
is put in place. Whatever goes wrong -- a full disk, a file-size limit, a file that appeared
meanwhile, Ctrl-C -- the temporary files are removed and the exception propagates, so the
caller reports it and the folder holds exactly what it held before.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> write_all_atomically({folder / "a.txt": "one", folder / "b.txt": b"two"})
>>> sorted(p.name for p in folder.iterdir())
['a.txt', 'b.txt']
>>> write_atomically(folder / "a.txt", "again", overwrite=False)  # doctest: +ELLIPSIS
Traceback (most recent call last):
FileExistsError: [Errno 17] File exists: ...
>>> sorted(p.name for p in folder.iterdir()), (folder / "a.txt").read_text()
(['a.txt', 'b.txt'], 'one')
>>> import shutil; shutil.rmtree(folder)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path


def write_atomically(path: Path, content: bytes | str, overwrite: bool = True) -> None:
    """Write ``content`` to a temporary file beside ``path``, then put it in place.

    With ``overwrite`` the file replaces any existing one (``os.replace``); without, it is
    hard-linked into place (or, where there are no hard links, renamed onto a name claimed
    with ``O_EXCL``), which raises :class:`FileExistsError` if ``path`` exists, so an existing
    file is never clobbered even by a concurrent writer. The file gets the usual
    permissions (0666 less the umask), not the owner-only mode of temporary files.
    """
    write_all_atomically({path: content}, overwrite)


def write_all_atomically(files: Mapping[Path, bytes | str], overwrite: bool = True) -> None:
    """Write several files, all or none of them (as :func:`write_atomically` writes one).

    Every file is written in full to its temporary file before the first is put in place, so
    running out of space on the last file leaves none of them written. Without ``overwrite``
    a file that exists stops the whole write and the files already put in place (new ones,
    since none existed) are removed again. With ``overwrite`` only a rename can fail after
    the first file is in place, which on one file system practically never happens.
    """
    staged: list[tuple[str, Path]] = []
    placed: list[Path] = []
    try:
        for path, content in files.items():
            _stage(path, content, staged)
        for temporary, path in staged:
            (os.replace if overwrite else _place_new)(temporary, path)
            placed.append(path)
    except BaseException:
        if not overwrite:  # the files linked so far did not exist before this call
            for path in placed:
                path.unlink(missing_ok=True)
        raise
    finally:
        for temporary, _ in staged:
            if os.path.lexists(temporary):
                os.unlink(temporary)


def _place_new(temporary: str, path: Path) -> None:
    """Put ``temporary`` in place as ``path``, which must not exist (else FileExistsError)."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError:  # no hard links here (FAT, some network shares): claim the name, then
        # rename onto the claim; the claim fails if the file exists, as the link would.
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        try:
            os.replace(temporary, path)
        except BaseException:
            os.unlink(path)
            raise


def _stage(path: Path, content: bytes | str, staged: list[tuple[str, Path]]) -> None:
    """Write ``content`` to a new temporary file beside ``path``, listed in ``staged`` before
    the first byte is written so that a failed write is cleaned up too."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    folder = path.parent if str(path.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    staged.append((temporary, path))
    with open(descriptor, "wb") as handle:
        handle.write(data)
    os.chmod(temporary, 0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)  # the only portable way to read it is to set it
    os.umask(mask)
    return mask
