"""Reading returned files raw: generated workbooks, files saved by Microsoft Excel (from
tests/data/real-excel) and by LibreOffice, and finding the files to read."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from pathlib import Path

import badfiles
import pytest
import xlsxwriter
from fill import one_line
from libreoffice import ODS, XLS, XLSX, convert, soffice_path

from ibc_xls.blanks.generate import build
from ibc_xls.forms.identity import FIELDS, IDENTITY_SHEET, Identity, template_version
from ibc_xls.forms.layout import HEADER_ROW, INSTRUCTIONS_SHEET, LISTS_SHEET, header_text
from ibc_xls.problems import IbcError
from ibc_xls.reading.files import find_workbooks
from ibc_xls.reading.rawread import RawWorkbook, read_raw
from ibc_xls.settings.respondents import Respondent, respondents

REAL = badfiles.REAL_EXCEL


def identity_of(person: Respondent, config) -> Identity:
    return Identity(template=person.role, template_version=template_version(person.forms),
                    respondent_id=person.id, respondent=person.name,
                    class_name=person.class_name, school=config.school,
                    academic_year=config.year_label)


def identity_cells(book: RawWorkbook) -> dict[str, str]:
    """Field → value from the identity sheet's rows (field, label, value)."""
    rows = book.sheets[IDENTITY_SHEET].rows[1:1 + len(FIELDS)]
    return {row[0]: str(row[2]) for row in rows}


def cell(book: RawWorkbook, sheet: str, row: int, col: int):
    """The value at a true zero-based position, or "" outside what was read."""
    raw = book.sheets[sheet]
    r, c = row - raw.origin[0], col - raw.origin[1]
    if 0 <= r < len(raw.rows) and 0 <= c < len(raw.rows[r]):
        return raw.rows[r][c]
    return ""


# --- generated workbooks ------------------------------------------------------------------------

@pytest.fixture
def people(config):
    return respondents(config, config.specs())


def test_generated_workbook(tmp_path, config, people):
    person = next(p for p in people if p.class_name)
    path = tmp_path / "книга.xlsx"
    path.write_bytes(build(person, config, dt.datetime(config.academic_year, 9, 1)))
    book = read_raw(path)
    assert (book.path, book.format) == (path, "xlsx")
    forms = [f.sheet for f in person.forms]
    assert list(book.sheets) == [INSTRUCTIONS_SHEET, *forms, LISTS_SHEET, IDENTITY_SHEET]
    assert {n: s.visible for n, s in book.sheets.items()} == {
        n: n not in (LISTS_SHEET, IDENTITY_SHEET) for n in book.sheets}
    for form in person.forms:
        sheet = book.sheets[form.sheet]
        assert sheet.origin == (0, 0) and sheet.formulas == frozenset()
        assert [one_line(h) for h in sheet.rows[HEADER_ROW]] == [
            header_text(c.title, c.required) for c in form.columns]
        assert len({len(row) for row in sheet.rows}) == 1, "rows are rectangular"
        assert any(v != "" for v in sheet.rows[-1]), "empty trailing rows are trimmed"
        assert any(row[-1] != "" for row in sheet.rows), "empty trailing columns are trimmed"
    identity = identity_of(person, config)
    assert book.properties == identity.properties()
    assert identity_cells(book) == {name: value for name, _, value in identity.rows()}


def test_skipped_sheets_are_not_read_and_the_hash_is_of_the_bytes_read(tmp_path, config,
                                                                      people):
    person = next(p for p in people if p.class_name)
    path = tmp_path / "книга.xlsx"
    path.write_bytes(build(person, config, dt.datetime(config.academic_year, 9, 1)))
    book = read_raw(path, skip=frozenset({INSTRUCTIONS_SHEET, LISTS_SHEET}))
    assert list(book.sheets) == [*(f.sheet for f in person.forms), IDENTITY_SHEET]
    assert book.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert book.size == path.stat().st_size


