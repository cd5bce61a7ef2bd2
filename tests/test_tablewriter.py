"""The fast table writer writes what plain xlsxwriter writes for the same table.

As XlsxWriter's own tests do, the same table is written twice — once cell by cell with
xlsxwriter's ``write_string``, ``write_number``, ``write_datetime``, ``write_boolean`` and
``add_table``, once through ``TableWriter.write_table`` — and the two files' parts are compared
after normalising what always differs: the order of the shared strings (cells are compared by
the text they show) and the style numbers (compared by the style they name).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from ibc_xls.sheets import tablewriter
from ibc_xls.sheets.parts import fast_supported
from ibc_xls.sheets.tablewriter import TableWriter, Wrap

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
HEADERS = ["Текст", "Число", "Дата", "Когда", "Флаг"]
LONG = "Очень длинный комментарий"  # 25 characters: two lines in a column of 24
ROWS = [
    ["Иванов Пётр", 12, dt.date(2026, 10, 5), dt.datetime(2026, 10, 5, 14, 30), True],
    ["=SUM(A1:A2)", 0.1 + 0.2, dt.date(2027, 3, 31), None, False],
    [" padded ", None, None, dt.datetime(2026, 11, 1, 9, 0, 0, 500_000), None],
    ["_x0041_ и <b>&amp;</b>", -3.5, dt.date(2026, 9, 1), None, None],
    ["bell\x07 «ёлка»", 1e20, None, None, None],
    [LONG, 7, dt.date(2026, 10, 5), None, None],
    ["", float("nan"), pd.NaT, None, None],
    ["Иванов Пётр", 12, dt.date(2026, 10, 5), None, True],
]
WIDTHS = [24, 12, 12, 16, 8]
HEADER_ROW = 3


def _formats(wb) -> tuple[dict, object, object]:
    """The formats of both workbooks, made in the same order."""
    add = wb.add_format
    cells = {"text": add({"text_wrap": True, "valign": "top"}),
             "number": add({"align": "right", "indent": 1}),
             "date": add({"num_format": "dd.mm.yyyy"}),
             "datetime": add({"num_format": "dd.mm.yyyy hh:mm"})}
    return cells, add({"bold": True, "bg_color": "#DCE6F1"}), add({"bold": True})


def _options(header, total, rows: int) -> dict:
    columns = [{"header": h, "header_format": header} for h in HEADERS]
    columns[0]["total_string"] = "Итого"
    columns[1] |= {"total_function": f"SUBTOTAL(9,B{HEADER_ROW + 2}:B{HEADER_ROW + 1 + rows})",
                   "total_value": 38.8, "format": total}
    return {"name": "tbl_test", "columns": columns, "style": "Table Style Light 9",
            "total_row": True}


def _workbook(buffer):
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False, "strings_to_numbers": False})
    # Pinned: two files made a second apart would differ in their creation time.
    wb.set_properties({"created": dt.datetime(2026, 10, 1, 12, 0)})
    ws = wb.add_worksheet("Данные")
    ws.write_string(0, 0, "Заголовок листа")
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    return wb, ws


def plain_xlsxwriter(rows) -> bytes:
    """The table written the ordinary way, cell by cell."""
    buffer = io.BytesIO()
    wb, ws = _workbook(buffer)
    cells, header, total = _formats(wb)
    ws.add_table(HEADER_ROW, 0, HEADER_ROW + len(rows) + 1, len(HEADERS) - 1,
                 _options(header, total, len(rows)))
    for i, row in enumerate(rows):
        r = HEADER_ROW + 1 + i
        for col, value in enumerate(row):
            if isinstance(value, str) and value:
                ws.write_string(r, col, value, cells["text"])
            elif isinstance(value, bool):
                ws.write_boolean(r, col, value, cells["number"])
            elif isinstance(value, dt.datetime) and value is not pd.NaT:
                kind = "date" if value.time() == dt.time() else "datetime"
                ws.write_datetime(r, col, value, cells[kind])
            elif isinstance(value, dt.date) and value is not pd.NaT:
                ws.write_datetime(r, col, value, cells["date"])
            elif isinstance(value, int | float) and value == value:
                ws.write_number(r, col, value, cells["number"])
        if row[0] == LONG:
            ws.set_row(r, 30)  # two lines of 15 points
    wb.close()
    return buffer.getvalue()


def through_write_table(rows, fast: bool | None) -> bytes:
    buffer = io.BytesIO()
    wb, ws = _workbook(buffer)
    cells, header, total = _formats(wb)
    writer = TableWriter(wb, buffer, " … [cut from {length}]")
    frame = pd.DataFrame(rows, columns=HEADERS)
    last = writer.write_table(ws, HEADER_ROW, frame, cells, _options(header, total, len(rows)),
                              Wrap(WIDTHS, 1.0, 15), fast=fast)
    assert last == HEADER_ROW + len(rows) + 1
    out = io.BytesIO()
    writer.close(out)
    return out.getvalue()


def _styles(book: zipfile.ZipFile) -> list[str]:
    """Each style number → the style it names, as canonical XML of its parts."""
    root = ET.fromstring(book.read("xl/styles.xml"))
    parts = {name: root.find(f"{M}{name}") for name in ("fonts", "fills", "borders")}
    codes = {x.get("numFmtId"): x.get("formatCode") for x in root.iter(f"{M}numFmt")}
    named = []
    for xf in root.find(f"{M}cellXfs"):
        named.append("|".join([
            codes.get(xf.get("numFmtId"), xf.get("numFmtId")),
            *(ET.tostring(parts[p][int(xf.get(p[:-1] + "Id"))]).decode() for p in parts),
            *(ET.tostring(child).decode() for child in xf)]))
    return named


def _cells(book: zipfile.ZipFile, sheet: str) -> list[tuple]:
    """The sheet's rows and cells, each cell with the text or value it shows and its style."""
    strings = [ET.tostring(si, encoding="unicode").split(">", 1)[1]
               for si in ET.fromstring(book.read("xl/sharedStrings.xml"))]
    styles = _styles(book)
    found = []
    for row in ET.fromstring(book.read(sheet)).iter(f"{M}row"):
        found.append(("row", row.get("r"), row.get("ht"), row.get("customHeight")))
        for c in row.iter(f"{M}c"):
            value = c.findtext(f"{M}v")
            if c.get("t") == "s":
                value = strings[int(value)]
            found.append((c.get("r"), c.get("t"), value, c.findtext(f"{M}f"),
                          styles[int(c.get("s", 0))]))
    return found


