"""What Microsoft Excel writes and our own writers do not, inside a real ibc-xls return:
dates in the 1904 system, rich-text runs, and ``_x000D_`` escapes in strings."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
from fill import fill
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from ibc_xls.blanks.generate import generate
from ibc_xls.checking.check import check_file
from ibc_xls.checking.validate import Context
from ibc_xls.settings.respondents import respondents

TODAY = dt.date(2026, 11, 25)
DIARIES, TEXTBOOKS = "Читательский дневник", "Сохранность учебников"
MARKER = "ЗАМЕНИТЬ-НА-ПЕРЕВОД-СТРОКИ"


def test_excel_traits_inside_a_return(config, tmp_path):
    blank = next(o.path for o in generate(config) if o.respondent.id == "class_5А")
    path = fill(blank, tmp_path / "5А.xlsx", {
        DIARIES: [{"ФИО ученика": "rich", "Прочитано книг": 12, "Записей в дневнике": 15,
                   "Полнота (0–5)": 5, "Оформление (0–5)": 4, "Творческий подход (0–5)": 5,
                   "Регулярность (0–5)": 3, "Комментарий": MARKER}],
        TEXTBOOKS: [{"Дата проверки": dt.datetime(2026, 10, 5), "Учащихся": 27,
                     "Выдано учебников": 200, "Проверено": 180, "Обложки (0–5)": 5,
                     "Закладки (0–5)": 4, "Подписаны (0–5)": 5,
                     "Чистота, без пометок (0–5)": 5, "Наличие по расписанию (0–5)": 4}],
    })
    book = openpyxl.load_workbook(path, rich_text=True)
    book.epoch = CALENDAR_MAC_1904  # dates are written as serials from 1904-01-01
    book[DIARIES]["A5"].value = CellRichText(
        ["Иван", TextBlock(InlineFont(b=True, color="FF0000"), "ов Пётр")])
    book.save(path)
    # Excel escapes a carriage return in strings as _x000D_. (openpyxl writes the rich text
    # and every other string inline, in the sheet itself.)
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    assert b'date1904="1"' in parts["xl/workbook.xml"]
    sheet = next(n for n, data in parts.items() if MARKER.encode() in data)
    assert b"<r>" in parts[sheet], "the rich text runs are in the diaries sheet"
    parts[sheet] = parts[sheet].replace(MARKER.encode(), "первая_x000D_\nвторая".encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)

    specs = config.specs()
    ctx = Context.of(config, [p.id for p in respondents(config, specs)], TODAY)
    result = check_file(path, {s.id: s for s in specs}, ctx, tmp_path)
    assert [(p.code, p.cell) for p in result.problems] == []
    diary = result.forms["diaries"].records[0].values
    assert diary["pupil"] == "Иванов Пётр"
    assert diary["comment"] == "первая\nвторая"
    assert result.forms["textbooks"].records[0].values["date"] == dt.date(2026, 10, 5)
