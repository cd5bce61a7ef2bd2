"""Returned workbooks, filled as staff fill them, read back and judged: the exact rows and the
exact problems (code, sheet, cell)."""

from __future__ import annotations

import datetime as dt
import gc
import shutil
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from conftest import problems_of, returned
from fill import DIARY_ROW, FIRST, column_of, fill, saved_at

from ibc_xls.checking.check import check_paths
from ibc_xls.checking.results import FileResult, FormResult, Record
from ibc_xls.checking.validate import check_across, key_digest, unique_key
from ibc_xls.cli import cli
from ibc_xls.forms.identity import IDENTITY_SHEET
from ibc_xls.problems import Severity
from ibc_xls.settings.config import load_config

TODAY = dt.date(2026, 11, 25)
TEXTBOOKS, DIARIES, CONTEST = "Сохранность учебников", "Читательский дневник", "Учиться читать"
ROADMAP = "Дорожная карта"


CHECK_ROW = {"Дата проверки": "05.10.2026", "Учащихся": 27, "Выдано учебников": 200,
             "Проверено": 180, "В хорошем состоянии": 150, "В удовлетвори- тельном состоянии": 20,
             "В неудовлетвори- тельном состоянии": 5, "Утеряно или испорчено": 2,
             "Обложки (0–5)": 5, "Закладки (0–5)": 4, "Подписаны (0–5)": 5,
             "Чистота, без пометок (0–5)": 5, "Наличие по расписанию (0–5)": 4}


def test_three_typical_mistakes_give_three_messages(school):
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {
        DIARIES: [DIARY_ROW,
                  {**DIARY_ROW, "ФИО ученика": "Петрова Анна", "Творческий подход (0–5)": 7},
                  {**DIARY_ROW, "ФИО ученика": None, "Класс": "5Д"}],
        TEXTBOOKS: [{**CHECK_ROW, "Дата проверки": "31.09.2026"}],
    })
    result = judge(path)
    assert problems_of(result) == [
        ("bad-date", TEXTBOOKS, "A5"),
        ("out-of-range", DIARIES, "G6"),
        ("missing-required", DIARIES, "A7"),
        ("unknown-class", DIARIES, "B7"),
    ]
    messages = [str(p) for p in result.problems]
    assert messages[0] == ("Файл «сданные/5А.xlsx», лист «Сохранность учебников», ячейка A5: "
                           "«31.09.2026» — не дата. Введите дату как ДД.ММ.ГГГГ: день, месяц и "
                           "год цифрами через точку.")
    assert "Число 7 вне допустимых пределов: от 0 до 5" in messages[1]
    assert "Не заполнено обязательное поле «ФИО ученика»" in messages[2]
    assert "Класса «5Д» нет в списке классов школы" in messages[3]


def test_values_typed_as_text_are_understood(school):
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {
        TEXTBOOKS: [{**CHECK_ROW, "Дата проверки": "5 октября 2026", "Класс": "5 a",
                     "Выдано учебников": "1 000", "Проверено": "200", "Учащихся": "27,0"}],
        CONTEST: [{"ФИО участника": "  Сидоров\u00a0Илья ", "Номинация": "Чтец",
                   "Этап": "школьный", "Результат": "призер", "Дата": "2026-10-12"}],
    })
    result = judge(path)
    assert problems_of(result) == []
    check = result.forms["textbooks"].records[0]
    assert check.row == FIRST
    assert check.values["date"] == dt.date(2026, 10, 5)
    assert check.values["class"] == "5А"
    assert (check.values["issued"], check.values["checked"], check.values["pupils"]) == (
        1000, 200, 27)
    entry = result.forms["reading_contest"].records[0].values
    assert entry == {"pupil": "Сидоров Илья", "class": "5А", "nomination": "Чтец",
                     "stage": "Школьный", "result": "Призёр", "date": dt.date(2026, 10, 12),
                     "mentor": "Васильева Анна Андреевна"}
    assert result.forms["diaries"].records == []


def test_rules_across_fields(school):
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {
        TEXTBOOKS: [{**CHECK_ROW, "Проверено": 150},  # 150 + 20 + 5 + 2 > 150
                    {**CHECK_ROW, "Проверено": 250, "Выдано учебников": 200}],
        CONTEST: [{"ФИО участника": "Сидоров Илья", "Номинация": "Чтец", "Этап": "Школьный",
                   "Результат": "Участник", "Дата": "12.10.2026"}] * 2,
    })
    result = judge(path)
    assert problems_of(result) == [
        ("duplicate-row", CONTEST, "A6"),
        ("rule-le", TEXTBOOKS, "E5"),
        ("rule-le", TEXTBOOKS, "D6"),
    ]
    assert [r.ok for r in result.forms["textbooks"].records] == [False, False]
    assert "Первая запись — строка 5" in result.problems[0].message


