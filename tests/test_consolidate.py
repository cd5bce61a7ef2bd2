"""Consolidation: from checked workbooks to the report's tables. A realistic school is built
from real blanks filled as staff fill them (the tables of values below), checked as ``collect``
checks them; every expectation is worked out by hand from the values typed in, not by calling
consolidate's helpers."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from fill import FIRST, column_of, fill, saved_at

from ibc_xls.blanks.generate import generate
from ibc_xls.checking.check import check_paths
from ibc_xls.checking.results import FileResult, FormResult, Record, Report
from ibc_xls.checking.validate import check_across
from ibc_xls.forms.identity import IDENTITY_SHEET
from ibc_xls.forms.spec import DEFAULT_TEMPLATES, load_specs
from ibc_xls.problems import Problem
from ibc_xls.report.analyses import band_of
from ibc_xls.report.consolidate import Table, consolidate
from ibc_xls.report.roadmap import Deadline, is_overdue, parse_deadline
from ibc_xls.report.rows import WHY_BLOCKED, WHY_ERRORS, WHY_PERIOD, WHY_SUPERSEDED
from ibc_xls.settings.config import Config, load_config
from ibc_xls.settings.periods import custom_period, report_period
from ibc_xls.settings.workspace import init_workspace

TODAY = dt.date(2026, 11, 25)
PERIOD = report_period("2027-04")  # 01.10.2026 – 31.03.2027: the April report of 2026/2027
YEAR = (dt.date(2026, 9, 1), dt.date(2027, 8, 31))  # the academic year of the blanks
ROADMAP, MEETINGS, PRACTICES, COURSES = ("Дорожная карта", "Методические встречи",
                                         "Обмен опытом", "Повышение квалификации")
DOCUMENTS = "Нормативные документы"
CONTEST, TEXTBOOKS, DIARIES = "Учиться читать", "Сохранность учебников", "Читательский дневник"
STAFF_FORMULA = "=1+1"  # typed as text (with an apostrophe in Excel): must stay text
TOPICS = ["3. Проблемы развития школьных ИБЦ; нормативно-правовая база",
          "3.1. Формирование фонда ИБЦ в современных условиях",
          "3.2. Организация деятельности ИБЦ в АИС «Учебник»",
          "3.3. Формы и технологии взаимодействия библиотек с обучающимися",
          "3.4. Выставочная деятельность школьных ИБЦ",
          "Другое"]
SCORES = ["Обложки (0–5)", "Закладки (0–5)", "Подписаны (0–5)", "Чистота, без пометок (0–5)",
          "Наличие по расписанию (0–5)"]
DIARY_SCORES = ["Полнота (0–5)", "Оформление (0–5)", "Творческий подход (0–5)",
                "Регулярность (0–5)"]


def done(day: str, result: str = "Выполнено по плану") -> dict:
    return {"Статус": "Выполнено", "Дата выполнения": day, "Результат или документ": result}


# Roadmap as the ИБЦ head fills it. Control dates (templates/01_roadmap.toml): 1.x once on
# 31.05.2024; 2.x every 31.05; 3.x and 4.x every 31.08; 5.1 every 30.04 and 31.10. In the
# academic year 2026/2027 the yearly ones are 31.05.2027, 31.08.2027, 31.10.2026 and 30.04.2027.
# On the reporting date 25.11.2026 only 31.05.2024 and 31.10.2026 have come.
ROADMAP_ROWS = {
    "1.1": done("20.05.2024", "Приказ №45-о от 20.05.2024"),
    "1.2": done("15.06.2024", STAFF_FORMULA),  # done late: still done
    "1.3": {"Статус": "В работе"},  # overdue: its only deadline has passed
    "1.4": {"Статус": "Выполнено"},  # no date and result: errors, so overdue
    "2.1": done("15.05.2026"),  # done in the previous academic year: overdue from 31.05.2027
    "2.2": done("20.05.2025"),  # the same
    "2.3": {"Статус": "Не начато"},  # overdue from 31.05.2027
    "3": done("10.10.2026"),  # done for 31.08.2027
    "3.1": {"Статус": "В работе"},  # overdue from 31.08.2027
    "3.2": {"Статус": "Перенесено"},  # overdue from 31.08.2027
    "3.3": {"Статус": "Не выполняется"},  # overdue from 31.08.2027
    "3.4": {"Статус": None},  # missing: error, overdue from 31.08.2027
    "4.1": done("01.09.2026"),
    "4.2": {"Статус": "В работе", "Комментарий": "+7 999"},  # overdue from 31.08.2027
    "5.1": done("30.10.2026", "Отчёт за октябрь"),  # done in this academic year
}
OVERDUE_PARTS = {"1.3", "1.4"}  # on 25.11.2026
# On later reporting dates, worked out from the comments above.
OVERDUE_LATER = {dt.date(2027, 5, 30): {"1.3", "1.4"},
                 dt.date(2027, 5, 31): {"1.3", "1.4", "2.1", "2.2", "2.3"},
                 dt.date(2027, 8, 31): {"1.3", "1.4", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3",
                                        "3.4", "4.2"}}
# «Выполнено» without errors, done by 25.11.2026, in this academic year if yearly.
DONE_PARTS = {"1.1", "1.2", "3", "4.1", "5.1"}


def meeting(day: str, topic: int, other: str | None = None) -> dict:
    return {"Дата": day, "Тема": TOPICS[topic], "Тема, если «Другое»": other,
            "Организатор": "ТОИПКРО", "Формат": "Дистанционно"}


IBC_HEAD = {
    MEETINGS: [meeting("15.09.2026", 0),  # before the period
               meeting("12.10.2026", 1), meeting("20.11.2026", 1),
               meeting("05.11.2026", 5, "Цифровые ресурсы"), meeting("01.10.2026", 4)],
    PRACTICES: [
        {"Дата": "10.10.2026", "Мероприятие": "Августовская конференция",
         "Уровень": "Муниципальный", "Форма": "Выступление"},
        {"Дата": "14.11.2026", "Мероприятие": "Сборник ТОИПКРО", "Уровень": "Региональный",
         "Форма": "Публикация"},
        {"Дата": "10.09.2026", "Мероприятие": "Неделя книги", "Уровень": "Школьный",
         "Форма": "Мастер-класс"},  # before the period
    ],
    COURSES: [
        {"Программа": "ИБЦ в современной школе", "Организация": "ТОИПКРО", "Часов": 72,
         "Начало": "01.09.2026", "Окончание": "30.10.2026", "Документ": "Удостоверение"},
        {"Программа": "АИС «Учебник»", "Организация": "ТОИПКРО", "Часов": 36,
         "Начало": "01.09.2026", "Окончание": "20.09.2026"},  # ended before the period
        {"Программа": "Выставочная работа", "Организация": "ТГПУ", "Часов": 16,
         "Начало": "02.11.2026", "Окончание": "20.11.2026"},
    ],
    DOCUMENTS: [{"Пункт плана": "1.1", "Вид документа": "Приказ", "Номер": "112-о",
                 "Дата": "02.10.2026", "Название": "О работе ИБЦ"}],
}
COURSE_HOURS = 72 + 16


def entry(pupil, nomination, stage, result, day):
    return {"ФИО участника": pupil, "Номинация": nomination, "Этап": stage,
            "Результат": result, "Дата": day}


def check(day, scores, checked, lost, comment=None):
    return {"Дата проверки": day, "Учащихся": 25, "Выдано учебников": 400,
            "Проверено": checked, "Утеряно или испорчено": lost, "Комментарий": comment,
            **dict(zip(SCORES, scores, strict=True))}


def diary(pupil, books, scores, comment=None):
    return {"ФИО ученика": pupil, "Прочитано книг": books, "Записей в дневнике": books + 3,
            "Комментарий": comment, **dict(zip(DIARY_SCORES, scores, strict=True))}


# Class teachers' workbooks: respondent id → (file name, saved at, rows by sheet).
CLASSES = {
    "5А": ("5А.xlsx", dt.datetime(2026, 11, 20, 9, 15), {
        CONTEST: [entry("Сидоров Илья", "Чтец", "Школьный", "Победитель", "12.10.2026"),
                  entry("Сидоров Илья", "Чтец", "Муниципальный", "Призёр", "10.11.2026"),
                  entry("Петрова Анна", "Чтец", "Школьный", "Участник", "12.10.2026"),
                  entry("Орлов Иван", "Сочинение", "Школьный", "Участник", "20.09.2026")],
        TEXTBOOKS: [check("05.10.2026", (5, 4, 5, 5, 4), 180, 2, "+7 999"),
                    check("10.11.2026", (5, 5, 5, 5, 5), 180, 1),
                    check("15.09.2026", (1, 1, 1, 1, 1), 180, 50)],  # before the period
        DIARIES: [diary("Иванов Пётр", 12, (5, 4, 5, 3), "@x"),
                  diary("Петрова Анна", 20, (5, 5, 5, 5)),
                  diary("Кузнецов Олег", 8, (4, 4, 4, 5))],
    }),
    "5Б": ("5Б.xlsx", dt.datetime(2026, 11, 21, 14, 0), {
        CONTEST: [entry("Волкова Мария", "Чтец", "Школьный", "Призёр", "12.10.2026")],
        TEXTBOOKS: [check("06.10.2026", (5, 5, 5, 4, 5), 200, 4),
                    check("06.11.2026", (7, 5, 5, 5, 5), 200, 0)],  # 7: an error
        DIARIES: [diary("Смирнов Антон", 15, (5, 5, 5, 5))],
    }),
    "10А": ("10А.xlsx", dt.datetime(2026, 11, 19, 8, 0), {
        TEXTBOOKS: [check("07.10.2026", (4, 4, 4, 4, 4), 150, 0)],
        DIARIES: [diary("Беляев Максим", 30, (5, 5, 4, 5)),
                  diary("Орлова Дарья", 25, (3, 4, 4, 4))],
    }),
    "3А": ("3А.xlsx", dt.datetime(2026, 11, 18, 16, 45), {
        TEXTBOOKS: [check("08.10.2026", (4, 4, 4, 4, 4), 100, 5)],
        DIARIES: [diary("Новиков Илья", 5, (3, 3, 3, 3))],
    }),
    "7А": ("7А.xlsx", dt.datetime(2026, 11, 17, 11, 0), {
        TEXTBOOKS: [check("10/25/2026", (3, 3, 3, 3, 3), 100, 10)],  # a warning only
    }),
}
# 6А hands in twice; the later workbook counts. 8А sends last year's blank: not taken.
SIXTH_EARLY = ("6А первый.xlsx", dt.datetime(2026, 11, 1, 10, 0),
               {DIARIES: [diary("Павлов Сергей", 40, (5, 5, 5, 5))]})
SIXTH_LATE = ("6А.xlsx", dt.datetime(2026, 11, 10, 12, 30),
              {DIARIES: [diary("Павлов Сергей", 10, (4, 4, 4, 4))]})
EIGHTH = ("8А.xlsx", dt.datetime(2026, 11, 22, 10, 0),
          {DIARIES: [diary("Богданов Игорь", 50, (5, 5, 5, 5))]})
IBC_FILE = ("ИБЦ.xlsx", dt.datetime(2026, 11, 24, 17, 5))
FOREIGN_FILE = "чужая.xlsx"


def _type_text(path: Path, sheet: str, part: str, title: str, text: str) -> None:
    """Store ``text`` as a text cell, as Excel does for text typed after an apostrophe
    (openpyxl would otherwise make a formula of a text starting with "=")."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    row = next(r for r in range(FIRST, ws.max_row + 1) if ws.cell(r, 1).value == part)
    cell = ws.cell(row, column_of(ws, title))
    cell.value = text
    cell.data_type = "s"
    wb.save(path)


