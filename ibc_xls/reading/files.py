"""Finding returned workbooks on disk and loading one file's bytes, read-only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from ibc_xls.problems import IbcError, Problem, os_reason

_FILE_ATTRIBUTE_HIDDEN = 0x2  # Windows: Explorer's "hidden" attribute (Thumbs.db, desktop.ini)


def _skipped(name: str, st: os.stat_result | None = None) -> bool:
    """An Excel lock file (``~$…``), a LibreOffice lock file (``.~lock.…#``) or a hidden
    file or folder."""
    if name.startswith(("~$", ".")):
        return True
    return bool(st is not None and getattr(st, "st_file_attributes", 0) & _FILE_ATTRIBUTE_HIDDEN)


def find_workbooks(paths: Iterable[Path], exclude: Iterable[Path] = (),
                   unreadable: list[tuple[Path, OSError]] | None = None) -> list[Path]:
    """The files to read among ``paths``: each file as given, each folder searched recursively.

    Skipped silently: Excel lock files (``~$…``), LibreOffice lock files (``.~lock.…#``),
    hidden files and folders (a name starting with "." or, on Windows, the hidden attribute),
    anything that is not a regular file inside a folder (a pipe or a device would block
    the reader), and the files and folders in ``exclude`` met inside a folder. Nothing else is
    skipped: what a file is gets decided by its content, not by its extension. A given path
    that does not exist, and a file inside a folder that cannot be looked at, are kept, so that
    reading them reports them. A folder that cannot be listed is added to ``unreadable`` with
    its error; without that list, it raises IbcError ``folder-unreadable``. The result is
    sorted and has no duplicates.
    """
    excluded = {Path(p).resolve() for p in exclude}
    excluded_names = {p.name for p in excluded}
    errors: list[tuple[Path, OSError]] = [] if unreadable is None else unreadable

    def failed(exc: OSError) -> None:
        errors.append((Path(exc.filename) if exc.filename else path, exc))

    found: set[Path] = set()
    for path in paths:
        path = Path(path)
        try:
            st = path.stat()
        except OSError:
            found.add(path)
            continue
        if not stat.S_ISDIR(st.st_mode):
            if not _skipped(path.name, st):
                found.add(path)
            continue
        for root, dirs, files in os.walk(path, onerror=failed):
            base = Path(root)
            dirs[:] = [d for d in dirs if not _skipped(d, _stat(base / d))
                       and not (d in excluded_names and (base / d).resolve() in excluded)]
            for name in files:
                file = base / name
                try:
                    st = file.stat()
                except FileNotFoundError:  # removed meanwhile, or a link to nothing
                    continue
                except OSError:
                    found.add(file)
                    continue
                if stat.S_ISREG(st.st_mode) and not _skipped(name, st) \
                        and not (name in excluded_names and file.resolve() in excluded):
                    found.add(file)
    if errors and unreadable is None:
        raise folder_unreadable(*errors[0])
    return sorted(found)


def folder_unreadable(folder: Path, exc: OSError, name: str | None = None) -> IbcError:
    """``folder-unreadable`` for a folder that could not be listed."""
    return IbcError(Problem("folder-unreadable", params={
        "folder": name or str(folder), "reason": os_reason(exc)}))


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The whole content of ``path``, opened read-only; never changes the file.

    Raises IbcError with ``file-busy`` (no permission: on Windows, the file is open in Excel),
    ``file-empty``, ``file-too-large`` (more than ``max_bytes``) or ``file-unreadable``.
    """
    file = str(path)

    def unreadable(why: str, detail: str = "") -> IbcError:
        return IbcError(Problem("file-unreadable", file=file,
                                params={"why": why, "detail": detail}))

    # Non-blocking, so that a pipe in place of a file is refused instead of waited on.
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        with os.fdopen(os.open(path, flags), "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise unreadable("not-a-file")
            if st.st_size > max_bytes:
                raise IbcError(Problem("file-too-large", file=file, params={
                    "why": "file-size", "size": st.st_size / 2**20,
                    "limit": max_bytes / 2**20}))
            data = f.read(max_bytes + 1)
    except PermissionError as exc:
        raise IbcError(Problem("file-busy", file=file, params={"detail": str(exc)})) from exc
    except FileNotFoundError as exc:
        raise unreadable("not-found", str(exc)) from exc
    except IsADirectoryError as exc:
        raise unreadable("not-a-file", str(exc)) from exc
    except OSError as exc:
        raise IbcError(Problem("file-system-refused", file=file, params={
            "os_reason": os_reason(exc), "detail": str(exc)})) from exc
    if not data:
        raise IbcError(Problem("file-empty", file=file))
    if len(data) > max_bytes:  # the file grew while it was read
        raise IbcError(Problem("file-too-large", file=file, params={
            "why": "grew", "limit": max_bytes / 2**20}))
    return data