def test_roadmap_status_done_needs_date_and_result(school):
    config, blanks, judge = school
    statuses = {part: {"Статус": "В работе"} for part in
                ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "3", "3.1", "3.2", "3.3",
                 "3.4", "4.1", "4.2", "5.1"]}
    statuses["1.1"] = {"Статус": "выполнено"}
    statuses["1.3"] = {"Статус": "Выполнено", "Дата выполнения": "20.05.2024",
                       "Результат или документ": "Приказ №45-о от 20.05.2024"}
    statuses["5.1"] = {"Статус": None}
    statuses["4.2"] = {"Статус": None, "Комментарий": "Курсы в мае"}  # filled, but no status
    path = fill(blanks["ibc_head"], returned(config) / "ИБЦ.xlsx", {}, fixed={ROADMAP: statuses})
    result = judge(path)
    # One mistake, one message: «Выполнено» without date and result is one problem, at the
    # first empty cell; a plan row left wholly empty is said once for the workbook.
    assert problems_of(result) == [
        ("rule-required", ROADMAP, "I5"),
        ("missing-required", ROADMAP, "H18"),
        ("plan-rows-empty", ROADMAP, "H19"),
    ]
    assert result.problems[0].message == ("Для статуса «Выполнено» укажите дату выполнения и "
                                          "результат или документ.")
    assert result.problems[2].message == ("Не заполнены пункты плана (1): 5.1. Отметьте статус "
                                          "каждого пункта; пока в отчёте по ним «Нет "
                                          "сведений».")
    records = {r.values["part"]: r for r in result.forms["roadmap"].records}
    assert not records["5.1"].ok and not records["4.2"].ok and records["1.3"].ok
    records = result.forms["roadmap"].records
    assert [r.values["part"] for r in records][:3] == ["1.1", "1.2", "1.3"]
    assert records[2].values["done_date"] == dt.date(2024, 5, 20)
    assert records[0].values["status"] == "Выполнено"


def test_untouched_plan_rows_are_one_problem_per_workbook(school):
    config, blanks, judge = school
    path = fill(blanks["ibc_head"], returned(config) / "ИБЦ.xlsx", {},
                fixed={ROADMAP: {"1.1": {"Статус": "В работе"}, "3": {"Статус": "Не начато"}}})
    result = judge(path)
    assert problems_of(result) == [("plan-rows-empty", ROADMAP, "H6")]  # 1.2, the first
    assert "(13): 1.2, 1.3, 1.4, 2.1, 2.2, 2.3, 3.1, 3.2, 3.3, 3.4, 4.1, 4.2, 5.1." in (
        result.problems[0].message)


def test_template_returned_empty_is_one_problem(school):
    config, blanks, judge = school
    path = returned(config) / "5А.xlsx"
    shutil.copyfile(blanks["class_5А"], path)
    assert problems_of(judge(path)) == [("empty-workbook", "", "")]


def test_not_an_ibc_workbook(school, tmp_path):
    _, _, judge = school
    wb = openpyxl.Workbook()
    wb.active.append(["ФИО", "Класс"])
    wb.save(tmp_path / "чужая.xlsx")
    result = judge(tmp_path / "чужая.xlsx")
    assert problems_of(result) == [("not-ibc-workbook", "", "")]
    assert result.refused


def _set_identity(path: Path, **fields) -> None:
    wb = openpyxl.load_workbook(path)
    sheet = wb[IDENTITY_SHEET]
    for row in sheet.iter_rows():
        if row[0].value in fields:
            row[2].value = fields[row[0].value]
        if row[0].value == "roadmap" and "roadmap_version" in fields:
            row[1].value = fields["roadmap_version"]
    for prop in wb.custom_doc_props.props:
        name = prop.name.removeprefix("ibc_xls_")
        if name in fields:
            prop.value = fields[name]
    wb.save(path)


def test_older_template_version_is_refused_with_the_expected_version(school):
    config, blanks, judge = school
    path = fill(blanks["ibc_head"], returned(config) / "ИБЦ.xlsx", {},
                fixed={ROADMAP: {"1.1": {"Статус": "В работе"}}})
    _set_identity(path, roadmap_version="0", template_version="roadmap:0 documents:1")
    result = judge(path)
    codes = problems_of(result)
    assert ("template-version", ROADMAP, "") in codes
    message = next(p.message for p in result.problems if p.code == "template-version")
    assert "версии 0, а нужна версия 1" in message
    assert "roadmap" not in result.forms


