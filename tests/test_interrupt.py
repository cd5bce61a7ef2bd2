"""Ctrl+C: at any moment, the command ends with «Прервано.» and exit code 130, prints no
traceback (neither its own nor a reader process's) and leaves no process behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fill import DIARY_ROW, fill

from ibc_xls.blanks.generate import generate

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="finds the command's processes in /proc (Linux)")


def processes() -> list[tuple[int, int, int, str]]:
    """(pid, parent pid, process group, state) of every process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        fields = stat[stat.rindex(")") + 2:].split()
        found.append((int(entry.name), int(fields[1]), int(fields[2]), fields[0]))
    return found


@pytest.fixture(scope="module")
def many_returns(tmp_path_factory):
    """A working folder with 400 returned workbooks: reading them takes seconds."""
    from conftest import TODAY

    from ibc_xls.settings.config import load_config
    from ibc_xls.settings.workspace import init_workspace

    root = tmp_path_factory.mktemp("interrupt") / "школа"
    init_workspace(root, today=TODAY)
    config = load_config(root)
    blank = next(o.path for o in generate(config) if o.respondent.id == "class_5А")
    returned = config.folders["returned"]
    first = fill(blank, returned / "5А.xlsx", {"Читательский дневник": [DIARY_ROW] * 30})
    for i in range(399):
        shutil.copyfile(first, returned / f"5А копия {i}.xlsx")
    return config


@pytest.mark.parametrize(("command", "delay"), [
    ("collect", 0.0), ("collect", 0.05), ("collect", 0.15), ("collect", 0.3), ("collect", 0.6),
    ("validate", 0.0), ("validate", 0.3)])
def test_ctrl_c_at_any_moment(many_returns, command, delay):
    for report in many_returns.folders["reports"].glob("*.xlsx"):
        report.unlink()  # left by a run that ended before Ctrl+C: that one would prove nothing
    args = [command, str(many_returns.root)] + (["--period", "2026-10"] if command == "collect"
                                                else [])
    process = subprocess.Popen([sys.executable, "-m", "ibc_xls", *args], text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "PYTHONIOENCODING": "utf-8"},
                               start_new_session=True)
    try:
        # Python has started and the command runs once it starts its first helper process;
        # the first moments after that are when the reader processes load.
        deadline = time.monotonic() + 60
        while not any(ppid == process.pid for _, ppid, _, _ in processes()):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.002)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGINT)  # as a terminal sends Ctrl+C: to the group
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert "Traceback" not in err, err
    assert err.endswith("Прервано.\n"), err
    assert process.returncode == 130, (out, err)
    assert not list(many_returns.folders["reports"].glob("*.xlsx"))
    deadline = time.monotonic() + 10
    while left := [p for p in processes() if p[2] == process.pid]:
        assert time.monotonic() < deadline, f"left behind: {left}"
        time.sleep(0.05)
