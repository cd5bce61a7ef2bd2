"""Rewrite the command reference in README.md from the commands' own ``--help``.

Run ``python scripts/readme_cli.py``; ``tests/test_readme.py`` fails when README.md is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from ibc_xls.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- cli:start -->", "<!-- cli:end -->"


def reference() -> str:
    """Every command's help text, as README.md shows it."""
    runner = CliRunner()
    parts = []
    for args in ([], *([name] for name in sorted(cli.commands))):
        title = " ".join(["ibc-xls", *args])
        text = runner.invoke(cli, [*args, "--help"], prog_name="ibc-xls",
                             terminal_width=100).output
        parts.append(f"### `{title}`\n\n```text\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


def rewritten(readme: str) -> str:
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{reference()}{END}{tail}"


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    new = rewritten(text)
    if "--check" in sys.argv:
        sys.exit(0 if new == text else 1)
    README.write_text(new, encoding="utf-8")
