"""Running the CLI in a process that file permissions bind, also when the tests run as
root."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path


def _without_dac_override() -> None:
    # CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH out of the bounding set: the command, though
    # root, then meets permissions as their owner does (PR_CAPBSET_DROP).
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The CLI in a process of its own, which permissions bind: when the tests run as root,
    without root's power to read and write whatever the modes say."""
    return subprocess.run([sys.executable, "-m", "ibc_xls", *args], cwd=cwd, timeout=300,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"},
                          preexec_fn=_without_dac_override if os.geteuid() == 0 else None)