def test_origin_and_trimming(tmp_path):
    """Values from C3; an empty string stored at H20 (a cell that exists but is empty) is
    trimmed away with the empty rows and columns before it."""
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxml'
             b'formats.org/spreadsheetml/2006/main"><sheetData>'
             b'<row r="3"><c r="C3" t="inlineStr"><is><t>C3</t></is></c><c r="E3"><v>5</v></c>'
             b'</row><row r="4"><c r="D4"><f>1+1</f><v>2</v></c></row>'
             b'<row r="20"><c r="H20" t="inlineStr"><is><t></t></is></c></row>'
             b"</sheetData></worksheet>")
    xlsx = badfiles.rezip(badfiles.small_xlsx(), {badfiles.SHEET: sheet})
    path = tmp_path / "c3.xlsx"
    path.write_bytes(xlsx)
    raw = read_raw(path).sheets["Лист1"]
    assert raw.origin == (2, 2)
    assert raw.rows == [["C3", "", 5.0], ["", 2.0, ""]]
    assert raw.formulas == {(3, 3)}


def test_empty_very_hidden_and_chart_sheets(tmp_path):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("Пустой")
    book.add_worksheet("Данные").write_column(0, 0, [1, 2, 3])
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "='Данные'!$A$1:$A$3"})
    book.add_chartsheet("Диаграмма").set_chart(chart)
    book.add_worksheet("Тайный").very_hidden()
    book.close()
    path = tmp_path / "разные листы.xlsx"
    path.write_bytes(buffer.getvalue())
    sheets = read_raw(path).sheets
    assert {n: (s.rows, s.origin, s.visible) for n, s in sheets.items()} == {
        "Пустой": ([], (0, 0), True), "Данные": ([[1.0], [2.0], [3.0]], (0, 0), True),
        "Диаграмма": ([], (0, 0), True), "Тайный": ([], (0, 0), False)}


def test_ods_by_code(tmp_path):
    path = tmp_path / "таблица.ods"
    path.write_bytes(badfiles.small_ods())
    book = read_raw(path)
    assert book.format == "ods"
    assert book.properties == {"ibc_xls_template": "7.0"}
    sheet = book.sheets["Лист1"]
    assert sheet.rows == [["5А", 25.0]] and sheet.formulas == {(0, 1)}


# --- files saved by Microsoft Excel -------------------------------------------------------------

def real(name: str) -> Path:
    return REAL / name


def test_excel_rich_text():
    book = read_raw(real("calamine__richtext-after-plain.xlsx"))
    assert book.sheets["Sheet1"].rows[0] == ["abcd"] * 4
    assert list(book.sheets) == ["Sheet1", "Sheet2", "Sheet3"]


def test_excel_escaped_carriage_return():
    [[value]] = read_raw(real("calamine__has_x000D_.xlsx")).sheets["Sheet1"].rows
    assert "_x000D_" not in value and value.replace("\r\n", "\n") == "ABC\nDEF"


def test_excel_1904_dates():
    rows = read_raw(real("xlsxwriter__date_1904_02.xlsx")).sheets["Sheet1"].rows
    assert rows[1] == [dt.date(1906, 9, 27)]


def test_excel_shared_formulas():
    sheet = read_raw(real("calamine__shared_formula_simple.xlsx")).sheets["Sheet1"]
    assert sheet.rows == [[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]]
    assert sheet.formulas == {(0, 1), (1, 1), (2, 1)}


def test_excel_strict_open_xml():
    book = read_raw(real("calamine__strict_iso_paths.xlsx"))
    sheet = book.sheets["ml_out"]
    assert book.format == "xlsx" and sheet.rows[0][0] == "Item" and len(sheet.rows) == 76


def test_excel_custom_properties_as_stored():
    properties = read_raw(real("xlsxwriter__properties04.xlsx")).properties
    assert properties == {
        "Checked by": "Adam", "Date completed": "2016-12-12T23:00:00Z",
        "Document number": "12345", "Reference": "1.2345", "Source": "true",
        "Status": "false", "Department": "This is a long string. " * 11 + "AA",
        "Group": "1.23456789012"}


