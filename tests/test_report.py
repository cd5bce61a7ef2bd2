"""The report workbook, read back as the education office and other tools read it: tables by
name (python-calamine), formats, properties, print setup and charts (openpyxl), and a PDF made
by LibreOffice. The expectations come from the scenario typed into the workbooks
(tests/test_consolidate.py), worked out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from libreoffice import convert, needs_libreoffice
from openpyxl.packaging.custom import StringProperty
from python_calamine import CalamineWorkbook
from test_consolidate import (
    CLASSES,
    DIARIES,
    FOREIGN_FILE,
    OVERDUE_PARTS,
    PERIOD,
    ROADMAP_ROWS,
    STAFF_FORMULA,
    TEXTBOOKS,
    TODAY,
    build_school,
    diary,
    expected_textbook_ranking,
    judge,
)

from ibc_xls.checking.results import FileResult, FormResult, Record, Report
from ibc_xls.forms.identity import IDENTITY_SHEET
from ibc_xls.problems import Problem
from ibc_xls.report.consolidate import consolidate
from ibc_xls.report.pages import contents
from ibc_xls.report.workbook import write_report
from ibc_xls.sheets import tablewriter
from ibc_xls.sheets.formats import FONT

CREATED = dt.datetime(2026, 11, 25, 10, 30)
TABLES = {"tbl_key_figures", "tbl_roadmap", "tbl_roadmap_stages", "tbl_reading_contest",
          "tbl_reading_contest_awards", "tbl_textbooks_ranking", "tbl_diaries_top",
          "tbl_meeting_topics", "tbl_meetings", "tbl_practices", "tbl_courses",
          "tbl_submissions", "tbl_problems", "tbl_reconciliation", "tbl_sources",
          "tbl_source_rows"}
FORMS = ["roadmap", "documents", "explanatory", "reading_contest", "textbooks", "diaries",
         "meetings", "practices", "courses"]


@pytest.fixture(scope="module")
def school(tmp_path_factory):
    config = build_school(tmp_path_factory.mktemp("report") / "школа")
    return config, judge(config)


@pytest.fixture(scope="module", autouse=True, params=["plain", "streamed"])
def table_path(request):
    """Every test runs twice: the large tables written cell by cell by xlsxwriter, and
    streamed by ``tablewriter`` (by default only tables of over ``PLAIN_MAX_CELLS`` cells)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tablewriter, "PLAIN_MAX_CELLS", 10**12 if request.param == "plain" else 0)
        yield request.param


@pytest.fixture(scope="module")
def written(school, tmp_path_factory, table_path) -> Path:
    config, report = school
    data = consolidate(report, config, config.specs(), PERIOD, TODAY)
    path = tmp_path_factory.mktemp("out") / "Сводный отчёт.xlsx"
    write_report(data, path, CREATED)
    return path


@pytest.fixture(scope="module")
def book(written):
    return openpyxl.load_workbook(written)


def read_tables(path: Path) -> dict[str, list[dict]]:
    """Every table by name: its rows as {header: value}, as calamine reads them."""
    wb = CalamineWorkbook.from_path(str(path), load_tables=True)
    found = {}
    for name in wb.table_names:
        table = wb.get_table_by_name(name)
        found[name] = [dict(zip(table.columns, row, strict=True)) for row in table.to_python()]
    return found


@pytest.fixture(scope="module")
def tables(written):
    return read_tables(written)


def test_every_table_is_named_and_has_titled_headers(tables, book):
    assert set(tables) == TABLES | {f"tbl_data_{f}" for f in FORMS}
    by_name = {name: ws for ws in book.worksheets for name in ws.tables}
    assert set(by_name) == set(tables)
    header = book["Дорожная карта"][book["Дорожная карта"].tables["tbl_roadmap"].ref.split(":")[0]]
    assert header.value == "№"
    data = tables["tbl_data_textbooks"][0]
    assert list(data)[:7] == ["Файл", "Строка", "Респондент", "Класс бланка", "Учтено",
                              "Почему не учтено", "Ошибки и замечания"]
    assert "Обложки (0–5)" in data and "Дата проверки" in data  # the spec's titles


CONTENTS = ["Титульный лист", "Дорожная карта", "Итоги по этапам", "Учиться читать",
            "Победители и призёры", "Сохранность учебников", "Читательские дневники",
            "Темы встреч", "Методические встречи", "Обмен опытом", "Повышение квалификации",
            "Сдача книг", "Ошибки и замечания", "Сверка строк", "Источники", "Строки по книгам"]


