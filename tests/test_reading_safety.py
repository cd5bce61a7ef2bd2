"""Input that used to be accepted silently: error values in input cells, data under a column
whose header was cleared, a tampered identity, formulas in .xls files. Each workbook is a
generated blank, filled and then changed the way a person or a spreadsheet application would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import badfiles
import openpyxl
from conftest import problems_of, returned
from fill import DIARY_ROW, FIRST, column_of, fill
from libreoffice import ODS, XLS, convert, with_libreoffice

from ibc_xls.problems import Severity
from ibc_xls.reading.rawread import read_raw

TODAY = dt.date(2026, 11, 25)
DIARIES = "Читательский дневник"


def _edit(path: Path, sheet: str, cells: dict[tuple[int, str], object]) -> None:
    """Set cells given as (1-based row, column title) → value; strings such as "#N/A" become
    error values, and strings starting with "=" formulas, as openpyxl writes them."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    for (row, title), value in cells.items():
        ws.cell(row, column_of(ws, title)).value = value
    wb.save(path)


# --- 4. spreadsheet error values ----------------------------------------------------------------

def _diaries_with_errors(config, blanks) -> Path:
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {
        DIARIES: [DIARY_ROW, {**DIARY_ROW, "ФИО ученика": "Петрова Анна"},
                  {**DIARY_ROW, "ФИО ученика": "Сидоров Илья"}]})
    _edit(path, DIARIES, {(FIRST, "Прочитано книг"): "#N/A",
                          (FIRST + 1, "Записей в дневнике"): "#DIV/0!",
                          (FIRST + 2, "ФИО ученика"): "#REF!",
                          (FIRST + 3, "Прочитано книг"): "#VALUE!"})  # a row with nothing else
    return path


def test_error_values_are_problems_at_their_cells(school):
    config, blanks, judge = school
    result = judge(_diaries_with_errors(config, blanks))
    found = problems_of(result)
    assert found[:3] == [
        ("cell-error", DIARIES, "C5"),
        ("cell-error", DIARIES, "D6"),
        ("cell-error", DIARIES, "A7"),
    ]
    # A row holding nothing but an error is read, not skipped as empty.
    assert ("missing-required", DIARIES, "A8") in found and ("cell-error", DIARIES, "C8") in found
    assert all(p.severity is Severity.ERROR for p in result.problems)
    assert str(result.problems[0]) == (
        "Файл «сданные/5А.xlsx», лист «Читательский дневник», ячейка C5: В ячейке «Прочитано "
        "книг» не значение, а ошибка #N/A (формула не вычислилась или значение вставлено из "
        "другой книги). Введите в ячейку само значение.")
    records = result.forms["diaries"].records
    assert [r.ok for r in records] == [False, False, False, False]
    assert records[0].values["books"] is None and records[1].values["books"] == 12


@with_libreoffice
def test_error_values_and_formulas_in_ods_and_xls(school, tmp_path):
    """Formulas that fail, typed into a workbook and saved by LibreOffice as .ods and .xls:
    each error is a problem at its cell, and the formula that works is flagged in both."""
    config, blanks, judge = school
    path = fill(blanks["class_5А"], tmp_path / "src" / "5А.xlsx", {
        DIARIES: [DIARY_ROW, {**DIARY_ROW, "ФИО ученика": "Петрова Анна"}]})
    _edit(path, DIARIES, {(FIRST, "Прочитано книг"): "=1/0",
                          (FIRST, "Записей в дневнике"): "=NA()",
                          (FIRST + 1, "Прочитано книг"): "=8+3"})
    for target in (ODS, XLS):
        (converted,) = convert([path], target, tmp_path / target.split(":")[0])
        copy = returned(config) / converted.name
        copy.write_bytes(converted.read_bytes())
        result = judge(copy)
        assert problems_of(result) == [
            ("cell-error", DIARIES, "C5"),
            ("cell-error", DIARIES, "D5"),
            ("formula-value", DIARIES, "C6"),
        ], target
        assert result.problems[0].value == "#DIV/0!" and result.problems[1].value == "#N/A"
        assert result.forms["diaries"].records[1].values["books"] == 11
        copy.unlink()


def test_xls_records_give_formulas_errors_and_extent(tmp_path):
    """An .xls written record by record: a constant error (as Excel stores one pasted as a
    value), a formula with a cached number and one with a cached error."""
    path = tmp_path / "книга.xls"
    path.write_bytes(badfiles.tiny_xls(
        badfiles.biff_number(0, 0, 5) + badfiles.biff_error(1, 1, 0x2A)
        + badfiles.biff_formula(2, 0, 7.0) + badfiles.biff_formula(2, 1, error=0x07)))
    sheet = read_raw(path).sheets["Лист1"]
    assert sheet.rows == [[5.0, ""], ["", "#N/A"], [7.0, "#DIV/0!"]]
    assert sheet.formulas == {(2, 0), (2, 1)}
    assert sheet.errors == {(1, 1): "#N/A", (2, 1): "#DIV/0!"}


# --- 5. a cleared header ------------------------------------------------------------------------

def _clear_header(ws, title: str) -> int:
    col = column_of(ws, title)
    ws.cell(FIRST - 1, col).value = None
    return col


def test_cleared_header_of_an_optional_column_keeps_its_data(school):
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {
        DIARIES: [{**DIARY_ROW, "Комментарий": "Читает с увлечением"}]})
    wb = openpyxl.load_workbook(path)
    _clear_header(wb[DIARIES], "Комментарий")
    wb.save(path)
    result = judge(path)
    assert problems_of(result) == [("header-cleared", DIARIES, "I4")]
    assert result.problems[0].severity is Severity.WARNING
    assert "Заголовок столбца «Комментарий» стёрт" in result.problems[0].message
    assert result.forms["diaries"].records[0].values["comment"] == "Читает с увлечением"