@pytest.mark.parametrize("name", ["calamine__merge_cells.xlsx", "xlsxwriter__protect03.xlsx",
                                  "calamine__issue_261_fixed_by_excel.xlsx"])
def test_excel_other_files_read(name):
    book = read_raw(real(name))
    assert book.format == "xlsx" and all(s.visible for s in book.sheets.values())
    assert any(s.rows for s in book.sheets.values())


def test_excel_encrypted():
    with pytest.raises(IbcError) as caught:
        read_raw(real("calamine__pass_protected.xlsx"))
    assert caught.value.problems[0].code == "file-encrypted"


# --- files saved by LibreOffice -----------------------------------------------------------------

def _formula_workbook(path: Path) -> Path:
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Формулы")
    sheet.write_number(1, 1, 2)
    sheet.write_formula(2, 2, "=B2*3", None, 6)
    book.close()
    return path


@pytest.fixture(scope="module")
def libreoffice_files(tmp_path_factory, generated_once):
    """Two generated workbooks and a workbook with a formula, saved by LibreOffice as xlsx, ods
    and xls (one LibreOffice run per format)."""
    if soffice_path() is None:
        if os.environ.get("IBC_XLS_REQUIRE_SOFFICE"):
            pytest.fail("soffice not found, and IBC_XLS_REQUIRE_SOFFICE is set")
        pytest.skip("soffice not found: LibreOffice is needed to save test files")
    config, outcomes = generated_once
    chosen = [outcomes[0], next(o for o in outcomes if o.respondent.class_name)]
    sources = [o.path for o in chosen]
    formulas = _formula_workbook(tmp_path_factory.mktemp("src") / "формулы.xlsx")
    saved = {}
    for target in (XLSX, ODS, XLS):
        folder = tmp_path_factory.mktemp(target.split(":")[0])
        saved[target] = convert([*sources, formulas], target, folder)
    return config, chosen, saved


@pytest.mark.libreoffice
@pytest.mark.parametrize("target", [XLSX, ODS, XLS], ids=["xlsx", "ods", "xls"])
def test_libreoffice_files(libreoffice_files, target):
    config, chosen, saved = libreoffice_files
    fmt = target.split(":")[0]
    for outcome, path in zip(chosen, saved[target], strict=False):
        book = read_raw(path)
        identity = identity_of(outcome.respondent, config)
        assert book.format == fmt
        assert list(book.sheets)[-2:] == [LISTS_SHEET, IDENTITY_SHEET]
        assert not book.sheets[LISTS_SHEET].visible and not book.sheets[IDENTITY_SHEET].visible
        assert book.sheets[INSTRUCTIONS_SHEET].visible
        # LibreOffice may drop an empty identity value; every other one reads back as written.
        expected = {name: value for name, _, value in identity.rows() if value}
        assert {k: v for k, v in identity_cells(book).items() if v} == expected
        if fmt != "xls":  # custom properties are not read from xls
            assert {k: book.properties.get(k) for k, v in identity.properties().items() if v} \
                == {k: v for k, v in identity.properties().items() if v}
    book = read_raw(saved[target][-1])
    assert cell(book, "Формулы", 1, 1) == 2 and cell(book, "Формулы", 2, 2) == 6
    assert book.sheets["Формулы"].formulas == {(2, 2)}


# --- finding the files --------------------------------------------------------------------------

def test_find_workbooks(tmp_path):
    files = ["a.xlsx", "~$a.xlsx", ".~lock.a.xlsx#", ".скрытый.xlsx", "заметки.txt",
             "папка/b.ods", "папка/глубже/c.xls", "папка/~$c.xls", ".git/d.xlsx",
             ".скрытая папка/e.xlsx"]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    missing = tmp_path / "нет.xlsx"
    found = find_workbooks([tmp_path, tmp_path / "a.xlsx", missing])
    expected = ["a.xlsx", "заметки.txt", "нет.xlsx", "папка/b.ods", "папка/глубже/c.xls"]
    assert found == sorted(tmp_path / name for name in expected)
    assert find_workbooks([tmp_path / "~$a.xlsx"]) == []