def test_version_compared_loosely(school):
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    wb = openpyxl.load_workbook(path)
    for row in wb[IDENTITY_SHEET].iter_rows():
        if row[0].value in ("reading_contest", "textbooks", "diaries"):
            row[1].value = 1.0  # as LibreOffice retypes "1"
    wb.save(path)
    assert problems_of(judge(path)) == []


def test_wrong_year_and_school(school):
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    _set_identity(path, academic_year="2025/2026", school="МОУ «СОШ №5»")
    assert problems_of(judge(path)) == [("wrong-school", "", ""), ("wrong-year", "", "")]


def test_moved_and_extra_columns_still_read(school):
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    wb = openpyxl.load_workbook(path)
    ws = wb[DIARIES]
    ws.protection.sheet = False
    ws.insert_cols(1)  # a column for the row number, as people add
    ws.cell(4, 1).value = "№ п/п"
    ws.cell(5, 1).value = 1
    wb.save(path)
    result = judge(path)
    assert problems_of(result) == [("extra-column", DIARIES, "A4")]
    assert result.forms["diaries"].records[0].values["pupil"] == "Иванов Пётр"
    assert result.forms["diaries"].records[0].values["books"] == 12


def test_renamed_sheet_and_missing_column(school):
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    wb = openpyxl.load_workbook(path)
    wb[TEXTBOOKS].title = "Учебники"
    ws = wb[DIARIES]
    ws.cell(4, column_of(ws, "Прочитано книг")).value = "Книги"
    wb.save(path)
    assert problems_of(judge(path)) == [
        ("missing-sheet", TEXTBOOKS, ""),
        ("extra-column", DIARIES, "C4"),
        ("missing-column", DIARIES, ""),
    ]


def test_dates_outside_the_year_and_in_the_future(school):
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {
        TEXTBOOKS: [{**CHECK_ROW, "Дата проверки": "01.06.2026"},
                    {**CHECK_ROW, "Дата проверки": "01.12.2026"}]})
    saved_at(path, dt.datetime(2026, 11, 25, 18, 0))  # the reporting date is 25.11.2026
    result = judge(path)
    assert problems_of(result) == [("date-out-of-range", TEXTBOOKS, "A5"),
                                   ("future-date", TEXTBOOKS, "A6")]
    assert "с 01.09.2026 по 31.08.2027" in result.problems[0].message
    assert result.problems[1].message == (
        "Дата 01.12.2026 ещё не наступила: она позже отчётной даты (25.11.2026) и дня, когда "
        "книга сохранена. Проверьте дату.")


def test_a_date_after_the_reporting_date_but_before_saving_is_no_mistake(school):
    """A report judged as of a past day: what was typed before the book was saved had come."""
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {
        TEXTBOOKS: [{**CHECK_ROW, "Дата проверки": "30.11.2026"},
                    {**CHECK_ROW, "Дата проверки": "05.12.2026"}]})
    saved_at(path, dt.datetime(2026, 12, 1, 9, 0))
    result = judge(path)  # as of 25.11.2026
    assert problems_of(result) == [("future-date", TEXTBOOKS, "A6")]
    assert [r.values["date"] for r in result.forms["textbooks"].records] == \
        [dt.date(2026, 11, 30), None]
    assert result.saved == dt.datetime(2026, 12, 1, 9, 0).timestamp()


def test_across_files_duplicates(school):
    config, blanks, _ = school
    entry = {"ФИО участника": "Сидоров Илья", "Номинация": "Чтец", "Этап": "Школьный",
             "Результат": "Участник", "Дата": "12.10.2026"}
    # 5А sends a copy, then the workbook it means: the later one is used.
    saved_at(fill(blanks["class_5А"], returned(config) / "5А.xlsx", {CONTEST: [entry]}),
             dt.datetime(2026, 11, 20, 10, 0))
    saved_at(fill(blanks["class_5А"], returned(config) / "5А ещё раз.xlsx",
                  {DIARIES: [DIARY_ROW]}), dt.datetime(2026, 11, 19, 10, 0))
    fill(blanks["class_5Б"], returned(config) / "5Б.xlsx", {CONTEST: [entry]})
    report = check_paths([returned(config)], config, as_of=TODAY, workers=1)
    found = {(r.file, p.code) for r in report.files for p in r.problems}
    assert found == {("сданные/5А ещё раз.xlsx", "workbook-replaced"),
                     ("сданные/5Б.xlsx", "duplicate-entry")}
    status = {r.file: r.status for r in report.files}
    assert status == {"сданные/5А.xlsx": "ok", "сданные/5А ещё раз.xlsx": "replaced",
                      "сданные/5Б.xlsx": "errors"}
    replaced = next(p for r in report.files for p in r.problems if p.code == "workbook-replaced")
    assert replaced.severity is Severity.WARNING
    assert "«сданные/5А.xlsx»; учтена она, а эта нет" in replaced.message
    dup = next(p for r in report.files for p in r.problems if p.code == "duplicate-entry")
    assert (dup.sheet, dup.cell) == (CONTEST, "A5")
    assert "сданные/5А.xlsx" in dup.message


