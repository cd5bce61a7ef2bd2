"""The whole round of a correction in a real LibreOffice: a return with mistakes → ``review``
→ the copy opened in Calc, only the marked cells typed over, saved as .xlsx → ``validate``
finds nothing and the corrected copy is used instead of the first return. The copy also goes
through LibreOffice unharmed (conversion) and its «Что исправить» prints on A4."""

from __future__ import annotations

import datetime as dt

import openpyxl
from fill import DIARY_ROW, FIRST, column_of, fill, saved_at
from libreoffice import XLSX, convert, needs_uno, type_into

from ibc_xls.checking.check import check_paths
from ibc_xls.forms.layout import REVIEW_SHEET
from ibc_xls.report.collect import collect
from ibc_xls.review.copies import review
from ibc_xls.settings.periods import report_period

pytestmark = needs_uno

AS_OF = dt.date(2026, 11, 25)
TEACHER = "1А класс — Смирнова Ольга Викторовна"
DIARIES, TEXTBOOKS = "Читательский дневник", "Сохранность учебников"
SCORES = {"Обложки (0–5)": 5, "Закладки (0–5)": 4, "Подписаны (0–5)": 5,
          "Чистота, без пометок (0–5)": 4, "Наличие по расписанию (0–5)": 5}


def test_a_corrected_copy_is_accepted_in_place_of_the_return(config, generated, tmp_path):
    returned = fill(config.folders["outgoing"] / f"{TEACHER}.xlsx",
                    config.folders["returned"] / f"{TEACHER}.xlsx", {
        DIARIES: [DIARY_ROW,
                  {**DIARY_ROW, "ФИО ученика": "Петрова Анна", "Полнота (0–5)": 7},
                  {**DIARY_ROW, "ФИО ученика": None},
                  {**DIARY_ROW, "ФИО ученика": "Сидоров Илья", "Прочитано книг": "много"}],
        TEXTBOOKS: [{"Дата проверки": "31.02.2026", "Учащихся": 25,
                     "Выдано учебников": 300, "Проверено": 250, **SCORES}],
    })
    book = openpyxl.load_workbook(returned)
    cell = book[DIARIES].cell(FIRST + 3, column_of(book[DIARIES], "Записей в дневнике"))
    cell.value, cell.data_type = "=1+1", "s"
    book.save(returned)
    saved_at(returned, dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC))

    entry = review(config, as_of=AS_OF).entries[0]
    marked = {(p.sheet, p.cell) for p in check_paths([entry.copy], config, as_of=AS_OF)
              .files[0].problems}
    typed = [(DIARIES, "E6", "4"), (DIARIES, "A7", "Орлов Никита"), (DIARIES, "C8", "10"),
             (DIARIES, "D8", "12"), (TEXTBOOKS, "A5", "14.10.2026")]
    assert marked == {(sheet, cell) for sheet, cell, _ in typed}
    corrected = config.folders["returned"] / f"{TEACHER} (исправленная).xlsx"
    pages = type_into(entry.copy, corrected, typed, inspect=(REVIEW_SHEET,))

    # «Что исправить» prints on A4 portrait, at a scale where 11-point text stays ≥ 8 points.
    page = pages[REVIEW_SHEET]
    assert abs(page["width"] - 21000) <= 5 and abs(page["height"] - 29700) <= 5  # 1/100 mm
    assert pages[REVIEW_SHEET]["scale"] >= 73

    alone = check_paths([corrected], config, as_of=AS_OF).files[0]
    assert (alone.status, alone.problems) == ("ok", [])
    both = {r.file.rsplit("/", 1)[-1]: r for r in check_paths(
        [config.folders["returned"]], config, as_of=AS_OF).files}
    assert both[corrected.name].status == "ok"
    assert both[returned.name].status == "replaced"
    rows = both[corrected.name].forms["diaries"].records
    assert [(r.get("pupil"), r.get("books"), r.get("entries"), r.get("score_completeness"))
            for r in rows] == [("Иванов Пётр", 12, 15, 5), ("Петрова Анна", 12, 15, 4),
                               ("Орлов Никита", 12, 15, 5), ("Сидоров Илья", 10, 12, 5)]
    assert both[corrected.name].forms["textbooks"].records[0].get("date") == \
        dt.date(2026, 10, 14)

    # collect uses the corrected copy in place of the first return.
    done = collect(config, report_period("2027-04"), as_of=AS_OF, output=tmp_path / "r.xlsx",
                   workers=1)
    rows = list(openpyxl.load_workbook(done.output, read_only=True)["Сдача книг"]
                .iter_rows(values_only=True))
    header = next(r for r in rows if "Статус" in r and "Строк учтено" in r)
    by_file = {str(r[header.index("Файл")]).rsplit("/", 1)[-1]: r for r in rows
               if r is not header and r[header.index("Файл")]}
    used, first = by_file[corrected.name], by_file[returned.name]
    assert used[header.index("Статус")] == "принята"
    assert used[header.index("Строк учтено")] == 5  # four diaries and one check
    assert first[header.index("Статус")] == "заменена"
    assert first[header.index("Строк учтено")] == 0


def test_libreoffice_opens_the_copy_as_is(config, generated, tmp_path):
    fill(config.folders["outgoing"] / f"{TEACHER}.xlsx",
         config.folders["returned"] / f"{TEACHER}.xlsx",
         {DIARIES: [{**DIARY_ROW, "Полнота (0–5)": 9}]})
    entry = review(config, as_of=AS_OF).entries[0]
    [converted] = convert([entry.copy], XLSX, tmp_path / "lo")
    book = openpyxl.load_workbook(converted)
    assert book.sheetnames[0] == REVIEW_SHEET
    assert book[DIARIES]["E5"].value == 9
    assert "Число 9 вне допустимых пределов" in book[DIARIES]["E5"].comment.text
    again = check_paths([converted], config, as_of=AS_OF).files[0]
    assert [(p.code, p.cell) for p in again.problems] == [("out-of-range", "E5")]