def test_sheets_and_contents(book, school):
    config, report = school
    data = consolidate(report, config, config.specs(), PERIOD, TODAY)
    assert [sheet for sheet, _ in contents(data)] == CONTENTS
    visible = [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]
    assert visible[:len(CONTENTS)] == CONTENTS
    assert [t for t in visible if t.startswith("Данные — ")] == [
        "Данные — Дорожная карта", "Данные — Нормативные документы",
        "Данные — Разъяснительная работа", "Данные — Учиться читать",
        "Данные — Сохранность учебников", "Данные — Читательский дневник",
        "Данные — Методические встречи", "Данные — Обмен опытом",
        "Данные — Повышение квалификации"]
    links = [c.hyperlink.location for row in book["Титульный лист"].iter_rows() for c in row
             if c.hyperlink]
    assert links == [f"'{name}'!A1" for name in CONTENTS[1:]]
    about = [c.value for row in book["Титульный лист"].iter_rows() for c in row
             if c.column == 2 and c.row > links_row(book)]
    assert about[:3] == ["выполнение пунктов плана, просроченные пункты",
                         "статусы пунктов по этапам, диаграмма",
                         "конкурс: участия по этапам и результатам, диаграмма"]


def links_row(book) -> int:
    """The row above the title sheet's contents."""
    ws = book["Титульный лист"]
    return next(c.row for row in ws.iter_rows() for c in row if c.value == "Содержание")


def test_title_sheet_and_key_figures(tables, written):
    cells = CalamineWorkbook.from_path(str(written)).get_sheet_by_name("Титульный лист")
    text = "\n".join(str(v) for row in cells.to_python() for v in row if v)
    assert "Муниципальное общеобразовательное учреждение «Средняя общеобразовательная школа №4»" \
        in text
    assert "Период: отчёт за апрель 2027 (01.10.2026 – 31.03.2027)" in text
    assert "Дата составления: 25.11.2026" in text
    assert "Отчётная дата: 25.11.2026" in text
    figures = {r["Показатель"]: r["Значение"] for r in tables["tbl_key_figures"]}
    notes = {r["Показатель"]: r["Пояснение"] for r in tables["tbl_key_figures"]}
    assert figures["Просрочено"] == len(OVERDUE_PARTS)
    assert figures["Срок наступил"] == 5
    assert figures["Часов повышения квалификации"] == 72 + 16
    assert figures["Книг получено"] == 10
    assert notes["Книг получено"] == "от 8 из 21 респондентов"
    assert figures["Книг заменено"] == 1
    assert figures["Участников конкурса «Учиться читать»"] == 3
    assert figures["Победителей и призёров «Учиться читать»"] == 2


def test_roadmap_overdue_rows_are_marked(tables, book):
    rows = tables["tbl_roadmap"]
    assert {r["№"] for r in rows if r["Просрочено"] == "да"} == OVERDUE_PARTS
    assert [r["№"] for r in rows] == list(ROADMAP_ROWS)
    ws = book["Дорожная карта"]
    top = ws[ws.tables["tbl_roadmap"].ref.split(":")[0]].row
    for offset, row in enumerate(rows, start=1):
        fill = ws.cell(top + offset, 1).fill.fgColor.rgb
        marked = fill not in (None, "00000000")
        assert marked == (row["№"] in OVERDUE_PARTS), row["№"]
    assert rows[0]["Срок (дата)"] == dt.date(2024, 5, 31)
    stages = {r["Этап"]: r for r in tables["tbl_roadmap_stages"]}
    assert stages["II. Основной этап"]["Просрочено"] == 0
    assert stages["I. Подготовительный этап"]["Просрочено"] == 2
    notes = [c.value for row in ws.iter_rows(max_row=top - 1) for c in row if c.value]
    assert notes[1].startswith("Состояние на отчётную дату 25.11.2026. Пункт просрочен, если "
                               "его контрольный срок (ежегодный — в этом учебном году, "
                               "01.09.2026 – 31.08.2027) не позже отчётной даты")
    stage_sheet = book["Итоги по этапам"]
    assert "Пункты, строки которых с ошибками или не сданы, считаются в столбце «Нет " \
        "сведений»." in stage_sheet["A2"].value


