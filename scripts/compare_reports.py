"""Compare two report workbooks: every sheet's cell values (hidden sheets too) and every other
part of the file, apart from when each was created.

    .venv/bin/python scripts/compare_reports.py BEFORE.xlsx AFTER.xlsx

Prints each difference and exits 1 if there is one. Made to show that a change of how the
report is computed or written leaves the report of the same returns as it was.
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

from python_calamine import CalamineWorkbook

# What differs between two runs on the same returns: the time each report was made.
_CREATED = [
    re.compile(r"Дата составления: \d\d\.\d\d\.\d{4}"),
    re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ?"),
]


def _plain(value: object) -> object:
    if isinstance(value, str):
        for pattern in _CREATED:
            value = pattern.sub("<created>", value)
    return value


def cells(path: Path) -> dict[str, list[list[object]]]:
    """Sheet name → its rows of values, as python-calamine reads them."""
    book = CalamineWorkbook.from_path(str(path))
    return {name: [[_plain(v) for v in row] for row in book.get_sheet_by_name(name).to_python()]
            for name in book.sheet_names}


def parts(path: Path) -> dict[str, str]:
    """Every XML part of the file, the creation times blanked."""
    with zipfile.ZipFile(path) as z:
        return {name: _plain(z.read(name).decode("utf-8", "replace")) for name in z.namelist()}


def differences(before: Path, after: Path) -> list[str]:
    found = []
    old, new = cells(before), cells(after)
    if list(old) != list(new):
        found.append(f"sheets: {list(old)} → {list(new)}")
    for name in old.keys() & new.keys():
        a, b = old[name], new[name]
        for r in range(max(len(a), len(b))):
            row_a = a[r] if r < len(a) else []
            row_b = b[r] if r < len(b) else []
            if row_a != row_b:
                found.append(f"{name}, row {r + 1}: {row_a} → {row_b}")
    xml_a, xml_b = parts(before), parts(after)
    for name in sorted(xml_a.keys() | xml_b.keys()):
        if xml_a.get(name) != xml_b.get(name):
            found.append(f"part {name} differs")
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    found = differences(Path(argv[0]), Path(argv[1]))
    for line in found:
        print(line)
    print("identical" if not found else f"{len(found)} differences")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
