"""Writing an output file safely: never over a file open in Excel or LibreOffice, and always
through a temporary file that replaces the target in one step, so an interrupted run leaves
the previous file intact and two runs at once cannot interleave their bytes."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ibc_xls.problems import IbcError, Problem


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


def write_atomic(target: Path, write: Callable[[object], None]) -> None:
    """Call ``write(file)`` on a temporary file beside ``target``, then move it into place.

    Raises IbcError with ``output-locked`` when the target is open in a spreadsheet
    application, ``output-failed`` when it cannot be written."""
    locks = lock_files(target)
    if locks:
        raise IbcError(Problem("output-locked", file=str(target),
                               params={"lock": locks[0].name}))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".~ibc-xls-", suffix=".tmp")
    except OSError as exc:
        raise IbcError(Problem("output-failed", file=str(target),
                               params={"reason": exc.strerror or str(exc)})) from exc
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
        # Windows refuses to replace a file that Excel holds open.
        raise IbcError(Problem("output-locked", file=str(target),
                               params={"lock": target.name})) from exc
    except OSError as exc:
        raise IbcError(Problem("output-failed", file=str(target),
                               params={"reason": exc.strerror or str(exc)})) from exc
    finally:
        Path(tmp).unlink(missing_ok=True)