def test_rankings_as_written(tables):
    ranking = tables["tbl_textbooks_ranking"]
    assert [(r["Класс"], round(r["Средний балл"], 6)) for r in ranking] == \
        expected_textbook_ranking()
    assert [r["Место"] for r in ranking] == [1, 2, 3, 4, 5]
    diaries = [(r["Группа классов"], r["ФИО ученика"]) for r in tables["tbl_diaries_top"]]
    assert diaries[:3] == [("1–4 классы", "Новиков Илья"), ("5–9 классы", "Петрова Анна"),
                           ("5–9 классы", "Смирнов Антон")]
    contest = {r["Этап"]: r for r in tables["tbl_reading_contest"]}
    assert (contest["Школьный"]["Победитель"], contest["Школьный"]["Призёр"],
            contest["Муниципальный"]["Призёр"], contest["Региональный"]["Всего"]) == (1, 1, 1, 0)
    assert len(tables["tbl_reading_contest_awards"]) == 3


def table_top(table) -> int:
    """The 1-based header row of a table."""
    return int(re.sub(r"[A-Z]", "", table.ref.split(":")[0]))


def test_total_rows_follow_the_streamed_rows(book, tables, written):
    ws = book["Повышение квалификации"]
    table = ws.tables["tbl_courses"]
    assert table.totalsRowCount == 1
    last = ws[table.ref.split(":")[1]].row
    assert table.autoFilter.ref.split(":")[1] == f"G{last - 1}"
    assert ws.cell(last, 1).value == "Итого"
    # A plain range, which Gnumeric reads too (not the structured «[Часов]»).
    assert ws.cell(last, 4).value == f"=SUBTOTAL(9,D{table_top(table) + 1}:D{last - 1})"
    column = table.tableColumns[3]
    assert (column.totalsRowFunction, column.totalsRowFormula.attr_text) == (
        "custom", f"SUBTOTAL(9,D{table_top(table) + 1}:D{last - 1})")
    assert [r["Часов"] for r in tables["tbl_courses"]] == [72, 16]
    values = CalamineWorkbook.from_path(str(written)).get_sheet_by_name(ws.title).to_python()
    assert values[last - 1][:4] == ["Итого", "", "", 88]  # the cached total


def test_meetings_and_staff(tables):
    topics = {r["Тема"]: r for r in tables["tbl_meeting_topics"]}
    assert topics["3.1. Формирование фонда ИБЦ в современных условиях"]["Даты"] == \
        "12.10.2026, 20.11.2026"
    assert sum(r["Охвачена"] == "да" for r in tables["tbl_meeting_topics"]) == 3  # with Другое
    assert len(tables["tbl_meetings"]) == 4
    levels = {r["Уровень"]: r for r in tables["tbl_practices"]}
    assert levels["Региональный"]["Публикация"] == 1


def test_submissions(tables):
    rows = tables["tbl_submissions"]
    by_file = {Path(r["Файл"]).name: r for r in rows if r["Файл"]}
    assert by_file["5А.xlsx"]["Статус"] == "принята"
    assert by_file["5А.xlsx"]["Сдан"] == CLASSES["5А"][1]
    assert by_file["6А первый.xlsx"]["Статус"] == "заменена"
    assert by_file["6А.xlsx"]["Статус"] == "принята"
    assert by_file[FOREIGN_FILE]["Статус"] == "не принята"
    assert sum(r["Статус"] == "не сдана" for r in rows) == 13


def test_problems_sources_and_reconciliation(tables, school):
    config, report = school
    form_of = {s.sheet: s.id for s in config.specs()}
    problems = tables["tbl_problems"]
    assert len(problems) == len(report.problems)
    score = next(r for r in problems if r["Код"] == "out-of-range")
    assert (Path(score["Файл"]).name, score["Лист"], score["Ячейка"], score["Поле"],
            score["Значение"], score["Важность"]) == ("5Б.xlsx", TEXTBOOKS, "J6",
                                                       "Обложки (0–5)", 7, "ошибка")
    sources = {Path(r["Файл"]).name: r for r in tables["tbl_sources"]}
    assert len(sources) == len(report.files)
    assert len(sources["5А.xlsx"]["SHA-256"]) == 64
    for form in tables["tbl_reconciliation"]:
        assert form["Прочитано строк"] == (form["Учтено"] + form["С ошибками"]
                                           + form["Вне периода"] + form["В неучтённых книгах"])
        read = [r for r in tables[f"tbl_data_{form_of[form['Форма']]}"] if r["Файл"]]
        assert len(read) == form["Прочитано строк"]
        assert sum(r["Учтено"] == "да" for r in read) == form["Учтено"]
    assert sum(r["Строк прочитано"] for r in tables["tbl_source_rows"]) == \
        sum(r["Прочитано строк"] for r in tables["tbl_reconciliation"])


