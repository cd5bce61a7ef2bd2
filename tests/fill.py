"""Filling generated workbooks the way staff do: typing values into the input cells with
openpyxl (then, in some tests, saving them through a real LibreOffice)."""

from __future__ import annotations

import datetime
import os
import re
import zipfile
from pathlib import Path

import openpyxl

from ibc_xls.forms.layout import FIRST_DATA_ROW, HEADER_ROW, header_key

FIRST = FIRST_DATA_ROW + 1  # openpyxl is 1-based
# A valid row of the reader's diary form, by column title, as tests type it.
DIARY_ROW = {"ФИО ученика": "Иванов Пётр", "Прочитано книг": 12, "Записей в дневнике": 15,
             "Полнота (0–5)": 5, "Оформление (0–5)": 4, "Творческий подход (0–5)": 5,
             "Регулярность (0–5)": 3}


def one_line(header: str) -> str:
    """A blank's header as one line: the line breaks it is written with closed up, a word
    broken at a hyphenation point joined again."""
    return header.replace("-\n", "").replace("\n", " ")


def column_of(ws, title: str, header_row: int = HEADER_ROW + 1) -> int:
    """The 1-based column whose header is ``title`` (the required mark does not matter)."""
    for cell in ws[header_row]:
        if header_key(cell.value) == header_key(title):
            return cell.column
    raise KeyError(title)


def fill(src: Path, dst: Path, rows: dict[str, list[dict[str, object]]],
         fixed: dict[str, dict[str, dict[str, object]]] | None = None) -> Path:
    """Copy ``src`` to ``dst`` with values typed in.

    ``rows``: sheet → list of {column title: value}, written from the first data row down.
    ``fixed``: sheet → {text of the row's first cell (e.g. "1.1"): {column title: value}}.
    """
    wb = openpyxl.load_workbook(src)
    for sheet, entries in rows.items():
        ws = wb[sheet]
        for offset, entry in enumerate(entries):
            for title, value in entry.items():
                ws.cell(FIRST + offset, column_of(ws, title)).value = value
    for sheet, by_part in (fixed or {}).items():
        ws = wb[sheet]
        where = {ws.cell(r, 1).value: r for r in range(FIRST, ws.max_row + 1)}
        for part, entry in by_part.items():
            for title, value in entry.items():
                ws.cell(where[part], column_of(ws, title)).value = value
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return dst


def saved_at(path: Path, when: datetime.datetime) -> Path:
    """Make ``path`` look saved at ``when``: its document's "modified" stamp (which openpyxl
    sets to the moment of saving) and the file's time."""
    stamp = when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as src:
        parts = [(info, src.read(info)) for info in src.infolist()]
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp + rb"\g<2>", data)
            out.writestr(info, data)
    tmp.replace(path)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path
