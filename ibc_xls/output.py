"""Writing an output file safely: never over a file open in Excel or LibreOffice, and always
through a temporary file that replaces the target in one step, so an interrupted run leaves
the previous file intact and two runs at once cannot interleave their bytes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from ibc_xls.problems import IbcError, Problem, os_reason

# A temporary file is named after the process and the computer that write it, so that a
# later run can tell one left by a run that was killed (its process is gone) from one being
# written right now, also by another computer sharing the folder.
_HOST = hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]
_TEMPORARY = re.compile(r"\.~ibc-xls-(\d+)-([0-9a-f]{8})-[^.]*\.tmp\Z")


def lock_files(target: Path) -> list[Path]:
    """Lock files that Excel (``~$name``, long names lose two letters) or LibreOffice
    (``.~lock.name#``) keep beside a file they have open."""
    name = target.name
    candidates = [f"~${name}", f"~${name[2:]}", f".~lock.{name}#"]
    return [target.parent / c for c in candidates if (target.parent / c).exists()]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return False  # a file open in a live process cannot be removed there anyway
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: alive, but someone else's
        return True
    return True


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files that runs killed while writing left in ``folder`` (ours
    only: our name, this computer, a process that is gone); return them."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match and match[2] == _HOST and not _alive(int(match[1])):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def write_atomic(target: Path, write: Callable[[object], None], sweep: bool = True) -> None:
    """Call ``write(file)`` on a temporary file beside ``target``, then move it into place.
    ``sweep``: first remove stale temporaries from the folder (a caller that writes many
    files into one folder does that once, and passes False).

    Raises IbcError with ``output-locked`` when the target is open in a spreadsheet
    application, ``output-failed`` when it cannot be written."""
    locks = lock_files(target)
    if locks:
        raise IbcError(Problem("output-locked", file=str(target),
                               params={"lock": locks[0].name}))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if sweep:
            remove_stale_temporaries(target.parent)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp",
                                   prefix=f".~ibc-xls-{os.getpid()}-{_HOST}-")
    except OSError as exc:
        raise _failed(target, exc) from exc
    try:
        # mkstemp makes a private file; the output should get the user's usual permissions.
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except PermissionError as exc:
        if sys.platform == "win32" and not _read_only(target):
            # Windows refuses to replace a file that Excel holds open.
            raise IbcError(Problem("output-locked", file=str(target),
                                   params={"lock": target.name})) from exc
        raise _failed(target, exc) from exc
    except OSError as exc:
        raise _failed(target, exc) from exc
    finally:
        Path(tmp).unlink(missing_ok=True)


def _failed(target: Path, exc: OSError) -> IbcError:
    return IbcError(Problem("output-failed", file=str(target),
                            params={"reason": os_reason(exc, writing=True)}))


def _read_only(target: Path) -> bool:
    try:
        return not os.stat(target).st_mode & 0o200
    except OSError:
        return False