def test_cleared_headers_found_after_an_inserted_column(school):
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    wb = openpyxl.load_workbook(path)
    ws = wb[DIARIES]
    ws.protection.sheet = False
    _clear_header(ws, "Полнота (0–5)")
    _clear_header(ws, "Оформление (0–5)")
    ws.insert_cols(1)
    ws.cell(FIRST - 1, 1).value = "№ п/п"
    ws.cell(FIRST, 1).value = 1
    wb.save(path)
    result = judge(path)
    assert problems_of(result) == [("extra-column", DIARIES, "A4"),
                                   ("header-cleared", DIARIES, "F4"),
                                   ("header-cleared", DIARIES, "G4")]
    values = result.forms["diaries"].records[0].values
    assert (values["score_completeness"], values["score_design"]) == (5, 4)


def test_data_under_a_column_without_header_is_an_error(school):
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    wb = openpyxl.load_workbook(path)
    ws = wb[DIARIES]
    ws.cell(FIRST + 2, ws.max_column + 2).value = "пометка"  # two columns right of the table
    wb.save(path)
    result = judge(path)
    assert problems_of(result) == [("unnamed-column", DIARIES, "K4")]
    assert result.problems[0].severity is Severity.ERROR
    assert "первая ячейка K7" in result.problems[0].message
    assert result.forms["diaries"].records[0].ok


# --- 6. a tampered identity ---------------------------------------------------------------------

ROADMAP = "Дорожная карта"


def _set_identity(path: Path, sheet: dict[str, str] | None = None,
                  properties: dict[str, str] | None = None) -> None:
    """Change identity fields on the «Паспорт» sheet and in the custom properties."""
    wb = openpyxl.load_workbook(path)
    for row in wb["Паспорт"].iter_rows():
        if row[0].value in (sheet or {}):
            row[2].value = sheet[row[0].value]
    for prop in wb.custom_doc_props.props:
        name = prop.name.removeprefix("ibc_xls_")
        if name in (properties or {}):
            prop.value = properties[name]
    wb.save(path)


def _teacher(config, class_name: str) -> str:
    return next(c.teacher for c in config.classes if c.name == class_name)


def _head_book(config, blanks) -> Path:
    return fill(blanks["ibc_head"], returned(config) / "ИБЦ.xlsx", {},
                fixed={ROADMAP: {"1.1": {"Статус": "В работе"}}})


def _refused_for_nobody(result, count: int = 1) -> list[str]:
    assert [p.code for p in result.problems] == ["identity-mismatch"] * count
    assert result.refused and result.identity["respondent_id"] == ""
    return [p.message for p in result.problems]


def test_head_book_claiming_to_be_a_class_on_the_sheet(school):
    config, blanks, judge = school
    path = _head_book(config, blanks)
    _set_identity(path, sheet={"respondent_id": "class_11А", "class_name": "11А",
                               "template": "class_teacher",
                               "respondent": _teacher(config, "11А")})
    [*messages] = _refused_for_nobody(judge(path), 4)
    assert messages[0].startswith(
        "Паспорт бланка не сходится: «Шаблон» на листе «Паспорт» — «class_teacher», а в "
        "свойствах документа — «ibc_head». Паспорт (скрытый лист «Паспорт» и свойства "
        "документа) изменён, поэтому книга не засчитана никому.")


def test_head_book_claiming_to_be_a_class_everywhere_but_its_role(school):
    config, blanks, judge = school
    path = _head_book(config, blanks)
    fields = {"respondent_id": "class_11А", "class_name": "11А",
              "respondent": _teacher(config, "11А")}
    _set_identity(path, sheet=fields, properties=fields)
    [message] = _refused_for_nobody(judge(path))
    assert "код респондента «class_11А», а вид бланка «ibc_head»" in message


def test_class_or_name_changed_in_both_places(school):
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    _set_identity(path, sheet={"class_name": "5Б"}, properties={"class_name": "5Б"})
    [message] = _refused_for_nobody(judge(path))
    assert "код респондента «class_5А», а класс «5Б»" in message
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    _set_identity(path, sheet={"respondent": "Кто-то Другой"},
                  properties={"respondent": "Кто-то Другой"})
    [message] = _refused_for_nobody(judge(path))
    assert (f"в бланке респондент «Кто-то Другой», а в настройках (5А класс) — "
            f"«{_teacher(config, '5А')}»") in message


def test_properties_that_disagree_with_the_sheet(school):
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    _set_identity(path, properties={"school": "МОУ «СОШ №5»"})
    [message] = _refused_for_nobody(judge(path))
    assert "«Школа» на листе «Паспорт» — «МОУ «СОШ №4»», а в свойствах документа — " \
           "«МОУ «СОШ №5»»" in message


def test_a_tampered_book_counts_for_nobody_in_collect(school):
    from ibc_xls.report.collect import collect
    from ibc_xls.settings.periods import report_period

    config, blanks, _ = school
    path = _head_book(config, blanks)
    _set_identity(path, sheet={"respondent_id": "class_11А", "class_name": "11А",
                               "template": "class_teacher",
                               "respondent": _teacher(config, "11А")})
    done = collect(config, report_period("2027-04"), as_of=TODAY, workers=1)
    missing = {r.id for r in done.missing}
    assert {"ibc_head", "class_11А"} <= missing
    report = openpyxl.load_workbook(done.output, read_only=True)
    rows = [list(r) for r in report["Сдача книг"].iter_rows(values_only=True)]
    line = next(r for r in rows if any(str(v).endswith("ИБЦ.xlsx") for v in r))
    assert "Не из списка респондентов" in line and "не принята" in line
    report.close()
