"""Run a real LibreOffice (``soffice --headless``) to convert workbooks, for round-trip tests.

Each call converts many files in one LibreOffice start, with a private, throw-away profile, so
that parallel runs and a LibreOffice the user has open never collide.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

# Targets for ``--convert-to``: extension, then the export filter's name.
XLSX = "xlsx:Calc MS Excel 2007 XML"
ODS = "ods"
XLS = "xls:MS Excel 97"

TIMEOUT = 300.0


class LibreOfficeError(RuntimeError):
    """A conversion did not run, ran too long or did not produce every expected file."""


def soffice_path() -> str | None:
    """The LibreOffice executable on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _kill(proc: subprocess.Popen) -> None:
    # soffice is a wrapper script that starts soffice.bin: end the whole process group
    # (the one this helper started, by its id), not just the wrapper.
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    else:
        proc.kill()
    proc.communicate()


def convert(files: Iterable[Path | str], target: str, outdir: Path | str,
            timeout: float = TIMEOUT) -> list[Path]:
    """Convert ``files`` to ``target`` (``XLSX``, ``ODS``, ``XLS`` or another ``--convert-to``
    argument) into ``outdir`` with ONE LibreOffice run; return the output paths in the order
    of ``files``. Raise LibreOfficeError if LibreOffice is missing, times out, or leaves any
    expected output missing or empty."""
    soffice = soffice_path()
    if soffice is None:
        raise LibreOfficeError("soffice not found on PATH: install LibreOffice")
    sources = [Path(f).resolve() for f in files]
    if not sources:
        return []
    extension = target.split(":", 1)[0]
    out = Path(outdir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    expected = [out / f"{source.stem}.{extension}" for source in sources]
    if len({p.name.casefold() for p in expected}) != len(expected):
        raise ValueError("two files would convert to the same output name")
    clashes = [str(p) for p in expected if p.exists()]
    if clashes:
        # A stale output would hide a failed conversion; the source may even be the output.
        raise ValueError(f"output already exists, use an empty folder: {clashes[:3]}")
    with tempfile.TemporaryDirectory(prefix="ibc-xls-lo-profile-") as profile:
        command = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                   "--nologo", "--nodefault", "--nolockcheck", "--norestore",
                   "--convert-to", target, "--outdir", str(out), *map(str, sources)]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, text=True, errors="replace",
                                start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise LibreOfficeError(
                f"soffice --convert-to {target} of {len(sources)} file(s) took more than "
                f"{timeout:g} s and was stopped") from None
    missing = [p.name for p in expected if not p.is_file() or p.stat().st_size == 0]
    if missing:
        raise LibreOfficeError(
            f"soffice --convert-to {target} (exit code {proc.returncode}) did not produce "
            f"{len(missing)} of {len(expected)} file(s): {missing[:5]}\n"
            f"stdout: {stdout[-2000:]}\nstderr: {stderr[-2000:]}")
    return expected


def _needs_libreoffice() -> list:
    # CI sets IBC_XLS_REQUIRE_SOFFICE=1: there a missing LibreOffice fails the tests instead
    # of skipping them.
    import pytest

    required = os.environ.get("IBC_XLS_REQUIRE_SOFFICE") == "1"
    return [pytest.mark.libreoffice,
            pytest.mark.skipif(soffice_path() is None and not required,
                               reason="soffice not found: LibreOffice round-trip tests need "
                                      "LibreOffice; CI installs it")]


needs_libreoffice = _needs_libreoffice()


def with_libreoffice(test):
    """``needs_libreoffice`` for a single test function."""
    for mark in needs_libreoffice:
        test = mark(test)
    return test


UNO_PYTHON = "/usr/bin/python3"  # Debian's Python, where python3-uno puts LibreOffice's uno


def uno_python() -> str | None:
    """A Python that can import LibreOffice's ``uno`` module (to drive Calc as a person
    would), or None."""
    for python in (UNO_PYTHON, shutil.which("python3")):
        if python and Path(python).is_file() and subprocess.run(
                [python, "-c", "import uno"], capture_output=True).returncode == 0:
            return python
    return None


def type_into(source: Path, target: Path, edits: list[tuple[str, str, str]],
              inspect: tuple[str, ...] = (), timeout: float = TIMEOUT) -> dict:
    """Open ``source`` in a real LibreOffice Calc, type each ``(sheet, cell, text)`` in, save
    as ``target`` (.xlsx); the print setup of the ``inspect`` sheets (see tests/uno_type.py)."""
    import json

    python = uno_python()
    if python is None or soffice_path() is None:
        raise LibreOfficeError("LibreOffice with python3-uno is needed to type into a workbook")
    job = {"source": str(source), "target": str(target), "edits": edits,
           "inspect": list(inspect)}
    done = subprocess.run([python, str(Path(__file__).with_name("uno_type.py"))],
                          input=json.dumps(job), capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0 or not target.is_file():
        raise LibreOfficeError(f"typing into {source.name} failed (exit code "
                               f"{done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def _needs_uno() -> list:
    import pytest

    required = os.environ.get("IBC_XLS_REQUIRE_SOFFICE") == "1"
    missing = soffice_path() is None or uno_python() is None
    return [pytest.mark.libreoffice,
            pytest.mark.skipif(missing and not required,
                               reason="LibreOffice and python3-uno are needed to type into a "
                                      "workbook as a person would; CI installs them")]


needs_uno = _needs_uno()