def test_a_row_with_errors_is_shown_as_typed_and_not_counted(tables, book):
    rows = [r for r in tables["tbl_data_textbooks"] if r["Файл"].endswith("5Б.xlsx")]
    bad = next(r for r in rows if r["Строка"] == 6)
    assert (bad["Учтено"], bad["Почему не учтено"]) == ("нет", "ошибки в строке")
    assert bad["Обложки (0–5)"] == 7
    assert bad["Ошибки и замечания"].startswith("J6: Число 7 вне допустимых пределов")
    # Rows not counted are highlighted by a conditional format on «Учтено».
    ws = book["Данные — Сохранность учебников"]
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert any('="нет"' in r.formula[0] for r in rules)


def test_staff_text_stays_text(book, tables):
    assert tables["tbl_roadmap"][1]["Результат или документ"] == STAFF_FORMULA
    data = {r["№"]: r for r in tables["tbl_data_roadmap"]}
    assert data["1.2"]["Результат или документ"] == STAFF_FORMULA
    assert data["4.2"]["Комментарий"] == "+7 999"
    diaries = {r["ФИО ученика"]: r for r in tables["tbl_data_diaries"]}
    assert diaries["Иванов Пётр"]["Комментарий"] == "@x"
    formulas = [(ws.title, c.coordinate) for ws in book.worksheets for row in ws.iter_rows()
                for c in row if c.data_type == "f"]
    totals = {(ws.title, ws[t.ref.split(":")[1]].row) for ws in book.worksheets
              for t in ws.tables.values() if t.totalsRowCount}
    assert all((sheet, int(re.sub(r"[A-Z]", "", cell))) in totals for sheet, cell in formulas)


def test_dates_and_numbers_are_typed(book):
    ws = book["Данные — Сохранность учебников"]
    header = {c.value: c.column for c in ws[3]}
    first = ws.cell(4, header["Дата проверки"])
    assert first.is_date and first.number_format == "dd.mm.yyyy"
    assert isinstance(ws.cell(4, header["Проверено"]).value, int)
    submitted = book["Сдача книг"]
    header = {c.value: c.column for c in submitted[3]}
    stamp = submitted.cell(4, header["Сдан"])
    assert stamp.number_format == "dd.mm.yyyy hh:mm"


def test_every_cell_is_in_the_blanks_font(book):
    """One font family for the report and the blanks (``sheets.formats``), the one whose
    metrics the row heights are worked out for. Not tied to the theme's font: Excel shows a
    font marked as the theme's («minor») in the theme's Calibri, whatever its name says."""
    fonts = {(cell.font.name, cell.font.scheme) for ws in book.worksheets
             for row in ws.iter_rows() for cell in row if cell.value is not None}
    assert fonts == {(FONT, None)}


def test_identity(book):
    props = {p.name: p.value for p in book.custom_doc_props.props}
    assert props["ibc_xls_kind"] == "report"
    assert props["ibc_xls_school"] == "МОУ «СОШ №4»"
    assert props["ibc_xls_period_start"] == "2026-10-01"
    assert props["ibc_xls_period_end"] == "2027-03-31"
    assert props["ibc_xls_period_label"] == "отчёт за апрель 2027"
    assert props["ibc_xls_created"] == "2026-11-25T10:30:00"
    assert props["ibc_xls_generator"].startswith("ibc-xls ")
    assert all(isinstance(p, StringProperty) for p in book.custom_doc_props.props)
    passport = book[IDENTITY_SHEET]
    assert passport.sheet_state == "hidden" and passport.protection.sheet
    fields = {r[0]: r[2] for r in passport.iter_rows(values_only=True) if r[0]}
    assert fields["kind"] == "report" and fields["period_end"] == "2027-03-31"
    assert fields["roadmap"] == "Дорожная карта"  # the forms table: id, version, sheet, table
    assert book.properties.created == CREATED