def test_check_paths_reports_progress_and_lets_go_of_the_keys(school):
    config, blanks, _ = school
    for cls in ("class_5А", "class_5Б"):
        fill(blanks[cls], returned(config) / f"{cls}.xlsx", {DIARIES: [DIARY_ROW]})
    calls = []
    report = check_paths([returned(config)], config, as_of=TODAY,
                         progress=lambda *done_of: calls.append(done_of))
    assert calls == [(1, 2), (2, 2)]
    first, second = (f.forms["diaries"] for f in report.files)
    assert list(first.columns) == list(second.columns)
    assert list(first.records[0].values) == list(second.records[0].values)
    assert first.records[0].values["pupil"] == second.records[0].values["pupil"] == \
        DIARY_ROW["ФИО ученика"]
    assert first.keys == second.keys == {}  # used by the checks across files, then let go
    assert gc.isenabled()


def _contest_file(name: str, respondent: str, pupils: list[str],
                  digest=None) -> FileResult:
    """A checked file with contest entries, its keys made as the validator makes them unless
    ``digest`` forces one."""
    fields = ("participant", "nomination", "stage")
    form = FormResult("reading_contest", CONTEST, {"participant": 0})
    for i, pupil in enumerate(pupils):
        values = {"participant": pupil, "nomination": "Чтец", "stage": "Школьный"}
        form.records.append(Record(5 + i, values))
        key = unique_key(fields, values)
        form.add_key(fields, digest if digest is not None else
                     key_digest("reading_contest", fields, key), 5 + i)
    return FileResult(f"сданные/{name}", "xlsx", {"respondent_id": respondent},
                      {"reading_contest": form})


def test_across_files_the_same_entry_in_other_spelling_is_a_duplicate():
    files = [_contest_file("5А.xlsx", "class_5А", ["Сидоров Илья", "Петрова Анна"]),
             _contest_file("5Б.xlsx", "class_5Б", ["Орлов Иван", "сидоров  илья"])]
    check_across(files)
    assert [(p.code, p.cell, p.params["other"], p.params["row"]) for p in files[1].problems] \
        == [("duplicate-entry", "A6", "сданные/5А.xlsx", 5)]
    assert files[0].problems == []


def test_across_files_keys_that_only_share_their_digest_are_no_duplicate():
    files = [_contest_file("5А.xlsx", "class_5А", ["Сидоров Илья"], digest=42),
             _contest_file("5Б.xlsx", "class_5Б", ["Орлов Иван"], digest=42)]
    check_across(files)
    assert files[0].problems == files[1].problems == []


