"""Copies for correction made from a stencil of their kind mean what a whole build of the same
copy means: every part is compared, each cell with its text and its style spelled out (the
numbering of shared strings and of styles may differ), the comments and their boxes byte for
byte."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
from fill import DIARY_ROW, FIRST, fill
from xlsxparts import CELL, SHARED_STRINGS, attribute
from xlsxparts import parts as read_parts

from ibc_xls.checking.check import check_paths
from ibc_xls.review.copies import copy_respondent, make_copy, review
from ibc_xls.review.stencil import CopyStencils
from ibc_xls.settings.config import load_config
from ibc_xls.settings.respondents import respondents

CREATED = dt.datetime(2027, 4, 5, 10, 30)
_STYLES = "xl/styles.xml"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _styles(xml: str) -> list[str]:
    """Each cell style (``cellXfs``) spelled out: its font, fill, border, number format,
    alignment and protection."""
    root = ET.fromstring(xml)
    lists = {name: [ET.tostring(e, encoding="unicode") for e in root.find(_MAIN + name)]
             for name in ("fonts", "fills", "borders")}
    formats = {f.get("numFmtId"): f.get("formatCode")
               for f in root.iterfind(f"{_MAIN}numFmts/{_MAIN}numFmt")}
    spelled = []
    for xf in root.find(_MAIN + "cellXfs"):
        inner = "".join(ET.tostring(e, encoding="unicode") for e in xf)
        spelled.append("|".join((lists["fonts"][int(xf.get("fontId"))],
                                 lists["fills"][int(xf.get("fillId"))],
                                 lists["borders"][int(xf.get("borderId"))],
                                 formats.get(xf.get("numFmtId"), xf.get("numFmtId")), inner)))
    return spelled


def meaning(data: bytes) -> dict[str, object]:
    """A workbook's parts with every cell's shared string and style spelled out; the shared
    strings as the set of those cells show."""
    parts = read_parts(data)
    items = re.findall(r"<si>.*?</si>", parts.pop(SHARED_STRINGS), re.DOTALL)
    styles = _styles(parts.pop(_STYLES))
    shown = set()

    def cell(match: re.Match) -> str:
        attributes, inner = match[1], match[2]
        style = attribute(attributes, "s")
        if style is not None:
            attributes = attributes.replace(f's="{style}"', f's="{styles[int(style)]}"')
        if inner is not None and attribute(attributes, "t") == "s":
            text = items[int(re.fullmatch(r"<v>(\d+)</v>", inner)[1])]
            shown.add(text)
            inner = f"<v>{text}</v>"
        return f"<c{attributes}>{inner}</c>" if inner is not None else f"<c{attributes}/>"

    found: dict[str, object] = {
        name: CELL.sub(cell, xml) if name.startswith("xl/worksheets/sheet") else xml
        for name, xml in parts.items()}
    found["shown strings"] = shown
    found["order of parts"] = list(parts)
    return found


def _differences(a: dict, b: dict) -> list[str]:
    out = []
    for name in sorted(set(a) | set(b)):
        x, y = str(a.get(name)), str(b.get(name))
        if x != y:
            at = next((i for i, (p, q) in enumerate(zip(x, y, strict=False)) if p != q),
                      min(len(x), len(y)))
            around = slice(max(0, at - 150), at + 150)
            out.append(f"{name}: …{x[around]}… ≠ …{y[around]}…")
    return out


REPO = Path(__file__).resolve().parent.parent
TEACHER = "1А класс — Смирнова Ольга Викторовна"
DIARIES, TEXTBOOKS = "Читательский дневник", "Сохранность учебников"


def _jobs(config, as_of: dt.date):
    """Each checked return that gets a copy, with its respondent."""
    report = check_paths([config.folders["returned"]], config, as_of=as_of)
    specs = config.specs()
    people = {p.id: p for p in respondents(config, specs)}
    jobs = [(result, copy_respondent(result, people, specs)) for result in report.files
            if result.problems and not result.refused]
    return report.as_of, [(result, person) for result, person in jobs if person is not None]


def _compare(config, as_of: dt.date) -> CopyStencils:
    as_of, jobs = _jobs(config, as_of)
    assert jobs
    stencils = CopyStencils(config, CREATED)
    for result, person in jobs:
        fast = make_copy(result, person, config, as_of, CREATED, stencils)
        whole = make_copy(result, person, config, as_of, CREATED)
        assert _differences(meaning(fast), meaning(whole)) == [], result.file
    return stencils


def test_the_samples_copies_from_stencils_mean_what_whole_builds_mean(tmp_path):
    # Four returns with mistakes: errors, warnings, a fixed form, an .ods.
    root = tmp_path / "workbooks"
    shutil.copytree(REPO / "workbooks", root)
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    stencils = _compare(load_config(root), dt.date(2026, 4, 10))
    assert stencils.kinds and stencils.built_whole == 0


def test_odd_copies_mean_the_same_and_only_the_oddest_are_built_whole(config, generated):
    blank = config.folders["outgoing"] / f"{TEACHER}.xlsx"
    returned = config.folders["returned"]
    rows = openpyxl.load_workbook(blank)[DIARIES].max_row - FIRST + 1
    odd = {**DIARY_ROW, "Полнота (0–5)": 7}
    fill(blank, returned / "a.xlsx", {DIARIES: [
        DIARY_ROW,
        # Escaped in shared strings and in the comment that quotes it.
        {**odd, "ФИО ученика": 'Петрова & <Анна> "Ко"', "Прочитано книг": "много <12>"},
        {**DIARY_ROW, "ФИО ученика": None},
        # Wraps: a taller row, the comment boxes below it lower.
        {**odd, "ФИО ученика": "Константинопольская-Преображенская Анна " * 6},
        {**DIARY_ROW, "ФИО ученика": " с пробелом в начале", "Полнота (0–5)": 2.5},
    ]})
    # The file's name, escaped where the first sheet quotes it.
    fill(blank, returned / "Смирнова & Ко.xlsx", {DIARIES: [odd]})
    # Longer than the blank: built whole.
    fill(blank, returned / "b.xlsx", {DIARIES: [odd] * (rows + 2)})
    # A date xlsxwriter writes as a serial number Excel reads otherwise: built whole.
    fill(blank, returned / "c.xlsx", {TEXTBOOKS: [{
        "Дата проверки": dt.date(1900, 1, 15), "Учащихся": 25, "Выдано учебников": 300,
        "Проверено": 250}]})
    # A sheet taken out: a problem without a cell, no marks, no links on the first sheet.
    book = openpyxl.load_workbook(blank)
    del book[TEXTBOOKS]
    book.save(returned / "d.xlsx")
    stencils = _compare(config, dt.date(2027, 4, 5))
    # a.xlsx and d.xlsx: one with marks on the diaries, one with none.
    assert stencils.built_whole == 2 and len(stencils.kinds) == 2


def test_copies_made_in_workers_are_those_made_in_one_process(tmp_path):
    root = tmp_path / "workbooks"
    shutil.copytree(REPO / "workbooks", root)
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    config = load_config(root)
    made = {}
    for workers in (1, 2):
        out = tmp_path / f"copies-{workers}"
        result = review(config, out=out, as_of=dt.date(2026, 4, 10), created=CREATED,
                        workers=workers)
        made[workers] = {e.copy.name: e.copy.read_bytes() for e in result.entries
                         if e.status == "written"}
    assert len(made[1]) == 4 and made[1] == made[2]