def test_every_sheet_prints_on_a4_fitted_to_width(book):
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        assert ws.page_setup.paperSize == 9, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        # fitToWidth="1" is the default, which xlsxwriter leaves out.
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
        assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text
        if ws.tables and ws.title != "Титульный лист":  # the title page is one page
            assert ws.print_title_rows, ws.title


def test_charts(book):
    charts = {ws.title: len(ws._charts) for ws in book.worksheets}
    assert charts["Итоги по этапам"] == 1
    assert charts["Учиться читать"] == 1
    assert charts["Сохранность учебников"] == 1
    assert charts["Читательские дневники"] == 3  # one per grade band


def test_written_to_a_file_object(school):
    config, report = school
    data = consolidate(report, config, config.specs(), PERIOD, TODAY)
    buffer = io.BytesIO()
    write_report(data, buffer, CREATED)
    assert CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue())).sheet_names[0] == \
        "Титульный лист"


# --- hand-built inputs: odd text, many rows, nothing at all ------------------------------------

def _diaries_file(name: str, rows: list[dict], problems=()) -> FileResult:
    keys = {"ФИО ученика": "pupil", "Прочитано книг": "books", "Записей в дневнике": "entries",
            "Полнота (0–5)": "score_completeness", "Оформление (0–5)": "score_design",
            "Творческий подход (0–5)": "score_creativity",
            "Регулярность (0–5)": "score_regularity", "Комментарий": "comment"}
    records = []
    for i, row in enumerate(rows):
        values = {keys[k]: v for k, v in row.items()} | {"class": "5А"}
        records.append(Record(5 + i, values, dict(values)))
    return FileResult(f"сданные/{name}", "xlsx",
                      {"respondent_id": "class_5А", "respondent": "Учитель", "class_name": "5А",
                       "template": "class_teacher"},
                      {"diaries": FormResult("diaries", DIARIES, {}, records)}, list(problems),
                      sha256="0" * 64, size=1, modified=CREATED.timestamp())


def _write(config, files, tmp_path) -> dict:
    data = consolidate(Report(files), config, config.specs(), PERIOD, TODAY)
    path = tmp_path / "отчёт.xlsx"
    write_report(data, path, CREATED)
    return read_tables(path)


ODD = ["<b>&amp;</b> «ёлка»", "_x0041_ stays as typed", "tab\tand\nnew line", " padded ",
       "bell\x07", "=SUM(A1:A2)", "+7 999", "-2+3", "@x"]


def test_odd_text_round_trips(config, tmp_path):
    rows = [diary(f"Ученик {i}", 1, (1, 1, 1, 1), comment=text) for i, text in enumerate(ODD)]
    problem = Problem("too-long", file="сданные/a.xlsx", sheet=DIARIES, row=4, col=8,
                      field="comment", value="x" * 3, params={"title": "Комментарий",
                                                              "limit": 1, "length": 3})
    tables = _write(config, [_diaries_file("a.xlsx", rows, [problem])], tmp_path)
    assert [r["Комментарий"] for r in tables["tbl_data_diaries"]] == ODD
    assert tables["tbl_problems"][0]["Значение"] == "xxx"


def test_text_longer_than_an_excel_cell_is_cut_and_says_so(config, tmp_path):
    """An .ods cell may hold more than Excel's 32,767 characters; Excel would refuse the
    whole report. Emoji count twice in Excel's count."""
    long_comment = "Отзыв. " * 6000  # 42,000 characters
    emoji = "📚" * 20_000  # 20,000 characters, 40,000 units
    rows = [diary("Ученик 1", 1, (1, 1, 1, 1), comment=long_comment)]
    problem = Problem("too-long", file="сданные/a.xlsx", sheet=DIARIES, row=4, col=8,
                      field="comment", value=emoji, params={"title": "Комментарий",
                                                            "limit": 1, "length": 20_000})
    tables = _write(config, [_diaries_file("a.xlsx", rows, [problem])], tmp_path)
    for text, original in ((tables["tbl_data_diaries"][0]["Комментарий"], long_comment),
                           (tables["tbl_problems"][0]["Значение"], emoji)):
        assert len(text.encode("utf-16-le")) // 2 <= 32_767
        kept, _, note = text.partition(" … [обрезано: ")
        assert original.startswith(kept) and len(kept) > 15_000
        assert note == f"в ячейке было {len(original)} знаков]"