def _set_year(path: Path, year: str) -> None:
    wb = openpyxl.load_workbook(path)
    for row in wb[IDENTITY_SHEET].iter_rows():
        if row[0].value == "academic_year":
            row[2].value = year
    for prop in wb.custom_doc_props.props:
        if prop.name == "ibc_xls_academic_year":
            prop.value = year
    wb.save(path)


def retyped(value, words: dict[str, str]):
    """The scenario's values with some words typed differently (a school's own choices)."""
    if isinstance(value, dict):
        return {k: retyped(v, words) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(retyped(v, words) for v in value)
    return words.get(value, value) if isinstance(value, str) else value


def build_school(root: Path, edit: Callable[[Path], None] | None = None,
                 words: dict[str, str] | None = None,
                 extra: dict[str, list[dict]] | None = None) -> Config:
    """A working folder whose «сданные» holds the scenario's workbooks. ``edit`` changes the
    school's settings folder (templates, ibc-xls.toml) before the blanks are made, ``words``
    retypes the values typed in, ``extra`` adds rows to the ИБЦ head's workbook."""
    init_workspace(root, today=TODAY)
    if edit is not None:
        edit(root)
    config = load_config(root)
    blanks = {o.respondent.id: o.path for o in generate(config)}
    returned = config.folders["returned"]
    words = words or {}
    ibc = fill(blanks["ibc_head"], returned / IBC_FILE[0],
               retyped(IBC_HEAD, words) | (extra or {}),
               fixed={ROADMAP: retyped(ROADMAP_ROWS, words)})
    _type_text(ibc, ROADMAP, "1.2", "Результат или документ", STAFF_FORMULA)
    saved_at(ibc, IBC_FILE[1])
    for cls, (name, when, rows) in CLASSES.items():
        saved_at(fill(blanks[f"class_{cls}"], returned / name, retyped(rows, words)), when)
    for name, when, rows in (SIXTH_EARLY, SIXTH_LATE):
        saved_at(fill(blanks["class_6А"], returned / name, retyped(rows, words)), when)
    eighth = fill(blanks["class_8А"], returned / EIGHTH[0], retyped(EIGHTH[2], words))
    _set_year(eighth, "2025/2026")
    saved_at(eighth, EIGHTH[1])
    wb = openpyxl.Workbook()
    wb.active.append(["ФИО", "Класс"])
    wb.save(returned / FOREIGN_FILE)
    saved_at(returned / FOREIGN_FILE, dt.datetime(2026, 11, 23, 8, 0))
    return config


def judge(config: Config) -> Report:
    """Check every returned workbook as ``collect`` does."""
    return check_paths([config.folders["returned"]], config, as_of=TODAY, workers=1)


@pytest.fixture(scope="module")
def school(tmp_path_factory) -> tuple[Config, Report]:
    config = build_school(tmp_path_factory.mktemp("report") / "школа")
    return config, judge(config)


@pytest.fixture(scope="module")
def data(school):
    config, report = school
    return consolidate(report, config, config.specs(), PERIOD, TODAY)


def records(table: Table) -> list[dict]:
    return table.frame.to_dict("records")


# --- the scenario's files were judged as expected ------------------------------------------

def test_the_scenario_files_are_judged_as_intended(school):
    _, report = school
    status = {Path(f.file).name: f.status for f in report.files}
    assert status == {"ИБЦ.xlsx": "errors", "5А.xlsx": "ok", "5Б.xlsx": "errors",
                      "10А.xlsx": "ok", "3А.xlsx": "ok", "7А.xlsx": "warnings",
                      "6А первый.xlsx": "replaced", "6А.xlsx": "ok", "8А.xlsx": "errors",
                      FOREIGN_FILE: "refused"}


# --- the roadmap -----------------------------------------------------------------------------

def test_deadlines_are_understood_from_the_spec_text():
    assert parse_deadline("31.05.2024") == Deadline("31.05.2024", once=(dt.date(2024, 5, 31),))
    assert parse_deadline("ежегодно 31.05").yearly == ((5, 31),)
    assert parse_deadline("Ежегодно 30.04 и 31.10").yearly == ((4, 30), (10, 31))
    assert parse_deadline("по отдельному плану") == Deadline("по отдельному плану")


def test_yearly_deadlines_fall_inside_the_academic_year():
    year = (dt.date(2025, 9, 1), dt.date(2026, 8, 31))
    assert parse_deadline("ежегодно 30.04 и 31.10").dates(year) == [
        dt.date(2025, 10, 31), dt.date(2026, 4, 30)]
    assert parse_deadline("ежегодно 31.08").dates(year) == [dt.date(2026, 8, 31)]
    assert parse_deadline("31.05.2024").dates(year) == [dt.date(2024, 5, 31)]


Y2526 = (dt.date(2025, 9, 1), dt.date(2026, 8, 31))
D = dt.date


@pytest.mark.parametrize(("text", "status", "done_on", "as_of", "expected"), [
    # on track for this year's 31.05: not overdue; the day after it: overdue
    ("ежегодно 31.05", "В работе", None, D(2026, 3, 31), (False, D(2026, 5, 31))),
    ("ежегодно 31.05", "В работе", None, D(2026, 5, 30), (False, D(2026, 5, 31))),
    ("ежегодно 31.05", "В работе", None, D(2026, 5, 31), (True, D(2026, 5, 31))),
    ("ежегодно 31.05", "В работе", None, D(2026, 6, 1), (True, D(2026, 5, 31))),
    ("ежегодно 31.05", "Выполнено", D(2026, 5, 20), D(2026, 6, 1), (False, D(2026, 5, 31))),
    ("ежегодно 31.05", "Выполнено", D(2026, 6, 20), D(2026, 7, 1), (False, D(2026, 5, 31))),
    # done last academic year: not done for this one
    ("ежегодно 31.05", "Выполнено", D(2025, 5, 20), D(2026, 6, 1), (True, D(2026, 5, 31))),
    # done after the reporting date: not done by then
    ("ежегодно 31.05", "Выполнено", D(2026, 6, 2), D(2026, 6, 1), (True, D(2026, 5, 31))),
    ("ежегодно 31.05", None, None, D(2026, 6, 1), (True, D(2026, 5, 31))),  # no information
    # a dated deadline of 2024, not done: overdue ever since; done late: done
    ("31.05.2024", "Не начато", None, D(2026, 3, 31), (True, D(2024, 5, 31))),
    ("31.05.2024", "В работе", None, D(2026, 3, 31), (True, D(2024, 5, 31))),
    ("31.05.2024", "Выполнено", D(2024, 7, 1), D(2026, 3, 31), (False, D(2024, 5, 31))),
    # twice a year: «В работе» towards 30.04 is on track although 31.10 has passed
    ("ежегодно 30.04 и 31.10", "В работе", None, D(2026, 3, 31), (False, D(2026, 4, 30))),
    ("ежегодно 30.04 и 31.10", "Не начато", None, D(2026, 3, 31), (True, D(2025, 10, 31))),
    ("ежегодно 30.04 и 31.10", "Выполнено", D(2025, 10, 30), D(2026, 3, 31),
     (False, D(2026, 4, 30))),
    ("ежегодно 30.04 и 31.10", "В работе", None, D(2026, 5, 1), (True, D(2025, 10, 31))),
    ("ежегодно 30.04 и 31.10", "В работе", None, D(2025, 10, 1), (False, D(2025, 10, 31))),
    ("без даты", None, None, D(2026, 6, 1), (False, None)),
])
def test_overdue_rule(text, status, done_on, as_of, expected):
    # The rule works on what a status means, as the roadmap's spec names it (meanings).
    column = next(s for s in load_specs(DEFAULT_TEMPLATES) if s.id == "roadmap").role("status")
    meaning = next((name for name, values in column.meanings if status in values), status)
    assert is_overdue(parse_deadline(text), meaning, done_on, as_of, Y2526) == expected


def test_roadmap_progress_marks_overdue_measures(data):
    rows = records(data.summary("tbl_roadmap"))
    assert [r["№"] for r in rows] == list(ROADMAP_ROWS)
    assert {r["№"] for r in rows if r["Просрочено"] == "да"} == OVERDUE_PARTS
    assert {r["№"] for r in rows if r["Просрочено"] == "нет"} == \
        set(ROADMAP_ROWS) - OVERDUE_PARTS
    by_part = {r["№"]: r for r in rows}
    assert by_part["2.1"]["Срок (дата)"] == dt.date(2027, 5, 31)  # the next one
    assert by_part["5.1"]["Срок (дата)"] == dt.date(2027, 4, 30)  # done for 31.10.2026
    assert by_part["1.3"]["Срок (дата)"] == dt.date(2024, 5, 31)  # the one missed
    assert by_part["1.1"]["Дата выполнения"] == dt.date(2024, 5, 20)
    assert by_part["1.2"]["Результат или документ"] == STAFF_FORMULA
    # A row with errors shows what was typed, beside its problems.
    assert by_part["1.4"]["Статус"] == "Выполнено"
    assert "Для статуса «Выполнено» укажите дату" in by_part["1.4"]["Ошибки и замечания"]
    assert by_part["1.1"]["Ошибки и замечания"] == ""


def test_roadmap_statuses_by_stage(data):
    rows = {r["Этап"]: r for r in records(data.summary("tbl_roadmap_stages"))}
    first = rows["I. Подготовительный этап"]
    assert (first["Выполнено"], first["В работе"], first["Нет сведений"], first["Всего"],
            first["Просрочено"]) == (2, 1, 1, 4, 2)
    main = rows["II. Основной этап"]
    assert (main["Выполнено"], main["Не начато"], main["В работе"], main["Перенесено"],
            main["Не выполняется"], main["Нет сведений"], main["Всего"],
            main["Просрочено"]) == (4, 1, 2, 1, 1, 1, 10, 0)
    assert data.summary("tbl_roadmap_stages").total["Всего"] == 15
    assert data.summary("tbl_roadmap_stages").total["Просрочено"] == len(OVERDUE_PARTS)


@pytest.mark.parametrize("as_of", sorted(OVERDUE_LATER))
def test_overdue_measures_on_later_reporting_dates(school, as_of):
    config, report = school
    later = consolidate(report, config, config.specs(), custom_period(PERIOD.start, as_of),
                        as_of)
    rows = records(later.summary("tbl_roadmap"))
    assert {r["№"] for r in rows if r["Просрочено"] == "да"} == OVERDUE_LATER[as_of]
    assert later.summary("tbl_roadmap_stages").total["Просрочено"] == len(OVERDUE_LATER[as_of])


# --- contests ------------------------------------------------------------------------------

def counted_entries() -> list[dict]:
    """The contest rows that count: in the period, from taken workbooks, without errors."""
    rows = [dict(e, cls=cls) for cls, (_, _, sheets) in CLASSES.items()
            for e in sheets.get(CONTEST, [])]
    return [e for e in rows if PERIOD.start <= _day(e["Дата"]) <= PERIOD.end]


def _day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d.%m.%Y").date()


def test_reading_contest_by_stage_and_result(data):
    expected = {}
    for e in counted_entries():
        expected[(e["Этап"], e["Результат"])] = expected.get((e["Этап"], e["Результат"]), 0) + 1
    rows = {r["Этап"]: r for r in records(data.summary("tbl_reading_contest"))}
    for stage in ("Школьный", "Муниципальный", "Региональный"):
        for result in ("Участник", "Призёр", "Победитель"):
            assert rows[stage][result] == expected.get((stage, result), 0), (stage, result)
    assert data.summary("tbl_reading_contest").total["Всего"] == len(counted_entries()) == 4
    awards = records(data.summary("tbl_reading_contest_awards"))
    assert [(a["ФИО участника"], a["Этап"], a["Результат"]) for a in awards] == [
        ("Сидоров Илья", "Школьный", "Победитель"), ("Волкова Мария", "Школьный", "Призёр"),
        ("Сидоров Илья", "Муниципальный", "Призёр")]


def expected_textbook_ranking() -> list[tuple[str, float]]:
    """Classes by the average of the five scores over their counted checks, then by fewer
    books lost per book checked — worked out from CLASSES."""
    by_class: dict[str, list] = {}
    for cls, (_, _, sheets) in CLASSES.items():
        for c in sheets.get(TEXTBOOKS, []):
            day = c["Дата проверки"]
            day = dt.date(2026, 10, 25) if day == "10/25/2026" else _day(day)
            scores = [c[s] for s in SCORES]
            if day < PERIOD.start or max(scores) > 5:
                continue
            by_class.setdefault(cls, []).append((sum(scores) / 5, c["Проверено"],
                                                 c["Утеряно или испорчено"]))
    table = []
    for cls, checks in by_class.items():
        average = sum(a for a, _, _ in checks) / len(checks)
        lost = sum(x for _, _, x in checks) / sum(x for _, x, _ in checks)
        table.append((cls, round(average, 6), lost))
    table.sort(key=lambda t: (-t[1], t[2]))
    return [(cls, average) for cls, average, _ in table]


def test_best_class_for_textbooks(data):
    rows = records(data.summary("tbl_textbooks_ranking"))
    expected = expected_textbook_ranking()
    assert [(r["Класс"], round(r["Средний балл"], 6)) for r in rows] == expected
    assert [r["Место"] for r in rows] == [1, 2, 3, 4, 5]
    # 5А and 5Б tie on 4.8, and 10А and 3А on 4.0: fewer books lost per checked wins.
    assert [cls for cls, _ in expected] == ["5А", "5Б", "10А", "3А", "7А"]
    assert rows[0]["Проверок"] == 2
    assert rows[0]["Утеряно или испорчено (всего)"] == 3


def test_best_diaries_by_grade_band(data, config):
    rows = records(data.summary("tbl_diaries_top"))
    got = [(r["Группа классов"], r["Место"], r["ФИО ученика"], r["Сумма баллов"])
           for r in rows]
    assert got == [
        ("1–4 классы", 1, "Новиков Илья", 12),
        ("5–9 классы", 1, "Петрова Анна", 20),  # ties with Смирнов on 20: more books
        ("5–9 классы", 2, "Смирнов Антон", 20),
        ("5–9 классы", 3, "Иванов Пётр", 17),  # ties with Кузнецов on 17: more books
        ("5–9 классы", 4, "Кузнецов Олег", 17),
        ("5–9 классы", 5, "Павлов Сергей", 16),  # from the later 6А workbook
        ("10–11 классы", 1, "Беляев Максим", 19),
        ("10–11 классы", 2, "Орлова Дарья", 15),
    ]
    bands = next(s for s in config.specs() if s.id == "diaries").summaries[0].bands
    assert band_of("4Б", bands) == "1–4 классы" and band_of("11А", bands) == "10–11 классы"
    assert band_of("12А", bands) is None


# --- meetings, staff development -------------------------------------------------------------

def test_meetings_and_topics_covered(data):
    topics = {r["Тема"]: r for r in records(data.summary("tbl_meeting_topics"))}
    assert topics[TOPICS[1]]["Встреч"] == 2
    assert topics[TOPICS[1]]["Даты"] == "12.10.2026, 20.11.2026"
    assert topics[TOPICS[4]]["Даты"] == "01.10.2026"
    assert topics[TOPICS[0]]["Встреч"] == 0  # its meeting was in September, before the period
    assert topics["Другое"]["Встреч"] == 1
    assert [r["Дата"] for r in records(data.summary("tbl_meetings"))] == [
        dt.date(2026, 10, 1), dt.date(2026, 10, 12), dt.date(2026, 11, 5),
        dt.date(2026, 11, 20)]


def test_staff_development(data):
    levels = {r["Уровень"]: r for r in records(data.summary("tbl_practices"))}
    assert levels["Муниципальный"]["Выступление"] == 1
    assert levels["Региональный"]["Публикация"] == 1
    assert levels["Школьный"]["Всего"] == 0  # September: before the period
    assert data.summary("tbl_practices").total["Всего"] == 2
    assert [r["Часов"] for r in records(data.summary("tbl_courses"))] == [72, 16]
    assert data.summary("tbl_courses").total["Часов"] == COURSE_HOURS


# --- submissions, problems, sources, raw data ---------------------------------------------------

def test_submissions_cover_every_respondent(data, school):
    config, _ = school
    rows = records(data.submissions)
    by_file = {Path(r["Файл"]).name: r for r in rows if r["Файл"]}
    assert by_file["5А.xlsx"]["Статус"] == "принята"
    assert by_file["7А.xlsx"]["Статус"] == "принята, есть замечания"
    assert by_file["5Б.xlsx"]["Статус"] == "есть ошибки"
    assert by_file["ИБЦ.xlsx"]["Статус"] == "есть ошибки"
    # 6А sent a corrected copy: the later one is used and judged on its own content.
    assert by_file["6А.xlsx"]["Статус"] == "принята"
    assert (by_file["6А.xlsx"]["Ошибок"], by_file["6А.xlsx"]["Замечаний"]) == (0, 0)
    assert by_file["6А первый.xlsx"]["Статус"] == "заменена"
    assert by_file["6А первый.xlsx"]["Замечаний"] == 1
    assert by_file["6А первый.xlsx"]["Примечание"] == \
        "Учтена более поздняя книга этого респондента: «сданные/6А.xlsx»."
    assert by_file["8А.xlsx"]["Статус"] == "не принята"
    assert "2025/2026" in by_file["8А.xlsx"]["Примечание"]
    assert by_file[FOREIGN_FILE]["Статус"] == "не принята"
    assert by_file[FOREIGN_FILE]["Респондент"] == "Не из списка респондентов"
    assert by_file["5А.xlsx"]["Сдан"] == CLASSES["5А"][1]
    assert by_file["5А.xlsx"]["ФИО"] == "Васильева Анна Андреевна"
    assert (by_file["5Б.xlsx"]["Строк прочитано"], by_file["5Б.xlsx"]["Строк учтено"]) == (4, 3)
    not_sent = {r["Класс"] for r in rows if r["Статус"] == "не сдана"}
    handed = {"5А", "5Б", "10А", "3А", "7А", "6А", "8А"}
    assert not_sent == {c.name for c in config.classes} - handed
    assert len(rows) == 1 + len(config.classes) + 1 + 1  # two 6А rows, one foreign file
    frame = data.figures.frame
    figures = dict(zip(frame["Показатель"], frame["Значение"], strict=True))
    notes = dict(zip(frame["Показатель"], frame["Пояснение"], strict=True))
    # Books and respondents are counted apart: ten files (6А twice, a foreign file) from
    # eight respondents (ИБЦ, 5А, 5Б, 10А, 3А, 7А, 6А, 8А).
    expected = 1 + len(config.classes)
    assert figures["Книг получено"] == 10
    assert notes["Книг получено"] == f"от 8 из {expected} респондентов"
    assert figures["Респондентов не сдали книгу"] == len(not_sent) == expected - 8
    assert figures["Книг заменено"] == 1


def test_key_figures(data):
    figures = dict(zip(data.figures.frame["Показатель"], data.figures.frame["Значение"],
                       strict=True))
    assert figures["Пунктов дорожной карты"] == 15
    assert figures["Выполнено"] == len(DONE_PARTS)
    assert figures["Срок наступил"] == 5  # 1.1–1.4 (31.05.2024) and 5.1 (31.10.2026)
    assert figures["Просрочено"] == len(OVERDUE_PARTS)
    entries = counted_entries()
    assert figures["Участников конкурса «Учиться читать»"] == \
        len({e["ФИО участника"] for e in entries})
    assert figures["Победителей и призёров «Учиться читать»"] == \
        len({e["ФИО участника"] for e in entries if e["Результат"] != "Участник"})
    assert figures["Методических встреч (участие)"] == 4
    assert figures["Тем плана методических встреч охвачено"] == 2
    assert figures["Часов повышения квалификации"] == COURSE_HOURS
    assert figures["Лучший класс по сохранности учебников"] == "5А"
    assert figures["Книг не принято"] == 2
    assert figures["Книг с ошибками"] == 2  # ИБЦ, 5Б (8А is of another year: not taken)


def test_every_row_read_is_accounted_for(data, school):
    _, report = school
    rows = {r["Форма"]: r for r in records(data.reconciliation)}
    for spec in data.data.values():
        read = sum(len(f.forms[spec.form_id].records) for f in report.files
                   if spec.form_id in f.forms)
        row = rows[spec.sheet]
        assert row["Прочитано строк"] == read == spec.table.rows
        assert read == (row["Учтено"] + row["С ошибками"] + row["Вне периода"]
                        + row["В неучтённых книгах"]), spec.sheet
        assert row["Сходится"] == "да"
        frame = spec.table.frame
        assert row["Учтено"] == int((frame["Учтено"] == "да").sum())
    assert rows[TEXTBOOKS]["Вне периода"] == 1
    assert rows[TEXTBOOKS]["С ошибками"] == 1
    assert rows[DIARIES]["В неучтённых книгах"] == 2  # the earlier 6А and the 8А workbooks


def test_a_row_with_errors_keeps_what_was_typed_and_is_not_counted(data):
    frame = data.data["textbooks"].table.frame
    row = frame[(frame["Файл"].str.endswith("5Б.xlsx")) & (frame["Строка"] == FIRST + 1)]
    assert len(row) == 1
    row = row.iloc[0]
    assert row["Учтено"] == "нет" and row["Почему не учтено"] == WHY_ERRORS
    assert row["Обложки (0–5)"] == 7  # the value as read, not dropped
    assert "A6" not in row["Ошибки и замечания"] and "J6: Число 7" in row["Ошибки и замечания"]
    reasons = set(data.data["diaries"].table.frame["Почему не учтено"])
    assert {WHY_BLOCKED, WHY_SUPERSEDED, ""} <= reasons
    assert WHY_PERIOD in set(frame["Почему не учтено"])


def test_problems_name_file_sheet_cell_and_field(data):
    rows = records(data.problems)
    score = next(r for r in rows if r["Код"] == "out-of-range")
    assert (Path(score["Файл"]).name, score["Лист"], score["Ячейка"], score["Поле"],
            score["Значение"], score["Важность"]) == (
        "5Б.xlsx", TEXTBOOKS, "J6", "Обложки (0–5)", 7, "ошибка")
    warning = next(r for r in rows if r["Код"] == "date-month-first")
    assert warning["Важность"] == "замечание"


def test_sources_list_every_file_with_checksum(data, school):
    _, report = school
    rows = {Path(r["Файл"]).name: r for r in records(data.sources)}
    assert set(rows) == {Path(f.file).name for f in report.files}
    five = rows["5А.xlsx"]
    path = school[0].folders["returned"] / "5А.xlsx"
    assert five["SHA-256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert five["Размер, байт"] == path.stat().st_size
    assert five["Строк прочитано"] == 3 + 3 + 4
    assert five["Версия шаблона"] == "reading_contest:1 textbooks:1 diaries:1"
    per_form = {(Path(r["Файл"]).name, r["Форма"]): r for r in records(data.source_rows)}
    assert (per_form[("5А.xlsx", DIARIES)]["Строк прочитано"],
            per_form[("5А.xlsx", DIARIES)]["Учтено"]) == (3, 3)
    assert (per_form[("5А.xlsx", TEXTBOOKS)]["Строк прочитано"],
            per_form[("5А.xlsx", TEXTBOOKS)]["Не учтено"]) == (3, 1)
    assert per_form[("6А первый.xlsx", DIARIES)]["Учтено"] == 0
    assert sum(r["Строк прочитано"] for r in records(data.source_rows)) == \
        data.reconciliation.total["Прочитано строк"]


# --- unit cases, on FileResults built by hand ------------------------------------------------

def _file(name: str, respondent: str, modified: float, rows: list[dict], problems=()):
    form = FormResult("diaries", DIARIES, {}, [Record(5 + i, r, r) for i, r in enumerate(rows)])
    return FileResult(f"сданные/{name}", "xlsx",
                      {"respondent_id": respondent, "respondent": "Учитель",
                       "class_name": "5А", "template": "class_teacher"},
                      {"diaries": form}, list(problems), modified=modified)


def _diary(pupil: str, score: int) -> dict:
    return {"pupil": pupil, "class": "5А", "books": 1, "entries": 1, "score_completeness": score,
            "score_design": score, "score_creativity": score, "score_regularity": score}


def test_a_duplicate_against_a_superseded_workbook_does_not_block_the_newer_one(config):
    duplicate = Problem("duplicate-entry", file="сданные/b.xlsx", sheet=DIARIES, row=4, col=0,
                        field="pupil", params={"shown": "x", "other": "сданные/a.xlsx",
                                               "sheet": DIARIES, "row": 5})
    report = Report([_file("a.xlsx", "class_5А", 100.0, [_diary("Иванов", 3)]),
                     _file("b.xlsx", "class_5А", 200.0, [_diary("Иванов", 4)], [duplicate])])
    check_across(report.files)
    assert [f.status for f in report.files] == ["replaced", "errors"]
    result = consolidate(report, config, config.specs(), PERIOD, TODAY)
    frame = result.data["diaries"].table.frame
    assert list(frame["Учтено"]) == ["нет", "да"]
    assert list(frame["Почему не учтено"]) == [WHY_SUPERSEDED, ""]
    assert records(result.summary("tbl_diaries_top"))[0]["Сумма баллов"] == 16


def test_a_problem_finds_its_row_by_its_position_not_by_its_text(config):
    # The position is a value: row 4, column 1 (zero-based) is B5, and it is the record of
    # row 5 that the error keeps out; a problem with no position (a whole sheet) blocks no row.
    bad = Problem("cell-error", file="сданные/a.xlsx", sheet=DIARIES, row=4, col=1,
                  field="class", params={"title": "Класс"})
    assert bad.cell == "B5"
    sheet_wide = Problem("missing-header", file="сданные/a.xlsx", sheet=DIARIES)
    report = Report([_file("a.xlsx", "class_5А", 100.0,
                           [_diary("Иванов", 3), _diary("Петров", 4)], [bad, sheet_wide])])
    result = consolidate(report, config, config.specs(), PERIOD, TODAY)
    frame = result.data["diaries"].table.frame
    assert list(frame["Учтено"]) == ["нет", "да"]
    assert list(frame["Почему не учтено"]) == [WHY_ERRORS, ""]


def test_no_files_at_all(config):
    result = consolidate(Report([]), config, config.specs(), PERIOD, TODAY)
    assert result.summary("tbl_textbooks_ranking").rows == 0
    assert result.summary("tbl_diaries_top").rows == 0
    assert set(result.submissions.frame["Статус"]) == {"не сдана"}
    assert all(r["Просрочено"] == "да" for r in records(result.summary("tbl_roadmap"))
               if r["Срок (дата)"] and r["Срок (дата)"] < TODAY)
    assert all(r["Прочитано строк"] == 0 for r in records(result.reconciliation))


def test_one_meeting_however_many_staff_wrote_it_down(config):
    """Two librarians at one meeting are two rows (two participations) but one meeting."""
    rows = [{"date": dt.date(2026, 10, 12), "topic": TOPICS[1], "organizer": "ТОИПКРО",
             "format": "Очно", "participant": who} for who in ("Сидорова Е. В.", "Лаптева О. Н.")]
    rows.append(rows[0] | {"date": dt.date(2026, 11, 20)})
    form = FormResult("meetings", MEETINGS, {}, [Record(5 + i, r, r) for i, r in enumerate(rows)])
    head = FileResult("сданные/ибц.xlsx", "xlsx", {"respondent_id": "ibc_head",
                                                    "template": "ibc_head"},
                      {"meetings": form}, [], modified=100.0)
    result = consolidate(Report([head]), config, config.specs(), PERIOD, TODAY)
    topics = records(result.summary("tbl_meeting_topics"))
    topic = next(r for r in topics if r["Тема"] == TOPICS[1])
    assert (topic["Встреч"], topic["Даты"]) == (2, "12.10.2026, 20.11.2026")
    assert len(records(result.summary("tbl_meetings"))) == 3


def test_a_consolidation_that_releases_the_rows_shows_the_same(school, data):
    config, _ = school
    report = judge(config)  # a fresh one: the module's report is not to be emptied
    read = [f.rows() for f in report.files]
    released = consolidate(report, config, config.specs(), PERIOD, TODAY, release=True)
    assert all(form.records == [] for f in report.files for form in f.forms.values())
    assert [f.rows() for f in report.files] == read and any(sum(r.values()) for r in read)
    assert list(released.data) == list(data.data)
    for form_id, form in data.data.items():
        assert records(released.data[form_id].table) == records(form.table)
    assert records(released.figures) == records(data.figures)
    assert records(released.source_rows) == records(data.source_rows)
