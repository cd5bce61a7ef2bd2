"""Rewrite the generated parts of README.md: the command reference from the commands' own
``--help``, and the table of problem codes from the catalogue in ``ibc_xls/problems.py``.

Run ``python scripts/readme_cli.py``; ``tests/test_readme.py`` fails when README.md is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from ibc_xls.cli import cli
from ibc_xls.problems import CATALOGUE, Severity

README = Path(__file__).resolve().parent.parent / "README.md"


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


def codes() -> str:
    """The problem catalogue as a Markdown table."""
    rows = ["| код | что это | важность | сообщение |", "| --- | --- | --- | --- |"]
    for code, kind in CATALOGUE.items():
        weight = "ошибка" if kind.severity is Severity.ERROR else "замечание"
        message = kind.template
        if kind.variants:  # what {why} may say
            message += " {why}: " + "; ".join(kind.variants.values()) + "."
        message = message.replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{code}` | {kind.title} | {weight} | {message} |")
    return "\n".join(rows) + "\n"


def _replace(readme: str, name: str, text: str) -> str:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    head, rest = readme.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{text}{end}{tail}"


def rewritten(readme: str) -> str:
    return _replace(_replace(readme, "cli", reference()), "codes", codes())


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    new = rewritten(text)
    if "--check" in sys.argv:
        sys.exit(0 if new == text else 1)
    README.write_text(new, encoding="utf-8")