def test_many_rows_stream_in_chunks(config, tmp_path):
    rows = [diary(f"Ученик {i:05d}", i % 300, (i % 6, 5, 5, 5)) for i in range(12_003)]
    tables = _write(config, [_diaries_file("a.xlsx", rows)], tmp_path)
    data = tables["tbl_data_diaries"]
    assert len(data) == 12_003
    assert [r["Строка"] for r in data[4998:5002]] == [5003, 5004, 5005, 5006]
    assert data[-1]["ФИО ученика"] == "Ученик 12002"
    assert data[-1]["Прочитано книг"] == 12_002 % 300


def test_no_workbooks_at_all(config, tmp_path):
    tables = _write(config, [], tmp_path)
    assert {r["Статус"] for r in tables["tbl_submissions"]} == {"не сдана"}
    assert tables["tbl_problems"] == [{k: "" for k in tables["tbl_problems"][0]}]  # no rows


# --- printing ------------------------------------------------------------------------------------

def _with_libreoffice(test):
    for mark in needs_libreoffice:  # a list of marks, meant for a module's pytestmark
        test = mark(test)
    return test


@_with_libreoffice
def test_prints_to_pdf_with_libreoffice(written, tmp_path):
    (pdf,) = convert([written], "pdf", tmp_path)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= len(CONTENTS) + 9  # every sheet on a page at least


@pytest.mark.skipif(shutil.which("ssconvert") is None
                    and os.environ.get("IBC_XLS_REQUIRE_SOFFICE") != "1",
                    reason="ssconvert (Gnumeric) not found; CI installs it")
def test_gnumeric_reads_the_totals(written, book, tables, tmp_path):
    """Gnumeric parses every total's formula and, recalculating, gets the written sums."""
    out = tmp_path / "report.csv"
    proc = subprocess.run(["ssconvert", "--recalc", "-S", str(written), str(out)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Invalid expression" not in proc.stderr
    names = book.sheetnames

    def totals(sheet: str) -> list[str]:
        path = tmp_path / f"report.csv.{names.index(sheet)}"
        rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
        return next(row for row in rows if row and row[0] == "Итого")

    assert totals("Повышение квалификации")[:4] == ["Итого", "", "", "88"]  # streamed rows
    # A table written whole: Gnumeric's sums are the values the report caches.
    stages = tables["tbl_roadmap_stages"]
    sums = [sum(r[h] for r in stages if r[h] != "" and r["Этап"] != "Итого")
            for h in list(stages[0])[1:]]
    assert sums[-2] == 15  # every part of the roadmap
    rows = CalamineWorkbook.from_path(str(written)).get_sheet_by_name("Итоги по этапам")
    cached = next(row for row in rows.to_python() if row and row[0] == "Итого")
    assert cached[1:] == sums
    assert totals("Итоги по этапам")[1:] == [str(int(v)) for v in sums]


def test_numbers_stand_off_the_next_column(book):
    """A number right-aligned against the text of the next cell ran into it («7статус»):
    numbers are indented from their cell's right edge."""
    title = book["Титульный лист"]
    figures = title.tables["tbl_key_figures"]
    top = table_top(figures)
    done = next(r for r in range(top + 1, top + 30) if title.cell(r, 1).value == "Выполнено")
    assert isinstance(title.cell(done, 2).value, int | float)
    assert title.cell(done, 3).value.startswith("статус")
    for cell in (title.cell(done, 2), book["Ошибки и замечания"]["E3"]):
        assert (cell.alignment.horizontal, cell.alignment.indent) == ("right", 1), cell


def test_a_report_written_letting_go_of_its_rows_is_the_same(school, written, tmp_path):
    config, report = school
    data = consolidate(report, config, config.specs(), PERIOD, TODAY)
    released = tmp_path / "released.xlsx"
    write_report(data, released, CREATED, release=True)
    assert read_tables(released) == read_tables(written)
    before = CalamineWorkbook.from_path(str(written))
    after = CalamineWorkbook.from_path(str(released))
    assert after.sheet_names == before.sheet_names
    for name in before.sheet_names:
        assert after.get_sheet_by_name(name).to_python() == \
            before.get_sheet_by_name(name).to_python()
    # The forms are kept, their rows are not.
    assert [(f.form_id, f.table.rows, list(f.table.frame.columns)) for f in data.data.values()] \
        == [(f.form_id, 0, list(f.table.frame.columns))
            for f in consolidate(report, config, config.specs(), PERIOD, TODAY).data.values()]