def test_one_broken_file_does_not_stop_the_others(school):
    config, blanks, _ = school
    fill(blanks["class_5А"], returned(config) / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    (returned(config) / "обрыв.xlsx").write_bytes(blanks["class_5Б"].read_bytes()[:5000])
    (returned(config) / "~$5А.xlsx").write_bytes(b"lock")
    report = check_paths([returned(config)], config, as_of=TODAY)
    assert [(r.file, r.status) for r in report.files] == [
        ("сданные/5А.xlsx", "ok"), ("сданные/обрыв.xlsx", "refused")]
    assert report.files[1].problems[0].code == "file-truncated"
    assert not report.valid


def _cli(*args):
    return CliRunner().invoke(cli, list(args))


def test_validate_command_prints_cells_and_exits_1(school):
    config, blanks, _ = school
    fill(blanks["class_5А"], returned(config) / "5А.xlsx", {
        DIARIES: [DIARY_ROW, {**DIARY_ROW, "ФИО ученика": "Петрова Анна",
                              "Творческий подход (0–5)": 7}]})
    result = _cli("validate", "-C", str(config.root))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "сданные/5А.xlsx — есть ошибки (ошибок: 1)"
    assert lines[1].startswith("  ошибка: лист «Читательский дневник», ячейка G6: Число 7")
    assert lines[-1] == ("Итого: книг 1, принято 0, с ошибками 1, не принято 0; ошибок 1, "
                         f"замечаний 0. Отчётная дата: {dt.date.today():%d.%m.%Y}.")
    given = _cli("validate", "-C", str(config.root), "--as-of", "20.11.2026")
    assert given.stdout.splitlines()[-1].endswith("Отчётная дата: 20.11.2026.")


def test_validate_json_and_exit_0(school):
    import json

    config, blanks, _ = school
    fill(blanks["class_5А"], returned(config) / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    result = _cli("validate", "-C", str(config.root), "--json",
                  str(returned(config) / "5А.xlsx"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["valid"] is True
    assert data["files"][0]["rows"] == {"reading_contest": 0, "textbooks": 0, "diaries": 1}
    assert data["files"][0]["respondent"] == "Васильева Анна Андреевна"


def test_validate_usage_error_exits_2(tmp_path):
    assert _cli("validate", "-C", str(tmp_path)).exit_code == 2
    assert _cli("validate", str(tmp_path / "нет такого")).exit_code == 2


def test_input_files_are_never_modified(school):
    config, blanks, _ = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    check_paths([returned(config)], config, as_of=TODAY)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_warnings_do_not_fail_validation(school):
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {
        TEXTBOOKS: [{**CHECK_ROW, "Дата проверки": "10/25/2026"}]})
    result = judge(path)
    assert problems_of(result) == [("date-month-first", TEXTBOOKS, "A5")]
    assert result.problems[0].severity is Severity.WARNING
    assert result.status == "warnings"
    assert result.forms["textbooks"].records[0].values["date"] == dt.date(2026, 10, 25)


def test_roster_change_after_generation(school, workspace):
    config, blanks, _ = school
    fill(blanks["class_5А"], returned(config) / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    path = workspace / "ibc-xls.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('name = "5А"', 'name = "5В"'), encoding="utf-8")
    report = check_paths([returned(config)], load_config(workspace), as_of=TODAY)
    assert [p.code for p in report.problems] == ["unknown-respondent", "unknown-class"]


def test_an_impossible_date_number_costs_one_cell_not_the_workbook(school):
    # python-calamine panics on such a serial in a date-formatted cell (found by hypothesis).
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {
        TEXTBOOKS: [{**CHECK_ROW, "Дата проверки": -106751991808.0}],
        DIARIES: [DIARY_ROW]})
    result = judge(path)
    assert problems_of(result) == [("bad-date", TEXTBOOKS, "A5")]
    assert result.forms["diaries"].records[0].values["pupil"] == "Иванов Пётр"


def test_choices_ambiguous_dates_and_long_text(school):
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {
        CONTEST: [{"ФИО участника": "Сидоров Илья", "Номинация": "Ч" * 201, "Этап": "Районный",
                   "Результат": "Участник", "Дата": "05/10/2026"}]})
    result = judge(path)
    assert problems_of(result) == [("too-long", CONTEST, "C5"), ("unknown-choice", CONTEST, "D5"),
                                   ("ambiguous-date", CONTEST, "F5")]
    assert "Выберите из списка: Школьный; Муниципальный; Региональный" in (
        result.problems[1].message)


def test_roadmap_rows_changed_or_removed(school):
    config, blanks, judge = school
    path = fill(blanks["ibc_head"], returned(config) / "ИБЦ.xlsx", {},
                fixed={ROADMAP: {"1.1": {"Статус": "В работе"}}})
    wb = openpyxl.load_workbook(path)
    ws = wb[ROADMAP]
    ws["D5"].value = "Своими словами"  # the content of 1.1, a prefilled cell
    ws.delete_rows(19)  # the row of 5.1
    wb.save(path)
    codes = problems_of(judge(path))
    assert ("prefilled-changed", ROADMAP, "D5") in codes
    assert ("fixed-row-missing", ROADMAP, "") in codes
    assert ("plan-rows-empty", ROADMAP, "H6") in codes  # 1.2 and the rest: no status


def test_headers_removed(school):
    config, blanks, judge = school
    path = fill(blanks["class_5А"], returned(config) / "5А.xlsx", {DIARIES: [DIARY_ROW]})
    wb = openpyxl.load_workbook(path)
    for cell in wb[CONTEST][4]:
        cell.value = None
    wb.save(path)
    assert problems_of(judge(path)) == [("missing-header", CONTEST, "")]
