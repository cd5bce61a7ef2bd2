"""README.md keeps its promises: the command reference is the commands' own help."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("readme_cli", REPO / "scripts" / "readme_cli.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_command_reference_is_current():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert _script().rewritten(readme) == readme, "run: make docs"


def test_quick_start_commands_match_ci():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/python -m pytest" in readme
    assert ci.rstrip().endswith(".venv/bin/python -m pytest")
    assert "ibc-xls collect workbooks --period 2026-04" in readme
    assert (REPO / "workbooks" / "ibc-xls.toml").is_file()
