"""A teacher's workbook saved by a real LibreOffice as .xlsx, .ods and .xls reads the same:
the same typed rows and the same problems, cell for cell."""

from __future__ import annotations

import datetime as dt

import pytest
from fill import fill
from libreoffice import ODS, XLS, XLSX, convert, needs_libreoffice

from ibc_xls.blanks.generate import generate
from ibc_xls.checking.check import check_file
from ibc_xls.checking.validate import Context
from ibc_xls.settings.respondents import respondents

pytestmark = needs_libreoffice
TODAY = dt.date(2026, 11, 25)
DIARIES, TEXTBOOKS, CONTEST = "Читательский дневник", "Сохранность учебников", "Учиться читать"
ROWS = {
    DIARIES: [
        {"ФИО ученика": "Иванов Пётр", "Прочитано книг": 12, "Записей в дневнике": "1 000",
         "Полнота (0–5)": 5, "Оформление (0–5)": 4, "Творческий подход (0–5)": "4,0",
         "Регулярность (0–5)": 3},
        {"ФИО ученика": "Петрова Анна", "Класс": "5A", "Прочитано книг": 7,
         "Записей в дневнике": 20, "Полнота (0–5)": 7, "Оформление (0–5)": 4,
         "Творческий подход (0–5)": 5, "Регулярность (0–5)": "5+"},
    ],
    TEXTBOOKS: [
        {"Дата проверки": "5 октября 2026", "Учащихся": 27, "Выдано учебников": 200,
         "Проверено": 180, "В хорошем состоянии": 150, "Утеряно или испорчено": 2,
         "Обложки (0–5)": 5, "Закладки (0–5)": 4, "Подписаны (0–5)": 5,
         "Чистота, без пометок (0–5)": 5, "Наличие по расписанию (0–5)": 4},
        {"Дата проверки": "31.02.2026", "Учащихся": 27, "Выдано учебников": 100,
         "Проверено": 180, "Обложки (0–5)": 5, "Закладки (0–5)": 4, "Подписаны (0–5)": 5,
         "Чистота, без пометок (0–5)": 5, "Наличие по расписанию (0–5)": 4},
    ],
    CONTEST: [{"ФИО участника": "Сидоров Илья", "Номинация": "Чтец", "Этап": "школьный",
               "Результат": "призер", "Дата": dt.datetime(2026, 10, 12)}],
}
EXPECTED_PROBLEMS = [
    ("bad-date", TEXTBOOKS, "A6"), ("rule-le", TEXTBOOKS, "D6"),
    ("out-of-range", DIARIES, "E6"), ("bad-number", DIARIES, "H6"),
]


@pytest.fixture(scope="module")
def saved(tmp_path_factory, generated_once):
    """The same filled workbook as openpyxl wrote it and as LibreOffice saved it, 3 ways."""
    config, _ = generated_once
    tmp = tmp_path_factory.mktemp("formats")
    blank = next(o.path for o in generate(config, tmp / "blanks")
                 if o.respondent.id == "class_5А")
    source = fill(blank, tmp / "5А.xlsx", ROWS)
    files = {"openpyxl": source}
    for name, target in (("xlsx", XLSX), ("ods", ODS), ("xls", XLS)):
        files[name] = convert([source], target, tmp / name)[0]
    specs = config.specs()
    ctx = Context.of(config, [p.id for p in respondents(config, specs)], TODAY)
    return {name: check_file(path, {s.id: s for s in specs}, ctx, tmp)
            for name, path in files.items()}


@pytest.mark.parametrize("fmt", ["openpyxl", "xlsx", "ods", "xls"])
def test_the_same_problems_in_every_format(saved, fmt):
    result = saved[fmt]
    assert result.format == ("xlsx" if fmt == "openpyxl" else fmt)
    assert [(p.code, p.sheet, p.cell) for p in result.problems] == EXPECTED_PROBLEMS


@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_the_same_rows_in_every_format(saved, fmt):
    def rows(result):
        return {form: [(r.row, r.values, r.ok) for r in f.records]
                for form, f in result.forms.items()}

    assert rows(saved[fmt]) == rows(saved["openpyxl"])


def test_values_as_understood(saved):
    diaries = saved["ods"].forms["diaries"].records
    assert diaries[0].values["entries"] == 1000
    assert diaries[0].values["score_creativity"] == 4
    assert diaries[1].values["class"] == "5А"
    check = saved["xls"].forms["textbooks"].records[0].values
    assert check["date"] == dt.date(2026, 10, 5)
    entry = saved["xlsx"].forms["reading_contest"].records[0].values
    assert (entry["stage"], entry["result"], entry["date"]) == (
        "Школьный", "Призёр", dt.date(2026, 10, 12))