def _outside_rows(book: zipfile.ZipFile, sheet: str) -> str:
    xml = book.read(sheet).decode()
    return re.sub(r"<sheetData>.*</sheetData>", "", xml, flags=re.DOTALL)


def _canonical(book: zipfile.ZipFile, part: str) -> str:
    return ET.canonicalize(book.read(part).decode())


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "plain"])
def test_write_table_writes_what_xlsxwriter_writes(fast):
    expected = zipfile.ZipFile(io.BytesIO(plain_xlsxwriter(ROWS)))
    written = zipfile.ZipFile(io.BytesIO(through_write_table(ROWS, fast)))
    sheet, table = "xl/worksheets/sheet1.xml", "xl/tables/table1.xml"
    assert sorted(written.namelist()) == sorted(expected.namelist())
    assert _cells(written, sheet) == _cells(expected, sheet)
    assert _outside_rows(written, sheet) == _outside_rows(expected, sheet)
    assert _canonical(written, table) == _canonical(expected, table)
    for part in ("xl/styles.xml", "xl/workbook.xml", "[Content_Types].xml"):
        assert written.read(part) == expected.read(part), part
    sst = [ET.fromstring(z.read("xl/sharedStrings.xml")) for z in (written, expected)]
    assert sorted(map(ET.tostring, sst[0])) == sorted(map(ET.tostring, sst[1]))
    assert sst[0].get("uniqueCount") == sst[1].get("uniqueCount")


def test_the_comparison_sees_a_difference():
    """The comparison above would fail if the cells differed."""
    other = [list(r) for r in ROWS]
    other[1][1] = 0.31
    expected = zipfile.ZipFile(io.BytesIO(plain_xlsxwriter(ROWS)))
    written = zipfile.ZipFile(io.BytesIO(through_write_table(other, True)))
    assert _cells(written, "xl/worksheets/sheet1.xml") != \
        _cells(expected, "xl/worksheets/sheet1.xml")


def _read_back(data: bytes) -> tuple[list, list]:
    values = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(
        "Данные").to_python()
    ws = openpyxl.load_workbook(io.BytesIO(data))["Данные"]
    heights = [ws.row_dimensions[r].height for r in range(1, ws.max_row + 1)]
    return values, heights


def test_both_paths_read_back_the_same():
    rows = [[f"Ученик {i}", i, dt.date(2026, 10, 1) + dt.timedelta(days=i % 30),
             None, i % 2 == 0] for i in range(3000)] + ROWS
    fast, plain = through_write_table(rows, True), through_write_table(rows, False)
    assert _read_back(fast) == _read_back(plain)
    values, _ = _read_back(fast)
    assert values[HEADER_ROW + 1][:3] == ["Ученик 0", 0, dt.date(2026, 10, 1)]
    assert values[-1][:2] == ["Итого", 38.8]


def test_small_tables_are_written_cell_by_cell():
    small = through_write_table(ROWS, None)
    assert small == through_write_table(ROWS, False)
    assert small != through_write_table(ROWS, True)  # the streamed file is put together anew
    assert len(ROWS) * len(HEADERS) <= tablewriter.PLAIN_MAX_CELLS


def test_fast_path_only_with_the_tested_xlsxwriter():
    assert fast_supported(xlsxwriter.__version__)  # the one these tests run with
    assert fast_supported("3.3.1")
    assert fast_supported("3.2.9") and fast_supported("3.1.9")
    assert not fast_supported("3.1.8")
    assert not fast_supported("3.4.0")
    assert not fast_supported("4.0")
    assert not fast_supported("3.3.1rc1x")


def test_parts_are_changed_whatever_the_attribute_order():
    row = '<row spans="1:3" r="7" ht="30"><c t="s" s="3" r="B7"><v>1</v></c><c r="C7"/></row>'
    assert tablewriter._move_row(row, 120) == (
        '<row spans="1:3" r="120" ht="30"><c t="s" s="3" r="B120"><v>1</v></c>'
        '<c r="C120"/></row>')
    table = tablewriter._Pending("Данные", "tbl", 3, pd.DataFrame({"a": range(10), "b": 0}),
                                 [], {}, 1, True, None)
    part = ('<table totalsRowCount="1" ref="A4:B6" id="1" xmlns="x">'
            '<autoFilter ref="A4:B5"/></table>')
    assert tablewriter._widen_table(part, table) == (
        '<table totalsRowCount="1" ref="A4:B15" id="1" xmlns="x">'
        '<autoFilter ref="A4:B14"/></table>')
